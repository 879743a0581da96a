"""A programme's published shares (« dans 83 % des situations… ») as bars on a 0–100 % axis."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.inputs import require_columns, wrap
from figures.palette import ROLE_COLOURS
from figures.theme import apply_theme, no_data_figure, theme_for

SHARE_COLUMNS = ["label", "text", "period"]


def share_bars(shares: pd.DataFrame, *, presentation: bool = False) -> go.Figure:
    """One horizontal bar per share, in the frame's order from the top.

    ``shares`` has ``SHARE_COLUMNS`` and ``value`` (in percent): ``label`` the result in words,
    ``text`` its value as printed (« 83 % », « moins de 25 % »), ``period`` the period it covers in
    words (« 2016–2018 », « période non précisée »), shown under the label: shares of different
    periods are side by side, never added up."""
    require_columns(shares, [*SHARE_COLUMNS, "value"], "share_bars")
    if shares.empty:
        return no_data_figure(presentation=presentation)
    theme = theme_for(presentation)
    rows = shares.iloc[::-1]  # Plotly draws the first category at the bottom
    names = [f"{wrap(str(label), 34)}<br><i>{period}</i>" for label, period in zip(rows["label"], rows["period"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=rows["value"].astype(float),
            y=names,
            orientation="h",
            marker={"color": ROLE_COLOURS["selected"]},
            text=rows["text"],
            textposition="outside",
            textfont={"size": theme.font_size, "color": theme.text_colour},
            cliponaxis=False,
            hovertemplate="%{y}<br>%{text}<extra></extra>",
            showlegend=False,
        )
    )
    apply_theme(fig, presentation=presentation, height=max(theme.height // 2, 110 * len(rows) + 80))
    fig.update_xaxes(title_text="Part (%)", range=[0, 112], ticksuffix=" %", dtick=25)
    fig.update_yaxes(automargin=True)
    return fig
