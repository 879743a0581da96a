"""Units → axis titles, printed values and Plotly hover formats, all in French.

A ``unit`` is the indicator catalogue's unit: a plural noun (``"assignations"``, ``"ménages"``),
``"%"``, ``"€"``, a rate (``"pour 1 000 ménages"``) or ``"indice"`` (base 100). Printed values go
through :mod:`data_access.french`; hover values use Plotly's d3 formats, which the figure's
``separators`` turn into French (``1 529``, ``12,5``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from data_access.french import NNBSP, fr_number, fr_percent

INDEX_UNIT = "indice"
_ELIDING = tuple("aeiouyhàâéèêëîïôûùAEIOUYHÀÂÉÈÊËÎÏÔÛÙ")


def axis_title(unit: str) -> str:
    """``"assignations"`` → ``"Nombre d'assignations"``, ``"ménages"`` → ``"Nombre de ménages"``,
    ``"%"`` → ``"Taux (%)"``, ``"€"`` → ``"Montant (€)"``, ``"pour 1 000 ménages"`` →
    ``"Taux pour 1 000 ménages"``, ``"ménages aidés pour 1 000 ménages"`` → ``"Ménages aidés pour
    1 000 ménages"``, ``"indice"`` → ``"Indice"``, ``""`` → ``"Valeur"``."""
    if not unit:
        return "Valeur"
    if unit == "%":
        return "Taux (%)"
    if unit == "€":
        return "Montant (€)"
    if unit == INDEX_UNIT:
        return "Indice"
    if unit.startswith("pour "):
        return f"Taux {unit}"
    if " pour " in unit or " par " in unit:  # already a rate: « ménages aidés pour 1 000 ménages »
        return unit[0].upper() + unit[1:]
    return f"Nombre d'{unit}" if unit.startswith(_ELIDING) else f"Nombre de {unit}"


def is_whole(values: Iterable[float]) -> bool:
    """Whether every finite value is a whole number (counts), so that no decimal is shown."""
    return all(math.isnan(v) or abs(v - round(v)) < 1e-9 for v in values)


def decimals_for(unit: str, values: Iterable[float] = ()) -> int:
    """Decimals to show: one for percentages, rates and indices, none for euros and whole counts,
    one for counts that are not whole (averages, per-month shares of a yearly objective)."""
    if unit == "€":
        return 0
    if unit in ("%", INDEX_UNIT) or unit.startswith("pour ") or " pour " in unit:
        return 1
    return 0 if is_whole(values) else 1


def value_text(value: float | None, unit: str, decimals: int | None = None) -> str:
    """A printed value with its sign of unit: ``1 529``, ``12,5 %``, ``1 529 €``, ``14,2`` (rates
    and nouns print the number alone: the axis or the label names the unit); ``–`` when missing."""
    if decimals is None:
        decimals = decimals_for(unit, [] if value is None else [float(value)])
    if unit == "%":
        return fr_percent(value, decimals)
    text = fr_number(value, decimals)
    return f"{text}{NNBSP}€" if unit == "€" and text != "–" else text


def hover_value(unit: str, variable: str = "y", decimals: int = 0) -> str:
    """A hover-template piece for a value with its unit: ``%{y:,.0f} assignations``,
    ``%{y:,.1f} %``, ``%{x:,.0f} €``."""
    number = f"%{{{variable}:,.{decimals}f}}"
    if not unit or unit == INDEX_UNIT:
        return number
    return f"{number}{NNBSP}{unit}"


def compact_euros(value: float, decimals: int = 1) -> str:
    """Amounts for a label on a bar or a tick: ``2,5 M€``, ``251 k€``, ``8 471 €`` (``decimals``
    applies to millions; ``decimals=0`` gives ``2 M€``)."""
    if abs(value) >= 1e6:
        return f"{fr_number(value / 1e6, decimals)}{NNBSP}M€"
    if abs(value) >= 1e4:
        return f"{fr_number(value / 1e3)}{NNBSP}k€"
    return f"{fr_number(value)}{NNBSP}€"


def nice_ticks(high: float, *, most: int = 6) -> list[float]:
    """Round tick values from 0 to at least ``high``: steps of 1, 2, 2.5 or 5 × 10ⁿ, at most
    ``most`` + 1 ticks."""
    if not high > 0:
        return [0.0, 1.0]
    magnitude = 10 ** math.floor(math.log10(high / most))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if high / (m * magnitude) <= most)
    return [i * step for i in range(math.ceil(high / step) + 1)]
