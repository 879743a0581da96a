"""Repeated timings summarised as min / median / p95 (milliseconds)."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """``runs`` durations in ms: their min, median and 95th percentile (nearest rank)."""

    runs: int
    min_ms: float
    median_ms: float
    p95_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ordered = sorted(s * 1000 for s in seconds)
        rank = max(1, math.ceil(0.95 * len(ordered)))
        return cls(len(ordered), round(ordered[0], 2), round(statistics.median(ordered), 2), round(ordered[rank - 1], 2))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def timed(function: Callable[[], object], repeat: int) -> Timing:
    """Call ``function`` ``repeat`` times and summarise the durations.

    As ``timeit`` does, the garbage collector is off while a call is timed (and run between
    calls): otherwise a collection of the benchmark's own heap — every database, page session and
    cached result it made — lands in whichever call happens to be running."""
    durations = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            function()
            durations.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return Timing.of(durations)
