"""Seasonality: one indicator's monthly values as a month × year grid, the trêve months framed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from data_access.aggregation import SERIES_COLUMNS
from data_access.french import MONTHS_SHORT, NNBSP
from figures.inputs import require_columns
from figures.palette import REFERENCE, SEQUENTIAL_5
from figures.theme import apply_theme, no_data_figure, theme_for
from figures.time_axis import as_dates
from figures.units import axis_title, decimals_for, value_text

MONTH_NAMES_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# the trêve hivernale runs 1 November – 31 March: columns janv.–mars and nov.–déc.
TREVE_COLUMNS = ((0, 2), (10, 11))
TREVE_LABEL = "Trêve hivernale"


def seasonality_heatmap(series: pd.DataFrame, *, unit: str = "", presentation: bool = False) -> go.Figure:
    """Monthly values of one indicator for one territory: months across (« janv. » … « déc. »),
    years down (oldest at the top), a sequential colour scale (``palette.SEQUENTIAL_5``), each
    cell printed in French, the trêve hivernale columns framed and labelled above the grid.

    ``series`` has ``SERIES_COLUMNS`` with monthly ``period_start``; an incomplete month is
    printed with an asterisk and « (provisoire/incomplet) » in its hover; a month without data is
    blank. Raises ``ValueError`` when ``series`` holds more than one indicator or territory.
    """
    require_columns(series, SERIES_COLUMNS, "seasonality_heatmap")
    if series.empty:
        return no_data_figure(presentation=presentation)
    pairs = series[["indicator_code", "territory_code"]].drop_duplicates()
    if len(pairs) > 1:
        raise ValueError(
            f"seasonality_heatmap: expected one indicator for one territory, got {len(pairs)} pairs: {list(pairs.itertuples(index=False, name=None))}"
        )
    theme = theme_for(presentation)
    dates = as_dates(series["period_start"])
    years = list(range(min(d.year for d in dates), max(d.year for d in dates) + 1))
    z = np.full((len(years), 12), np.nan)
    provisional = np.zeros((len(years), 12), dtype=bool)
    for day, value, complete in zip(dates, series["value"].astype(float), series["complete"].astype(bool), strict=True):
        z[day.year - years[0], day.month - 1] = value
        provisional[day.year - years[0], day.month - 1] = not complete
    decimals = decimals_for(unit, z[~np.isnan(z)])
    texts = [
        ["" if np.isnan(v) else value_text(v, unit, decimals) + ("*" if p else "") for v, p in zip(row, flags, strict=True)]
        for row, flags in zip(z, provisional, strict=True)
    ]
    suffix = "" if unit in ("%", "€") or not unit else f"{NNBSP}{unit}"
    hover = [
        [
            f"{MONTH_NAMES_FR[m]} {year}"
            + (" (provisoire/incomplet)" if provisional[i, m] else "")
            + ("<br>pas de données" if np.isnan(z[i, m]) else f"<br>{texts[i][m].rstrip('*')}{suffix}")
            for m in range(12)
        ]
        for i, year in enumerate(years)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(MONTHS_SHORT),
            y=[str(y) for y in years],
            text=texts,
            texttemplate="%{text}",
            textfont={"size": theme.font_size},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=[[i / (len(SEQUENTIAL_5) - 1), c] for i, c in enumerate(SEQUENTIAL_5)],
            colorbar={
                "title": {"text": axis_title(unit), "side": "right", "font": {"size": theme.axis_title_size}},
                "tickfont": {"size": theme.tick_size},
                "thickness": 24,
                "separatethousands": True,
            },
            xgap=2,
            ygap=2,
            hoverongaps=False,
        )
    )
    for first, last in TREVE_COLUMNS:
        fig.add_shape(
            type="rect",
            name="treve",
            x0=first - 0.5,
            x1=last + 0.5,
            y0=0,
            y1=1,
            yref="paper",
            line={"color": REFERENCE, "width": theme.line_width},
            fillcolor="rgba(0, 0, 0, 0)",
            layer="above",
        )
        fig.add_annotation(
            text=TREVE_LABEL,
            x=(first + last) / 2,
            y=1,
            xref="x",
            yref="paper",
            yanchor="bottom",
            yshift=4,
            showarrow=False,
            font={"size": theme.annotation_size, "color": theme.text_colour},
        )
    apply_theme(fig, presentation=presentation, top_margin=16 + int(theme.annotation_size * 1.8))
    fig.update_layout(height=max(theme.height, 28 * len(years) + 160) if not presentation else max(theme.height, 40 * len(years) + 200))
    fig.update_xaxes(title_text="Mois", showgrid=False, showline=False, ticks="", side="bottom")
    fig.update_yaxes(title_text="Année", showgrid=False, showline=False, ticks="", autorange="reversed", type="category")
    return fig
