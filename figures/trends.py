"""Trend lines: indicators over time per territory, with the plan's objective, the trêve hivernale,
events and published reference figures; and the same lines as an index (base 100)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_access.queries import SERIES_COLUMNS
from figures.inputs import ordered_codes, require_columns, shorten, wrap
from figures.palette import OBJECTIVE, REFERENCE
from figures.theme import EVENT_FILL, TREVE_FILL, Theme, distinct_colours, merged_layout, no_data_figure, theme_for, themed_layout
from figures.time_axis import (
    GRAIN_AXIS_TITLES,
    GRAIN_MONTHS,
    Grain,
    as_dates,
    bucket_end,
    infer_granularity,
    period_label,
    time_ticks,
    treve_windows,
    x_position,
)
from figures.units import INDEX_UNIT, axis_title, decimals_for, hover_value, value_text

OBJECTIVE_PREFIX = "Objectif "
TRAJECTORY_PREFIX = "Trajectoire depuis la référence"
REFERENCE_PREFIX = "Repère publié : "
TREVE_NAME = "Trêve hivernale (1er novembre – 31 mars)"
PROVISIONAL_NAME = "Période incomplète (provisoire)"
PROVISIONAL_NOTE = " (provisoire/incomplet)"
EVENT_COLUMNS = ["date_start", "date_end", "label"]
REFERENCE_COLUMNS = ["indicator_code", "territory_code", "period_start", "value", "approx", "source"]
# Above this many points per line, markers would blur into the line: lines only.
MAX_POINTS_WITH_MARKERS = 40
# Event labels are placed above the plot area; overlaps are avoided by estimating their width
# against a plot about this wide (a wide Streamlit page; narrower pages only get more rows).
ASSUMED_PLOT_WIDTH_PX = 900
LEGEND_NAME_WIDTH = 70


def trend_figure(
    series: pd.DataFrame,
    *,
    names: Mapping[str, str],
    unit: str,
    objective: pd.DataFrame | None = None,
    trajectory: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    treve: bool = True,
    reference: pd.DataFrame | None = None,
    granularity: Grain | None = None,
    y_title: str | None = None,
    presentation: bool = False,
) -> go.Figure:
    """One line per (indicator, territory) over time, with the plan's marks around it.

    Parameters
    ----------
    series
        ``SERIES_COLUMNS`` (``data_access.queries.indicator_series``). Buckets with
        ``complete=False`` are drawn dotted with hollow markers and « (provisoire/incomplet) » in
        their hover.
    names
        Code → French label, for territories and indicators. Lines are named after the territory
        when one indicator is shown, after the indicator when one territory is shown, else both;
        they are ordered as ``names`` is. Each line takes ``palette.colour_for`` of its territory
        (of its indicator when there is one territory), another free colour if two would clash.
    unit
        The indicator's unit (``"assignations"``, ``"%"``, ``"€"``…): y-axis title and hover.
    objective
        ``period_start``, ``value`` and optionally ``label``: the plan's target in the series'
        unit and per bucket of the series (e.g. 40 / 12 a month for « 40 par an » on a monthly
        chart). Drawn dashed, named « Objectif : <label> » (the label as it is when it already
        starts with « Objectif »; « Objectif du plan » without label);
        yearly rows on a finer series are drawn as steps covering their year.
    trajectory
        ``period_start``, ``value``: the path from a baseline to the target, drawn dotted, named
        « Trajectoire depuis la référence (<first value> en <first period>) ».
    events
        ``date_start``, ``date_end`` (None for a one-day event), ``label``: a dotted vertical line
        (and a tinted band when the event lasts) with a short label above the plot area, the full
        label in its hover. Events outside the series' time range are left out.
    treve
        Shade the trêve hivernale (1 November – 31 March) on monthly and quarterly charts, with
        a « Trêve hivernale » legend entry. Never on yearly charts.
    reference
        Published figures (``data_access.queries.reference_points``). Drawn as diamonds (hollow
        when approximate) named « Repère publié : <line name> », with their source in the hover.
        Only the points of an (indicator, territory) drawn in ``series`` and of the chart's
        granularity are kept: a published yearly total is left out of a monthly chart.
    granularity
        ``"month"``, ``"quarter"`` or ``"year"``; inferred from the dates when None.
    y_title
        Overrides the y-axis title derived from ``unit`` (« Nombre d'assignations »).
    presentation
        The projector look (see :mod:`figures.theme`).

    Returns
    -------
    go.Figure
        Without a layout title (the page frame draws it); a « no data » figure when ``series``
        is empty. Layout shapes are named ``"treve"`` and ``"event"``.

    Examples
    --------
    >>> import datetime as dt
    >>> series = pd.DataFrame({"indicator_code": "assignations", "territory_code": "38",
    ...     "period_start": [dt.date(2024, m, 1) for m in (1, 2, 3)], "value": [250.0, 241.0, 262.0],
    ...     "complete": True, "demo": False})
    >>> fig = trend_figure(series, names={"38": "Isère"}, unit="assignations")
    >>> [trace.name for trace in fig.data]
    ['Isère', 'Trêve hivernale (1er novembre – 31 mars)']
    """
    require_columns(series, SERIES_COLUMNS, "trend_figure")
    if series.empty:
        return no_data_figure(presentation=presentation)
    theme = theme_for(presentation)
    frame = series.assign(period_start=as_dates(series["period_start"])).sort_values("period_start", kind="stable")
    grain = granularity or infer_granularity(frame["period_start"])
    decimals = decimals_for(unit, frame["value"])
    keys = _line_keys(frame, names)
    labels = _line_labels(keys, names)
    one_territory = len({t for _, t in keys}) == 1
    colour_of = distinct_colours(i if one_territory else t for i, t in keys)
    colours = {key: colour_of[key[0] if one_territory else key[1]] for key in keys}
    spans = [_extent(frame["period_start"], grain)]  # the axis shows whole buckets of everything drawn

    # traces, shapes and annotations are collected, then the figure is built in one validated
    # construction: Plotly's add_* calls validate the whole figure each time (see figures.theme)
    traces: list[go.Scatter] = []
    shapes: list[dict[str, object]] = []
    groups = dict(iter(frame.groupby(["indicator_code", "territory_code"], sort=False)))
    for key in keys:
        traces += line_traces(groups[key], name=labels[key], colour=colours[key], grain=grain, unit=unit, decimals=decimals, theme=theme)
    if not frame["complete"].astype(bool).all():
        traces.append(_legend_only(PROVISIONAL_NAME, theme, dash="dot", symbol="circle-open"))
    if objective is not None and not objective.empty:
        require_columns(objective, ["period_start", "value"], "trend_figure objective")
        spans.append(_extent(objective["period_start"]))
        traces.append(_objective_trace(objective, series_grain=grain, end=spans[0][1], unit=unit, theme=theme))
    if trajectory is not None and not trajectory.empty:
        require_columns(trajectory, ["period_start", "value"], "trend_figure trajectory")
        spans.append(_extent(trajectory["period_start"]))
        traces.append(_trajectory_trace(trajectory, unit=unit, theme=theme))
    if reference is not None and not reference.empty:
        require_columns(reference, REFERENCE_COLUMNS, "trend_figure reference")
        shown = reference[[pair in labels for pair in zip(reference["indicator_code"], reference["territory_code"], strict=True)]]
        # a published yearly figure cannot sit on a monthly line: only the points of the chart's granularity
        same_grain = [
            i
            for _, g in shown.groupby(["indicator_code", "territory_code"])
            if infer_granularity(as_dates(g["period_start"])) == grain
            for i in g.index
        ]
        shown = shown.loc[same_grain]
        if not shown.empty:
            spans.append(_extent(shown["period_start"]))
            traces += _reference_traces(shown, labels=labels, colours=colours, unit=unit, theme=theme)
    first, end = min(a for a, _ in spans), max(b for _, b in spans)
    if treve and grain != "year":
        shapes += [
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
        traces.append(_legend_only(TREVE_NAME, theme, symbol="square", fill=TREVE_FILL))
    event_shapes, annotations, label_rows = _events(events, first, end, theme) if events is not None and not events.empty else ([], [], 0)

    drawn = np.concatenate([np.asarray(trace.y, dtype=float) for trace in traces if trace.y is not None])
    no_negative = not (drawn < 0).any()  # NaN compares False
    themed = themed_layout(presentation=presentation, top_margin=16 + label_rows * _label_row_px(theme))
    layout = merged_layout(
        merged_layout(themed, {"shapes": shapes + event_shapes, "annotations": annotations}),
        {
            "xaxis": {
                **time_ticks(first, end, grain).axis(theme.grid_colour, theme.axis_colour),
                "range": [first.isoformat(), end.isoformat()],
                "title": {"text": GRAIN_AXIS_TITLES[grain]},
            },
            "yaxis": {
                "title": {"text": y_title or axis_title(unit)},
                "rangemode": "tozero" if unit != INDEX_UNIT and no_negative else "normal",
            },
        },
    )
    fig = go.Figure(traces, layout=layout)
    return fig


def index_base_100(series: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """``series`` with each (indicator, territory)'s values divided by its mean over ``base_year``,
    times 100 (for monthly values: the base year's monthly average is 100).

    Raises ``ValueError`` naming the lines that have no value, or only zeros, in ``base_year``.
    """
    require_columns(series, SERIES_COLUMNS, "index_base_100")
    frame = series.assign(period_start=as_dates(series["period_start"]))
    key = ["indicator_code", "territory_code"]
    in_base = frame[[d.year == base_year for d in frame["period_start"]]]
    base = in_base.groupby(key)["value"].mean()
    wanted = frame[key].drop_duplicates().itertuples(index=False, name=None)
    missing = [pair for pair in wanted if pair not in base.index or not base[pair]]
    if missing:
        raise ValueError(f"index_base_100: no non-zero value in the base year {base_year} for {missing}; choose a base year they all cover")
    bases = [base[pair] for pair in zip(frame["indicator_code"], frame["territory_code"], strict=True)]
    return frame.assign(value=frame["value"].to_numpy(float) / np.asarray(bases, dtype=float) * 100)


def index_figure(
    series: pd.DataFrame,
    *,
    names: Mapping[str, str],
    base_year: int,
    events: pd.DataFrame | None = None,
    treve: bool = False,
    granularity: Grain | None = None,
    presentation: bool = False,
) -> go.Figure:
    """:func:`trend_figure` of :func:`index_base_100` (``base_year`` = 100), to compare
    territories of very different sizes (Isère against France). A thin horizontal line marks 100.
    Raises ``ValueError`` when a line has no value in ``base_year``."""
    indexed = index_base_100(series, base_year)
    fig = trend_figure(
        indexed,
        names=names,
        unit=INDEX_UNIT,
        events=events,
        treve=treve,
        granularity=granularity,
        y_title=f"Indice (base 100 en {base_year})",
        presentation=presentation,
    )
    if not indexed.empty:
        theme = theme_for(presentation)
        fig.add_hline(y=100, name="base", line={"color": REFERENCE, "width": theme.thin_line_width}, layer="below")
    return fig


def line_traces(
    group: pd.DataFrame, *, name: str, colour: str, grain: Grain, unit: str, decimals: int, theme: Theme, showlegend: bool = True
) -> list[go.Scatter]:
    """The traces of one line: the complete buckets solid; when some are incomplete, a dotted
    stretch over them (joined to their complete neighbours, no hover) and hollow markers with
    « (provisoire/incomplet) » in their hover. ``group`` has ``period_start`` (dates, sorted),
    ``value`` and ``complete``."""
    dates = as_dates(group["period_start"])
    x = [x_position(d, grain).isoformat() for d in dates]
    y = group["value"].to_numpy(float)
    complete = group["complete"].to_numpy(bool)
    periods = [period_label(d, grain) for d in dates]
    value = hover_value(unit, "y", decimals)
    traces = [
        go.Scatter(
            x=x,
            y=np.where(complete, y, np.nan),
            customdata=periods,
            mode="lines+markers" if len(x) <= MAX_POINTS_WITH_MARKERS else "lines",
            name=name,
            legendgroup=name,
            showlegend=showlegend,
            line={"color": colour, "width": theme.line_width},
            marker={"color": colour, "size": theme.marker_size},
            hovertemplate=f"<b>{name}</b><br>%{{customdata}}<br>{value}<extra></extra>",
        )
    ]
    if complete.all():
        return traces
    incomplete = ~complete
    neighbour = np.zeros_like(incomplete)
    neighbour[1:] |= incomplete[:-1]
    neighbour[:-1] |= incomplete[1:]
    traces.append(
        go.Scatter(
            x=x,
            y=np.where(incomplete | neighbour, y, np.nan),
            mode="lines",
            name=f"{name}{PROVISIONAL_NOTE}",
            legendgroup=name,
            showlegend=False,
            line={"color": colour, "width": theme.line_width, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    traces.append(
        go.Scatter(
            x=[v for v, keep in zip(x, incomplete, strict=True) if keep],
            y=y[incomplete],
            customdata=[p for p, keep in zip(periods, incomplete, strict=True) if keep],
            mode="markers",
            name=f"{name}{PROVISIONAL_NOTE}",
            legendgroup=name,
            showlegend=False,
            marker={"symbol": "circle-open", "color": colour, "size": theme.marker_size + 4, "line": {"width": 2.5, "color": colour}},
            hovertemplate=f"<b>{name}</b><br>%{{customdata}}{PROVISIONAL_NOTE}<br>{value}<extra></extra>",
        )
    )
    return traces


def _line_keys(frame: pd.DataFrame, names: Mapping[str, str]) -> list[tuple[str, str]]:
    pairs = list(frame[["indicator_code", "territory_code"]].drop_duplicates().itertuples(index=False, name=None))
    indicators = ordered_codes((i for i, _ in pairs), names)
    territories = ordered_codes((t for _, t in pairs), names)
    present = set(pairs)
    return [(i, t) for i in indicators for t in territories if (i, t) in present]


def _line_labels(keys: list[tuple[str, str]], names: Mapping[str, str]) -> dict[tuple[str, str], str]:
    one_indicator = len({i for i, _ in keys}) == 1
    one_territory = len({t for _, t in keys}) == 1
    labels = {}
    for indicator, territory in keys:
        if one_indicator:
            labels[(indicator, territory)] = names.get(territory, territory)
        elif one_territory:
            labels[(indicator, territory)] = names.get(indicator, indicator)
        else:
            labels[(indicator, territory)] = f"{names.get(indicator, indicator)} — {names.get(territory, territory)}"
    return labels


def _legend_only(name: str, theme: Theme, *, dash: str | None = None, symbol: str = "circle", fill: str | None = None) -> go.Scatter:
    """A legend entry that draws nothing (for shapes and styles shared by several lines)."""
    if fill is not None:
        marker = {"symbol": symbol, "size": theme.marker_size + 10, "color": fill, "line": {"width": 1, "color": "#AAAAAA"}}
        return go.Scatter(x=[None], y=[None], mode="markers", name=name, marker=marker, hoverinfo="skip")
    return go.Scatter(
        x=[None],
        y=[None],
        mode="lines+markers",
        name=name,
        line={"color": REFERENCE, "width": theme.line_width, "dash": dash},
        marker={"symbol": symbol, "color": REFERENCE, "size": theme.marker_size + 2, "line": {"width": 2.5, "color": REFERENCE}},
        hoverinfo="skip",
    )


def _objective_trace(objective: pd.DataFrame, *, series_grain: Grain, end: dt.date, unit: str, theme: Theme) -> go.Scatter:
    rows = objective.assign(period_start=as_dates(objective["period_start"])).sort_values("period_start")
    dates: list[dt.date] = list(rows["period_start"])
    values = rows["value"].astype(float).tolist()
    grain = infer_granularity(dates)
    label = next((v for v in rows["label"] if isinstance(v, str) and v.strip()), None) if "label" in rows else None
    if label is None:
        name = f"{OBJECTIVE_PREFIX}du plan"
    else:  # pages may pass « Objectif : … » already
        name = shorten(label if label.lower().startswith("objectif") else f"{OBJECTIVE_PREFIX}: {label}", LEGEND_NAME_WIDTH)
    periods = [period_label(d, grain) for d in dates]
    steps = GRAIN_MONTHS[grain] > GRAIN_MONTHS[series_grain]
    if steps:
        # a yearly target on a monthly chart holds for every month of its year: a step from the
        # year's first day to the next, the last one stopping where the series stops
        positions = [*dates, max(dates[-1], min(bucket_end(dates[-1], grain), end))]
        values, periods = [*values, values[-1]], [*periods, periods[-1]]
    else:
        positions = [x_position(d, grain) for d in dates]
    decimals = decimals_for(unit, values)
    title = wrap(label or "Objectif du plan", 50)
    return go.Scatter(
        x=[d.isoformat() for d in positions],
        y=values,
        customdata=periods,
        mode="lines+markers" if grain == "year" and not steps and len(dates) <= MAX_POINTS_WITH_MARKERS else "lines",
        name=name,
        line={"color": OBJECTIVE, "width": theme.line_width, "dash": "dash", "shape": "hv" if steps else "linear"},
        # a short horizontal bar: a target level, visible even for a single year's target
        marker={
            "symbol": "line-ew-open",
            "size": theme.marker_size * 3,
            "color": OBJECTIVE,
            "line": {"width": theme.line_width, "color": OBJECTIVE},
        },
        hovertemplate=f"<b>{title}</b><br>%{{customdata}}<br>{hover_value(unit, 'y', decimals)}<extra></extra>",
    )


def _trajectory_trace(trajectory: pd.DataFrame, *, unit: str, theme: Theme) -> go.Scatter:
    rows = trajectory.assign(period_start=as_dates(trajectory["period_start"])).sort_values("period_start")
    dates: list[dt.date] = list(rows["period_start"])
    values = rows["value"].astype(float).tolist()
    grain = infer_granularity(dates)
    decimals = decimals_for(unit, values)
    name = f"{TRAJECTORY_PREFIX} ({value_text(values[0], unit)} en {period_label(dates[0], grain)})"
    return go.Scatter(
        x=[x_position(d, grain).isoformat() for d in dates],
        y=values,
        customdata=[period_label(d, grain) for d in dates],
        mode="lines",
        name=name,
        line={"color": REFERENCE, "width": theme.line_width, "dash": "dot"},
        hovertemplate=f"<b>{TRAJECTORY_PREFIX}</b><br>%{{customdata}}<br>{hover_value(unit, 'y', decimals)}<extra></extra>",
    )


def _reference_traces(
    reference: pd.DataFrame, *, labels: Mapping[tuple[str, str], str], colours: Mapping[tuple[str, str], str], unit: str, theme: Theme
) -> list[go.Scatter]:
    traces = []
    for key, group in reference.groupby(["indicator_code", "territory_code"], sort=False):
        rows = group.assign(period_start=as_dates(group["period_start"])).sort_values("period_start")
        dates: list[dt.date] = list(rows["period_start"])
        grain = infer_granularity(dates)
        values = rows["value"].astype(float).tolist()
        approx = [bool(a) and not pd.isna(a) for a in rows["approx"]]
        decimals = decimals_for(unit, values)
        customdata = [
            [period_label(d, grain), value_text(v, unit, decimals) + (" (ordre de grandeur)" if a else ""), wrap(str(s), 60)]
            for d, v, a, s in zip(dates, values, approx, rows["source"], strict=True)
        ]
        note = "" if not any(approx) else " (ordre de grandeur)" if all(approx) else " (creux : ordre de grandeur)"
        colour = colours[key]  # type: ignore[index]
        traces.append(
            go.Scatter(
                x=[x_position(d, grain).isoformat() for d in dates],
                y=values,
                customdata=customdata,
                mode="markers",
                name=f"{REFERENCE_PREFIX}{labels[key]}{note}",  # type: ignore[index]
                marker={
                    "symbol": ["diamond-open" if a else "diamond" for a in approx],
                    "size": theme.marker_size + 8,
                    "color": colour,
                    "line": {"width": 2.5, "color": colour},
                },
                hovertemplate="<b>Repère publié</b><br>%{customdata[0]} : %{customdata[1]}<br>Source : %{customdata[2]}<extra></extra>",
            )
        )
    return traces


def _extent(period_starts: Iterable[object], grain: Grain | None = None) -> tuple[dt.date, dt.date]:
    """The first bucket's start and the last bucket's end of some period starts."""
    dates = as_dates(period_starts)
    return min(dates), bucket_end(max(dates), grain or infer_granularity(dates))


def _label_row_px(theme: Theme) -> int:
    return int(theme.annotation_size * 1.7)


def _events(
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
                "ay": -(6 + row * _label_row_px(theme)),
                "xanchor": "left" if rightwards else "right",
                "yanchor": "bottom",
                "font": {"size": theme.annotation_size, "color": theme.text_colour},
            }
        )
    return shapes, annotations, len(labels)
