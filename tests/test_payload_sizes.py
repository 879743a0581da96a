"""What keeps the pages fast, pinned without timing anything (issue 19).

Every view of ``benchmarks.payloads.PAYLOAD_VIEWS`` (every page, the heavy views, both map pages
at every level of both plans) is opened with AppTest on the demo database, and its figures are
read as the browser receives them:

- maps are SVG: ``choropleth`` and ``scattergeo`` traces on a ``geo`` subplot, never a MapLibre
  or Mapbox trace or layout (WebGL, a style, glyph and tile server);
- no figure, nor its config, names another host: no ``http`` in the JSON;
- each map stays within its level's size budget, and each view's figures within the payload the
  benchmark recorded (``benchmarks.payloads.BUDGETS``).
"""

from __future__ import annotations

import pytest

from benchmarks.pages import view_label
from benchmarks.payloads import BUDGETS, MAP_BUDGETS, PAYLOAD_VIEWS, Drawn, draw, level_of

MAP_TRACES = {"choropleth", "scattergeo"}
WEBGL_MAP_TRACES = {"choroplethmap", "choroplethmapbox", "scattermap", "scattermapbox", "densitymap", "densitymapbox"}
IDS = [view_label(page, params) for page, params in PAYLOAD_VIEWS]


@pytest.fixture(scope="module")
def drawn(database_url: str) -> dict[str, Drawn]:
    """Every view drawn once (a new session each, every cache emptied), on the SQLite demo database."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the app tests run once, on SQLite")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSERVATOIRE_DATABASE_URL", database_url)
        return {label: draw(page, params) for label, (page, params) in zip(IDS, PAYLOAD_VIEWS, strict=True)}


def _maps(view: Drawn) -> list[dict]:
    return [figure for figure in view.figures() if any(trace["type"] in MAP_TRACES | WEBGL_MAP_TRACES for trace in figure["data"])]


def test_every_view_has_a_recorded_payload_budget() -> None:
    assert sorted(BUDGETS) == sorted(IDS)


@pytest.mark.parametrize("view", IDS)
def test_figures_ask_nothing_of_another_host(drawn: dict[str, Drawn], view: str) -> None:
    shown = drawn[view]
    for text in shown.specs + shown.configs:
        assert "http" not in text.lower()  # no style, glyph, font, tile or topology URL
    for figure in shown.figures():
        assert not {trace["type"] for trace in figure["data"]} & WEBGL_MAP_TRACES


@pytest.mark.parametrize(
    "view", [label for label, (page, _) in zip(IDS, PAYLOAD_VIEWS, strict=True) if page.endswith(("comparer.py", "mal_logement.py"))]
)
def test_maps_are_svg_choropleths_within_their_size_budget(drawn: dict[str, Drawn], view: str) -> None:
    shown = drawn[view]
    maps = _maps(shown)
    assert len(maps) == 1, f"{view}: {len(maps)} maps"
    figure = maps[0]
    types = {trace["type"] for trace in figure["data"]}
    assert "choropleth" in types and types <= MAP_TRACES, types
    assert not {"mapbox", "map"} & set(figure["layout"]), "a MapLibre / Mapbox layout"
    assert figure["layout"]["geo"]["visible"] is False  # no base map: only the département's polygons
    spec = next(spec for spec in shown.specs if '"choropleth"' in spec)
    assert len(spec) <= MAP_BUDGETS[level_of(shown.params)]


@pytest.mark.parametrize("view", IDS)
def test_no_view_sends_more_figure_json_than_recorded(drawn: dict[str, Drawn], view: str) -> None:
    assert drawn[view].payload <= BUDGETS[view], f"{view}: {drawn[view].payload} octets, budget {BUDGETS[view]}"
