"""Figure builders, tested by structure (trace names, shapes, axes, sizes), not by pixels.

Pure tests: small hand-made DataFrames, no database.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from data_access.aggregation import SERIES_COLUMNS
from data_access.french import PLOTLY_SEPARATORS
from data_access.queries import CHAIN_COLUMNS, EVICTION_CHAIN, LEVEL_VALUES_COLUMNS
from figures import aids, chain, ranking, seasonality, small_multiples, trends
from figures.palette import DIVERGING_5, HIGHLIGHT, NEUTRAL, ROLE_COLOURS, STATUS_COLOURS, colour_for
from figures.theme import apply_theme, distinct_colours
from figures.time_axis import infer_granularity, period_label, time_ticks, treve_windows, x_position
from figures.units import axis_title, compact_euros, nice_ticks, value_text

TERRITOIRES = {
    "agglo-grenobloise": "Agglomération grenobloise",
    "bievre-valloire": "Bièvre-Valloire",
    "gresivaudan": "Grésivaudan",
    "haut-rhone-dauphinois": "Haut-Rhône dauphinois",
    "isere-rhodanienne": "Isère rhodanienne",
    "matheysine": "Matheysine",
    "oisans": "Oisans",
    "porte-des-alpes": "Porte des Alpes",
    "sud-gresivaudan": "Sud-Grésivaudan",
    "trieves": "Trièves",
    "vals-du-dauphine": "Vals du Dauphiné",
    "vercors": "Vercors",
    "voironnais-chartreuse": "Voironnais-Chartreuse",
}
NAMES = {"38": "Isère", "FR": "France", **TERRITOIRES, "assignations": "Assignations", "cql": "Commandements de quitter les lieux"}


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def series_frame(
    territories: list[str], days: list[dt.date], *, indicator: str = "assignations", incomplete: int = 0, base: float = 100.0
) -> pd.DataFrame:
    """One row per territory and period; the last ``incomplete`` periods of each line not complete."""
    rows = [
        (indicator, code, day, base + 10 * t + (i % 12), i < len(days) - incomplete, True)
        for t, code in enumerate(territories)
        for i, day in enumerate(days)
    ]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


@pytest.fixture
def monthly() -> pd.DataFrame:
    return series_frame(["38"], months(dt.date(2023, 1, 1), 24))


@pytest.fixture
def yearly() -> pd.DataFrame:
    return series_frame(["38"], [dt.date(y, 1, 1) for y in range(2013, 2025)], base=2500.0)


@pytest.fixture
def chain_frame() -> pd.DataFrame:
    # deliberately out of order: the builder sorts by stage
    values = [3103.0, 1313.0, 954.0, 563.0, 242.0]
    rows = [
        (stage, code, code.replace("_", " "), value, np.nan if stage == 1 else 100 * value / values[stage - 2], True)
        for stage, (code, value) in enumerate(zip(EVICTION_CHAIN, values, strict=True), start=1)
    ]
    return pd.DataFrame(rows[::-1], columns=CHAIN_COLUMNS)


@pytest.fixture
def level_frame() -> pd.DataFrame:
    rows = [
        (code, name, float(10 * (i + 1)), 1000 * (i + 1), 2200 * (i + 1), 10.0 - i / 2, i + 1, True)
        for i, (code, name) in enumerate(TERRITOIRES.items())
    ]
    frame = pd.DataFrame(rows, columns=LEVEL_VALUES_COLUMNS)
    frame.attrs["departement_value"] = float(frame["value"].sum())
    return frame


def treve_shapes(fig: go.Figure) -> list:
    return [shape for shape in fig.layout.shapes if shape.name == "treve"]


@functools.cache
def all_figures() -> dict[str, go.Figure]:
    """One figure of every builder, for the checks every figure must pass (built once; not mutated)."""
    days = months(dt.date(2023, 1, 1), 24)
    one = series_frame(["38"], days)
    level = pd.DataFrame(
        [(c, n, 10.0 * (i + 1), 1000, 2000, 1.0, i + 1, False) for i, (c, n) in enumerate(TERRITOIRES.items())],
        columns=LEVEL_VALUES_COLUMNS,
    )
    chain_rows = pd.DataFrame(
        [(i + 1, code, code, 100.0 / (i + 1), np.nan if i == 0 else 50.0, False) for i, code in enumerate(EVICTION_CHAIN)],
        columns=CHAIN_COLUMNS,
    )
    aid_rows = pd.DataFrame(
        [(f"fsl_{kind}_{m}", dt.date(y, 1, 1), 1000.0) for kind in ("acces", "eau") for m in ("menages", "montant") for y in (2023, 2024)],
        columns=["indicator_code", "period_start", "value"],
    )
    return {
        "trend": trends.trend_figure(one, names=NAMES, unit="assignations"),
        "index": trends.index_figure(
            series_frame(["38", "FR"], [dt.date(y, 1, 1) for y in range(2015, 2020)]), names=NAMES, base_year=2016
        ),
        "chain": chain.chain_funnel(chain_rows),
        "seasonality": seasonality.seasonality_heatmap(one, unit="assignations"),
        "ranking": ranking.ranking_bar(level, unit="assignations"),
        "gap": ranking.gap_to_objective_bar(level[["territory_code", "name", "value"]].assign(target=50.0)),
        "small_multiples": small_multiples.small_multiples(series_frame(list(TERRITOIRES), days), names=NAMES, unit="assignations"),
        "aids": aids.aid_bars(aid_rows, names={}),
        "empty": trends.trend_figure(pd.DataFrame(columns=SERIES_COLUMNS), names=NAMES, unit="assignations"),
    }


# --- every figure ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(all_figures()))
def test_every_figure_has_french_separators_and_no_layout_title(name: str) -> None:
    fig = all_figures()[name]
    assert fig.layout.separators == PLOTLY_SEPARATORS
    assert not fig.layout.title.text  # the page frame draws the title
    assert fig.layout.font.size >= 16
    fig.to_json()  # serialisable for the static export


@pytest.mark.parametrize("name", ["trend", "index", "seasonality", "ranking", "gap", "aids"])
def test_figures_with_axes_title_them(name: str) -> None:
    layout = all_figures()[name].layout
    x_titles = [layout[axis].title.text for axis in layout if axis.startswith("xaxis")]
    y_titles = [layout[axis].title.text for axis in layout if axis.startswith("yaxis")]
    assert any(x_titles)
    assert all(y_titles) or name in ("ranking", "gap")  # horizontal bars: the territory names are the y axis


def test_presentation_mode_enlarges_axis_labels_and_lines(monthly: pd.DataFrame) -> None:
    standard = trends.trend_figure(monthly, names=NAMES, unit="assignations")
    fig = trends.trend_figure(monthly, names=NAMES, unit="assignations", presentation=True)
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.tickfont.size >= 18
        assert axis.title.font.size >= 18
    assert fig.data[0].line.width > standard.data[0].line.width >= 3
    assert fig.layout.height == 720 and standard.layout.height == 480


@pytest.mark.parametrize(
    ("builder", "frame_kind"),
    [
        (lambda f, p: chain.chain_funnel(f, presentation=p), "chain"),
        (lambda f, p: ranking.ranking_bar(f, unit="assignations", presentation=p), "level"),
        (lambda f, p: small_multiples.small_multiples(f, names=NAMES, unit="assignations", presentation=p), "series"),
        (lambda f, p: seasonality.seasonality_heatmap(f, presentation=p), "series"),
    ],
)
def test_presentation_mode_applies_to_every_builder(builder, frame_kind: str, chain_frame, level_frame, monthly) -> None:
    frame = {"chain": chain_frame, "level": level_frame, "series": monthly}[frame_kind]
    fig = builder(frame, True)
    assert fig.layout.font.size >= 18
    assert fig.layout.yaxis.tickfont.size >= 18


# --- trends --------------------------------------------------------------------------------------


def test_trend_draws_one_line_per_territory_in_its_palette_colour() -> None:
    frame = series_frame(["38", "oisans"], months(dt.date(2024, 1, 1), 12))
    fig = trends.trend_figure(frame, names=NAMES, unit="assignations", treve=False)
    assert [trace.name for trace in fig.data] == ["Isère", "Oisans"]
    assert [trace.line.color for trace in fig.data] == [colour_for("38"), colour_for("oisans")]
    assert fig.layout.yaxis.title.text == "Nombre d'assignations"


@pytest.mark.parametrize("departement", ["38", "72", "26", "2A"])
def test_the_departement_line_takes_its_role_colour_whatever_its_code(departement) -> None:
    frame = series_frame([departement, "oisans"], months(dt.date(2024, 1, 1), 12))
    names = {departement: "Département", "oisans": "Oisans"}
    fig = trends.trend_figure(frame, names=names, unit="assignations", treve=False, roles={departement: "departement"})
    assert fig.data[0].line.color == ROLE_COLOURS["departement"]


def test_trend_names_lines_after_indicators_when_one_territory_is_shown() -> None:
    frame = pd.concat([series_frame(["38"], months(dt.date(2024, 1, 1), 6), indicator=code) for code in ("cql", "assignations")])
    fig = trends.trend_figure(frame, names=NAMES, unit="décisions", treve=False)
    # in the order of ``names``, not of the frame
    assert [trace.name for trace in fig.data] == ["Assignations", "Commandements de quitter les lieux"]


def test_trend_objective_is_a_dashed_trace_named_objectif(monthly: pd.DataFrame) -> None:
    objective = pd.DataFrame(
        {"period_start": [dt.date(2023, 1, 1), dt.date(2024, 1, 1)], "value": 40 / 12, "label": "40 situations par an"}
    )
    fig = trends.trend_figure(monthly, names=NAMES, unit="situations", objective=objective)
    (trace,) = [t for t in fig.data if t.name.startswith("Objectif ")]
    assert trace.name == "Objectif : 40 situations par an"
    assert trace.line.dash == "dash"
    # yearly targets on a monthly chart are steps over their whole year, the last one up to the end of the series
    assert trace.line.shape == "hv"
    assert trace.x[-1] == "2025-01-01"


def test_trend_objective_label_already_saying_objectif_is_not_prefixed_twice(yearly: pd.DataFrame) -> None:
    objective = pd.DataFrame(
        {"period_start": [dt.date(2014, 1, 1)], "value": [2600.0], "label": ["Objectif : rester sous 10 248 demandes"]}
    )
    fig = trends.trend_figure(yearly, names=NAMES, unit="demandes", objective=objective)
    assert "Objectif : rester sous 10 248 demandes" in [t.name for t in fig.data]


def test_trend_objective_without_label_is_named_objectif_du_plan(yearly: pd.DataFrame) -> None:
    objective = pd.DataFrame({"period_start": [dt.date(2014, 1, 1)], "value": [2600.0]})
    fig = trends.trend_figure(yearly, names=NAMES, unit="assignations", objective=objective)
    assert "Objectif du plan" in [t.name for t in fig.data]


def test_trend_trajectory_is_dotted_and_names_its_baseline(yearly: pd.DataFrame) -> None:
    trajectory = pd.DataFrame({"period_start": [dt.date(2013, 1, 1), dt.date(2020, 1, 1)], "value": [1529.0, 1800.0]})
    fig = trends.trend_figure(yearly, names=NAMES, unit="ménages", trajectory=trajectory)
    (trace,) = [t for t in fig.data if t.name.startswith("Trajectoire depuis la référence")]
    assert trace.name == "Trajectoire depuis la référence (1\u202f529 en 2013)"
    assert trace.line.dash == "dot"


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (months(dt.date(2023, 1, 1), 24), 3),  # winters 2022–23 (Jan–Mar), 2023–24, 2024–25 (Nov–Dec)
        ([dt.date(2023, m, 1) for m in (1, 4, 7, 10)], 2),  # quarterly: winters 2022–23 and 2023–24
        ([dt.date(y, 1, 1) for y in range(2013, 2025)], 0),  # yearly: no trêve band means anything
    ],
)
def test_treve_bands_only_on_monthly_and_quarterly_charts(days: list[dt.date], expected: int) -> None:
    fig = trends.trend_figure(series_frame(["38"], days), names=NAMES, unit="assignations")
    assert len(treve_shapes(fig)) == expected
    assert all(shape.layer == "below" for shape in treve_shapes(fig))
    assert any(t.name.startswith("Trêve hivernale") for t in fig.data) == (expected > 0)


def test_treve_can_be_switched_off(monthly: pd.DataFrame) -> None:
    fig = trends.trend_figure(monthly, names=NAMES, unit="assignations", treve=False)
    assert treve_shapes(fig) == []
    assert not any(t.name.startswith("Trêve") for t in fig.data)


def test_incomplete_buckets_are_dotted_with_a_provisional_hover() -> None:
    frame = series_frame(["38"], months(dt.date(2024, 1, 1), 12), incomplete=2)
    fig = trends.trend_figure(frame, names=NAMES, unit="assignations", treve=False)
    main = fig.data[0]
    assert np.isnan(main.y[-2:]).all() and not np.isnan(main.y[:-2]).any()
    dotted = [t for t in fig.data if t.line.dash == "dot" and t.legendgroup == "Isère"]
    assert len(dotted) == 1 and np.count_nonzero(~np.isnan(dotted[0].y)) == 3  # joined to the last complete month
    markers = [t for t in fig.data if t.mode == "markers" and t.legendgroup == "Isère"]
    assert markers[0].marker.symbol == "circle-open" and "(provisoire/incomplet)" in markers[0].hovertemplate
    assert "Période incomplète (provisoire)" in [t.name for t in fig.data]


def test_events_are_lines_with_labels_above_the_plot_and_outside_events_are_dropped(monthly: pd.DataFrame) -> None:
    events = pd.DataFrame(
        {
            "date_start": [dt.date(2020, 3, 17), dt.date(2023, 7, 27), dt.date(2023, 9, 1)],
            "date_end": [dt.date(2020, 7, 10), None, dt.date(2024, 5, 31)],
            "label": ["Crise sanitaire : trêve prolongée", "Loi « Kasbarian-Bergé » du 27 juillet 2023 : procédure raccourcie", "Court"],
        }
    )
    fig = trends.trend_figure(monthly, names=NAMES, unit="assignations", events=events)
    lines = [s for s in fig.layout.shapes if s.name == "event" and s.type == "line"]
    bands = [s for s in fig.layout.shapes if s.name == "event" and s.type == "rect"]
    assert len(lines) == 2 and len(bands) == 1  # the 2020 event lies before the series
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["Loi « Kasbarian-Bergé » du 27 juillet 2023", "Court"]  # long labels cut before « : »
    assert all(a.y == 1 and a.yref == "paper" and a.ay < 0 for a in fig.layout.annotations)


def test_event_labels_that_would_overlap_go_to_separate_rows(monthly: pd.DataFrame) -> None:
    # the middle label can extend neither to the right nor to the left without covering a neighbour
    events = pd.DataFrame(
        {
            "date_start": [dt.date(2023, 6, 1), dt.date(2023, 6, 15), dt.date(2023, 7, 1)],
            "date_end": [None, None, None],
            "label": ["Premier événement", "Deuxième événement", "Troisième événement"],
        }
    )
    fig = trends.trend_figure(monthly, names=NAMES, unit="assignations", events=events)
    assert len({a.ay for a in fig.layout.annotations}) == 2
    assert fig.layout.margin.t > trends.trend_figure(monthly, names=NAMES, unit="assignations").layout.margin.t


def test_reference_points_are_markers_hollow_when_approximate_with_their_source(yearly: pd.DataFrame) -> None:
    reference = pd.DataFrame(
        {
            "indicator_code": ["assignations", "assignations", "assignations"],
            "territory_code": ["38", "38", "FR"],
            "period_start": [dt.date(2016, 1, 1), dt.date(2022, 1, 1), dt.date(2019, 1, 1)],
            "value": [2400.0, 2696.0, 150000.0],
            "approx": [True, False, True],
            "source": ["Cour des comptes", "Un Toit Pour Tous", "Cour des comptes"],
        }
    )
    fig = trends.trend_figure(yearly, names=NAMES, unit="assignations", reference=reference)
    (trace,) = [t for t in fig.data if t.name.startswith("Repère publié : ")]  # France is not drawn: its point is left out
    assert list(trace.marker.symbol) == ["diamond-open", "diamond"]
    assert trace.customdata[1][2] == "Un Toit Pour Tous" and "Source" in trace.hovertemplate


def test_yearly_reference_points_are_left_out_of_a_monthly_chart(monthly: pd.DataFrame) -> None:
    reference = pd.DataFrame(
        {
            "indicator_code": ["assignations"],
            "territory_code": ["38"],
            "period_start": [dt.date(2023, 1, 1)],
            "value": [2696.0],
            "approx": [False],
            "source": ["Un Toit Pour Tous"],
        }
    )
    fig = trends.trend_figure(monthly, names=NAMES, unit="assignations", reference=reference)
    assert not any(t.name.startswith("Repère publié") for t in fig.data)


def test_trend_hover_is_french(monthly: pd.DataFrame) -> None:
    fig = trends.trend_figure(monthly, names=NAMES, unit="assignations")
    assert fig.data[0].customdata[2] == "mars 2023"
    assert "%{y:,.0f}\u202fassignations" in fig.data[0].hovertemplate
    assert "Jan" not in str(fig.layout.xaxis.ticktext)


def test_trend_of_13_territories_over_13_years_stays_within_the_size_budget() -> None:
    frame = series_frame(list(TERRITOIRES), months(dt.date(2013, 1, 1), 156))
    fig = trends.trend_figure(frame, names=NAMES, unit="assignations")
    assert len(fig.to_json()) < 150_000
    assert (
        len({t.line.color for t in fig.data if t.name in TERRITOIRES.values()}) == 7
    )  # every line colour (Okabe–Ito less its pale yellow) before repeating


def test_index_figure_sets_the_base_year_to_100() -> None:
    frame = series_frame(["38", "FR"], [dt.date(y, 1, 1) for y in range(2015, 2020)])
    fig = trends.index_figure(frame, names=NAMES, base_year=2016)
    for trace in fig.data:
        assert trace.y[1] == pytest.approx(100)
    assert fig.layout.yaxis.title.text == "Indice (base 100 en 2016)"
    assert any(s.name == "base" and s.y0 == 100 for s in fig.layout.shapes)


def test_index_without_a_base_year_value_names_the_line() -> None:
    frame = series_frame(["38"], [dt.date(y, 1, 1) for y in range(2015, 2020)])
    with pytest.raises(ValueError, match=r"no non-zero value in the base year 2010 for \[\('assignations', '38'\)\]"):
        trends.index_base_100(frame, 2010)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"trend_figure: expected columns .* missing \['complete', 'demo'\]"):
        trends.trend_figure(pd.DataFrame(columns=SERIES_COLUMNS[:4]), names=NAMES, unit="assignations")


# --- chain -----------------------------------------------------------------------------------------


def test_chain_funnel_has_the_five_stages_in_order(chain_frame: pd.DataFrame) -> None:
    fig = chain.chain_funnel(chain_frame)
    (funnel,) = fig.data
    assert isinstance(funnel, go.Funnel)
    assert [label.replace("<br>", " ") for label in funnel.y] == [code.replace("_", " ") for code in EVICTION_CHAIN]
    assert list(funnel.x) == [3103.0, 1313.0, 954.0, 563.0, 242.0]
    assert list(funnel.marker.color) == [colour_for(code) for code in EVICTION_CHAIN]
    assert funnel.text[1] == "<b>1\u202f313</b><br>42,3\u202f% de l'étape précédente"
    assert [a.text for a in fig.layout.annotations if a.name == "stage"] == list(funnel.text)


def test_chain_labels_can_be_renamed(chain_frame: pd.DataFrame) -> None:
    fig = chain.chain_funnel(chain_frame, names={"cql": "CQL"})
    assert fig.data[0].y[1] == "CQL"


@pytest.mark.parametrize(
    ("objective", "verdict", "colour"),
    [
        (33.0, "au-dessus de l'objectif", STATUS_COLOURS["non atteint"]),  # 1 313 / 3 103 = 42,3 %
        (45.0, "objectif respecté", STATUS_COLOURS["atteint"]),
    ],
)
def test_chain_objective_ratio_compares_the_cql_rate(chain_frame: pd.DataFrame, objective: float, verdict: str, colour: str) -> None:
    fig = chain.chain_funnel(chain_frame, objective_ratio=objective)
    (note,) = [a for a in fig.layout.annotations if a.name != "stage"]
    assert f"≤ {objective:.0f}\u202f%" in note.text and "42,3\u202f%" in note.text and verdict in note.text
    assert note.bordercolor == colour


def test_chain_stage_without_value_says_so(chain_frame: pd.DataFrame) -> None:
    frame = chain_frame.assign(value=lambda f: f["value"].where(f["stage"] != 5))
    assert chain.chain_funnel(frame).data[0].text[4] == "pas de données"


# --- seasonality --------------------------------------------------------------------------------------


def test_seasonality_is_a_month_by_year_grid_with_the_treve_framed() -> None:
    frame = series_frame(["38"], months(dt.date(2023, 4, 1), 20), incomplete=1)
    fig = seasonality.seasonality_heatmap(frame, unit="expulsions")
    (heatmap,) = fig.data
    assert list(heatmap.x) == ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
    assert list(heatmap.y) == ["2023", "2024"]
    assert np.isnan(heatmap.z[0][0])  # January 2023: no data, blank
    assert heatmap.text[1][10].endswith("*") and "(provisoire/incomplet)" in heatmap.customdata[1][10]
    assert heatmap.customdata[0][3] == "avril 2023<br>100\u202fexpulsions"
    assert len(treve_shapes(fig)) == 2
    assert [a.text for a in fig.layout.annotations] == ["Trêve hivernale", "Trêve hivernale"]


def test_seasonality_refuses_several_lines() -> None:
    with pytest.raises(ValueError, match="one indicator for one territory"):
        seasonality.seasonality_heatmap(series_frame(["38", "oisans"], months(dt.date(2024, 1, 1), 3)))


# --- ranking and gaps -----------------------------------------------------------------------------------


def test_ranking_sorts_highlights_the_selection_and_draws_the_departement_line(level_frame: pd.DataFrame) -> None:
    fig = ranking.ranking_bar(
        level_frame, value_column="rate", unit="pour 1 000 ménages", selected="oisans", departement_value=7.26, departement_label="Isère"
    )
    (bars,) = fig.data
    assert list(bars.x) == sorted(level_frame["rate"])  # highest at the top: Plotly draws the first bar at the bottom
    colours = dict(zip(bars.y, bars.marker.color, strict=True))
    assert colours["Oisans"] == HIGHLIGHT
    assert {c for name, c in colours.items() if name != "Oisans"} == {NEUTRAL}
    (line,) = [s for s in fig.layout.shapes if s.name == "departement"]
    assert line.x0 == line.x1 == 7.26
    assert [a.text for a in fig.layout.annotations] == ["<b>Isère : 7,3</b>"]
    assert fig.layout.xaxis.title.text == "Taux pour 1 000 ménages"
    assert "<b>Oisans</b>" in fig.layout.yaxis.ticktext


def test_ranking_without_departement_value_has_no_line(level_frame: pd.DataFrame) -> None:
    fig = ranking.ranking_bar(level_frame, unit="assignations")
    assert not fig.layout.shapes and not fig.layout.annotations


def test_gap_to_objective_diverges_in_the_palette_end_colours() -> None:
    frame = pd.DataFrame(
        {"territory_code": ["a", "b", "c"], "name": ["A", "B", "C"], "value": [80.0, 120.0, 5.0], "target": [100.0, 100.0, 0.0]}
    )
    fig = ranking.gap_to_objective_bar(frame)
    (bars,) = fig.data
    assert list(bars.y) == ["C", "A", "B"]  # no target first (bottom), then by gap
    assert list(bars.x) == [0.0, -20.0, 20.0]
    assert list(bars.marker.color)[1:] == [DIVERGING_5[0], DIVERGING_5[-1]]
    assert list(bars.text) == ["pas de données", "−20\u202f%", "+20\u202f%"]
    assert any(s.name == "objective" and s.x0 == 0 for s in fig.layout.shapes)


# --- small multiples ------------------------------------------------------------------------------------


def test_small_multiples_has_one_titled_panel_per_territory_on_one_y_scale() -> None:
    frame = series_frame(list(TERRITOIRES)[::-1], months(dt.date(2013, 1, 1), 24))
    fig = small_multiples.small_multiples(frame, names=NAMES, unit="assignations", columns=4)
    assert [t.name for t in fig.data] == list(TERRITOIRES.values())  # in the order of ``names``
    assert len({t.yaxis for t in fig.data}) == 13
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:13] == list(TERRITOIRES.values())
    ranges = {tuple(fig.layout[f"yaxis{i if i > 1 else ''}"].range) for i in range(1, 14)}
    assert len(ranges) == 1 and next(iter(ranges))[0] == 0
    assert "Nombre d'assignations" in titles


def test_small_multiples_without_shared_y_leaves_each_range_free() -> None:
    frame = series_frame(["38", "oisans"], months(dt.date(2024, 1, 1), 12))
    fig = small_multiples.small_multiples(frame, names=NAMES, unit="assignations", shared_y=False)
    assert fig.layout.yaxis.range is None and fig.layout.yaxis2.matches is None


# --- aids ------------------------------------------------------------------------------------------------


def test_aid_bars_stack_households_above_amounts_one_colour_per_type() -> None:
    rows = [
        (f"fsl_{kind}_{measure}", dt.date(year, 1, 1), value)
        for kind, value in (("acces", 3000.0), ("energie", 4000.0))
        for measure in ("menages", "montant")
        for year in (2023, 2024)
    ]
    frame = pd.DataFrame(rows, columns=["indicator_code", "period_start", "value"])
    names = {"fsl_acces_menages": "Aides FSL à l'accès : ménages aidés", "fsl_energie_menages": "Aides FSL énergie : ménages aidés"}
    fig = aids.aid_bars(frame, names=names)
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    assert [(b.name, b.yaxis) for b in bars] == [
        ("Aides FSL énergie", "y"),  # the biggest type at the bottom of the stacks
        ("Aides FSL à l'accès", "y"),
        ("Aides FSL énergie", "y2"),
        ("Aides FSL à l'accès", "y2"),
    ]
    assert bars[0].marker.color == bars[2].marker.color != bars[1].marker.color
    assert [b.showlegend for b in bars] == [True, True, False, False]
    assert list(bars[0].x) == ["2023", "2024"]
    totals = [t for t in fig.data if isinstance(t, go.Scatter)]
    assert list(totals[0].text) == ["7\u202f000", "7\u202f000"]
    assert fig.layout.barmode == "stack"
    assert (fig.layout.yaxis.title.text, fig.layout.yaxis2.title.text) == ("Ménages aidés", "Montant (€)")


def test_aid_bars_of_one_measure_have_one_panel_and_the_given_unit_in_hover() -> None:
    frame = pd.DataFrame({"indicator_code": ["fsl_eau_menages"], "period_start": [dt.date(2024, 1, 1)], "value": [2356.0]})
    fig = aids.aid_bars(frame, names={}, unit="ménages aidés", barmode="group")
    assert "yaxis2" not in fig.layout and fig.layout.barmode == "group"
    assert fig.data[0].hovertemplate.endswith("%{customdata}\u202fménages aidés<extra></extra>")
    assert fig.data[0].customdata[0] == "2\u202f356"


def test_aid_bars_refuse_averages() -> None:
    frame = pd.DataFrame({"indicator_code": ["fsl_eau_montant_moyen"], "period_start": [dt.date(2024, 1, 1)], "value": [150.0]})
    with pytest.raises(ValueError, match=r"expected codes ending in \['_menages', '_montant'\], got \['fsl_eau_montant_moyen'\]"):
        aids.aid_bars(frame, names={})


# --- helpers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("assignations", "Nombre d'assignations"),
        ("ménages", "Nombre de ménages"),
        ("habitants", "Nombre d'habitants"),  # h muet elides
        ("%", "Taux (%)"),
        ("€", "Montant (€)"),
        ("pour 1 000 ménages", "Taux pour 1 000 ménages"),
        ("ménages aidés pour 1 000 ménages", "Ménages aidés pour 1 000 ménages"),  # already says what it counts
        ("situations par an", "Situations par an"),
        ("", "Valeur"),
    ],
)
def test_axis_titles_name_the_unit(unit: str, expected: str) -> None:
    assert axis_title(unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1529.0, "ménages", "1\u202f529"),
        (12.5, "%", "12,5\u202f%"),
        (1529.0, "€", "1\u202f529\u202f€"),
        (14.25, "pour 1 000 ménages", "14,2"),  # rates keep one decimal (banker's rounding of the format)
        (3.3333, "situations", "3,3"),  # a share of a yearly objective is not a whole count
        (None, "€", "–"),
        (math.nan, "ménages", "–"),
    ],
)
def test_value_text_is_french(value: float | None, unit: str, expected: str) -> None:
    assert value_text(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(2_512_000.0, 1, "2,5\u202fM€"), (2_000_000.0, 0, "2\u202fM€"), (251_300.0, 1, "251\u202fk€"), (8471.0, 1, "8\u202f471\u202f€")],
)
def test_compact_euros(value: float, decimals: int, expected: str) -> None:
    assert compact_euros(value, decimals) == expected


def test_nice_ticks_cover_the_maximum_in_round_steps() -> None:
    assert nice_ticks(6_600_000) == [0, 2_000_000, 4_000_000, 6_000_000, 8_000_000]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([dt.date(2024, 1, 1)], "year"),
        ([dt.date(2024, 1, 1), dt.date(2025, 1, 1)], "year"),
        ([dt.date(2024, 1, 1), dt.date(2024, 4, 1)], "quarter"),
        ([dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "month"),
        ([dt.date(2024, 3, 1)], "month"),
    ],
)
def test_granularity_is_inferred_from_the_dates(days: list[dt.date], expected: str) -> None:
    assert infer_granularity(days) == expected


@pytest.mark.parametrize(
    ("grain", "label", "middle"),
    [("month", "mars 2024", dt.date(2024, 3, 15)), ("quarter", "T1 2024", dt.date(2024, 2, 15)), ("year", "2024", dt.date(2024, 7, 1))],
)
def test_periods_are_labelled_in_french_and_drawn_in_their_middle(grain, label: str, middle: dt.date) -> None:
    start = dt.date(2024, 3, 1) if grain == "month" else dt.date(2024, 1, 1)
    assert period_label(start, grain) == label
    assert x_position(start, grain) == middle


def test_time_ticks_label_years_in_their_middle_and_grid_their_boundaries() -> None:
    ticks = time_ticks(dt.date(2013, 1, 1), dt.date(2026, 1, 1), "month")
    assert ticks.label_texts == [str(y) for y in range(2013, 2026)]
    assert ticks.label_values[0] == "2013-07-01" and ticks.boundaries[-1] == "2026-01-01"
    short = time_ticks(dt.date(2024, 1, 1), dt.date(2025, 1, 1), "month")
    assert short.label_texts[:2] == ["janv. 2024", "févr. 2024"]


def test_treve_windows_run_from_november_to_march_clipped_to_the_range() -> None:
    assert treve_windows(dt.date(2024, 1, 1), dt.date(2025, 1, 1)) == [
        (dt.date(2024, 1, 1), dt.date(2024, 4, 1)),
        (dt.date(2024, 11, 1), dt.date(2025, 1, 1)),
    ]


def test_distinct_colours_never_repeat_within_seven_keys() -> None:
    colours = distinct_colours(TERRITOIRES)
    assert len(set(list(colours.values())[:7])) == 7
    assert colours["agglo-grenobloise"] == colour_for("agglo-grenobloise")  # the first key keeps its own colour


def test_apply_theme_works_on_any_figure() -> None:
    fig = apply_theme(go.Figure(go.Bar(x=[1], y=[2])), presentation=True)
    assert fig.layout.legend.orientation == "h"
    assert fig.layout.hoverlabel.font.size >= 15
    assert fig.layout.plot_bgcolor == "white"
