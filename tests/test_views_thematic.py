"""The thematic views (Procédure d'expulsion, Aides FSL, Mal-logement, Accès et hébergement) build on the demo database
for both plans, every level, periods inside and after each plan, on screen and projected."""

from __future__ import annotations

import pytest

from data_access.vocabulary import CHOOSABLE_LEVELS, Page
from views import acces_hebergement, expulsions, fsl, mal_logement, params, registry
from views.loader import DatabaseLoader
from views.model import View

PLANS = {"isere-palhdi-2014-2020": ("2014", "2020"), "sarthe-pdalpd-2008-2012": ("2008", "2012")}
LATER = ("2021", "2025")
MODULES = {Page.EXPULSIONS: expulsions, Page.FSL: fsl, Page.MAL_LOGEMENT: mal_logement, Page.ACCES_HEBERGEMENT: acces_hebergement}
ENGLISH_COLUMNS = {"period_start", "value", "indicator_code", "territory_code", "demo", "complete", "name", "rate", "rank"}


def _query(plan: str, years: tuple[str, str], level: str, territory: str | None, presentation: bool, **extra: str) -> dict[str, str]:
    query = {"plan": plan, "debut": years[0], "fin": years[1], "niveau": level, **extra}
    if territory is not None:
        query["territoire"] = territory
    if presentation:
        query["presentation"] = "1"
    return query


def _build(loader: DatabaseLoader, page: Page, query: dict[str, str]) -> View:
    parsed = params.parse(query, loader)
    assert not parsed.notices, parsed.notices
    view = registry.build_view(page, parsed.params, loader)
    _check(view, page)
    return view


def _check(view: View, page: Page) -> None:
    assert view.page == page
    assert view.title == MODULES[page].TITLE
    assert view.filters
    if view.empty is not None:
        assert not view.blocks
        return
    assert view.blocks
    keys = [chart.key for chart in view.charts()]
    assert len(keys) == len(set(keys)), keys  # a chart's key names its widgets and its downloads
    for chart in view.charts():
        assert chart.figure is not None or chart.message, chart.key
        assert chart.title and chart.unit and chart.source.startswith("Source : "), chart.key
        if chart.figure is not None:  # a ratio (an average amount) dates from its numerator and denominator
            assert "Mise à jour : " in chart.source, (chart.key, chart.source)
        assert not ENGLISH_COLUMNS & set(chart.data.columns), (chart.key, list(chart.data.columns))
    for table in view.tables():
        assert not ENGLISH_COLUMNS & set(table.data.columns), (table.key, list(table.data.columns))


def _places(loader: DatabaseLoader, plan: str, level: str) -> list[str | None]:
    """The département (no parameter) and the level's first territory."""
    departement = str(loader.plans().set_index("code").at[plan, "departement_code"])
    members = loader.territories(departement, level)
    return [None, *([str(members["code"].iloc[0])] if not members.empty else [])]


@pytest.mark.parametrize("page", list(MODULES))
@pytest.mark.parametrize("plan", list(PLANS))
def test_every_level_period_and_layout_builds(conn, page, plan):
    loader = DatabaseLoader(conn)
    built = 0
    for level in CHOOSABLE_LEVELS:
        for territory in _places(loader, plan, level.value):
            for years in (PLANS[plan], LATER):
                for presentation in (False, True):
                    _build(loader, page, _query(plan, years, level.value, territory, presentation))
                    built += 1
    assert built >= 16


@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.parametrize("indicator", expulsions.SEASONAL)
def test_every_seasonality_builds(conn, plan, indicator):
    loader = DatabaseLoader(conn)
    for years in (PLANS[plan], LATER):
        for presentation in (False, True):
            view = _build(loader, Page.EXPULSIONS, _query(plan, years, "territoire", None, presentation, saisonnalite=indicator))
            if view.empty is None:
                seasonal = next(chart for chart in view.charts() if chart.key == "saisonnalite")
                assert seasonal.indicators == (indicator,)


def test_an_unknown_seasonality_falls_back_with_a_notice(conn):
    loader = DatabaseLoader(conn)
    parsed = params.parse(_query("isere-palhdi-2014-2020", LATER, "territoire", None, False, saisonnalite="nulle"), loader)
    view = expulsions.build(parsed.params, loader)
    assert expulsions.chosen_seasonality(parsed.params) == expulsions.DEFAULT_SEASONALITY
    assert any("nulle" in notice for notice in view.notices)


def test_the_slides_keep_their_key_figures(conn):
    loader = DatabaseLoader(conn)
    query = _query("isere-palhdi-2014-2020", LATER, "territoire", None, True)
    chain = _build(loader, Page.EXPULSIONS, query)
    assert [figure.label for figure in chain.key_figures] == ["Assignations", "Expulsions effectives", "Expulsions pour 100 assignations"]
    assert chain.main_chart is not None and chain.main_chart.key == "chaine-expulsion"
    aids = _build(loader, Page.FSL, query)
    assert aids.key_figures[0].label.startswith("Aides accordées en ") and aids.filters.endswith("par année")
    housing = _build(loader, Page.MAL_LOGEMENT, query)
    assert [figure.label.split(" (")[0] for figure in housing.key_figures] == ["Insalubrité", "Non-décence", "Précarité énergétique"]
    assert housing.status is not None and housing.status.startswith("Objectif")


def test_objective_lines_carry_the_plans_own_labels(conn):
    loader = DatabaseLoader(conn)
    objectives = loader.plan_objectives("isere-palhdi-2014-2020").set_index("indicator_code")["label"]
    aids = _build(loader, Page.FSL, _query("isere-palhdi-2014-2020", PLANS["isere-palhdi-2014-2020"], "territoire", None, False))
    requests = next(chart for chart in aids.charts() if chart.key == "fsl-demandes")
    assert requests.figure is not None
    names = [trace.name for trace in requests.figure.data]
    label = objectives["fsl_demandes_charges_courantes"]
    assert any(str(name).startswith(f"Objectif : {label[:20]}") for name in names), names  # the legend shortens it
    housing = _build(loader, Page.MAL_LOGEMENT, _query("sarthe-pdalpd-2008-2012", LATER, "territoire", None, False))
    out = next(chart for chart in housing.charts() if chart.key == "ml-logements_sortis_indignite")  # a Sarthe objective
    assert out.note is not None and "2B" in out.note


def test_a_territory_gets_no_plan_wide_line(conn):
    loader = DatabaseLoader(conn)
    territory = _places(loader, "isere-palhdi-2014-2020", "territoire")[1]
    housing = _build(loader, Page.MAL_LOGEMENT, _query("isere-palhdi-2014-2020", LATER, "territoire", territory, False))
    for chart in housing.charts():
        if chart.key.startswith("ml-signalements"):
            assert chart.note is None
            assert chart.figure is not None and not any(str(trace.name).startswith("Objectif") for trace in chart.figure.data)


def test_a_territory_gets_no_plan_wide_line_on_the_expulsion_page(conn):
    loader = DatabaseLoader(conn)
    territory = _places(loader, "sarthe-pdalpd-2008-2012", "territoire")[1]
    chain = _build(
        loader, Page.EXPULSIONS, _query("sarthe-pdalpd-2008-2012", PLANS["sarthe-pdalpd-2008-2012"], "territoire", territory, False)
    )
    objective_charts = [chart for chart in chain.charts() if chart.key.startswith("expulsions-")]
    assert len(objective_charts) == 4  # the ceiling on the rate and three decreases: charted, not drawn
    for chart in objective_charts:
        assert chart.figure is not None and not any(str(trace.name).startswith("Objectif") for trace in chart.figure.data)
        assert chart.note is not None and "fixé pour Sarthe" in chart.note


def test_a_period_with_only_assignations_draws_its_funnel(conn):
    """Regression: a year where only the first stage of the chain was delivered (every rate None)
    crashed the page on rounding an object column."""
    from data_access.importers import ImportOptions, apply_import, prepare_import

    data = b"indicateur;territoire;periode;valeur\nassignations;38185;2001-01;54\n"
    apply_import(conn, prepare_import(conn, data, "assignations.csv", ImportOptions()), user_name="test")
    loader = DatabaseLoader(conn)
    view = _build(loader, Page.EXPULSIONS, {"plan": "isere-palhdi-2014-2020", "debut": "2001", "fin": "2001"})
    assert view.empty is None and view.main_chart is not None
    assert view.main_chart.data["Valeur"].iloc[0] == 54
