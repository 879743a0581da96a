"""Every page × every value of its options × every level × both plans × presentation on and off ×
a period inside each plan, in the browser's place (AppTest): no exception, no error box, every
figure that has data drawn. Every pair of values of two dimensions is covered (pairwise); the same
views rendered as slides have the same traces as the screen.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence

import pytest
from streamlit.testing.v1 import AppTest

from data_access.vocabulary import PAGES, Page
from tests.conftest import ROOT, open_page

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"
PLAN_PERIODS = {ISERE: ("2014", "2020"), SARTHE: ("2008", "2012")}
# a territory of each level, per plan (the département for « departement »)
PLACES = {
    ISERE: {"departement": "38", "territoire": "trieves", "epci": "200040715", "arrondissement": "381", "commune": "38185"},
    SARTHE: {"departement": "72", "territoire": "le-mans-metropole", "epci": "247200132", "arrondissement": "722", "commune": "72181"},
}
OPTIONS: dict[Page, dict[str, list[str]]] = {
    Page.TENDANCES: {
        "indicateur": [
            "assignations",
            "assignations,expulsions_effectives",
            "taux_cql_assignations",
            "fsl_energie_menages,signalements_insalubrite",
        ],
        "departement": ["oui", "non"],
        "avec": ["", "compare"],
        "granularite": ["annee", "mois", "trimestre", "glissant"],
    },
    Page.COMPARER: {
        "indicateur": ["assignations", "taux_cql_assignations", "fsl_energie_menages"],
        "affichage": ["rate", "value", "per_inhabitants"],
    },
    Page.EXPULSIONS: {"saisonnalite": ["expulsions_effectives", "assignations", "cql", "cfp_demandes", "cfp_accordes"]},
    Page.PLAN_ACTION: {"axes": ["", "1"], "statuts": ["", "atteint", "non atteint"]},
}
COMMON = {"plan": [ISERE, SARTHE], "level": list(PLACES[ISERE]), "presentation": ["", "1"], "period": ["plan", "defaut"]}
ERROR_TEXT = ("Cette vue n'a pas pu être affichée", "Traceback", "Ask Google", "Error")


def _gain(case: Mapping[str, str], name: str, value: str, uncovered: set) -> int:  # type: ignore[type-arg]
    """How many uncovered pairs choosing ``value`` for ``name`` covers, given the case so far."""
    return sum((((n, v), (name, value)) in uncovered) for n, v in case.items()) + any((name, value) in pair for pair in uncovered)


def pairwise(dimensions: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """Cases covering every pair of values of two dimensions (greedy, deterministic)."""
    names = list(dimensions)
    uncovered = {((a, x), (b, y)) for a, b in itertools.combinations(names, 2) for x in dimensions[a] for y in dimensions[b]}
    cases: list[dict[str, str]] = []
    while uncovered:
        case: dict[str, str] = {}
        for name in names:
            case[name] = max(dimensions[name], key=lambda value, name=name, case=case: _gain(case, name, value, uncovered))
        covered = {((a, case[a]), (b, case[b])) for a, b in itertools.combinations(names, 2)}
        if not covered & uncovered:  # cannot happen with the gain above, but never loop forever
            break
        uncovered -= covered
        cases.append(case)
    return cases


def query_of(case: Mapping[str, str]) -> dict[str, str]:
    """The URL parameters of a matrix case."""
    plan, level = case["plan"], case["level"]
    query = {"plan": plan, "niveau": "territoire" if level == "departement" else level, "territoire": PLACES[plan][level]}
    if case["presentation"]:
        query["presentation"] = "1"
    if case["period"] == "plan":
        query["debut"], query["fin"] = PLAN_PERIODS[plan]
    for name, value in case.items():
        if name in ("plan", "level", "presentation", "period") or not value:
            continue
        if name == "avec":
            value = (
                {ISERE: "oisans,voironnais-chartreuse", SARTHE: "reste-departement"}[plan] if level in ("departement", "territoire") else ""
            )
        if value:
            query[name] = value
    return query


CASES = [
    pytest.param(info.page, query_of(case), id=f"{info.page.value}-{index}")
    for info in PAGES
    for index, case in enumerate(pairwise({**COMMON, **OPTIONS.get(info.page, {})}))
]


@pytest.fixture(scope="module")
def demo_url(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the app matrix runs once, on SQLite")
    return database_url


def open_view(url: str, page: Page, query: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", url)
    return open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), f"pages/{page.value}.py", query)


def trace_names(figure: Mapping[str, object]) -> list[str]:
    return [str(trace.get("name", "")) for trace in figure["data"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("page", "query"), CASES)
def test_every_option_of_every_page(demo_url, page, query, monkeypatch):
    at = open_view(demo_url, page, query, monkeypatch)
    assert not at.exception, at.exception
    texts = [element.value for element in (*at.error, *at.warning, *at.markdown, *at.caption)]
    assert not [t for t in texts if any(marker in str(t) for marker in ERROR_TEXT[:3])], texts
    assert at.title, "no title"
    assert not [w.value for w in at.sidebar.warning], "a matrix parameter was refused"
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    if query.get("presentation"):
        assert len(figures) <= 1, "presentation mode draws one main figure"
    for figure in figures:
        drawn = [t for t in figure["data"] if any(t.get(k) is not None and len(t.get(k)) for k in ("x", "y", "z", "locations", "values"))]
        assert drawn, f"a figure without any drawn trace: {trace_names(figure)}"


SLIDE_CASES = [case for case in CASES if case.values[0] in {info.page for info in PAGES if info.in_seance}][::3]


@pytest.mark.parametrize(("page", "query"), SLIDE_CASES)
def test_the_slide_of_a_view_draws_what_the_projection_draws(demo_url, engine, page, query, monkeypatch):
    """The séance slide and the screen in presentation mode render the same View: same main figure."""
    from reporting.pptx import deck_pptx
    from reporting.slides import Deck
    from reporting.view_slides import view_slide

    at = open_view(demo_url, page, {**query, "presentation": "1"}, monkeypatch)
    screen = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    with engine.connect() as conn:
        slide = view_slide(conn, page.value, {k: v for k, v in query.items() if k != "presentation"}, title="Vue")
    if slide.figure is None:
        assert not screen
        return
    assert screen, "the slide has a figure the projection does not draw"
    assert trace_names(slide.figure.to_plotly_json()) == trace_names(screen[0])
    assert deck_pptx(Deck(title="Matrice", slides=[slide])).startswith(b"PK")
