"""Class breaks, class colours and French legend labels for choropleth maps.

Sequential classes (levels of an indicator) adapt to the data: quantiles or Fisher–Jenks breaks
from mapclassify, fewer classes when there are fewer distinct values, never an empty class.
Diverging classes (gap to an objective, in percent) have fixed bounds and fixed colours, so that a
colour always means the same gap, whatever the year or the territory.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import mapclassify
import numpy as np
import pandas as pd

from data_access.french import NNBSP, fr_number, fr_percent, fr_signed_percent
from figures.palette import DIVERGING_5, NO_DATA, SEQUENTIAL_5

NO_DATA_LABEL = "Pas de données"
NO_DATA_COLOUR = NO_DATA
# Gap to target in percent: within ±5 % the objective is met; beyond ±20 % the gap is large.
DIVERGING_BOUNDS = (-20.0, -5.0, 5.0, 20.0)
DIVERGING_LABELS = (
    f"Moins de {fr_signed_percent(-20)}",
    f"De {fr_signed_percent(-20)} à {fr_signed_percent(-5)}",
    f"De {fr_signed_percent(-5)} à {fr_signed_percent(5)}",
    f"De {fr_signed_percent(5)} à {fr_signed_percent(20)}",
    f"Plus de {fr_signed_percent(20)}",
)
Method = Literal["quantiles", "jenks"]


@dataclass(frozen=True)
class Classes:
    """One class per value, with the legend of each class.

    Attributes
    ----------
    index
        Class number of each input value, in input order; -1 for a missing value (no data).
    labels
        Legend text of each class, lowest class first (French number format).
    colours
        Colour of each class, lowest class first.
    decimals
        Decimals used in the labels; hovers use the same, so a value never seems to fall in the wrong class.
    """

    index: np.ndarray
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    decimals: int = 0


def format_value(value: float, unit: str = "", decimals: int = 0) -> str:
    """A value in French format: ``%`` values as ``12,5 %``, euros as ``1 529 €``, others as ``1 529``.

    Zero is written ``0`` whatever ``decimals`` (« 0,00 » reads as a rounded small value).
    """
    decimals = 0 if value == 0 else decimals
    if unit == "%":
        return fr_percent(value, decimals)
    if unit == "€":
        return f"{fr_number(value, decimals)}{NNBSP}€"
    return fr_number(value, decimals)


def value_decimals(values: Sequence[float] | np.ndarray) -> int:
    """Decimals worth showing: none for whole numbers or values of 1 000 and more, else one."""
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if data.size == 0 or np.allclose(data, np.round(data)) or np.abs(data).max() >= 1000:
        return 0
    return 1


def _colours(count: int) -> tuple[str, ...]:
    """``count`` colours spread over the sequential palette (light = low), the middle one for a single class."""
    if count == 1:
        return (SEQUENTIAL_5[2],)
    return tuple(SEQUENTIAL_5[int(i)] for i in np.linspace(0, len(SEQUENTIAL_5) - 1, count).round())


def _labels(data: np.ndarray, classes: np.ndarray, count: int, unit: str) -> tuple[tuple[str, ...], int]:
    """« lowest – highest » value actually in each class; more decimals when rounding would make
    two different bounds read the same (« 4,2 – 4,2 » or a class ending where the next starts)."""
    lows = np.array([data[classes == c].min() for c in range(count)])
    highs = np.array([data[classes == c].max() for c in range(count)])
    decimals = value_decimals(data)
    while decimals < 3:
        low_text = [format_value(v, unit, decimals) for v in lows]
        high_text = [format_value(v, unit, decimals) for v in highs]
        clash = any(lt == ht and lo != hi for lt, ht, lo, hi in zip(low_text, high_text, lows, highs, strict=True))
        clash |= any(high_text[c] == low_text[c + 1] for c in range(count - 1))
        if not clash:
            break
        decimals += 1
    low_text = [format_value(v, unit, decimals) for v in lows]
    high_text = [format_value(v, unit, decimals) for v in highs]
    return tuple(lt if lt == ht else f"{lt} – {ht}" for lt, ht in zip(low_text, high_text, strict=True)), decimals


def sequential_classes(
    values: Sequence[float] | pd.Series | np.ndarray, *, k: int = 5, method: Method = "quantiles", unit: str = ""
) -> Classes:
    """Classes for the levels of an indicator.

    Parameters
    ----------
    values
        Values to classify; None and NaN are « no data » (class -1).
    k
        Wanted number of classes, at most 5 (the palette's). With ``k`` distinct values or fewer,
        each distinct value is its own class; with ties, classes that would be empty are merged.
    method
        ``"quantiles"`` (about as many territories per class) or ``"jenks"`` (Fisher–Jenks
        natural breaks, for skewed values).
    unit
        ``"%"``, ``"€"`` or anything else (plain number), for the labels.

    Returns
    -------
    Classes
        Labels show the lowest and highest value actually present in each class, e.g.
        ``"1 200 – 1 529"`` (narrow no-break space as thousands separator).

    Examples
    --------
    >>> sequential_classes([0, 0, 3, None]).labels
    ('0', '3')
    """
    data_all = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").to_numpy(dtype=float)
    present = np.isfinite(data_all)
    index = np.full(len(data_all), -1)
    data = data_all[present]
    distinct = np.unique(data)
    if distinct.size == 0:
        return Classes(index, (), ())
    k = max(1, min(k, len(SEQUENTIAL_5)))
    if distinct.size <= k:
        bins = distinct
    else:
        with warnings.catch_warnings():
            # ties (« not enough unique values ») are handled below; numba only speeds up Jenks
            warnings.simplefilter("ignore", UserWarning)
            classifier = mapclassify.Quantiles(data, k=k) if method == "quantiles" else mapclassify.FisherJenks(data, k=k)
        bins = np.unique(np.append(classifier.bins, distinct[-1]))
    raw = np.searchsorted(bins, data, side="left")  # class i holds bins[i-1] < value <= bins[i]
    used, classes = np.unique(raw, return_inverse=True)  # renumber, skipping classes left empty by ties
    index[present] = classes
    labels, decimals = _labels(data, classes, len(used), unit)
    return Classes(index, labels, _colours(len(used)), decimals)


def diverging_classes(gaps: Sequence[float] | pd.Series | np.ndarray) -> Classes:
    """Fixed classes for a gap to an objective, in percent (``-12.0`` = 12 % below target).

    Bounds ``DIVERGING_BOUNDS``: below −20 %, −20 % to −5 %, −5 % to +5 % (both included),
    +5 % to +20 %, above +20 %; colours ``DIVERGING_5``, far below to far above. All five classes
    are always returned, in that order, so class 2 is always « on target ».
    """
    data = pd.to_numeric(pd.Series(gaps, dtype="object"), errors="coerce").to_numpy(dtype=float)
    low2, low1, high1, high2 = DIVERGING_BOUNDS
    conditions = [data < low2, data < low1, data <= high1, data <= high2, data > high2]
    index = np.select(conditions, [0, 1, 2, 3, 4], default=-1)  # NaN matches no condition
    return Classes(index, DIVERGING_LABELS, tuple(DIVERGING_5))
