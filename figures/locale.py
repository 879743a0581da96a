"""French number and date formats, from one place: ``1 529``, ``12,5 %``, ``mars 2024``.

Thousands are separated by a narrow no-break space (U+202F), decimals by a comma. Plotly figures
use ``PLOTLY_SEPARATORS`` (decimal comma, thin space for thousands).
"""

from __future__ import annotations

import math

NNBSP = "\u202f"
PLOTLY_SEPARATORS = ", "  # Plotly: first character decimal, second thousands


def fr_number(value: float | None, decimals: int = 0) -> str:
    """``1529`` → ``1 529``; ``12.5`` with one decimal → ``12,5``; None or NaN → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def fr_percent(value: float | None, decimals: int = 1) -> str:
    """A value already in percent: ``12.5`` → ``12,5 %`` (no-break space before the sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{fr_number(value, decimals)}{NNBSP}%"


def fr_signed_percent(value: float | None, decimals: int = 0) -> str:
    """A change in percent with its sign: ``+38 %``, ``−12 %`` (true minus sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{fr_percent(abs(value), decimals)}"


def fr_value(value: float | None, unit: str) -> str:
    """A value with its unit: percentages with one decimal, euros and counts as integers."""
    if unit == "%":
        return fr_percent(value)
    if unit == "€":
        return f"{fr_number(value)}{NNBSP}€"
    return fr_number(value)
