"""Class breaks, class colours and French legend labels for choropleth maps.

Sequential classes (levels of an indicator) adapt to the data: quantiles or Fisher–Jenks breaks
from mapclassify, moved to the roundest number nearby (« 20 », « 2,5 », never more than one
decimal), contiguous — one class's upper bound is the next one's lower bound, « 2,0 – 4,0 »,
« 4,0 – 6,0 » —, fewer classes when there are fewer distinct values, never an empty class. Values
are classed as they are printed (rounded to the labels' decimals), so a hover never shows a value
that seems to fall in another class. Diverging classes (gap to an objective, in percent) have
fixed bounds and fixed colours, so that a colour always means the same gap, whatever the year or
the territory.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from data_access.french import NNBSP, fr_number, fr_percent, fr_signed_percent
from figures.palette import DIVERGING_5, NO_DATA, SEQUENTIAL_5

NO_DATA_LABEL = "Pas de données"
NO_DATA_COLOUR = NO_DATA
# A territory whose rate is not computed (too few households or cases): the no-data grey, lighter,
# so that it reads as « no value » like « Pas de données » and still differs from it
SMALL_LABEL = "Effectif trop faible"
SMALL_COLOUR = "#e9e9e9"
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
NICE_STEPS = (1.0, 2.0, 2.5, 5.0)  # a class bound is a multiple of one of these times a power of ten
BREAK_WINDOW = 0.3  # a bound may move by up to this share of the distance to its neighbours


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
    bounds
        The classes' bounds, lowest first: class ``c`` holds the values from ``bounds[c]`` (included)
        to ``bounds[c + 1]`` (excluded; the last class includes its upper bound). For classes of one
        value each (few distinct values), those values, and ``exact`` is true.
    exact
        Each class is a single value (``bounds``), not a range.
    """

    index: np.ndarray
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    decimals: int = 0
    bounds: tuple[float, ...] = ()
    exact: bool = False

    def classify(self, values: Sequence[float] | pd.Series | np.ndarray) -> np.ndarray:
        """The class number of each of ``values`` under these classes (-1: missing, or a value that
        no class holds): the classes computed for a level, applied to the same territories drawn in
        another order (the map's layer) or to a subset (the bars of a ranking)."""
        data = _numbers(values)
        index = np.full(len(data), -1)
        present = np.isfinite(data)
        if not self.bounds:
            return index
        shown = np.round(data[present], self.decimals)
        bounds = np.asarray(self.bounds, dtype=float)
        if self.exact:
            position = np.searchsorted(bounds, shown)
            found = (position < len(bounds)) & np.isclose(bounds[np.minimum(position, len(bounds) - 1)], shown)
            index[present] = np.where(found, position, -1)
        else:
            inside = (shown >= bounds[0] - 1e-9) & (shown <= bounds[-1] + 1e-9)
            number = np.clip(np.searchsorted(bounds[1:-1], shown, side="right"), 0, len(bounds) - 2)
            index[present] = np.where(inside, number, -1)
        return index


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


def _numbers(values: Sequence[float] | pd.Series | np.ndarray) -> np.ndarray:
    return pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").to_numpy(dtype=float)


def _colours(count: int) -> tuple[str, ...]:
    """``count`` colours spread over the sequential palette (light = low), the middle one for a single class."""
    if count == 1:
        return (SEQUENTIAL_5[2],)
    return tuple(SEQUENTIAL_5[int(i)] for i in np.linspace(0, len(SEQUENTIAL_5) - 1, count).round())


def nice_number(low: float, high: float, target: float, decimals: int) -> float:
    """The roundest number between ``low`` and ``high`` (a multiple of 1, 2, 2,5 or 5 times the
    largest power of ten that has one there, with at most ``decimals`` decimals), the nearest to
    ``target`` among those; ``target`` rounded to ``decimals`` when there is none."""
    finest = 10.0**-decimals
    if high > low:
        for exponent in range(math.ceil(math.log10(max(abs(high), abs(low), finest))) + 1, -decimals - 1, -1):
            for factor in reversed(NICE_STEPS):
                step = factor * 10.0**exponent
                if step < finest - 1e-12 or abs(step / finest - round(step / finest)) > 1e-9:
                    continue  # « 0,25 » needs two decimals
                first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
                if first <= last:
                    best = min(max(round(target / step), first), last)  # the multiple nearest to the target
                    return round(best * step, decimals)
    return round(target, decimals)


def _range_labels(bounds: np.ndarray, decimals: int, whole: bool, unit: str) -> tuple[str, ...]:
    """« 2,0 – 4,0 », « 4,0 – 6,0 »: each class from its lower bound to the next one's, the last
    to the highest value; a class that can hold a single printed value (« 0 » for counts) as that value."""
    labels = []
    for c in range(len(bounds) - 1):
        low, high = float(bounds[c]), float(bounds[c + 1])
        last = c == len(bounds) - 2
        single = low == high or (whole and not last and high - low <= 10.0**-decimals + 1e-9)
        low_text = format_value(low, unit, decimals)
        labels.append(low_text if single else f"{low_text} – {format_value(high, unit, decimals)}")
    return tuple(labels)


def sequential_classes(
    values: Sequence[float] | pd.Series | np.ndarray, *, k: int = 5, method: Method = "quantiles", unit: str = ""
) -> Classes:
    """Classes for the levels of an indicator.

    Parameters
    ----------
    values
        Values to classify; None and NaN are « no data » (class -1).
    k
        Wanted number of classes, at most 5 (the palette's). With ``k`` distinct printed values or
        fewer, each distinct value is its own class; classes that would be empty are merged.
    method
        ``"quantiles"`` (about as many territories per class) or ``"jenks"`` (Fisher–Jenks
        natural breaks, for skewed values).
    unit
        ``"%"``, ``"€"`` or anything else (plain number), for the labels.

    Returns
    -------
    Classes
        Contiguous classes from the lowest value to the highest, inner bounds rounded to the
        roundest number near each break (« 0 – 2,0 », « 2,0 – 4,0 », …, « 8,0 – 41,7 »), at most
        one decimal, every class holding at least one value; ``bounds`` holds the bounds.

    Examples
    --------
    >>> sequential_classes([0, 0, 3, None]).labels
    ('0', '3')
    >>> sequential_classes([0.4, 1.1, 1.9, 2.2, 3.5, 3.9, 4.6, 6.3, 8.8, 9.7]).labels
    ('0,4 – 2,0', '2,0 – 3,0', '3,0 – 4,0', '4,0 – 7,5', '7,5 – 9,7')
    """
    data_all = _numbers(values)
    present = np.isfinite(data_all)
    index = np.full(len(data_all), -1)
    decimals = value_decimals(data_all)
    data = np.round(data_all[present], decimals)  # classed as printed
    distinct = np.unique(data)
    if distinct.size == 0:
        return Classes(index, (), ())
    k = max(1, min(k, len(SEQUENTIAL_5)))
    if distinct.size <= k:
        index[present] = np.searchsorted(distinct, data)
        labels = tuple(format_value(float(v), unit, decimals) for v in distinct)
        return Classes(index, labels, _colours(distinct.size), decimals, tuple(float(v) for v in distinct), exact=True)
    whole = bool(np.allclose(data, np.round(data)))
    low, high = float(distinct[0]), float(distinct[-1])
    import mapclassify  # 0,8 s of imports (scipy.stats, scikit-learn): paid by the first map, not at start-up

    with warnings.catch_warnings():
        # ties (« not enough unique values ») are handled below; numba only speeds up Jenks
        warnings.simplefilter("ignore", UserWarning)
        classifier = mapclassify.Quantiles(data, k=k) if method == "quantiles" else mapclassify.FisherJenks(data, k=k)
    # mapclassify's class i holds the values up to bins[i]: the next class starts just above it
    finest = 10.0**-decimals
    raw = [float(b) for b in classifier.bins[:-1]]
    raw = sorted({math.floor(b / finest + 1e-9) * finest + finest if whole else b for b in raw})
    raw = [b for b in raw if low < b <= high]
    inner: list[float] = []
    for i, target in enumerate(raw):
        before = inner[-1] if inner else low
        after = raw[i + 1] if i + 1 < len(raw) else high
        window = BREAK_WINDOW * min(target - before, after - target)
        bound = nice_number(max(before + finest, target - window), min(after, target + window), target, decimals)
        if before < bound < high or (bound == high and whole):
            inner.append(bound)
    bounds = np.array([low, *inner, high])
    while True:  # merge the classes rounding left empty into their lower neighbour
        number = np.clip(np.searchsorted(bounds[1:-1], data, side="right"), 0, len(bounds) - 2)
        counts = np.bincount(number, minlength=len(bounds) - 1)
        empty = np.flatnonzero(counts == 0)
        if empty.size == 0:
            break
        bounds = np.delete(bounds, max(int(empty[0]), 1))  # drop its lower bound (the first class's upper one)
    index[present] = number
    labels = _range_labels(bounds, decimals, whole, unit)
    return Classes(index, labels, _colours(len(labels)), decimals, tuple(float(b) for b in bounds))


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
