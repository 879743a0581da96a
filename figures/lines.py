"""The traces of trend charts: a series' line (complete buckets solid, incomplete ones dotted),
the plan's objective (its line, the zone where it is met, each plan year's verdict) and
trajectory, published reference points, legend-only entries."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from figures.inputs import ordered_codes, shorten, wrap
from figures.palette import MET_ZONE_FILL, OBJECTIVE, REFERENCE, VERDICT_MARKERS, VERDICT_RIM
from figures.theme import Theme
from figures.time_axis import GRAIN_MONTHS, Grain, as_dates, bucket_end, infer_granularity, period_label, x_position
from figures.units import decimals_for, hover_value, value_text

OBJECTIVE_PREFIX = "Objectif "
TRAJECTORY_PREFIX = "Trajectoire depuis la référence"
REFERENCE_PREFIX = "Repère publié : "
PROVISIONAL_NOTE = " (provisoire/incomplet)"
# Above this many points per line, markers would blur into the line: lines only.
MAX_POINTS_WITH_MARKERS = 40
# An objective's legend entry: the plan's words (at most ``Theme.legend_text_width`` characters) on
# one line, or two balanced ones when long (« Réduire … dont 6 148 pour de l'énergie tous parcs
# confondus »), then its verdict.
LEGEND_LINE_WIDTH = 80
MET_ZONE_NAME = "Zone où l'objectif est atteint"
# the status table's words: the entries follow the objective's own in the legend
VERDICT_NAMES = {
    "atteint": "Atteint",
    "en bonne voie": "En bonne voie",
    "en retard": "En retard",
    "non atteint": "Non atteint",
}
TARGET_YEAR_COLUMNS = ["period_start", "value", "status", "text"]


@dataclass(frozen=True, eq=False)
class Target:
    """A plan objective as a trend chart draws it: its line, the side where it is met, and the
    verdict of each plan year.

    Attributes
    ----------
    line
        ``period_start``, ``value`` and optionally ``label``: the target per bucket of the chart
        (see :func:`objective_trace`).
    met_above
        Where the objective is met: ``True`` at or above the line (minimums, increases), ``False``
        at or below it (maximums, decreases). ``None`` draws the bare line, without a zone.
    tolerance
        An approximate target (« une vingtaine », 0.1) is met from ``line × (1 − tolerance)`` for
        a minimum, up to ``line × (1 + tolerance)`` for a maximum: the zone starts there.
    years
        ``TARGET_YEAR_COLUMNS``, one row per judged plan year (``period_start`` on 1 January): the
        year's measured value in the chart's unit, its status (a key of
        ``palette.VERDICT_MARKERS``; other statuses are not drawn) and its French hover line
        (« 2016 : 50 / cible 40 — atteint »). The statuses are the objective status table's: a
        figure never judges.
    verdict
        The latest judged year in words (« 2020 : 50 / 40 : atteint »), printed under the
        objective's legend entry.
    """

    line: pd.DataFrame
    met_above: bool | None = None
    tolerance: float = 0.0
    years: pd.DataFrame | None = None
    verdict: str | None = None

    def edge(self) -> np.ndarray:
        """The zone's edge per row of ``line`` (sorted by ``period_start``): the line, moved by the tolerance."""
        values = self.line.sort_values("period_start")["value"].to_numpy(float)
        return values * (1 - self.tolerance if self.met_above else 1 + self.tolerance)


def with_gaps(group: pd.DataFrame, grain: Grain) -> pd.DataFrame:
    """``group`` (one line: ``period_start`` sorted, ``value``, ``complete``) with a row of NaN for
    every bucket missing between its first and last period, so that a missing year is drawn as a
    break in the line, never as a straight stretch across it (Plotly joins the points it is given:
    only a NaN between them breaks the line, ``connectgaps=False``). A line whose periods are not
    on the grid of ``grain`` is returned as it is."""
    dates = as_dates(group["period_start"])
    if len(dates) < 2:
        return group
    grid = [dates[0]]
    while grid[-1] < dates[-1]:
        grid.append(bucket_end(grid[-1], grain))
    present = set(dates)
    if not present <= set(grid) or len(present) == len(grid):
        return group
    missing = [day for day in grid if day not in present]
    filler = pd.DataFrame({"period_start": missing, "value": np.nan, "complete": True})
    for column in group.columns.difference(filler.columns):
        filler[column] = group[column].iloc[0]
    rows = pd.concat([group.assign(period_start=dates), filler[group.columns]], ignore_index=True)
    return rows.sort_values("period_start", kind="stable").reset_index(drop=True)


def line_traces(
    group: pd.DataFrame,
    *,
    name: str,
    colour: str,
    grain: Grain,
    unit: str,
    decimals: int,
    theme: Theme,
    showlegend: bool = True,
    dash: str | None = None,
) -> list[go.Scatter]:
    """The traces of one line: the complete buckets solid (or in ``dash``, the indicator's dash
    when a chart draws several), a missing bucket a break in the line (:func:`with_gaps`); when
    some buckets are incomplete, a dotted stretch over them (joined to their complete neighbours,
    no hover) and hollow markers with « (provisoire/incomplet) » in their hover. ``group`` has
    ``period_start`` (dates, sorted), ``value`` and ``complete``."""
    group = with_gaps(group, grain)
    dates = as_dates(group["period_start"])
    x = [x_position(d, grain).isoformat() for d in dates]
    y = group["value"].to_numpy(float)
    complete = group["complete"].to_numpy(bool)
    periods = [period_label(d, grain) for d in dates]
    value = hover_value(unit, "y", decimals)
    solid = np.where(complete, y, np.nan)
    marker: dict[str, object] = {"color": colour, "size": theme.marker_size}
    mode = "lines+markers"
    if len(x) > MAX_POINTS_WITH_MARKERS:  # a line alone, but a point between two gaps keeps its marker
        shown = np.isfinite(solid)
        alone = shown & ~np.r_[False, shown[:-1]] & ~np.r_[shown[1:], False]
        if alone.any():
            marker["size"] = np.where(alone, theme.marker_size, 0).tolist()
        else:
            mode = "lines"
    traces = [
        go.Scatter(
            x=x,
            y=solid,
            customdata=periods,
            mode=mode,
            name=name,
            legendgroup=name,
            showlegend=showlegend,
            line={"color": colour, "width": theme.line_width, **({"dash": dash} if dash else {})},
            marker=marker,
            connectgaps=False,
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


def line_keys(frame: pd.DataFrame, names: Mapping[str, str]) -> list[tuple[str, str]]:
    pairs = list(frame[["indicator_code", "territory_code"]].drop_duplicates().itertuples(index=False, name=None))
    indicators = ordered_codes((i for i, _ in pairs), names)
    territories = ordered_codes((t for _, t in pairs), names)
    present = set(pairs)
    return [(i, t) for i in indicators for t in territories if (i, t) in present]


def line_labels(keys: list[tuple[str, str]], names: Mapping[str, str]) -> dict[tuple[str, str], str]:
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


def legend_only(name: str, theme: Theme, *, dash: str | None = None, symbol: str = "circle", fill: str | None = None) -> go.Scatter:
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


def objective_label(objective: pd.DataFrame) -> str | None:
    """The plan's words for an objective line (its first non-empty ``label``), None without one."""
    return next((v for v in objective["label"] if isinstance(v, str) and v.strip()), None) if "label" in objective else None


def objective_name(objective: pd.DataFrame, verdict: str | None = None, width: int = 140) -> str:
    """The legend entry of an objective line: « Objectif : <label> » (shortened to ``width``
    characters, on at most two lines), the verdict on the next one."""
    label = objective_label(objective)
    if label is None:
        name = f"{OBJECTIVE_PREFIX}du plan"
    else:  # pages may pass « Objectif : … » already
        name = shorten(label if label.lower().startswith("objectif") else f"{OBJECTIVE_PREFIX}: {label}", width)
        if len(name) > LEGEND_LINE_WIDTH:  # two lines of about the same length, not a long one and a word
            name = wrap(name, math.ceil(len(name) / 2) + 6)
    return f"{name}<br>{verdict}" if verdict else name


def objective_title(objective: pd.DataFrame) -> str:
    """The bold first line of an objective's hovers: the plan's words, wrapped."""
    return wrap(objective_label(objective) or "Objectif du plan", 50)


def objective_trace(
    objective: pd.DataFrame, *, series_grain: Grain, end: dt.date, unit: str, theme: Theme, verdict: str | None = None
) -> go.Scatter:
    rows = objective.assign(period_start=as_dates(objective["period_start"])).sort_values("period_start")
    dates: list[dt.date] = list(rows["period_start"])
    values = rows["value"].astype(float).tolist()
    grain = infer_granularity(dates)
    name = objective_name(rows, verdict, theme.legend_text_width)
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
    title = objective_title(rows)
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


def met_zone_trace(target: Target, *, end: dt.date, far: float) -> go.Scatter:
    """The side of ``target`` where it is met, shaded from its edge to ``far`` (the top or the bottom
    of the y axis), bucket by bucket up to ``end``: a yearly target on a monthly chart is a step per
    year. Drawn first, below every line; no legend entry of its own (see :data:`MET_ZONE_NAME`)."""
    rows = target.line.assign(period_start=as_dates(target.line["period_start"])).sort_values("period_start")
    dates: list[dt.date] = list(rows["period_start"])
    grain = infer_granularity(dates)
    x: list[dt.date] = []
    y: list[float] = []
    for day, level in zip(dates, target.edge(), strict=True):
        stop = min(bucket_end(day, grain), end)
        if stop > day:
            x += [day, stop]
            y += [float(level), float(level)]
    if x:  # back along the axis edge, closed on the first corner
        x += [x[-1], x[0], x[0]]
        y += [far, far, y[0]]
    return go.Scatter(
        x=[d.isoformat() for d in x],
        y=y,
        mode="lines",
        fill="toself",
        fillcolor=MET_ZONE_FILL,
        line={"width": 0},
        name=MET_ZONE_NAME,
        legendgroup=MET_ZONE_NAME,
        showlegend=False,
        hoverinfo="skip",
    )


def verdict_traces(target: Target, *, series_grain: Grain, theme: Theme) -> list[go.Scatter]:
    """One marker trace per status of ``target.years`` (see ``palette.VERDICT_MARKERS``), named
    « Atteint », « Non atteint »…, the year's hover line in its hover.

    On a yearly chart a marker sits on the year's point (its measured value); on a finer chart,
    whose points are months or quarters, on the target's step in the middle of the year."""
    if target.years is None or target.years.empty:
        return []
    years = target.years.assign(period_start=as_dates(target.years["period_start"])).sort_values("period_start")
    line = target.line.assign(period_start=as_dates(target.line["period_start"])).sort_values("period_start")
    line_days: list[dt.date] = list(line["period_start"])
    line_grain = infer_granularity(line_days)
    points: dict[str, tuple[list[str], list[float], list[str]]] = {}
    for day, value, status, text in years[TARGET_YEAR_COLUMNS].itertuples(index=False, name=None):
        if status not in VERDICT_MARKERS:
            continue
        middle = x_position(day, "year")
        if series_grain == "year":
            level = float(value)
        else:
            holding = [v for d, v in zip(line_days, line["value"], strict=True) if d <= middle < bucket_end(d, line_grain)]
            if not holding:
                continue
            level = float(holding[0])
        xs, ys, texts = points.setdefault(status, ([], [], []))
        xs.append(middle.isoformat())
        ys.append(level)
        texts.append(str(text))
    title = objective_title(target.line)
    traces = []
    for status, (symbol, colour) in VERDICT_MARKERS.items():
        if status not in points:
            continue
        xs, ys, texts = points[status]
        hollow = symbol.endswith("-open")
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                customdata=texts,
                mode="markers",
                name=VERDICT_NAMES[status],
                marker={
                    "symbol": symbol,
                    "size": theme.marker_size + 8,
                    "color": colour,
                    # a dark rim sets a filled mark apart from the line it sits on, whatever that line's colour
                    "line": {"width": 2.5 if hollow else 1.5, "color": colour if hollow else VERDICT_RIM},
                },
                cliponaxis=False,
                hovertemplate=f"<b>{title}</b><br>%{{customdata}}<extra></extra>",
            )
        )
    return traces


def trajectory_trace(trajectory: pd.DataFrame, *, unit: str, theme: Theme) -> go.Scatter:
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


def reference_traces(
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
