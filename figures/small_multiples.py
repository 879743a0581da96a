"""Small multiples: one small panel per territory, same scales, to compare shapes at a glance."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data_access.aggregation import SERIES_COLUMNS
from figures.inputs import ordered_codes, require_columns
from figures.lines import line_traces
from figures.palette import colour_for
from figures.theme import Theme, axis_style, merged_layout, no_data_figure, theme_for, themed_layout
from figures.time_axis import GRAIN_AXIS_TITLES, Grain, as_dates, bucket_end, infer_granularity, time_ticks
from figures.units import axis_title, decimals_for, value_text


def small_multiples(
    series: pd.DataFrame,
    *,
    names: Mapping[str, str],
    unit: str,
    shared_y: bool = True,
    columns: int = 4,
    granularity: Grain | None = None,
    presentation: bool = False,
) -> go.Figure:
    """One panel per territory of one indicator, titled with the territory's name, in the order of
    ``names`` (then by code).

    Parameters
    ----------
    series
        ``SERIES_COLUMNS`` for one indicator and several territories (the 13 territoires).
    names
        Territory code → French name (panel titles and order).
    unit
        The indicator's unit (shared y-axis title, hover).
    shared_y
        Same y range on every panel (``[0, max × 1.05]`` for non-negative values), so that panels
        compare sizes; ``False`` gives each panel its own range, to compare shapes only.
    columns
        Panels per row.
    presentation
        The projector look; panels are taller.

    Returns
    -------
    go.Figure
        Subplots with one line per panel in the indicator's colour (incomplete buckets dotted,
        as in :func:`figures.trends.trend_figure`); y-axes ``matches`` the first one when shared.

    Raises ``ValueError`` when ``series`` holds several indicators.
    """
    require_columns(series, SERIES_COLUMNS, "small_multiples")
    if series.empty:
        return no_data_figure(presentation=presentation)
    indicators = series["indicator_code"].unique()
    if len(indicators) > 1:
        raise ValueError(f"small_multiples: expected one indicator, got {list(indicators)}")
    theme = theme_for(presentation)
    frame = series.assign(period_start=as_dates(series["period_start"])).sort_values("period_start", kind="stable")
    grain = granularity or infer_granularity(frame["period_start"])
    territories = ordered_codes(frame["territory_code"], names)
    rows = math.ceil(len(territories) / columns)
    grid = _grid_layout(
        rows, columns, tuple(names.get(code, code) for code in territories), min(0.3 / rows, 0.12), 0.06 if shared_y else 0.08
    )
    decimals = decimals_for(unit, frame["value"])
    colour = colour_for(str(indicators[0]))
    groups = dict(iter(frame.groupby("territory_code", sort=False)))
    # the figure is built in one validated construction, not panel by panel: Plotly validates
    # each ``add_trace(row=…)`` and ``update_xaxes(row=…)`` call against every subplot
    traces = []
    for index, code in enumerate(territories):
        for trace in line_traces(
            groups[code],
            name=names.get(code, code),
            colour=colour,
            grain=grain,
            unit=unit,
            decimals=decimals,
            theme=theme,
            showlegend=False,
        ):
            trace.xaxis, trace.yaxis = f"x{_suffix(index)}", f"y{_suffix(index)}"
            traces.append(trace)

    panel_px = 300 if presentation else 220
    # the axis style and the shared time axis sit once in the figure's template, which plotly.js
    # applies to every x and y axis, instead of 32 times (22 kB of the 31 kB of 13 panels); the
    # first panel's axes carry them too, for readers of ``fig.layout.xaxis`` in Python
    themed = themed_layout(presentation=presentation, height=rows * panel_px + 140, top_margin=16 + int(theme.font_size * 1.8))
    first, end = min(frame["period_start"]), bucket_end(max(frame["period_start"]), grain)
    x_axis = {
        **time_ticks(first, end, grain, max_labels=4).axis(theme.grid_colour, theme.axis_colour),
        "range": [first.isoformat(), end.isoformat()],
    }
    style = axis_style(presentation)
    themed["template"] = {"layout": {"xaxis": merged_layout(style, x_axis), "yaxis": style}}
    values = frame["value"].to_numpy(float)
    if shared_y:
        low, high = min(0.0, float(np.nanmin(values))), float(np.nanmax(values))
        y_axis = {"range": [low, high * 1.05 if high > 0 else 1], "matches": "y"}
    else:
        y_axis = {"rangemode": "tozero" if np.nanmin(values) >= 0 else "normal"}
    updates: dict[str, object] = {"showlegend": False}
    for index in range(rows * columns):
        # dates under the lowest panel of each column; one y scale: its labels on the first column only
        updates[f"xaxis{_suffix(index)}"] = (x_axis if index == 0 else {}) | (
            {"showticklabels": index + columns >= len(territories)} if index < len(territories) else {}
        )
        updates[f"yaxis{_suffix(index)}"] = y_axis | ({"showticklabels": False} if shared_y and index % columns else {})
    panel_titles = [{**a, "font": {"size": theme.font_size, "color": theme.text_colour}} for a in grid.get("annotations", [])]
    titles, margin = _shared_axis_titles(
        x_title=GRAIN_AXIS_TITLES[grain],
        y_title=axis_title(unit),
        widest_tick=value_text(float(np.nanmax(values)), unit, decimals),
        theme=theme,
    )
    layout = merged_layout(merged_layout(grid, themed), {**updates, "annotations": panel_titles + titles, "margin": margin})
    return go.Figure(traces, layout=layout)


@lru_cache(maxsize=16)
def _grid_layout(rows: int, columns: int, titles: tuple[str, ...], vertical_spacing: float, horizontal_spacing: float) -> dict[str, Any]:
    """The layout ``make_subplots`` gives a grid (axis domains and anchors, panel titles), computed
    once per grid: it costs ~40 ms, and a page redraws the same grid on every rerun. Callers must
    not modify it (``merged_layout`` copies what it changes)."""
    grid = make_subplots(
        rows=rows,
        cols=columns,
        shared_xaxes=True,
        subplot_titles=list(titles),
        vertical_spacing=vertical_spacing,
        horizontal_spacing=horizontal_spacing,
    )
    return {key: value for key, value in grid.layout.to_plotly_json().items() if key != "template"}  # the theme sets its own


def _suffix(index: int) -> str:
    """The axis suffix of the ``index``-th panel (row by row): ``""``, ``"2"``, ``"3"``…"""
    return str(index + 1) if index else ""


def _shared_axis_titles(*, x_title: str, y_title: str, widest_tick: str, theme: Theme) -> tuple[list[dict[str, object]], dict[str, int]]:
    """One x title under the grid and one y title left of it (annotations), with the margins they
    need (Plotly's own ``make_subplots`` titles sit at fixed offsets meant for 12 px labels)."""
    tick_label_px = int(len(widest_tick) * theme.tick_size * 0.62) + 14
    title_px = int(theme.axis_title_size * 1.5)
    font = {"size": theme.axis_title_size, "color": theme.text_colour}
    y_annotation = {
        "text": y_title,
        "textangle": -90,
        "x": 0,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "right",
        "xshift": -tick_label_px,
        "showarrow": False,
        "font": font,
    }
    x_annotation = {
        "text": x_title,
        "x": 0.5,
        "y": 0,
        "xref": "paper",
        "yref": "paper",
        "yanchor": "top",
        "yshift": -int(theme.tick_size * 1.8),
        "showarrow": False,
        "font": font,
    }
    return [y_annotation, x_annotation], {"l": tick_label_px + title_px, "b": int(theme.tick_size * 1.8) + title_px + 8}
