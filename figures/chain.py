"""The eviction chain as a funnel: assignations → CQL → CFP demandés → CFP accordés → expulsions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from data_access.french import fr_number, fr_percent
from data_access.queries import CHAIN_COLUMNS
from data_access.status import Measurement, status_from_measurement
from figures.inputs import require_columns, wrap
from figures.palette import STATUS_COLOURS, colour_for
from figures.theme import apply_theme, no_data_figure, theme_for

STAGE_LABEL_WIDTH = 24
NO_DATA_TEXT = "pas de données"


@dataclass(frozen=True)
class FunnelVerdict:
    """An objective read beside the funnel, in the words of the plan's evaluation: the figure
    prints them, it never judges.

    Attributes
    ----------
    objective
        What the plan asks, first line of the box (« Objectif du plan : CQL / assignations ≤ 33 % »).
    verdict
        The status in words, in bold on the second line (« 2012 : 41,6 % / 33,0 % : non atteint »).
    status
        The status it reads (a key of ``palette.STATUS_COLOURS``): the colour of the box's border.
    detail
        An optional last line (« tenu 0 année sur 5 (2008–2012) »).
    """

    objective: str
    verdict: str
    status: str
    detail: str | None = None

    def lines(self) -> list[str]:
        return [self.objective, f"<b>{self.verdict}</b>", *([self.detail] if self.detail else [])]


def chain_funnel(
    chain: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    verdict: FunnelVerdict | None = None,
    objective_ratio: float | None = None,
    presentation: bool = False,
) -> go.Figure:
    """The five stages of the eviction chain as a funnel, first stage at the top.

    Parameters
    ----------
    chain
        ``CHAIN_COLUMNS`` (``data_access.queries.eviction_chain``): one row per stage, sorted here
        by ``stage``; ``rate_from_previous`` in percent (NaN for the first stage). A stage without
        a value is drawn empty with « pas de données ».
    names
        Indicator code → label, overriding the ``label`` column (e.g. shorter labels for a slide).
    verdict
        The plan's objective on the chain and its status, in the words of the plan's evaluation
        (the pages pass the status table's, ``views.expulsions``): shown in a box above the
        funnel, bordered with the status' colour (``STATUS_COLOURS``).
    objective_ratio
        Without an evaluation (a chart drawn from a frame alone): a ceiling on CQL / assignations
        in percent, the period's rate judged by the status rule of a ``ratio_max``
        (``data_access.status``) and shown the same way. Not with ``verdict``.
    presentation
        The projector look.

    Returns
    -------
    go.Figure
        A ``go.Funnel`` whose ``y`` are the stage labels in chain order (wrapped with ``<br>``)
        and whose texts read « 1 313 » then « 42,3 % de l'étape précédente ». The funnel has no
        value axis (the values are printed next to the bars), so no axis title.
    """
    require_columns(chain, CHAIN_COLUMNS, "chain_funnel")
    if chain.empty:
        return no_data_figure(presentation=presentation)
    theme = theme_for(presentation)
    rows = chain.sort_values("stage")
    labels = [(names or {}).get(code, label) for code, label in zip(rows["indicator_code"], rows["label"], strict=True)]
    values = [None if pd.isna(v) else float(v) for v in rows["value"]]
    rates = [None if pd.isna(r) else float(r) for r in rows["rate_from_previous"]]
    texts = []
    for index, (value, rate) in enumerate(zip(values, rates, strict=True)):
        if value is None:
            texts.append(NO_DATA_TEXT)
        elif index == 0 or rate is None:
            texts.append(f"<b>{fr_number(value)}</b>")
        else:
            texts.append(f"<b>{fr_number(value)}</b><br>{fr_percent(rate)} de l'étape précédente")
    stages = [wrap(label, STAGE_LABEL_WIDTH) for label in labels]
    fig = go.Figure(
        go.Funnel(
            y=stages,
            x=[v or 0 for v in values],
            text=texts,
            textinfo="none",  # printed by annotations below: Plotly centres multi-line trace texts
            marker={"color": [colour_for(code) for code in rows["indicator_code"]]},
            connector={"fillcolor": "#EEEEEE", "line": {"width": 0}},
            customdata=[[label, text] for label, text in zip(labels, texts, strict=True)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        )
    )
    for stage, value, text in zip(stages, values, texts, strict=True):
        fig.add_annotation(
            name="stage",
            text=text,
            x=(value or 0) / 2,  # the right edge of a bar centred on 0
            y=stage,
            xanchor="left",
            xshift=8,
            align="left",
            showarrow=False,
            font={"size": theme.font_size + 1, "color": theme.text_colour},
        )
    if verdict is not None and objective_ratio is not None:
        raise ValueError("chain_funnel: verdict or objective_ratio, not both")
    if objective_ratio is not None:
        verdict = _ratio_verdict(rows, values, objective_ratio)
    top_margin = 16
    if verdict is not None:
        # above the plot, where it can overlap neither a bar nor its text
        lines = verdict.lines()
        fig.add_annotation(
            name="objective",
            text="<br>".join(lines),
            xref="paper",
            yref="paper",
            x=0,
            y=1,
            xanchor="left",
            yanchor="bottom",
            yshift=8,
            align="left",
            showarrow=False,
            font={"size": theme.annotation_size, "color": theme.text_colour},
            bgcolor="white",
            bordercolor=STATUS_COLOURS.get(verdict.status, STATUS_COLOURS[NO_DATA_TEXT]),
            borderwidth=3,
            borderpad=6,
        )
        top_margin += int(theme.annotation_size * (1.3 * len(lines) + 1.0))
    apply_theme(fig, presentation=presentation, top_margin=top_margin)
    fig.update_layout(showlegend=False)
    # bars are centred on 0: leave room on the right of the widest one for its text
    widest = max((v for v in values if v is not None), default=0.0) or 1.0
    fig.update_xaxes(visible=False, range=[-widest / 2 * 1.02, widest / 2 + widest * 0.6])
    fig.update_yaxes(showline=False, ticks="", showgrid=False)
    return fig


def _ratio_verdict(rows: pd.DataFrame, values: list[float | None], ceiling: float) -> FunnelVerdict:
    """The period's CQL rate against a ceiling, judged by the one status rule (``ratio_max``)."""
    observed = _cql_rate(rows, values)
    status = status_from_measurement("ratio_max", ceiling, Measurement(observed))
    words = {"atteint": "objectif respecté", "non atteint": "au-dessus de l'objectif"}.get(status, status)
    return FunnelVerdict(
        f"Objectif du plan : CQL / assignations ≤ {fr_percent(ceiling, 0)}", f"Constaté : {fr_percent(observed)} — {words}", status
    )


def _cql_rate(rows: pd.DataFrame, values: list[float | None]) -> float | None:
    """CQL / assignations in percent, from the chain's values (None when either is missing or zero)."""
    by_code = dict(zip(rows["indicator_code"], values, strict=True))
    assignations, cql = by_code.get("assignations"), by_code.get("cql")
    if not assignations or cql is None:
        return None
    return 100 * cql / assignations
