"""French number, date and table formats, from one place: ``1 529``, ``12,5``, ``12,5 %``, years
``2021`` (never ``2 021``), ``mars 2021``, ``01/12/2026``.

Thousands are separated by a narrow no-break space (U+202F), decimals by a comma. Plotly figures
use ``PLOTLY_SEPARATORS`` (decimal comma, thin space for thousands). Screen tables, figures' hover
text, CSV/XLSX and slides all format through these functions.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers

import pandas as pd

NNBSP = "\u202f"
MISSING = "–"  # what a missing value reads as (an en dash)
PLOTLY_SEPARATORS = ", "  # Plotly: first character decimal, second thousands
MONTHS_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
MONTHS_LONG = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def fr_number(value: float | None, decimals: int = 0) -> str:
    """``1529`` → ``1 529``; ``12.5`` with one decimal → ``12,5``; None or NaN → ``–``."""
    if _missing(value):
        return MISSING
    text = f"{value:,.{decimals}f}"
    if text in ("-0", "-0,0") or text.startswith("-0.") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace(",", NNBSP).replace(".", ",")


def fr_auto(value: float | None) -> str:
    """A value as a table shows it: whole numbers without decimals, others with one (``6,5``)."""
    if _missing(value):
        return MISSING
    assert value is not None
    return fr_number(value, 0 if float(value).is_integer() else 1)


def fr_measure(value: object) -> str:
    """A measured value in short print: one decimal below ten when it has one, else none
    (``40,78`` → ``41``, ``6,5`` → ``6,5``); missing: ``–``."""
    if _missing(value) or not isinstance(value, numbers.Real):
        return MISSING
    number = float(value)
    if math.isnan(number):
        return MISSING
    return fr_number(number, 1 if abs(number) < 10 and not number.is_integer() else 0)


def fr_percent(value: float | None, decimals: int = 1) -> str:
    """A value already in percent: ``12.5`` → ``12,5 %`` (no-break space before the sign)."""
    if _missing(value):
        return MISSING
    return f"{fr_number(value, decimals)}{NNBSP}%"


def fr_signed_percent(value: float | None, decimals: int = 0) -> str:
    """A change in percent with its sign: ``+38 %``, ``−12 %`` (true minus sign)."""
    if _missing(value):
        return MISSING
    assert value is not None
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{fr_percent(abs(value), decimals)}"


def fr_value(value: float | None, unit: str) -> str:
    """A value with its unit: percentages with one decimal, euros and counts as integers."""
    if unit == "%":
        return fr_percent(value)
    if unit == "€":
        return f"{fr_number(value)}{NNBSP}€"
    return fr_number(value)


def fr_year(value: int | dt.date) -> str:
    """``2021`` (a year is never grouped by thousands)."""
    return str(value.year if isinstance(value, dt.date) else int(value))


def fr_date(day: dt.date) -> str:
    """``01/12/2026``."""
    return f"{day:%d/%m/%Y}"


def fr_month(day: dt.date, *, short: bool = False) -> str:
    """``mars 2021`` (``janv. 2021`` with ``short``)."""
    return f"{(MONTHS_SHORT if short else MONTHS_LONG)[day.month - 1]} {day.year}"


def fr_long_date(day: dt.date) -> str:
    """``12 décembre 2025`` (``1er`` for the first of the month)."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS_LONG[day.month - 1]} {day.year}"


def fr_bool(value: object) -> str:
    """``Oui`` / ``Non`` (missing: ``–``)."""
    if _missing(value):
        return MISSING
    return "Oui" if bool(value) else "Non"


def fr_period(day: dt.date, granularity: str) -> str:
    """A period's start as its label: ``2021`` for a year, ``2021-T1`` for a quarter, ``mars 2021`` for a month."""
    if granularity in ("year", "total"):
        return fr_year(day)
    if granularity == "quarter":
        return f"{day.year}-T{(day.month - 1) // 3 + 1}"
    return fr_month(day)
