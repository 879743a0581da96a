"""Periods: a half-open date interval and the granularities the queries aggregate to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from data_access.french import fr_month
from data_access.vocabulary import GRANULARITY_LABELS, Granularity

__all__ = ["GRANULARITY_LABELS", "Bucket", "Granularity", "Period", "add_months", "bucket_months", "bucket_start", "last_ended_year"]

Bucket = Literal["month", "quarter", "year", "total"]


@dataclass(frozen=True)
class Period:
    """``start`` inclusive, ``end`` exclusive (both first days of a month)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period end {self.end} must be after its start {self.start}")

    @classmethod
    def years(cls, first: int, last: int | None = None) -> Period:
        """Calendar years ``first`` to ``last`` inclusive (one year when ``last`` is None)."""
        return cls(dt.date(first, 1, 1), dt.date((last or first) + 1, 1, 1))

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    def label(self) -> str:
        """French label: « 2024 », « 2014–2020 » or « janv. 2024 – mars 2024 »."""
        last = add_months(self.end, -1)
        if self.start.month == 1 and self.end.month == 1:
            return str(self.start.year) if last.year == self.start.year else f"{self.start.year}–{last.year}"
        return f"{fr_month(self.start, short=True)} – {fr_month(last, short=True)}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def bucket_start(day: dt.date, bucket: Bucket) -> dt.date:
    """First day of the month, quarter or year containing ``day``."""
    if bucket == "year":
        return dt.date(day.year, 1, 1)
    if bucket == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, day.month, 1)


def bucket_months(bucket: Bucket) -> int:
    return {"month": 1, "quarter": 3, "year": 12}.get(bucket, 0)


def last_ended_year(today: dt.date | None = None) -> int:
    """The latest calendar year already over (the year before ``today``'s, by default today's):
    no later year can be complete, whatever a stray future value in the database says."""
    return (today or dt.date.today()).year - 1
