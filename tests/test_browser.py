"""End to end: the app served by ``streamlit run``, every page opened in headless Chromium.

Fails on any Streamlit exception box, on a map not drawn in SVG, and on a request to another host
than the app's own; saves a screenshot per page and viewport under tests/screenshots/ (git-ignored)
for a person to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from benchmarks.startup import free_port
from data_access.vocabulary import HOME_PAGE
from data_access.vocabulary import PAGES as REGISTRY
from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "tests" / "screenshots"
PAGES = {("" if info.page == HOME_PAGE else info.page.value): info.page.value for info in REGISTRY}
CHARTLESS = {"", "plan_action", "donnees_methodes", "import_donnees", "seances"}
MAPS = {"comparer", "mal_logement"}
VIEWPORTS = {"1920x1080": (1920, 1080), "1280x800": (1280, 800)}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not database_url.startswith("sqlite"):
        pytest.skip("the browser tests run once, on SQLite")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium")
    port = free_port()
    env = {**os.environ, "OBSERVATOIRE_DATABASE_URL": database_url, "OBSERVATOIRE_GEO_CACHE": str(tmp_path_factory.mktemp("geo"))}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_without_exception(server, browser, path, viewport):
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith((server, "data:", "blob:")) else None)
    try:
        page.goto(f"{server}/{path}", wait_until="networkidle", timeout=90_000)
        page.wait_for_selector("h1", timeout=90_000)
        if path not in CHARTLESS:
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
        page.wait_for_timeout(1500)  # let maps and fonts settle before the screenshot
        folder = SCREENSHOTS / viewport
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{PAGES[path]}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception box on /{path}"
        if path in MAPS:  # plotly.js draws the territories as SVG paths: no WebGL canvas, no tile or glyph server
            assert page.locator(".js-plotly-plot path.choroplethlocation").count() > 0
            assert page.locator(".js-plotly-plot canvas").count() == 0
        assert outside == [], f"requests to another host on /{path}"
    finally:
        page.close()


def test_the_home_page_opens_at_its_own_name(server, browser):
    """``/vue_ensemble?…``, typed or bookmarked (the stem the exports and séances name the overview
    by), opens the overview on the asked plan at the root, not Streamlit's « page introuvable »."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    try:
        page.goto(f"{server}/{HOME_PAGE.value}?plan=sarthe-pdalpd-2008-2012", wait_until="networkidle", timeout=90_000)
        page.wait_for_selector("h1", timeout=90_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
        assert urlparse(page.url).path == "/" and "plan=sarthe-pdalpd-2008-2012" in page.url
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "Vue d'ensemble" in main and "Sarthe" in main
        assert page.get_by_text("Page introuvable").count() == 0
    finally:
        page.close()


def test_chromium_is_the_system_one():
    assert shutil.which("chromium") or Path(CHROMIUM).exists()


def _example_seance_views() -> list[tuple[str, dict[str, str]]]:
    import yaml

    seances = yaml.safe_load((ROOT / "plans" / "isere-palhdi-2014-2020" / "seances.yaml").read_text(encoding="utf-8"))["seances"]
    return [(view["page"], {key: str(value) for key, value in view["parametres"].items()}) for view in seances[0]["vues"]]


@pytest.fixture(scope="module")
def example_seance(database_url: str) -> str:
    """The id of the example séance in the served database (its views are presented with its bar)."""
    import yaml

    from data_access import seances
    from data_access.db import make_engine

    name = yaml.safe_load((ROOT / "plans" / "isere-palhdi-2014-2020" / "seances.yaml").read_text(encoding="utf-8"))["seances"][0]["nom"]
    engine = make_engine(database_url)
    with engine.connect() as conn:
        seance_id = seances.seance_by_name(conn, name=name, plan="isere-palhdi-2014-2020")
    engine.dispose()
    return str(seance_id)


PROJECTORS = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}


@pytest.mark.parametrize("viewport", list(PROJECTORS))
@pytest.mark.parametrize(("view_page", "params"), _example_seance_views(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_slide_of_the_example_seance_fits_the_screen_with_its_demo_banner(
    server, browser, example_seance, view_page, params, viewport
):  # type: ignore[no-untyped-def]
    """Presentation mode, as the séance presents it (its bar « ◀ Précédent · Vue k / n · Suivant ▶ »
    on top): every chart of every view of the example séance, one slide each, fits the projector's
    screen without scrolling, and says « Données fictives de démonstration » large."""
    import re
    import urllib.parse

    width, height = PROJECTORS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    path = "" if view_page == HOME_PAGE.value else view_page
    try:
        figure, count = 1, 1
        while figure <= count:
            position = str([page for page, _ in _example_seance_views()].index(view_page))
            query = urllib.parse.urlencode(
                {**params, "presentation": "1", "figure": str(figure), "seance": example_seance, "vue": position}
            )
            page.goto(f"{server}/{path}?{query}", wait_until="networkidle", timeout=90_000)
            page.wait_for_selector(".st-key-slide-demo", timeout=90_000)  # the slide is drawn (not a first run's placeholder)
            if view_page != HOME_PAGE.value:
                page.wait_for_selector(".st-key-slide-figure .main-svg", timeout=90_000)
            page.wait_for_function(
                '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"]\')', timeout=90_000
            )
            page.wait_for_timeout(1500)
            title = page.locator("h3").first.inner_text()
            if match := re.search(r"\((\d+)/(\d+)\)$", title.strip()):
                count = int(match.group(2))
            sizes = page.evaluate(
                "() => { const main = document.querySelector('[data-testid=\"stMain\"]'); return [main.scrollHeight, main.clientHeight, "
                "document.documentElement.scrollWidth, document.documentElement.clientWidth]; }"
            )
            folder = SCREENSHOTS / "presentation" / viewport
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{view_page}-{figure}.png"))
            assert sizes[0] <= sizes[1] + 2, f"/{path} figure {figure} scrolls at {viewport}: {sizes}"
            assert sizes[2] <= sizes[3], f"/{path} figure {figure} scrolls sideways at {viewport}"
            banner = page.locator(".st-key-slide-demo")
            assert banner.count() == 1 and banner.is_visible(), f"no demo banner on /{path} figure {figure}"
            assert page.locator(".st-key-seance-next").is_visible(), f"no séance bar on /{path} figure {figure}"
            assert page.locator('[data-testid="stException"]').count() == 0
            figure += 1
    finally:
        page.close()
