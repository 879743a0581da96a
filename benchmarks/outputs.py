"""What leaves the server: map payload sizes per level, and warm PNG exports of a chart and a map.

The figures are the pages' own: the comparison page's map of assignations per 1 000 ménages (last
complete year, Isère) at each level, and the trends page's monthly assignations line.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from sqlalchemy import Engine

from benchmarks.stats import Timing, timed
from data_access import objectives, queries
from data_access.periods import Period
from figures.trends import trend_figure
from geo.cache import load_levels
from geo.maps import choropleth

DEPARTEMENT = "38"
PLAN = "isere-palhdi-2014-2020"
MAP_LEVELS = ("territoire", "epci", "arrondissement", "commune")


@dataclass
class Figures:
    maps: dict[str, go.Figure]
    chart: go.Figure


def page_figures(engine: Engine) -> Figures:
    """The maps of every level and the monthly trend chart, built as the pages build them."""
    with engine.connect() as conn:
        year = objectives.latest_complete_year(conn, plan=PLAN) or 2024
        layers = load_levels(DEPARTEMENT, queries.memberships(conn, departement=DEPARTEMENT), allow_download=False)
        maps = {}
        for level in MAP_LEVELS:
            values = queries.level_values(conn, indicator="assignations", level=level, departement=DEPARTEMENT, period=Period.years(year))
            maps[level] = choropleth(
                layers[level],
                values,
                value_column="rate",
                unit="pour 1 000 ménages",
                title=f"Assignations pour 1 000 ménages, {year}",
                indicator_label="Assignations",
                departement_value=values.attrs["departement_rate"],
                departement_name="Isère",
                labels=level == "territoire",
                outline=layers["departement"] if level == "commune" else None,
            )
        series = queries.indicator_series(
            conn, indicators=["assignations"], territories=[DEPARTEMENT], period=Period.years(2013, year), granularity="month"
        )
        chart = trend_figure(
            series, names={DEPARTEMENT: "Isère"}, unit="assignations", events=queries.events(conn, departement=DEPARTEMENT)
        )
    return Figures(maps, chart)


def map_sizes(figures: Figures) -> dict[str, int]:
    """``len(fig.to_json())`` of each level's map, in characters (≈ bytes)."""
    return {level: len(figure.to_json()) for level, figure in figures.maps.items()}


def export_timings(figures: Figures, repeat: int) -> dict[str, Timing]:
    """Warm PNG exports (the shared browser started and one export done first)."""
    from reporting.images import figure_png

    figure_png(figures.chart)
    figure_png(figures.maps["commune"])
    return {
        "graphique": timed(lambda: figure_png(figures.chart), repeat),
        "carte des communes": timed(lambda: figure_png(figures.maps["commune"]), repeat),
    }
