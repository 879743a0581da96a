"""Pieces of the plan cards: a sparkline and the colours of a status badge."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from data_access.queries import SERIES_COLUMNS
from figures.inputs import require_columns
from figures.palette import STATUS_COLOURS, colour_for
from figures.theme import merged_layout, theme_for, themed_layout
from figures.time_axis import Grain, as_dates, infer_granularity, period_label, x_position
from figures.units import decimals_for, hover_value

SPARKLINE_HEIGHT = 60


def sparkline(
    series: pd.DataFrame,
    *,
    unit: str = "",
    colour: str | None = None,
    height: int = SPARKLINE_HEIGHT,
    granularity: Grain | None = None,
    presentation: bool = False,
) -> go.Figure:
    """A tiny line (no axes, no legend, no margins, ``height`` px) of one indicator for one
    territory, its last point marked; incomplete buckets are left out. Colour:
    ``palette.colour_for`` of the indicator unless ``colour`` is given. An empty figure of the same
    size when ``series`` is empty. Raises ``ValueError`` when ``series`` holds several lines."""
    require_columns(series, SERIES_COLUMNS, "sparkline")
    pairs = series[["indicator_code", "territory_code"]].drop_duplicates()
    if len(pairs) > 1:
        raise ValueError(f"sparkline: expected one indicator for one territory, got {list(pairs.itertuples(index=False, name=None))}")
    theme = theme_for(presentation)
    rows = series[series["complete"].astype(bool)]
    rows = rows.assign(period_start=as_dates(rows["period_start"])).sort_values("period_start")
    traces = []
    if not rows.empty:
        grain = granularity or infer_granularity(rows["period_start"])
        line_colour = colour or colour_for(str(rows["indicator_code"].iloc[0]))
        count = len(rows)
        traces.append(
            go.Scatter(
                x=[x_position(d, grain).isoformat() for d in rows["period_start"]],
                y=rows["value"].astype(float).to_numpy(),
                customdata=[period_label(d, grain) for d in rows["period_start"]],
                mode="lines+markers",
                line={"color": line_colour, "width": theme.line_width * 0.8},
                # only the last point is marked: where the indicator stands now
                marker={"color": line_colour, "size": [0] * (count - 1) + [theme.marker_size]},
                hovertemplate=f"%{{customdata}} : {hover_value(unit, 'y', decimals_for(unit, rows['value']))}<extra></extra>",
                cliponaxis=False,
            )
        )
    # one validated construction: a plan page draws 25 of these on every rerun
    layout = merged_layout(
        themed_layout(presentation=presentation, height=height, top_margin=4),
        {"showlegend": False, "margin": {"t": 4, "r": 6, "b": 4, "l": 4}, "xaxis": {"visible": False}, "yaxis": {"visible": False}},
    )
    return go.Figure(traces, layout=layout)


def status_badge_colour(status: str) -> str:
    """The background colour of a status badge (``palette.STATUS_COLOURS``): ``atteint``,
    ``en bonne voie``, ``en retard``, ``non atteint`` or ``pas de données``."""
    if status not in STATUS_COLOURS:
        raise ValueError(f"status_badge_colour: unknown status {status!r}; expected one of {list(STATUS_COLOURS)}")
    return STATUS_COLOURS[status]


def badge_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (``#RRGGBB``), by the WCAG
    relative luminance: black on every status colour of the palette."""
    red, green, blue = (int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"
