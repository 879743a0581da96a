"""Territories side by side: a ranking of values or rates, and each one's gap to its objective."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_access.french import fr_signed_percent
from data_access.queries import LEVEL_VALUES_COLUMNS
from figures.inputs import require_columns
from figures.palette import DIVERGING_5, HIGHLIGHT, NEUTRAL, NO_DATA, REFERENCE
from figures.theme import Theme, apply_theme, no_data_figure, theme_for
from figures.units import axis_title, decimals_for, hover_value, value_text

NO_DATA_TEXT = "pas de données"
SMALL_TEXT = "effectif trop faible"
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
    colours: Mapping[str, str] | None = None,
    limit: int | None = None,
    level_word: str = "territoires",
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
    colours
        ``territory_code`` → bar colour (a map's class colours, ``geo.classes``); the selected bar
        then keeps its class colour, outlined in ``palette.HIGHLIGHT``. Without it, bars are neutral.
    limit
        When more than ``2 × limit`` territories have a value, only the ``limit`` highest and the
        ``limit`` lowest are drawn, and the selected territory between them at its rank (or last
        when it has none), each omitted run replaced by a « ⋯ 245 autres <level_word> ⋯ » line;
        territories without a value are left out (the view's table lists them all).
    level_word
        The level in the plural, for the omitted lines (« communes »).

    Returns
    -------
    go.Figure
        One ``go.Bar`` (``orientation="h"``) whose ``y`` are names sorted by increasing value
        (territories without a value at the bottom, labelled « pas de données », or « effectif
        trop faible » where ``small`` is true); the reference line is a layout shape named
        ``"departement"``.
    """
    require_columns(level_values, LEVEL_VALUES_COLUMNS, "ranking_bar")
    if value_column not in ("value", "rate"):
        raise ValueError(f"ranking_bar: value_column must be 'value' or 'rate', got {value_column!r}")
    if level_values.empty:
        return no_data_figure(presentation=presentation)
    theme = theme_for(presentation)
    # Plotly draws the first category at the bottom: sort ascending, missing values first
    rows = shown_rows(level_values, value_column, selected, limit, level_word)
    values = rows[value_column].astype(float).to_numpy()
    decimals = decimals_for(unit, values[~np.isnan(values)])
    names = rows["name"].astype(str).tolist()
    is_selected = (rows["territory_code"] == selected).to_numpy()
    is_gap = rows["territory_code"].isna().to_numpy()
    small = rows["small"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "small" in rows else np.zeros(len(rows), dtype=bool)
    ranked = int(level_values[value_column].notna().sum())
    ranks = level_values[value_column].astype(float).round(decimals).rank(ascending=False, method="min")  # as printed: ties share a rank
    rank_of = dict(zip(level_values["territory_code"], ranks, strict=True))
    rank_text = [
        "" if gap or np.isnan(rank_of.get(code, np.nan)) else f"<br>Rang : {_ordinal(int(rank_of[code]))} sur {ranked}"
        for code, gap in zip(rows["territory_code"], is_gap, strict=True)
    ]
    texts = [
        "" if gap else (SMALL_TEXT if s else NO_DATA_TEXT) if np.isnan(v) else value_text(float(v), unit, decimals)
        for v, gap, s in zip(values, is_gap, small, strict=True)
    ]
    if colours is None:
        marker: dict[str, object] = {"color": [HIGHLIGHT if s else NEUTRAL for s in is_selected]}
    else:
        marker = {
            "color": [colours.get(str(code), NO_DATA) for code in rows["territory_code"]],
            "line": {"color": [HIGHLIGHT if s else BAR_EDGE for s in is_selected], "width": [3 if s else 0.5 for s in is_selected]},
        }
    fig = go.Figure(
        go.Bar(
            x=np.where(is_gap, np.nan, np.nan_to_num(values)),  # an omitted run's line has no bar
            y=names,
            orientation="h",
            marker=marker,
            text=texts,
            textposition="outside",
            textfont={"size": theme.font_size, "color": theme.text_colour},
            cliponaxis=False,
            customdata=np.column_stack([names, rank_text]) if len(names) else None,
            hovertemplate=f"<b>%{{customdata[0]}}</b><br>{hover_value(unit, 'x', decimals)}%{{customdata[1]}}<extra></extra>",
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
    _name_axis(fig, names, [f"<b>{n}</b>" if s else f"<i>{n}</i>" if g else n for n, s, g in zip(names, is_selected, is_gap, strict=True)])
    return fig


def _name_axis(fig: go.Figure, names: Sequence[str], labels: Sequence[str]) -> None:
    """The bars' axis of names: no title, grid or ticks, one label per bar (bold selected, italic gaps)."""
    fig.update_yaxes(title_text=None, showgrid=False, ticks="", tickmode="array", tickvals=list(names), ticktext=list(labels))


BAR_EDGE = "#737373"  # the outline of a coloured bar: the lightest class stays visible on white
GAP_MARK = "⋯"


def _ordinal(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"


def shown_rows(level_values: pd.DataFrame, value_column: str, selected: str | None, limit: int | None, level_word: str) -> pd.DataFrame:
    """The rows drawn, lowest first (Plotly's first category is at the bottom): every territory, or
    with ``limit`` the highest and lowest ``limit`` with the selected one, omitted runs as a row
    without code named « ⋯ 245 autres communes ⋯ »."""
    ascending = level_values.sort_values(value_column, ascending=True, na_position="first", kind="stable")
    ranked = ascending[ascending[value_column].notna()].iloc[::-1]  # highest first
    if limit is None or len(ranked) <= 2 * limit:
        return ascending
    pieces: list[pd.DataFrame] = [ranked.iloc[:limit]]
    position = np.flatnonzero((ranked["territory_code"] == selected).to_numpy())
    middle = int(position[0]) if position.size and limit <= position[0] < len(ranked) - limit else None
    runs = [(limit, len(ranked) - limit)] if middle is None else [(limit, middle), (middle + 1, len(ranked) - limit)]
    for number, (start, stop) in enumerate(runs):
        if stop > start:
            pieces.append(_gap_row(level_values, value_column, stop - start, level_word, number))
        if number == 0 and middle is not None:
            pieces.append(ranked.iloc[[middle]])
    pieces.append(ranked.iloc[len(ranked) - limit :])
    unranked = level_values[(level_values["territory_code"] == selected) & level_values[value_column].isna()]
    if not unranked.empty:  # the selected territory without a value: last, after the others
        pieces.append(_gap_row(level_values, value_column, 0, level_word, 2))
        pieces.append(unranked.iloc[[0]])
    return pd.concat(pieces, ignore_index=True).iloc[::-1].reset_index(drop=True)


def _gap_row(level_values: pd.DataFrame, value_column: str, count: int, level_word: str, number: int) -> pd.DataFrame:
    """A row without code or value: the omitted run's line (a distinct name per run: a category each)."""
    name = f"{GAP_MARK} {count} autres {level_word} {GAP_MARK}" if count else GAP_MARK
    row = {column: None for column in level_values.columns} | {"name": name + "\u2009" * number, value_column: np.nan}
    return pd.DataFrame([row], columns=level_values.columns).astype({value_column: float})


def gap_to_objective_bar(
    frame: pd.DataFrame,
    *,
    presentation: bool = False,
    selected: str | None = None,
    limit: int | None = None,
    level_word: str = "territoires",
) -> go.Figure:
    """Each territory's gap to its pro-rata objective, ``(value − target) / target`` in percent,
    as horizontal bars diverging from 0: below the target in ``DIVERGING_5[0]``, above it in
    ``DIVERGING_5[-1]`` (the palette's meaning: far below … far above target, whichever is good
    for the indicator).

    ``frame`` has ``territory_code``, ``name``, ``value`` and ``target`` (same unit). A
    territory without a value or with a zero target is listed with « pas de données ». The
    0 line is a layout shape named ``"objective"`` labelled « Objectif au prorata ».

    The axis starts at −100 % at the lowest (a count is never below zero: −100 % is no case at
    all), and runs to the right as far as the largest gap above the target. ``limit``,
    ``selected`` and ``level_word``: as in :func:`ranking_bar` (the ``limit`` largest gaps above
    and below, the selected territory between them).
    """
    require_columns(frame, GAP_COLUMNS, "gap_to_objective_bar")
    if frame.empty:
        return no_data_figure(presentation=presentation)
    theme = theme_for(presentation)
    target = frame["target"].astype(float).replace(0, np.nan)
    with_gaps = frame.assign(gap=(frame["value"].astype(float) - target) / target * 100)
    rows = shown_rows(with_gaps, "gap", selected, limit, level_word)
    gaps = rows["gap"].to_numpy(float)
    is_gap = rows["territory_code"].isna().to_numpy()
    names = rows["name"].astype(str).tolist()
    decimals = decimals_for("", np.concatenate([rows["value"].to_numpy(float), rows["target"].to_numpy(float)]))
    customdata = [
        [
            name,
            value_text(v, "", decimals),
            value_text(t, "", decimals),
            "" if omitted else NO_DATA_TEXT if np.isnan(g) else fr_signed_percent(g),
        ]
        for name, v, t, g, omitted in zip(names, rows["value"].astype(float), rows["target"].astype(float), gaps, is_gap, strict=True)
    ]
    # a bar reaching the −100 % end of the axis has its label inside it: outside, it would cover the names
    floor = -100.0
    inside = [bool(g <= floor * 0.8) for g in np.nan_to_num(gaps)]
    fig = go.Figure(
        go.Bar(
            x=np.nan_to_num(gaps),
            y=names,
            orientation="h",
            marker={"color": [DIVERGING_5[0] if g < 0 else DIVERGING_5[-1] for g in np.nan_to_num(gaps)]},
            text=[row[3] for row in customdata],
            textposition=["inside" if i else "outside" for i in inside],
            insidetextanchor="start",
            textfont={"size": theme.font_size, "color": ["#ffffff" if i else theme.text_colour for i in inside]},
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
    # symmetric, with room for the labels outside the bars, but never below −100 %: no case at all
    fig.update_xaxes(
        title_text="Écart à l'objectif au prorata (%) — ◀ en dessous · au-dessus ▶",
        ticksuffix="\u202f%",
        range=[max(-widest * 1.25, floor), widest * 1.25],
    )
    _name_axis(
        fig,
        names,
        [
            f"<i>{n}</i>" if g else f"<b>{n}</b>" if code == selected else n
            for n, g, code in zip(names, is_gap, rows["territory_code"], strict=True)
        ],
    )
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
