"""Import throughput: a 100 000-row long-format file through the real path (read, check, write).

What the command ``python -m data_access import`` does, in-process (so that Python's start-up is
not counted): ``prepare_import`` on a connection, then ``apply_import`` in one transaction. Each
run's import is reverted afterwards (not timed), so that every run replaces the same demo values.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.import_file import write_long_csv
from benchmarks.stats import Timing
from data_access.importers import apply_import, prepare_import, revert_batch


def import_throughput(engine: Engine, work: Path, *, rows: int, repeat: int) -> tuple[int, Timing]:
    """(rows per file, timing of the whole import) over ``repeat`` runs."""
    path = work / "import-long.csv"
    with engine.connect() as conn:
        written = write_long_csv(path, conn, rows=rows)
    data = path.read_bytes()
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        with engine.connect() as conn:
            preview = prepare_import(conn, data, path.name)
        if preview.errors:
            raise RuntimeError(f"the benchmark file was refused: {preview.refusal()}")
        with engine.begin() as conn:
            outcome = apply_import(conn, preview, user_name="benchmark")
        durations.append(time.perf_counter() - start)
        assert outcome.batch_id is not None, outcome.message
        with engine.begin() as conn:
            revert_batch(conn, outcome.batch_id)
    return written, Timing.of(durations)
