"""Every page runs on the demo database (AppTest), with page-specific content checks."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from data_access.vocabulary import PAGES as REGISTRY
from tests.conftest import open_page, plan_objective_count

PAGES = [info.script for info in REGISTRY]


def figures(at: AppTest) -> list[dict]:
    """The Plotly figures drawn by the page, as dicts."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def run_page(at: AppTest, page: str, **params: str) -> AppTest:
    """Open ``page`` as a visitor following a URL with ``params`` would; no exception, no error box."""
    open_page(at, page, params)
    assert not at.exception, at.exception
    assert not [e.value for e in at.error if "Référence de l'erreur" in e.value], "the page failed inside the boundary"
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(app, page):
    run_page(app, page)
    assert app.title


def test_overview_lists_points_of_attention_and_every_objective(app):
    run_page(app, "pages/vue_ensemble.py")
    sentences = [m.value for m in app.markdown if "par rapport à la moyenne" in m.value]
    assert sentences, "no point d'attention"
    objectives = app.table[0].value  # a static table: every row shown, no inner scroll
    assert len(objectives) == plan_objective_count("isere-palhdi-2014-2020")  # every objective of the plan
    assert list(objectives.columns)[0] == "Statut"


def test_trends_draw_the_objective_as_a_named_trace(app):
    run_page(app, "pages/tendances.py", indicateur="signalements_insalubrite", granularite="annee")
    names = [trace.get("name", "") for figure in figures(app) for trace in figure["data"]]
    assert any(name.startswith("Objectif") for name in names), names


def test_comparison_map_has_one_location_per_territory_of_the_level(app):
    run_page(app, "pages/comparer.py", niveau="territoire")
    maps = [t for f in figures(app) for t in f["data"] if t["type"] in ("choroplethmap", "choroplethmapbox", "choropleth")]
    assert maps, "no map trace"
    assert sum(len(t.get("locations", [])) for t in maps) == 13


def test_funnel_has_the_five_stages_in_order(app):
    run_page(app, "pages/expulsions.py")
    funnel = next(t for f in figures(app) for t in f["data"] if t["type"] == "funnel")
    stages = funnel["y"] if "y" in funnel else funnel["x"]
    assert [s.split(" (")[0] for s in stages][:1] and len(stages) == 5
    assert "ssignation" in stages[0] and "xpulsion" in stages[-1]


def test_a_url_with_parameters_reopens_the_same_view(app):
    run_page(
        app,
        "pages/tendances.py",
        plan="sarthe-pdalpd-2008-2012",
        debut="2016",
        fin="2019",
        niveau="territoire",
        territoire="le-mans-metropole",
    )
    assert app.selectbox(key="f_plan").value == "sarthe-pdalpd-2008-2012"
    assert app.slider(key="f_years").value == (2016, 2019)
    assert app.selectbox(key="f_territory").value == "le-mans-metropole"
    assert app.title[0].value == "Tendances"


@pytest.mark.parametrize(
    ("param", "value"), [("plan", "nulle-part"), ("debut", "deux-mille"), ("niveau", "canton"), ("territoire", "atlantide")]
)
def test_an_invalid_url_parameter_falls_back_with_a_notice(app, param, value):
    app.query_params[param] = value
    app.run()  # the page a visitor lands on shows the notice
    assert not app.exception
    assert app.sidebar.warning, "no notice"


@pytest.mark.parametrize("page", PAGES)
def test_without_boundaries_every_page_runs_and_maps_say_why(app, page, tmp_path, monkeypatch):
    for name in ("OBSERVATOIRE_GEO_SOURCE", "OBSERVATOIRE_SHARED_DATA", "OBSERVATOIRE_GEO_CACHE"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(name, str(tmp_path / name))
    run_page(app, page, niveau="territoire")
    if page in ("pages/comparer.py", "pages/mal_logement.py"):
        assert any("OBSERVATOIRE_GEO_SOURCE" in w.value for w in app.warning), [w.value for w in app.warning]


def test_presentation_mode_draws_one_main_figure_with_its_key_figure(app):
    run_page(app, "pages/tendances.py", presentation="1", indicateur="assignations")
    assert len(app.get("plotly_chart")) == 1
    assert app.metric, "no key figure"


def test_a_seance_view_shows_the_presenter_bar(app):
    run_page(app, "pages/expulsions.py", seance="1", vue="2", presentation="1", debut="2025", fin="2025")
    assert any("Vue 3 / " in m.value for m in app.markdown)
    assert {b.label for b in app.button} >= {"◀ Précédent", "Suivant ▶"}


def test_the_seance_steps_through_each_chart_of_a_view_before_the_next_view(app):
    """FSL (view 4 of the example séance) is several slides: « Suivant » shows its next chart, then
    the next view once its last chart was shown; « Précédent » goes back a chart."""
    run_page(app, "pages/fsl.py", seance="1", vue="3", presentation="1", debut="2021", fin="2025")
    titles = [app.subheader[0].value]
    count = int(titles[0].rsplit("/", 1)[1].rstrip(")"))
    assert count >= 2 and titles[0].endswith(f"(1/{count})")
    assert len(app.get("plotly_chart")) == 1, "one chart per slide"
    for number in range(2, count + 1):
        next(b for b in app.button if b.label == "Suivant ▶").click().run()
        assert not app.exception
        titles.append(app.subheader[0].value)
        assert titles[-1].endswith(f"({number}/{count})"), titles
    assert len(set(titles)) == count, "each slide its own chart"
    next(b for b in app.button if b.label == "◀ Précédent").click().run()
    assert app.subheader[0].value == titles[-2]
    next(b for b in app.button if b.label == "Suivant ▶").click().run()
    next(b for b in app.button if b.label == "Suivant ▶").click().run()  # past the last chart: the next view
    assert not app.exception
    assert any("Vue 5 / " in m.value for m in app.markdown), [m.value for m in app.markdown][:3]


def test_page_choices_are_mirrored_in_the_url(app):
    run_page(app, "pages/tendances.py", indicateur="cql", avec="oisans,trieves", departement="non")
    assert app.multiselect[0].value == ["cql"] and app.multiselect[1].value == ["oisans", "trieves"]
    assert app.query_params["avec"] in (["oisans,trieves"], "oisans,trieves")


def test_a_view_is_built_once_for_its_inputs_shared_by_sessions_and_rebuilt_when_the_data_changes(app, monkeypatch):
    """Issue 19: a rerun that changed none of a page's inputs rebuilds nothing (a view took 40-120 ms
    of a click); another choice builds its own view; an import or a revert (``cache.clear()``) and
    another process's change of the data (``follow_data_changes``) forget them all."""
    from ui import cache
    from views import tendances

    built = []
    real = tendances.build
    monkeypatch.setattr(tendances, "build", lambda params, loader: built.append(params) or real(params, loader))
    run_page(app, "pages/tendances.py")
    run_page(app, "pages/vue_ensemble.py")
    run_page(app, "pages/tendances.py")  # back to the same view: not built again
    assert len(built) == 1
    run_page(another_session(app), "pages/tendances.py")
    assert len(built) == 1
    run_page(another_session(app), "pages/tendances.py", granularite="mois")
    assert len(built) == 2 and built[-1].granularity != built[0].granularity
    cache.clear()
    run_page(app, "pages/tendances.py")
    assert len(built) == 3


def another_session(at: AppTest) -> AppTest:
    """A second visitor of the same app (same process, same caches)."""
    return AppTest.from_file(at._script_path, default_timeout=120)
