"""The browser benchmark's machinery on a tiny run (one click and one URL per view): it serves the
app, measures, builds the paint floor and writes its table. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import browser, databases, report

pytestmark = pytest.mark.browser

VIEWS = [("pages/vue_ensemble.py", {}), ("pages/expulsions.py", {}), ("pages/tendances.py", {"granularite": "mois"})]


def test_floor_page_inlines_the_figures_safely():
    figure = {"data": [{"type": "bar", "y": [1, 2], "name": "</script><b>"}], "layout": {}, "config": {}, "width": 300, "height": 200}
    page = browser.floor_page([figure, figure])
    assert page.count("</script>") == 2  # plotly.js's and the page's own: the name cannot close one
    assert 'id="p1" style="width:300px;height:200px"' in page
    assert browser.plotly_js().is_file()


@pytest.fixture(scope="module")
def measured(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> browser.BrowserRun:
    if not database_url.startswith("sqlite"):
        pytest.skip("the browser benchmark serves a SQLite copy")
    if not Path(browser.CHROMIUM).exists():
        pytest.fail(f"{browser.CHROMIUM} missing: `make test` installs Debian's chromium")
    copy = databases.copy_sqlite(Path(database_url.removeprefix("sqlite:///")), tmp_path_factory.mktemp("bench") / "browser.db")
    return browser.measure_browser(databases.sqlite_url(copy), clicks=1, opens=1, views=VIEWS)


def test_every_view_is_measured(measured: browser.BrowserRun):
    assert [r.view for r in measured.results] == ["vue_ensemble", "expulsions", "tendances?granularite=mois"]
    home, expulsions, heavy = measured.results
    for result in measured.results:
        assert result.click.runs == 1 and result.open.runs == 1
        assert 0 < result.click_finished_ms <= result.click.median_ms
        assert 0 < result.open_finished_ms <= result.open.median_ms
        assert result.click_bytes > 0  # the run's messages came over the websocket
    assert home.charts == 0 and home.floor is None and home.ratio is None
    for result in (expulsions, heavy):
        assert result.charts > 0 and result.figure_bytes > 1000
        assert result.floor is not None and result.floor.runs == 1 and result.ratio is not None
        assert result.floor_navigation is not None and result.floor_navigation.median_ms >= result.floor.median_ms
    assert heavy.url == "/tendances?granularite=mois"
    assert measured.outside_requests == []
    assert measured.chromium


def test_the_table_and_budgets_are_written(measured: browser.BrowserRun, tmp_path: Path):
    data = {"date": "2026-12-02T05:00:00", **measured.as_dict()}
    data["views"][1]["payload_bytes"] = 12_345
    results = {"date": data["date"], "machine": report.machine(), "browser": data}
    checks = report.browser_checks(data)
    # per view: ratio to the floor (charts only), click ≤ 1 s, URL ≤ 1,5 s; and the outside hosts
    assert len(checks) == 2 + 3 + 3 + 1 and all(c.backend == report.BROWSER for c in checks)
    text = report.write(results, checks, tmp_path)
    assert "## Navigateur" in text and "| tendances?granularite=mois | " in text
    assert "Figures (AppTest)" in text and "12,3 kB" in text
    assert "Requêtes vers un autre hôte que l'application : aucune." in text
    saved = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert saved["browser"]["views"][0]["view"] == "vue_ensemble"
