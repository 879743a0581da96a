"""The traces of trend charts: a series' line (complete buckets solid, incomplete ones dotted),
the plan's objective and trajectory, published reference points, legend-only entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from figures.inputs import ordered_codes, shorten, wrap
from figures.palette import OBJECTIVE, REFERENCE
from figures.theme import Theme
from figures.time_axis import GRAIN_MONTHS, Grain, as_dates, bucket_end, infer_granularity, period_label, x_position
from figures.units import decimals_for, hover_value, value_text

OBJECTIVE_PREFIX = "Objectif "
TRAJECTORY_PREFIX = "Trajectoire depuis la référence"
REFERENCE_PREFIX = "Repère publié : "
PROVISIONAL_NOTE = " (provisoire/incomplet)"
# Above this many points per line, markers would blur into the line: lines only.
MAX_POINTS_WITH_MARKERS = 40
LEGEND_NAME_WIDTH = 70


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


def objective_trace(objective: pd.DataFrame, *, series_grain: Grain, end: dt.date, unit: str, theme: Theme) -> go.Scatter:
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
