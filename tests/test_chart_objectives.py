"""Objectives readable on every chart (issue 14): the side where a target is met shaded, each plan
year marked met or not met with the objective status table's own status, the verdict in the legend.

The figure tests use small hand-made frames; the view tests build the pages on the demo database
of both plans and check the marks against ``plan_evaluation``, the statuses the plan's tables show.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sqlalchemy import update

from data_access.aggregation import SERIES_COLUMNS
from data_access.french import fr_percent
from data_access.models import Observation
from data_access.queries import CHAIN_COLUMNS, EVICTION_CHAIN
from data_access.rollup import refresh_rollup
from data_access.status import Measurement, status_from_measurement
from data_access.vocabulary import ObjectiveKind, Page
from figures import chain, trends
from figures.chain import FunnelVerdict
from figures.lines import MET_ZONE_NAME, TARGET_YEAR_COLUMNS, VERDICT_NAMES, Target
from figures.palette import MET_ZONE_FILL, STATUS_COLOURS
from figures.theme import PRESENTATION, STANDARD
from reporting import images
from views import common, expulsions, params, registry
from views.loader import DatabaseLoader
from views.model import Chart, View

ISERE = "isere-palhdi-2014-2020"
SARTHE = "sarthe-pdalpd-2008-2012"
YEARS = list(range(2014, 2021))
needs_chromium = pytest.mark.skipif(not images.browser_path().is_file(), reason=f"Chromium absent ({images.browser_path()})")


def yearly_series(values: list[float]) -> pd.DataFrame:
    rows = [("signalements_insalubrite", "38", dt.date(year, 1, 1), value, True, True) for year, value in zip(YEARS, values, strict=True)]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def target_of(level: float, statuses: dict[int, tuple[str, float]], *, met_above: bool | None = True, tolerance: float = 0.0) -> Target:
    line = pd.DataFrame({"period_start": [dt.date(year, 1, 1) for year in YEARS], "value": level, "label": "40 situations par an"})
    years = pd.DataFrame(
        [
            (dt.date(year, 1, 1), value, status, f"{year} : {value:g} / cible {level:g} — {status}")
            for year, (status, value) in statuses.items()
        ],
        columns=TARGET_YEAR_COLUMNS,
    )
    return Target(line, met_above=met_above, tolerance=tolerance, years=years, verdict="2020 : 38 / 40 : non atteint")


def trace(fig: go.Figure, name: str) -> go.Scatter:
    (found,) = [t for t in fig.data if t.name == name and t.showlegend is not False and t.x != (None,)]
    return found


def zone(fig: go.Figure) -> go.Scatter:
    (found,) = [t for t in fig.data if t.name == MET_ZONE_NAME and t.fill == "toself"]
    return found


# --- the figure ------------------------------------------------------------------------------


def test_a_met_year_is_a_filled_circle_and_a_missed_year_a_cross_each_with_its_hover() -> None:
    values = [41.0, 47.0, 39.0, 51.0, 46.0, 41.0, 38.0]
    statuses = {year: ("atteint" if value >= 40 else "non atteint", value) for year, value in zip(YEARS, values, strict=True)}
    fig = trends.trend_figure(yearly_series(values), names={"38": "Isère"}, unit="situations", objective=target_of(40.0, statuses))
    met, missed = trace(fig, VERDICT_NAMES["atteint"]), trace(fig, VERDICT_NAMES["non atteint"])
    # a shape as well as a colour: the verdict reads without colour vision
    assert (met.marker.symbol, met.marker.color) == ("circle", STATUS_COLOURS["atteint"])
    assert (missed.marker.symbol, missed.marker.color) == ("x", STATUS_COLOURS["non atteint"])
    # on a yearly chart the marks sit on the year's point (drawn on 1 July), at its measured value
    assert list(missed.x) == ["2016-07-01", "2020-07-01"] and list(missed.y) == [39.0, 38.0]
    assert len(met.x) == 5
    assert list(missed.customdata) == ["2016 : 39 / cible 40 — non atteint", "2020 : 38 / cible 40 — non atteint"]
    assert "40 situations par an" in missed.hovertemplate


def test_years_still_running_are_hollow_and_years_without_data_unmarked() -> None:
    statuses = {2018: ("en bonne voie", 30.0), 2019: ("en retard", 10.0), 2020: ("pas de données", float("nan"))}
    fig = trends.trend_figure(yearly_series([41.0] * 7), names={"38": "Isère"}, unit="situations", objective=target_of(40.0, statuses))
    assert trace(fig, VERDICT_NAMES["en bonne voie"]).marker.symbol == "circle-open"
    assert trace(fig, VERDICT_NAMES["en retard"]).marker.symbol == "x-open"
    marks = [t for t in fig.data if t.name in VERDICT_NAMES.values()]
    assert sum(len(t.x) for t in marks) == 2


@pytest.mark.parametrize(
    ("met_above", "far_end"),
    [
        (True, 1),  # minimums and increases: shaded from the line up to the top of the axis
        (False, 0),  # maximums and decreases: from the bottom of the axis (0) up to the line
    ],
)
def test_the_target_zone_lies_on_the_side_where_the_target_is_met(met_above: bool, far_end: int) -> None:
    fig = trends.trend_figure(
        yearly_series([41.0, 47.0, 39.0, 51.0, 46.0, 41.0, 38.0]),
        names={"38": "Isère"},
        unit="situations",
        objective=target_of(40.0, {}, met_above=met_above),
    )
    shaded = zone(fig)
    assert fig.data[0] is shaded  # below every line
    assert shaded.fillcolor == MET_ZONE_FILL and shaded.hoverinfo == "skip"
    axis = list(fig.layout.yaxis.range)
    assert axis[0] == 0 and axis[1] > 51
    # edge along the target, year by year (2014-01-01 → 2021-01-01), then back along the axis edge
    assert set(shaded.y[:-3]) == {40.0}
    assert shaded.x[0] == "2014-01-01" and shaded.x[-4] == "2021-01-01"
    assert set(shaded.y[-3:-1]) == {axis[far_end]}
    (legend,) = [t for t in fig.data if t.name == MET_ZONE_NAME and t.showlegend is not False]
    assert legend.legendgroup == shaded.legendgroup  # clicking the legend entry hides the zone


@pytest.mark.parametrize(("met_above", "edge"), [(True, 36.0), (False, 44.0)])
def test_an_approximate_target_moves_the_zone_edge_by_its_tolerance(met_above: bool, edge: float) -> None:
    fig = trends.trend_figure(
        yearly_series([41.0] * 7),
        names={"38": "Isère"},
        unit="situations",
        objective=target_of(40.0, {}, met_above=met_above, tolerance=0.1),
    )
    assert list(zone(fig).y[:-3]) == pytest.approx([edge] * 14)  # two points per year, 2014–2020
    assert set(trace(fig, "Objectif : 40 situations par an<br>2020 : 38 / 40 : non atteint").y) == {40.0}  # the line stays the target


def test_a_yearly_target_on_a_monthly_chart_is_a_stepped_zone_with_its_marks_on_the_step() -> None:
    days = [dt.date(2015 + i // 12, i % 12 + 1, 1) for i in range(24)]
    monthly = pd.DataFrame([("signalements_insalubrite", "38", day, 4.0, True, True) for day in days], columns=SERIES_COLUMNS)
    line = pd.DataFrame({"period_start": days, "value": [40 / 12] * 12 + [50 / 12] * 12, "label": "Au moins N par an"})
    years = pd.DataFrame(
        [(dt.date(2015, 1, 1), 48.0, "atteint", "2015 : 48 / cible 40 — atteint"), (dt.date(2016, 1, 1), 48.0, "non atteint", "…")],
        columns=TARGET_YEAR_COLUMNS,
    )
    fig = trends.trend_figure(monthly, names={"38": "Isère"}, unit="situations", objective=Target(line, met_above=True, years=years))
    shaded = zone(fig)
    assert shaded.y[23] == pytest.approx(40 / 12) and shaded.y[24] == pytest.approx(50 / 12)  # a step on 1 January 2016
    assert shaded.x[23] == shaded.x[24] == "2016-01-01"
    met, missed = trace(fig, VERDICT_NAMES["atteint"]), trace(fig, VERDICT_NAMES["non atteint"])
    # the year's total is not a point of a monthly line: the mark sits on that year's target, in mid-year
    assert (met.x[0], met.y[0]) == ("2015-07-01", pytest.approx(40 / 12))
    assert (missed.x[0], missed.y[0]) == ("2016-07-01", pytest.approx(50 / 12))


def test_the_verdict_is_the_last_line_of_the_objectives_legend_entry() -> None:
    fig = trends.trend_figure(yearly_series([41.0] * 7), names={"38": "Isère"}, unit="situations", objective=target_of(40.0, {}))
    names = [t.name for t in fig.data if str(t.name).startswith("Objectif :")]
    assert names == ["Objectif : 40 situations par an<br>2020 : 38 / 40 : non atteint"]


def test_a_bare_objective_line_has_no_zone_and_no_fixed_range() -> None:
    line = pd.DataFrame({"period_start": [dt.date(year, 1, 1) for year in YEARS], "value": 40.0})
    fig = trends.trend_figure(yearly_series([41.0] * 7), names={"38": "Isère"}, unit="situations", objective=line)
    assert not [t for t in fig.data if t.name == MET_ZONE_NAME]
    assert fig.layout.yaxis.range is None


def test_presentation_enlarges_the_verdict_marks() -> None:
    statuses = {2014: ("atteint", 41.0)}
    sizes = [
        trace(
            trends.trend_figure(
                yearly_series([41.0] * 7), names={"38": "Isère"}, unit="situations", objective=target_of(40.0, statuses), presentation=p
            ),
            VERDICT_NAMES["atteint"],
        ).marker.size
        for p in (False, True)
    ]
    assert sizes == [STANDARD.marker_size + 8, PRESENTATION.marker_size + 8]


@pytest.mark.parametrize("kind", list(common.MET_ABOVE))
def test_the_zone_side_of_every_kind_is_the_status_rules_own(kind: ObjectiveKind) -> None:
    # just above and just below a level of 100, given as the target or (baseline kinds) as the baseline only
    baseline_kind = kind in (ObjectiveKind.DECREASE_FROM_BASELINE, ObjectiveKind.INCREASE_FROM_BASELINE)
    target = None if baseline_kind else 100.0

    def met(value: float) -> bool:
        return status_from_measurement(kind, target, Measurement(value, 1.0, 100.0)) == "atteint"

    assert (met(101.0), met(99.0)) == ((True, False) if common.MET_ABOVE[kind] else (False, True))


# --- the pages on the demo database ------------------------------------------------------------


def _view(loader: DatabaseLoader, page: Page, **query: str) -> View:
    parsed = params.parse(query, loader)
    assert not parsed.notices, parsed.notices
    return registry.build_view(page, parsed.params, loader)


def _chart(view: View, key: str) -> Chart:
    return next(chart for chart in view.charts() if chart.key == key)


def _marks(figure: go.Figure) -> dict[int, str]:
    """Year → status of a chart's verdict marks."""
    statuses = {name: status for status, name in VERDICT_NAMES.items()}
    return {int(x[:4]): statuses[t.name] for t in figure.data if t.name in statuses for x in t.x}


def _objective_names(figure: go.Figure) -> list[str]:
    return [str(t.name) for t in figure.data if str(t.name).startswith("Objectif :")]


def _evaluated(loader: DatabaseLoader, plan: str, indicator: str) -> dict[int, tuple[str, float]]:
    evaluation = loader.plan_evaluation(plan)
    (years,) = evaluation.loc[evaluation["indicator_code"] == indicator, "years"]
    return years


def _check_marks_are_the_evaluations(loader: DatabaseLoader, plan: str, chart: Chart) -> None:
    """Every judged plan year of the chart is marked with the evaluation's status, on the chart's own point."""
    assert chart.figure is not None
    (indicator,) = chart.indicators
    evaluated = {year: status for year, (status, _) in _evaluated(loader, plan, indicator).items() if status in common.JUDGED_ON_CHARTS}
    assert _marks(chart.figure) == evaluated
    points = {row["Année"]: row["Valeur"] for row in chart.data.to_dict("records")}
    for t in chart.figure.data:
        if t.name in VERDICT_NAMES.values():
            for x, y in zip(t.x, t.y, strict=True):
                assert points[x[:4]] == pytest.approx(y), (chart.key, x)


def test_the_fsl_energy_objective_is_drawn_on_the_energy_requests(conn) -> None:
    loader = DatabaseLoader(conn)
    view = _view(loader, Page.FSL, plan=ISERE)
    energy = _chart(view, "fsl-demandes-energie")
    assert energy.indicators == ("fsl_demandes_energie",) and energy.figure is not None
    (name,) = _objective_names(energy.figure)
    assert "dont 6 148 pour de l'énergie" in name.replace("<br>", " ")  # the plan's own words, not cut
    assert name.endswith(": atteint") or name.endswith(": non atteint")
    # a decrease from the 2013 level: met below it, so shaded from the axis' bottom to 6 148
    shaded = zone(energy.figure)
    assert set(shaded.y[:-3]) == {6148.0} and shaded.y[-2] == energy.figure.layout.yaxis.range[0] == 0
    _check_marks_are_the_evaluations(loader, ISERE, energy)
    assert {"atteint", "non atteint"} <= set(_marks(energy.figure).values())  # the demo has both: a met and a missed year
    requests = _chart(view, "fsl-demandes")
    assert requests.indicators == ("fsl_demandes_charges_courantes",)
    _check_marks_are_the_evaluations(loader, ISERE, requests)


@pytest.mark.parametrize(
    ("plan", "keys"),
    [
        (ISERE, ("ml-signalements_insalubrite", "ml-signalements_non_decence", "ml-situations_precarite_energetique_traitees")),
        (SARTHE, ("ml-logements_sortis_indignite",)),
    ],
)
def test_every_mal_logement_minimum_has_its_chart_zone_and_verdict(conn, plan: str, keys: tuple[str, ...]) -> None:
    loader = DatabaseLoader(conn)
    view = _view(loader, Page.MAL_LOGEMENT, plan=plan)
    minimums = common.page_objectives(loader, plan, list(common.catalogue(loader).index), [ObjectiveKind.MIN_PER_YEAR])
    for key in keys:
        chart = _chart(view, key)
        assert chart.figure is not None, key
        (indicator,) = chart.indicators
        assert indicator in set(minimums["indicator_code"])
        (name,) = _objective_names(chart.figure)
        last = max(year for year, (status, _) in _evaluated(loader, plan, indicator).items() if status in common.JUDGED_ON_CHARTS)
        status, value = _evaluated(loader, plan, indicator)[last]
        # « 2020 : 233 / 300 : non atteint »: value / target : the evaluation's status, French numbers
        assert name.split("<br>")[-1].startswith(f"{last} : ") and name.endswith(f" : {status}"), name
        shaded = zone(chart.figure)
        assert shaded.y[-2] == chart.figure.layout.yaxis.range[1]  # a minimum: shaded up to the top
        _check_marks_are_the_evaluations(loader, plan, chart)


@pytest.mark.parametrize(
    ("plan", "indicator", "granularity", "side"),
    [
        (ISERE, "signalements_non_decence", "annee", 1),
        (ISERE, "signalements_non_decence", "mois", 1),
        (ISERE, "diagnostics_sociaux", "annee", 1),  # an increase on a measured baseline
        (ISERE, "fsl_demandes_energie", "trimestre", 0),
        (SARTHE, "taux_cql_assignations", "annee", 0),  # a ceiling on a rate: « 41,6 % / 33,0 % »
        (SARTHE, "projets_habitat_adapte", "annee", 1),  # « une vingtaine »: met from 18
    ],
)
def test_tendances_draws_the_selected_indicators_objective(conn, plan: str, indicator: str, granularity: str, side: int) -> None:
    loader = DatabaseLoader(conn)
    view = _view(loader, Page.TENDANCES, plan=plan, indicateur=indicator, granularite=granularity)
    chart = _chart(view, "tendances")
    assert chart.figure is not None
    (name,) = _objective_names(chart.figure)
    assert name.rsplit(" : ", 1)[-1] in ("atteint", "non atteint")
    assert zone(chart.figure).y[-2] == chart.figure.layout.yaxis.range[side]
    evaluated = {year: status for year, (status, _) in _evaluated(loader, plan, indicator).items() if status in common.JUDGED_ON_CHARTS}
    assert _marks(chart.figure) == evaluated
    assert chart.note is not None and "zone verte" in chart.note


def test_a_period_after_the_plan_draws_the_target_without_marks(conn) -> None:
    loader = DatabaseLoader(conn)
    view = _view(loader, Page.MAL_LOGEMENT, plan=ISERE, debut="2021", fin="2025")
    chart = _chart(view, "ml-signalements_insalubrite")
    assert chart.figure is not None
    assert _objective_names(chart.figure) == ["Objectif : 40 situations d’insalubrité par an"]  # no plan year shown: no verdict
    assert not _marks(chart.figure)
    assert [t for t in chart.figure.data if t.name == MET_ZONE_NAME]


@needs_chromium
def test_a_chart_with_its_target_exports_to_png_and_svg(conn) -> None:
    loader = DatabaseLoader(conn)
    for extra in ({}, {"presentation": "1"}):
        chart = _chart(_view(loader, Page.MAL_LOGEMENT, plan=ISERE, **extra), "ml-signalements_non_decence")
        assert chart.figure is not None
        assert images.png_size(images.figure_png(chart.figure)) == (1920, 1080)
        svg = images.figure_svg(chart.figure).decode()
        assert "Non atteint" in svg and "Zone où l" in svg


# --- the Procédure d'expulsion page -------------------------------------------------------------

EXPULSION_OBJECTIVES = (*expulsions.CHAIN_OBJECTIVES, *expulsions.ACTIVITY)


def _drawable(loader: DatabaseLoader, plan: str) -> pd.DataFrame:
    """The plan's objectives on the page's indicators that a yearly chart draws (no milestone, no total)."""
    shown = common.page_objectives(loader, plan, EXPULSION_OBJECTIVES)
    return shown[~shown["kind"].isin(list(common.NOT_DRAWN))]


def _funnel_box(view: View) -> go.layout.Annotation | None:
    figure = _chart(view, "chaine-expulsion").figure
    assert figure is not None
    boxes = [a for a in figure.layout.annotations if a.name == "objective"]
    assert len(boxes) <= 1
    return boxes[0] if boxes else None


def _status_of(loader: DatabaseLoader, plan: str, indicator: str, year: int) -> pd.Series:
    table = loader.objective_status_table(plan, year)
    (row,) = [r for _, r in table.iterrows() if r["indicator_code"] == indicator]
    return row


def test_the_funnel_prints_the_words_it_is_given_and_never_judges() -> None:
    values = [3103.0, 1313.0, 954.0, 563.0, 242.0]  # CQL / assignations over the period: 42,3 %
    frame = pd.DataFrame(
        [
            (stage, code, code, value, np.nan if stage == 1 else 100 * value / values[stage - 2], True)
            for stage, (code, value) in enumerate(zip(EVICTION_CHAIN, values, strict=True), start=1)
        ],
        columns=CHAIN_COLUMNS,
    )
    # a year under the ceiling although the period's rate is above it: the year's status is printed
    words = FunnelVerdict(
        "Objectif du plan : CQL / assignations ≤ 33 %", "2012 : 29,1 % / 33,0 % : atteint", "atteint", "tenu 1 année sur 5"
    )
    fig = chain.chain_funnel(frame, verdict=words)
    (box,) = [a for a in fig.layout.annotations if a.name == "objective"]
    assert box.text == "Objectif du plan : CQL / assignations ≤ 33 %<br><b>2012 : 29,1 % / 33,0 % : atteint</b><br>tenu 1 année sur 5"
    assert box.bordercolor == STATUS_COLOURS["atteint"]
    # three lines take more room above the funnel than two
    shorter = chain.chain_funnel(frame, verdict=FunnelVerdict(words.objective, words.verdict, "non atteint"))
    assert fig.layout.margin.t > shorter.layout.margin.t
    assert [a for a in shorter.layout.annotations if a.name == "objective"][0].bordercolor == STATUS_COLOURS["non atteint"]
    with pytest.raises(ValueError, match="not both"):
        chain.chain_funnel(frame, verdict=words, objective_ratio=33.0)


@pytest.mark.parametrize("plan", [ISERE, SARTHE])
def test_every_objective_of_the_expulsion_pages_indicators_has_its_own_chart(conn, plan: str) -> None:
    loader = DatabaseLoader(conn)
    view = _view(loader, Page.EXPULSIONS, plan=plan)
    drawable = _drawable(loader, plan)
    assert not drawable.empty
    with_objective = [chart for chart in view.charts() if chart.figure is not None and _objective_names(chart.figure)]
    # one chart per objective, on its one indicator, and no objective drawn on a chart of several
    assert sorted(chart.indicators for chart in with_objective) == sorted((code,) for code in drawable["indicator_code"])
    keys = [chart.key for chart in view.charts()]
    assert len(keys) == len(set(keys))
    evaluation = loader.plan_evaluation(plan).set_index("objective_id")
    for chart in with_objective:
        assert chart.figure is not None
        (indicator,) = chart.indicators
        (objective,) = [r for _, r in drawable.iterrows() if r["indicator_code"] == indicator]
        (name,) = _objective_names(chart.figure)
        years = evaluation.at[int(objective["id"]), "years"]
        last = max(year for year, (status, _) in years.items() if status in common.JUDGED_ON_CHARTS)
        assert name.split("<br>")[-1].startswith(f"{last} : ") and name.endswith(f" : {years[last][0]}"), name
        # the zone on the side where the objective is met: up to the top for an increase, from 0 for a decrease or a ceiling
        side = 1 if common.MET_ABOVE[ObjectiveKind(objective["kind"])] else 0
        assert zone(chart.figure).y[-2] == chart.figure.layout.yaxis.range[side], chart.key
        _check_marks_are_the_evaluations(loader, plan, chart)
        assert chart.note is not None and f"fiche-action {objective['action_code']}" in chart.note and "zone verte" in chart.note


def test_isere_ccapex_activity_is_split_one_chart_per_objective(conn) -> None:
    loader = DatabaseLoader(conn)
    view = _view(loader, Page.EXPULSIONS, plan=ISERE)
    audience, diagnostics = _chart(view, "ccapex-menages_presents_audience"), _chart(view, "ccapex-diagnostics_sociaux")
    assert audience.indicators == ("menages_presents_audience",) and diagnostics.indicators == ("diagnostics_sociaux",)
    for chart, words in ((audience, "se présentant à l'audience"), (diagnostics, "diagnostic social avant expulsion")):
        assert chart.figure is not None
        (name,) = _objective_names(chart.figure)
        assert words in name.replace("<br>", " ")
        assert {"atteint", "non atteint"} <= set(_marks(chart.figure).values())  # the demo has a met and a missed year on each
    rest = _chart(view, "ccapex")
    assert rest.indicators == ("dossiers_ccapex",) and rest.figure is not None and not _objective_names(rest.figure)
    assert view.status is not None and view.status.startswith("Objectifs 2020")  # the page's status counts them


def test_sarthe_chain_counts_get_a_yearly_chart_below_their_2007_level(conn) -> None:
    loader = DatabaseLoader(conn)
    view = _view(loader, Page.EXPULSIONS, plan=SARTHE)
    keys = [chart.key for chart in view.charts()]
    chained = ["expulsions-taux_cql_assignations", "expulsions-assignations", "expulsions-cql", "expulsions-cfp_accordes"]
    # after the funnel and its months (the page's selector stands between them), in the chain's order
    assert keys[: len(chained) + 2] == ["chaine-expulsion", "saisonnalite", *chained]
    evaluation = loader.plan_evaluation(SARTHE).set_index("indicator_code")
    for key in chained[1:]:
        chart = _chart(view, key)
        assert chart.figure is not None
        (indicator,) = chart.indicators
        baseline = float(evaluation.at[indicator, "baseline"])  # measured on 2007, the assumed reference year
        assert set(zone(chart.figure).y[:-3]) == {baseline}
        assert chart.note is not None and "2007, année de référence supposée" in chart.note
    assert _marks(_chart(view, "expulsions-assignations").figure) == {
        2008: "non atteint",
        2009: "atteint",
        2010: "non atteint",
        2011: "non atteint",
        2012: "non atteint",
    }


def _lower_cql(conn, year: int, factor: float) -> None:
    """Sarthe's CQL of ``year`` times ``factor`` (this test's transaction only), the rollup rebuilt."""
    conn.execute(
        update(Observation)
        .where(
            Observation.indicator_code == "cql",
            Observation.territory_code.like("72%"),
            Observation.period_start >= dt.date(year, 1, 1),
            Observation.period_start < dt.date(year + 1, 1, 1),
        )
        .values(value=Observation.value * factor)
    )
    refresh_rollup(conn, ["cql"])


@pytest.mark.parametrize(("factor", "status"), [(1.0, "non atteint"), (0.7, "atteint")])
def test_the_funnels_cql_verdict_is_the_status_tables(conn, factor: float, status: str) -> None:
    loader = DatabaseLoader(conn)
    if factor != 1.0:
        _lower_cql(conn, 2012, factor)  # 2012 under the 33 % ceiling, the period's rate still above it
    row = _status_of(loader, SARTHE, expulsions.CQL_RATE, 2012)
    assert row["status"] == status
    view = _view(loader, Page.EXPULSIONS, plan=SARTHE)
    box = _funnel_box(view)
    assert box is not None
    objective, verdict, detail = box.text.split("<br>")
    assert objective == "Objectif du plan : CQL / assignations ≤ 33\u202f%"
    # the year's value, target and status, as the objective status table has them
    assert verdict == f"<b>2012 : {fr_percent(row['value'])} / {fr_percent(row['target'])} : {row['status']}</b>"
    assert box.bordercolor == STATUS_COLOURS[status]
    met = sum(s == "atteint" for s, _ in _evaluated(loader, SARTHE, expulsions.CQL_RATE).values())
    assert detail == f"tenu {met} année{'s' if met > 1 else ''} sur 5 (2008–2012)"
    # not the period's total: judged on it, the ceiling would be missed in both cases
    chain_rows = loader.eviction_chain("72", params.parse({"plan": SARTHE}, loader).params.period).set_index("indicator_code")
    assert 100 * chain_rows.at["cql", "value"] / chain_rows.at["assignations", "value"] > 33
    # the same words as the yearly chart of the rate
    (name,) = _objective_names(_chart(view, "expulsions-taux_cql_assignations").figure)
    assert name.split("<br>")[-1] == verdict.removeprefix("<b>").removesuffix("</b>")


def test_the_funnel_box_outside_the_plan_and_on_a_territory(conn) -> None:
    loader = DatabaseLoader(conn)
    later = _funnel_box(_view(loader, Page.EXPULSIONS, plan=SARTHE, debut="2021", fin="2025"))
    assert later is not None and "hors période du plan 2008–2012" in later.text
    assert later.bordercolor == STATUS_COLOURS["pas de données"]
    # a plan-wide ceiling, evaluated on the département: not judged on a territory's funnel
    view = _view(loader, Page.EXPULSIONS, plan=SARTHE, niveau="territoire", territoire="le-mans-metropole")
    assert _funnel_box(view) is None
    funnel = _chart(view, "chaine-expulsion")
    assert funnel.note is not None and "fixé pour Sarthe" in funnel.note
    rate = _chart(view, "expulsions-taux_cql_assignations")
    assert rate.figure is not None and not _objective_names(rate.figure) and not _marks(rate.figure)
    # Isère sets no ceiling on the rate: no box
    assert _funnel_box(_view(loader, Page.EXPULSIONS, plan=ISERE)) is None
