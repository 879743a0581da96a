"""Territories side by side: a ranking of values or rates, and each one's gap to its objective."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_access.french import fr_signed_percent
from data_access.queries import LEVEL_VALUES_COLUMNS
from figures.inputs import require_columns
from figures.palette import DIVERGING_5, HIGHLIGHT, NEUTRAL, REFERENCE
from figures.theme import Theme, apply_theme, no_data_figure, theme_for
from figures.units import axis_title, decimals_for, hover_value, value_text

NO_DATA_TEXT = "pas de données"
GAP_COLUMNS = ["territory_code", "name", "value", "target"]


def ranking_bar(
    level_values: pd.DataFrame,
    *,
    value_column: Literal["value", "rate"] = "value",
    unit: str,
    selected: str | None = None,
    departement_value: float | None = None,
    departement_label: str = "Département",
    x_title: str | None = None,
    presentation: bool = False,
) -> go.Figure:
    """Horizontal bars of the territories of one level, the highest at the top.

    Parameters
    ----------
    level_values
        ``LEVEL_VALUES_COLUMNS`` (``data_access.queries.level_values``).
    value_column
        ``"value"`` (the indicator over the period) or ``"rate"`` (per 1 000 ménages).
    unit
        Unit of that column: ``"assignations"``, ``"pour 1 000 ménages"``, ``"%"``…; gives the
        x-axis title (« Taux pour 1 000 ménages ») unless ``x_title`` is given.
    selected
        A ``territory_code`` drawn in ``palette.HIGHLIGHT`` with its name in bold; the others are
        neutral grey. Ignored when absent from the frame.
    departement_value
        The département's value (or rate) on the same scale, drawn as a dashed vertical line
        labelled « <departement_label> : <value> » above the plot. Pass the département's rate
        when ranking rates; its total would dwarf every territory when ranking values.
    presentation
        The projector look.

    Returns
    -------
    go.Figure
        One ``go.Bar`` (``orientation="h"``) whose ``y`` are names sorted by increasing value
        (territories without a value at the bottom, labelled « pas de données »); the reference
        line is a layout shape named ``"departement"``.
    """
    require_columns(level_values, LEVEL_VALUES_COLUMNS, "ranking_bar")
    if value_column not in ("value", "rate"):
        raise ValueError(f"ranking_bar: value_column must be 'value' or 'rate', got {value_column!r}")
    if level_values.empty:
        return no_data_figure(presentation=presentation)
    theme = theme_for(presentation)
    # Plotly draws the first category at the bottom: sort ascending, missing values first
    rows = level_values.sort_values(value_column, ascending=True, na_position="first", kind="stable")
    values = rows[value_column].astype(float).to_numpy()
    decimals = decimals_for(unit, values[~np.isnan(values)])
    names = rows["name"].astype(str).tolist()
    is_selected = (rows["territory_code"] == selected).to_numpy()
    fig = go.Figure(
        go.Bar(
            x=np.nan_to_num(values),
            y=names,
            orientation="h",
            marker={"color": [HIGHLIGHT if s else NEUTRAL for s in is_selected]},
            text=[NO_DATA_TEXT if np.isnan(v) else value_text(float(v), unit, decimals) for v in values],
            textposition="outside",
            textfont={"size": theme.font_size, "color": theme.text_colour},
            cliponaxis=False,
            customdata=names,
            hovertemplate=f"<b>%{{customdata}}</b><br>{hover_value(unit, 'x', decimals)}<extra></extra>",
            showlegend=False,
        )
    )
    top_margin = 16
    if departement_value is not None and not np.isnan(departement_value):
        _reference_line(fig, departement_value, f"{departement_label} : {value_text(departement_value, unit, decimals)}", theme)
        top_margin += int(theme.annotation_size * 1.8)
    apply_theme(fig, presentation=presentation, height=_bars_height(len(rows), theme), top_margin=top_margin)
    highest = max([float(np.nanmax(values)) if not np.isnan(values).all() else 0.0, departement_value or 0.0])
    # room on the right for the value printed after the longest bar
    fig.update_xaxes(title_text=x_title or axis_title(unit), range=[min(0.0, float(np.nanmin(np.nan_to_num(values)))), highest * 1.12 or 1])
    fig.update_yaxes(
        title_text=None,
        showgrid=False,
        ticks="",
        tickmode="array",
        tickvals=names,
        ticktext=[f"<b>{n}</b>" if s else n for n, s in zip(names, is_selected, strict=True)],
    )
    return fig


def gap_to_objective_bar(frame: pd.DataFrame, *, presentation: bool = False) -> go.Figure:
    """Each territory's gap to its pro-rata objective, ``(value − target) / target`` in percent,
    as horizontal bars diverging from 0: below the target in ``DIVERGING_5[0]``, above it in
    ``DIVERGING_5[-1]`` (the palette's meaning: far below … far above target, whichever is good
    for the indicator).

    ``frame`` has ``territory_code``, ``name``, ``value`` and ``target`` (same unit). A
    territory without a value or with a zero target is listed with « pas de données ». The
    0 line is a layout shape named ``"objective"`` labelled « Objectif au prorata ».
    """
    require_columns(frame, GAP_COLUMNS, "gap_to_objective_bar")
    if frame.empty:
        return no_data_figure(presentation=presentation)
    theme = theme_for(presentation)
    target = frame["target"].astype(float).replace(0, np.nan)
    rows = frame.assign(gap=(frame["value"].astype(float) - target) / target * 100).sort_values(
        "gap", ascending=True, na_position="first", kind="stable"
    )
    gaps = rows["gap"].to_numpy(float)
    names = rows["name"].astype(str).tolist()
    decimals = decimals_for("", np.concatenate([rows["value"].to_numpy(float), rows["target"].to_numpy(float)]))
    customdata = [
        [name, value_text(v, "", decimals), value_text(t, "", decimals), NO_DATA_TEXT if np.isnan(g) else fr_signed_percent(g)]
        for name, v, t, g in zip(names, rows["value"].astype(float), rows["target"].astype(float), gaps, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=np.nan_to_num(gaps),
            y=names,
            orientation="h",
            marker={"color": [DIVERGING_5[0] if g < 0 else DIVERGING_5[-1] for g in np.nan_to_num(gaps)]},
            text=[row[3] for row in customdata],
            textposition="outside",
            textfont={"size": theme.font_size, "color": theme.text_colour},
            cliponaxis=False,
            customdata=customdata,
            hovertemplate="<b>%{customdata[0]}</b><br>Valeur : %{customdata[1]}<br>Objectif au prorata : %{customdata[2]}"
            "<br>Écart : %{customdata[3]}<extra></extra>",
            showlegend=False,
        )
    )
    _reference_line(fig, 0, "Objectif au prorata", theme, name="objective", dash="solid")
    apply_theme(fig, presentation=presentation, height=_bars_height(len(rows), theme), top_margin=16 + int(theme.annotation_size * 1.8))
    widest = float(np.nanmax(np.abs(gaps))) if not np.isnan(gaps).all() else 10.0
    fig.update_xaxes(
        title_text="Écart à l'objectif au prorata (%) — ◀ en dessous · au-dessus ▶",
        ticksuffix="\u202f%",
        range=[-widest * 1.25, widest * 1.25],  # symmetric, with room for the labels outside the bars
    )
    fig.update_yaxes(title_text=None, showgrid=False, ticks="")
    return fig


def _reference_line(fig: go.Figure, x: float, label: str, theme: Theme, *, name: str = "departement", dash: str = "dash") -> None:
    """A vertical line across the plot at ``x`` with ``label`` above the plot area."""
    fig.add_shape(
        type="line",
        name=name,
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        yref="paper",
        line={"color": REFERENCE, "width": theme.line_width, "dash": dash},
        layer="above",
    )
    fig.add_annotation(
        text=f"<b>{label}</b>",
        x=x,
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        yshift=4,
        showarrow=False,
        font={"size": theme.annotation_size, "color": theme.text_colour},
    )


def _bars_height(count: int, theme: Theme) -> int:
    """Room for every bar label at the look's font size."""
    per_bar = 2.2 * theme.font_size
    return max(theme.height, int(count * per_bar) + 140)
