"""Trend lines: indicators over time per territory, with the plan's objective, the trêve hivernale,
events and published reference figures; and the same lines as an index (base 100)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_access.aggregation import SERIES_COLUMNS
from figures.events import TREVE_NAME, event_marks, label_row_px, treve_applies, treve_shapes
from figures.inputs import require_columns
from figures.lines import (
    MET_ZONE_NAME,
    Target,
    legend_only,
    line_keys,
    line_labels,
    line_traces,
    met_zone_trace,
    objective_trace,
    reference_traces,
    trajectory_trace,
    verdict_traces,
)
from figures.palette import MET_ZONE_FILL, REFERENCE, dash_for
from figures.theme import TREVE_FILL, distinct_colours, merged_layout, no_data_figure, theme_for, themed_layout
from figures.time_axis import GRAIN_AXIS_TITLES, Grain, as_dates, bucket_end, infer_granularity, time_ticks
from figures.units import INDEX_UNIT, axis_title, decimals_for

PROVISIONAL_NAME = "Période incomplète (provisoire)"
REFERENCE_COLUMNS = ["indicator_code", "territory_code", "period_start", "value", "approx", "source"]


def trend_figure(
    series: pd.DataFrame,
    *,
    names: Mapping[str, str],
    unit: str,
    objective: pd.DataFrame | Target | None = None,
    trajectory: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    treve: bool | None = None,
    reference: pd.DataFrame | None = None,
    granularity: Grain | None = None,
    y_title: str | None = None,
    roles: Mapping[str, str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
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
        (of its indicator when there is one territory), another free colour if two would clash;
        when several indicators are drawn, each also has its own dash (``palette.INDICATOR_DASHES``,
        the first solid), so that two indicators of one territory never look alike. A bucket
        missing inside a line is a break in it, not a straight stretch across.
    unit
        The indicator's unit (``"assignations"``, ``"%"``, ``"€"``…): y-axis title and hover.
    objective
        A :class:`figures.lines.Target`, or its bare ``line``: ``period_start``, ``value`` and
        optionally ``label``, the plan's target in the series' unit and per bucket of the series
        (e.g. 40 / 12 a month for « 40 par an » on a monthly chart). The line is drawn dashed,
        named « Objectif : <label> » (the label as it is when it already starts with
        « Objectif »; « Objectif du plan » without label), the target's verdict on a second line
        of its legend entry; yearly rows on a finer series are drawn as steps covering their
        year. With ``met_above``, the side where the target is met is shaded from the line to
        the edge of the y axis (« Zone où l'objectif est atteint »), and the y range is fixed so
        that the zone reaches it; each judged plan year gets a marker, a filled circle when met,
        a cross when not (hollow while the year runs): on the year's point on a yearly chart, on
        the target's step in mid-year on a finer one.
    trajectory
        ``period_start``, ``value``: the path from a baseline to the target, drawn dotted, named
        « Trajectoire depuis la référence (<first value> en <first period>) ».
    events
        ``date_start``, ``date_end`` (None for a one-day event), ``label``: a dotted vertical line
        (and a tinted band when the event lasts) with a short label above the plot area, the full
        label in its hover. Events outside the series' time range are left out.
    treve
        Shade the trêve hivernale (1 November – 31 March) on monthly and quarterly charts, with
        a « Trêve hivernale » legend entry. Never on yearly charts. By default (None) only when
        an indicator drawn is a step of the eviction procedure (``events.TREVE_INDICATORS``):
        never on insalubrité or FSL charts, where it means nothing.
    reference
        Published figures (``data_access.queries.reference_points``). Drawn as diamonds (hollow
        when approximate) named « Repère publié : <line name> », with their source in the hover.
        Only the points of an (indicator, territory) drawn in ``series`` and of the chart's
        granularity are kept: a published yearly total is left out of a monthly chart.
    granularity
        ``"month"``, ``"quarter"`` or ``"year"``; inferred from the dates when None.
    y_title
        Overrides the y-axis title derived from ``unit`` (« Nombre d'assignations »).
    roles
        Territory code → role (``"selected"``, ``"departement"``, ``"france"``): those lines take
        their role's colour (``palette.ROLE_COLOURS``) whatever the plan's département code.
    period
        The chosen period (start inclusive, end exclusive): the x axis is exactly that period,
        and nothing outside it is drawn (a published point, an objective's year, an event). By
        default the axis holds whole buckets of everything drawn.
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
    if period is not None:
        frame = frame[[period[0] <= day < period[1] for day in frame["period_start"]]]
        if frame.empty:
            return no_data_figure(presentation=presentation)
        objective = _objective_within(objective, period)
        trajectory = _within(trajectory, period)
        reference = _within(reference, period)
    grain = granularity or infer_granularity(frame["period_start"])
    decimals = decimals_for(unit, frame["value"])
    keys = line_keys(frame, names)
    labels = line_labels(keys, names)
    one_territory = len({t for _, t in keys}) == 1
    colour_of = distinct_colours((i if one_territory else t for i, t in keys), None if one_territory else roles)
    colours = {key: colour_of[key[0] if one_territory else key[1]] for key in keys}
    indicators = list(dict.fromkeys(i for i, _ in keys))
    dashes = {i: dash_for(n) for n, i in enumerate(indicators)} if len(indicators) > 1 else {}
    # the axis shows whole buckets of everything drawn, or exactly the chosen period
    spans = [_extent(frame["period_start"], grain) if period is None else period]

    # traces, shapes and annotations are collected, then the figure is built in one validated
    # construction: Plotly's add_* calls validate the whole figure each time (see figures.theme)
    traces: list[go.Scatter] = []
    shapes: list[dict[str, object]] = []
    groups = dict(iter(frame.groupby(["indicator_code", "territory_code"], sort=False)))
    for key in keys:
        traces += line_traces(
            groups[key],
            name=labels[key],
            colour=colours[key],
            grain=grain,
            unit=unit,
            decimals=decimals,
            theme=theme,
            dash=dashes.get(key[0]),
        )
    if not frame["complete"].astype(bool).all():
        traces.append(legend_only(PROVISIONAL_NAME, theme, dash="dot", symbol="circle-open"))
    target = objective if isinstance(objective, Target) else Target(objective) if objective is not None else None
    if target is not None and target.line.empty:
        target = None
    if target is not None:
        require_columns(target.line, ["period_start", "value"], "trend_figure objective")
        if period is None:
            spans.append(_extent(target.line["period_start"]))
        line = objective_trace(target.line, series_grain=grain, end=spans[0][1], unit=unit, theme=theme, verdict=target.verdict)
        traces.append(line)
        if target.met_above is not None:
            traces.append(legend_only(MET_ZONE_NAME, theme, symbol="square", fill=MET_ZONE_FILL).update(legendgroup=MET_ZONE_NAME))
        traces += verdict_traces(target, series_grain=grain, theme=theme)
    if trajectory is not None and not trajectory.empty:
        require_columns(trajectory, ["period_start", "value"], "trend_figure trajectory")
        if period is None:
            spans.append(_extent(trajectory["period_start"]))
        traces.append(trajectory_trace(trajectory, unit=unit, theme=theme))
    if reference is not None and not reference.empty:
        require_columns(reference, REFERENCE_COLUMNS, "trend_figure reference")
        shown = _same_lines_and_grain(reference, set(labels), grain)
        if not shown.empty:
            if period is None:
                spans.append(_extent(shown["period_start"]))
            traces += reference_traces(shown, labels=labels, colours=colours, unit=unit, theme=theme)
    first, end = min(a for a, _ in spans), max(b for _, b in spans)
    if treve is None:
        treve = treve_applies(indicators)
    if treve and grain != "year":
        shapes += treve_shapes(first, end)
        traces.append(legend_only(TREVE_NAME, theme, symbol="square", fill=TREVE_FILL))
    event_shapes, annotations, label_rows = (
        event_marks(events, first, end, theme) if events is not None and not events.empty else ([], [], 0)
    )

    drawn = np.concatenate([np.asarray(trace.y, dtype=float) for trace in traces if trace.y is not None])
    no_negative = not (drawn < 0).any()  # NaN compares False
    y_range: list[float] | None = None
    if target is not None and target.met_above is not None:
        # the zone runs to the edge of the axis: the range is fixed, so that the edge is where the zone stops
        y_range = _y_range(np.concatenate([drawn, target.edge()]), from_zero=unit != INDEX_UNIT and no_negative)
        zone = met_zone_trace(target, end=max(b for _, b in spans), far=y_range[1] if target.met_above else y_range[0])
        traces.insert(0, zone)  # below every line
    themed = themed_layout(presentation=presentation, top_margin=16 + label_rows * label_row_px(theme))
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
                **({"range": y_range} if y_range is not None else {}),
            },
        },
    )
    fig = go.Figure(traces, layout=layout)
    return fig


def drawn_reference(
    reference: pd.DataFrame, series: pd.DataFrame, *, granularity: Grain | None = None, period: tuple[dt.date, dt.date] | None = None
) -> pd.DataFrame:
    """The rows of ``reference`` that :func:`trend_figure` draws with ``series``: the published
    points of a line it draws, of the chart's granularity, inside ``period`` when given. What a
    chart's source line credits (each published point to its own source)."""
    require_columns(reference, REFERENCE_COLUMNS, "drawn_reference")
    if reference.empty or series.empty:
        return reference.iloc[0:0]
    dates = as_dates(series["period_start"])
    grain = granularity or infer_granularity(dates)
    inside = _within(reference, period) if period is not None else reference
    if inside is None:
        return reference.iloc[0:0]
    lines = set(zip(series["indicator_code"], series["territory_code"], strict=True))
    return _same_lines_and_grain(inside, lines, grain)


def _same_lines_and_grain(reference: pd.DataFrame, lines: set[tuple[str, str]], grain: Grain) -> pd.DataFrame:
    """The points of ``reference`` on one of ``lines``, of granularity ``grain``: a published
    yearly figure cannot sit on a monthly line."""
    shown = reference[[pair in lines for pair in zip(reference["indicator_code"], reference["territory_code"], strict=True)]]
    same_grain = [
        i
        for _, g in shown.groupby(["indicator_code", "territory_code"])
        if infer_granularity(as_dates(g["period_start"])) == grain
        for i in g.index
    ]
    return shown.loc[same_grain]


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
    roles: Mapping[str, str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    presentation: bool = False,
) -> go.Figure:
    """:func:`trend_figure` of :func:`index_base_100` (``base_year`` = 100), to compare
    territories of very different sizes (Isère against France): each territory in its role's
    colour (``roles``), a year missing from a series (France's published one has gaps) a break in
    its line. A thin horizontal line marks 100. Raises ``ValueError`` when a line has no value in
    ``base_year``."""
    indexed = index_base_100(series, base_year)
    fig = trend_figure(
        indexed,
        names=names,
        unit=INDEX_UNIT,
        events=events,
        treve=treve,
        granularity=granularity,
        y_title=f"Indice (base 100 en {base_year})",
        roles=roles,
        period=period,
        presentation=presentation,
    )
    if not indexed.empty:
        theme = theme_for(presentation)
        fig.add_hline(y=100, name="base", line={"color": REFERENCE, "width": theme.thin_line_width}, layer="below")
    return fig


def _within(rows: pd.DataFrame | None, period: tuple[dt.date, dt.date]) -> pd.DataFrame | None:
    """The rows (``period_start``) of an objective, trajectory or reference frame whose bucket
    overlaps ``period`` (a yearly target on a monthly chart holds for its whole year); None when
    nothing is left."""
    if rows is None or rows.empty:
        return None
    dates = as_dates(rows["period_start"])
    grain = infer_granularity(dates)
    inside = rows[[day < period[1] and bucket_end(day, grain) > period[0] for day in dates]]
    return inside if not inside.empty else None


def _objective_within(objective: pd.DataFrame | Target | None, period: tuple[dt.date, dt.date]) -> pd.DataFrame | Target | None:
    """:func:`_within` of an objective's line, and of a :class:`Target`'s judged years."""
    if not isinstance(objective, Target):
        return _within(objective, period)
    line = _within(objective.line, period)
    if line is None:
        return None
    years = objective.years
    if years is not None:
        kept = _within(years, period)
        years = kept if kept is not None else years.iloc[0:0]
    return replace(objective, line=line, years=years)


def _y_range(values: np.ndarray, *, from_zero: bool) -> list[float]:
    """A y range holding ``values`` with a margin above (and below unless it starts at 0)."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if from_zero:
        low = min(low, 0.0)
    margin = 0.08 * ((high - low) or abs(high) or 1.0)
    return [low if from_zero else low - margin, high + margin]


def _extent(period_starts: Iterable[object], grain: Grain | None = None) -> tuple[dt.date, dt.date]:
    """The first bucket's start and the last bucket's end of some period starts."""
    dates = as_dates(period_starts)
    return min(dates), bucket_end(max(dates), grain or infer_granularity(dates))
