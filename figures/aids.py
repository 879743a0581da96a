"""FSL aids by type: households helped and amounts paid per period, as two stacked panels.

Households and euros share the periods but not the scale, so they get one panel each, one
above the other, rather than two y-axes on one plot (which invites comparing the heights of
unrelated bars). Each aid type keeps one colour in both panels, its colour in the palette's
registry (``figures.palette.AID_COLOURS``): the same as on the FSL page's other charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data_access.french import NNBSP
from figures.inputs import require_columns
from figures.palette import aid_type
from figures.theme import apply_theme, distinct_colours, no_data_figure, theme_for
from figures.time_axis import as_dates, infer_granularity, period_label
from figures.units import compact_euros, nice_ticks, value_text

AID_COLUMNS = ["indicator_code", "period_start", "value"]
# measure suffix of the indicator code → panel: (title of the y axis, unit)
MEASURES = {"menages": ("Ménages aidés", "ménages"), "montant": ("Montant (€)", "€")}


def aid_bars(
    frame: pd.DataFrame,
    *,
    names: Mapping[str, str],
    barmode: Literal["stack", "group"] = "stack",
    unit: str | None = None,
    presentation: bool = False,
) -> go.Figure:
    """Households helped (top panel) and amounts paid (bottom panel) per period, by aid type.

    Parameters
    ----------
    frame
        ``indicator_code``, ``period_start``, ``value`` for one territory: codes ending in
        ``_menages`` (households) and ``_montant`` (euros), the aid type being the code without
        that suffix (``fsl_acces_menages`` and ``fsl_acces_montant`` are the type ``fsl_acces``).
        ``SERIES_COLUMNS`` frames are accepted as they are.
    names
        Code → label. A type is named ``names[type]`` when given, else after its households (or
        amount) indicator's label cut before « : » (« Aides FSL à l'accès »).
    barmode
        ``"stack"`` (the default: each bar's total is printed above it) or ``"group"``.
    unit
        The households' unit in the hover (« 1 234 ménages aidés »); ``"ménages"`` by default.
        Amounts are always in euros.
    presentation
        The projector look.

    Returns
    -------
    go.Figure
        One ``go.Bar`` per (type, measure), legend entries once per type, x the French period
        labels (« 2024 »). Raises ``ValueError`` for codes with another suffix (e.g. the
        ``_montant_moyen`` averages, which cannot be stacked) or several territories.
    """
    require_columns(frame, AID_COLUMNS, "aid_bars")
    if frame.empty:
        return no_data_figure(presentation=presentation)
    if "territory_code" in frame and frame["territory_code"].nunique() > 1:
        raise ValueError(f"aid_bars: expected one territory, got {sorted(frame['territory_code'].unique())}")
    codes = list(dict.fromkeys(frame["indicator_code"]))
    unknown = [c for c in codes if c.rsplit("_", 1)[-1] not in MEASURES]
    if unknown:
        raise ValueError(f"aid_bars: expected codes ending in {['_' + m for m in MEASURES]}, got {unknown}")
    theme = theme_for(presentation)
    rows = frame.assign(
        period_start=as_dates(frame["period_start"]),
        aid=[c.rsplit("_", 1)[0] for c in frame["indicator_code"]],
        measure=[c.rsplit("_", 1)[1] for c in frame["indicator_code"]],
    )
    grain = infer_granularity(rows["period_start"])
    periods = sorted(set(rows["period_start"]))
    x = [period_label(d, grain) for d in periods]
    # biggest type at the bottom of the stacks
    totals = rows[rows["measure"] == rows["measure"].iloc[0]].groupby("aid")["value"].sum()
    aids = sorted(rows["aid"].unique(), key=lambda a: -totals.get(a, 0))
    # each type in its registry colour (palette.AID_COLOURS), the same in both panels and on every
    # other chart of the FSL page, whatever the order of the stacks
    # (a type the registry does not know takes a colour none of them has)
    colours = distinct_colours(sorted(aids, key=lambda a: aid_type(a) is None))
    measures = [m for m in MEASURES if m in set(rows["measure"])]
    fig = make_subplots(rows=len(measures), cols=1, shared_xaxes=True, vertical_spacing=0.1)
    for row, measure in enumerate(measures, start=1):
        title, measure_unit = MEASURES[measure]
        hover_unit = unit if unit and measure_unit != "€" else measure_unit
        panel = rows[rows["measure"] == measure]
        for aid in aids:
            values = panel[panel["aid"] == aid].set_index("period_start")["value"].reindex(periods).astype(float)
            label = _aid_label(aid, names)
            fig.add_trace(
                go.Bar(
                    x=x,
                    y=values.to_numpy(),
                    name=label,
                    legendgroup=aid,
                    showlegend=row == 1,
                    marker={"color": colours[aid], "line": {"color": "white", "width": 1}},
                    customdata=[value_text(v, measure_unit) for v in values],
                    hovertemplate=f"<b>{label}</b><br>%{{x}} : %{{customdata}}{'' if hover_unit == '€' else NNBSP + hover_unit}<extra></extra>",
                ),
                row=row,
                col=1,
            )
        if barmode == "stack":
            sums = panel.groupby("period_start")["value"].sum().reindex(periods).to_numpy(float)
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=sums,
                    mode="text",
                    text=[compact_euros(v) if measure_unit == "€" else value_text(v, measure_unit) for v in sums],
                    textposition="top center",
                    textfont={"size": theme.font_size - 1, "color": theme.text_colour},
                    hoverinfo="skip",
                    showlegend=False,
                    cliponaxis=False,
                ),
                row=row,
                col=1,
            )
            fig.update_yaxes(range=[0, float(np.nanmax(sums)) * 1.15], row=row, col=1)
        if measure_unit == "€":  # « 2 M€ » rather than « 2 000 000 » on the axis
            ticks = nice_ticks(float(np.nanmax(panel.groupby("period_start")["value"].sum() if barmode == "stack" else panel["value"])))
            fig.update_yaxes(
                tickmode="array", tickvals=ticks, ticktext=[compact_euros(t, 1 if t % 1e6 else 0) for t in ticks], row=row, col=1
            )
        fig.update_yaxes(title_text=title, row=row, col=1)
    apply_theme(fig, presentation=presentation, height=max(theme.height, 300 * len(measures) + 120) if len(measures) > 1 else None)
    fig.update_layout(barmode=barmode, bargap=0.25)
    fig.update_xaxes(type="category", showgrid=False, ticks="")
    fig.update_xaxes(title_text="Année" if grain == "year" else "Période", row=len(measures), col=1)
    return fig


def _aid_label(aid: str, names: Mapping[str, str]) -> str:
    if aid in names:
        return names[aid]
    for measure in MEASURES:
        label = names.get(f"{aid}_{measure}")
        if label:
            return label.split(" : ")[0].strip()
    return aid
