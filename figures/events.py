"""Marks on the time axis of trend charts: the trêve hivernale shading and the events (a dotted
line, a band when the event lasts, a label above the plot area placed without overlaps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from data_access.queries import EVICTION_CHAIN
from data_access.vocabulary import TREVE
from figures.inputs import require_columns, shorten, wrap
from figures.palette import REFERENCE
from figures.theme import EVENT_FILL, TREVE_FILL, Theme
from figures.time_axis import as_dates, treve_windows

TREVE_NAME = f"Trêve hivernale ({TREVE.text})"
# The indicators the trêve hivernale bears on: the steps of the eviction procedure and their rates.
# Elsewhere (insalubrité, FSL aids, CCAPEX activity) a grey winter band would mean nothing.
TREVE_INDICATORS = frozenset({*EVICTION_CHAIN, "decisions_expulsion", "taux_cql_assignations", "taux_cfp_accordes", "taux_expulsions_cfp"})
EVENT_COLUMNS = ["date_start", "date_end", "label"]
# Event labels are placed above the plot area; overlaps are avoided by estimating their width
# against a plot about this wide (a wide Streamlit page; narrower pages only get more rows).
ASSUMED_PLOT_WIDTH_PX = 900


def treve_applies(indicators: Iterable[str]) -> bool:
    """Whether a chart of ``indicators`` shades the trêve hivernale: when one of them is a step of
    the eviction procedure (:data:`TREVE_INDICATORS`)."""
    return any(code in TREVE_INDICATORS for code in indicators)


def treve_shapes(first: dt.date, end: dt.date) -> list[dict[str, object]]:
    """The layout shapes (named ``"treve"``) shading each trêve hivernale between ``first`` and ``end``."""
    return [
        {
            "type": "rect",
            "name": "treve",
            "x0": start,
            "x1": stop,
            "y0": 0,
            "y1": 1,
            "yref": "paper",
            "fillcolor": TREVE_FILL,
            "line": {"width": 0},
            "layer": "below",
        }
        for start, stop in treve_windows(first, end)
    ]


def label_row_px(theme: Theme) -> int:
    """The height of one row of event labels above the plot area."""
    return int(theme.annotation_size * 1.7)


def event_marks(
    events: pd.DataFrame, first: dt.date, end: dt.date, theme: Theme
) -> tuple[list[dict[str, object]], list[dict[str, object]], int]:
    """The shapes and annotations drawing the events that fall in ``[first, end)``: a dotted line
    at the start, a tinted band when the event lasts, a label above the plot area joined to the
    line by a connector. Labels go to the lowest row where they overlap neither another label nor
    a connector. Also returns the number of label rows."""
    require_columns(events, EVENT_COLUMNS, "trend_figure events")
    span = max((end - first).days, 1)
    char_px = theme.annotation_size * 0.55
    shown = []
    for start_value, end_value, label in events[EVENT_COLUMNS].itertuples(index=False, name=None):
        start = as_dates([start_value])[0]
        stop = None if end_value is None or pd.isna(end_value) else as_dates([end_value])[0]
        if start < end and (stop or start) >= first:
            shown.append((max(start, first), start, stop, str(label)))
    xs = [(x0 - first).days / span for x0, *_ in shown]
    shapes: list[dict[str, object]] = []
    annotations: list[dict[str, object]] = []
    labels: list[list[tuple[float, float]]] = []  # per row, the x-fractions its labels cover
    connectors: list[list[float]] = []  # per row, the x-fractions crossed by connectors of higher labels
    for (x0, start, stop, label), where in zip(shown, xs, strict=True):
        if stop is not None and (stop - start).days > 15:
            shapes.append(
                {
                    "type": "rect",
                    "name": "event",
                    "x0": x0,
                    "x1": min(stop, end),
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "fillcolor": EVENT_FILL,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
        shapes.append(
            {
                "type": "line",
                "name": "event",
                "x0": x0,
                "x1": x0,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": REFERENCE, "width": theme.thin_line_width, "dash": "dot"},
                "layer": "below",
            }
        )
        text = label if len(label) <= 48 else shorten(label.split(" : ")[0], 48)
        width = (len(text) * char_px + 16) / ASSUMED_PLOT_WIDTH_PX
        # a label reaching over another event's line may be crossed by that event's connector:
        # extend it to the right when that is free, else to the left, else where it fits
        others = [x for x in xs if x != where]
        right_free = where + width <= 1 and not any(where < x <= where + width for x in others)
        left_free = where - width >= 0 and not any(where - width <= x < where for x in others)
        rightwards = right_free or (not left_free and where + width <= 1)
        left, right = (where, where + width) if rightwards else (where - width, where)
        row = 0
        while row < len(labels) and (
            any(not (right < a or left > b) for a, b in labels[row])
            or any(left <= c <= right for c in connectors[row])
            or any(a <= where <= b for lower in labels[:row] for a, b in lower)
        ):
            row += 1
        if row == len(labels):
            labels.append([])
            connectors.append([])
        labels[row].append((left, right))
        for lower in connectors[:row]:
            lower.append(where)
        annotations.append(
            {
                "x": x0,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": text,
                "hovertext": wrap(label, 60),
                "showarrow": True,
                "arrowhead": 0,
                "arrowwidth": theme.thin_line_width,
                "arrowcolor": REFERENCE,
                "ax": 0,
                "ay": -(6 + row * label_row_px(theme)),
                "xanchor": "left" if rightwards else "right",
                "yanchor": "bottom",
                "font": {"size": theme.annotation_size, "color": theme.text_colour},
            }
        )
    return shapes, annotations, len(labels)
