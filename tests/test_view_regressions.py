"""Regression tests for the bugs of the two-copies era (a page computed for the screen and again for the slides)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from reporting.view_slides import view_slide
from tests import conftest


@pytest.fixture
def open_page(database_url, monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("the app tests run once, on SQLite")
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", database_url)

    def run(page: str, **query: str) -> AppTest:
        at = conftest.open_page(AppTest.from_file(str(conftest.ROOT / "app.py"), default_timeout=120), f"pages/{page}.py", query)
        assert not at.exception, at.exception
        return at

    return run


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("level", ["territoire", "epci", "arrondissement", "commune"])
def test_per_1000_inhabitants_draws_at_every_level(open_page, level):
    """« Pour 1 000 habitants » crashed the page (ranking_bar refused the column) at every level."""
    at = open_page("comparer", niveau=level, affichage="per_inhabitants")
    assert any(trace["type"] == "bar" for figure in figures(at) for trace in figure["data"])
    assert any("pour 1 000 habitants" in s.value for s in at.subheader)


def test_france_comparison_over_the_plan_period(open_page):
    """Assignations and expulsions effectives over 2014–2020 crashed in the France index (no common base year)."""
    at = open_page("tendances", indicateur="assignations,expulsions_effectives", debut="2014", fin="2020")
    titles = [s.value for s in at.subheader]
    assert any("indice base 100" in title for title in titles), titles


def test_the_slide_draws_every_line_the_screen_draws(open_page, engine):
    """A Tendances view with three territories and the département line: four lines, on screen and on the slide."""
    query = {"territoire": "trieves", "avec": "oisans,voironnais-chartreuse", "departement": "oui", "indicateur": "assignations"}
    at = open_page("tendances", **query)
    places = {"Trièves", "Oisans", "Voironnais-Chartreuse", "Isère"}
    screen = [t["name"] for t in figures(at)[0]["data"] if t.get("name") in places]
    with engine.connect() as conn:
        slide = view_slide(conn, "tendances", query, title="Assignations")
    assert slide.figure is not None
    drawn = [t.name for t in slide.figure.data if t.name in places]
    assert len(screen) == 4 and drawn == screen


@pytest.mark.parametrize(("territory", "expected"), [("trieves", True), ("38", False)])
def test_the_departement_line_default_is_never_written_to_the_url(open_page, territory, expected):
    """The « Ajouter Isère (département) » default depends on the filters only, not on how one arrived."""
    at = open_page("tendances", territoire=territory)
    assert at.checkbox[0].value is expected
    assert "departement" not in at.query_params
    at.checkbox[0].set_value(not expected).run()
    assert at.query_params["departement"] in (["non" if expected else "oui"], "non" if expected else "oui")


def test_a_level_is_named_in_the_singular(open_page):
    """At EPCI level a title read « par intercommunalités (epci) »."""
    at = open_page("comparer", niveau="epci")
    titles = [s.value for s in at.subheader]
    assert any("par intercommunalité —" in t for t in titles), titles
    assert not any("(epci)" in t for t in titles)


@pytest.mark.parametrize("seance", ["9" * 23, "٣", "-1", "1e3"])
def test_a_hostile_seance_parameter_shows_the_view_alone(open_page, seance):
    at = open_page("tendances", seance=seance, presentation="1")
    assert any("Séance introuvable" in w.value for w in at.warning)


def test_five_indicators_and_six_territories_in_a_shared_link(open_page):
    """More indicators or territories than the widgets allow used to crash the page."""
    at = open_page(
        "tendances",
        indicateur="assignations,cql,cfp_demandes,cfp_accordes,expulsions_effectives",
        avec="oisans,trieves,voironnais-chartreuse,vercors,sud-gresivaudan,bievre-valloire",
        territoire="grenoble",
    )
    assert len(at.multiselect[0].value) == 4 and len(at.multiselect[1].value) <= 5


def test_comparer_of_one_year_has_no_small_multiples(conn):
    """A year per panel: over one year each territory's panel was a single point (the bilan's map slide)."""
    from views import params as view_params
    from views.loader import DatabaseLoader
    from views.registry import build_view

    loader = DatabaseLoader(conn)

    def keys(first: str, last: str) -> list[str]:
        query = {"plan": "isere-palhdi-2014-2020", "debut": first, "fin": last, "indicateur": "assignations", "niveau": "territoire"}
        return [chart.key for chart in build_view("comparer", view_params.parse(query, loader).params, loader).charts()]

    assert "multiples" not in keys("2018", "2018")
    assert "multiples" in keys("2014", "2018")
