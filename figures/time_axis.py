"""Time axes in French: granularity of a series, period labels, tick positions, trêve windows.

Plotly's own date labels follow the browser's d3 locale (« Jan 2024 »), so every time axis of the
dashboard gets explicit tick values and French tick texts from here, and hover templates print
a precomputed French period label (« mars 2024 », « T1 2024 », « 2024 »).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from data_access.french import fr_month
from data_access.periods import add_months
from data_access.vocabulary import TREVE

Grain = Literal["month", "quarter", "year"]
GRAIN_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
GRAIN_AXIS_TITLES = {
    "month": "Période (données mensuelles)",
    "quarter": "Période (données trimestrielles)",
    "year": "Année",
}
# the trêve hivernale runs 1 November – 31 March: no eviction may be carried out then


def as_dates(values: Iterable[object]) -> list[dt.date]:
    """``datetime.date`` objects from dates, datetimes, Timestamps or ISO strings."""
    return [pd.Timestamp(v).date() for v in values]  # type: ignore[arg-type]


def infer_granularity(dates: Iterable[dt.date]) -> Grain:
    """``year`` when every date is a 1 January at least a year apart, ``quarter`` when every date
    starts a quarter at least three months apart, else ``month``. A single date counts as the
    coarsest granularity it fits."""
    days = sorted(set(dates))
    gaps = [(b.year - a.year) * 12 + b.month - a.month for a, b in zip(days, days[1:], strict=False)]
    smallest = min(gaps, default=12)
    if all(d.month == 1 for d in days) and smallest >= 12:
        return "year"
    if all(d.month in (1, 4, 7, 10) for d in days) and smallest >= 3:
        return "quarter"
    return "month"


def period_label(day: dt.date, grain: Grain) -> str:
    """« mars 2024 », « T1 2024 » or « 2024 »."""
    if grain == "year":
        return str(day.year)
    if grain == "quarter":
        return f"T{(day.month - 1) // 3 + 1} {day.year}"
    return fr_month(day, short=True)


def bucket_end(day: dt.date, grain: Grain) -> dt.date:
    """The first day after the bucket starting on ``day``."""
    return add_months(day, GRAIN_MONTHS[grain])


def x_position(day: dt.date, grain: Grain) -> dt.date:
    """Where the bucket starting on ``day`` is drawn: its middle (the 15th of a month, the 15th
    of a quarter's second month, 1 July), so that a point sits inside the period it counts and
    inside the trêve bands and event bands that cover it."""
    if grain == "year":
        return dt.date(day.year, 7, 1)
    if grain == "quarter":
        return add_months(day, 1).replace(day=15)
    return day.replace(day=15)


@dataclass(frozen=True)
class TimeTicks:
    """A French time axis: labels in the middle of their period, grid lines at its boundaries."""

    label_values: list[str]
    label_texts: list[str]
    boundaries: list[str]

    def axis(self, grid_colour: str, tick_colour: str) -> dict[str, object]:
        """Keyword arguments for ``fig.update_xaxes``."""
        return {
            "tickmode": "array",
            "tickvals": self.label_values,
            "ticktext": self.label_texts,
            "ticks": "",
            "showgrid": False,
            "minor": {
                "tickmode": "array",
                "tickvals": self.boundaries,
                "showgrid": True,
                "gridcolor": grid_colour,
                "ticks": "outside",
                "ticklen": 8,
                "tickcolor": tick_colour,
            },
        }


def time_ticks(first: dt.date, end: dt.date, grain: Grain, *, max_labels: int = 14) -> TimeTicks:
    """The ticks of a time axis from ``first`` (inclusive) to ``end`` (exclusive), both first days of
    a month.

    Up to two years of monthly or quarterly data: one label every 1, 2, 3 or 6 months
    (« janv. 2024 ») or every quarter (« T1 2024 »); otherwise one label every 1, 2, 5 or 10 years
    (« 2024 »). At most ``max_labels`` labels; grid lines at every labelled period's boundaries.
    """
    months = (end.year - first.year) * 12 + end.month - first.month
    if months <= 24 and grain != "year":
        size = GRAIN_MONTHS[grain]
        step = next((s for s in (size, 2 * size, 3, 6, 12) if s >= size and months // s <= max_labels), 12)
        starts = []
        day = dt.date(first.year, (first.month - 1) // step * step + 1, 1)
        while day < end:
            if day >= first:
                starts.append(day)
            day = add_months(day, step)
        bounds = [add_months(first, i) for i in range(0, months + 1, size)]
        return TimeTicks(
            [x_position(d, grain).isoformat() for d in starts],
            [period_label(d, grain) for d in starts],
            [d.isoformat() for d in bounds],
        )
    years = list(range(first.year, end.year if end.month == 1 else end.year + 1))
    step = next((s for s in (1, 2, 5, 10, 20) if math.ceil(len(years) / s) <= max_labels), 20)
    labelled = [y for y in years if y % step == 0] if step > 1 else years
    bounds = [dt.date(y, 1, 1) for y in [*years, years[-1] + 1] if first <= dt.date(y, 1, 1) <= end]
    return TimeTicks(
        [dt.date(y, 7, 1).isoformat() for y in labelled],
        [str(y) for y in labelled],
        [d.isoformat() for d in bounds],
    )


def treve_windows(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The trêve hivernale windows (1 November – 1 April, end exclusive) overlapping
    ``[first, last]``, clipped to it."""
    windows = []
    for year in range(first.year - 1, last.year + 1):
        start, end = dt.date(year, TREVE.first_month, 1), dt.date(year + 1, TREVE.last_month + 1, 1)
        if start <= last and end >= first:
            windows.append((max(start, first), min(end, last)))
    return [(a, b) for a, b in windows if a < b]
