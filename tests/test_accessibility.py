"""Accessibility, end to end (RGAA 4.1 / WCAG 2.1 AA): every page served by ``streamlit run`` and
checked in headless Chromium once painted, at 1920×1080 and 1366×768, in the standard layout and in
presentation mode (``?presentation=1``).

Fails on any serious or critical axe-core violation (rules tagged WCAG 2.0/2.1 A and AA; axe-core is
the copy shipped inside the ``axe-playwright-python`` package, nothing is downloaded), on any request
to another host than the app's own, on a page not declared in French or without its own title, on an
English text or accessible name left by Streamlit or Plotly, on an icon's ligature read as text, on a
chart without an accessible name, and on a keyboard focus without a visible ring. The import page is
also checked signed in (its file uploader), with a local data-manager account made for the test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from data_access.vocabulary import HOME_PAGE, PAGE_INFO, Page
from data_access.vocabulary import PAGES as REGISTRY
from tests import test_browser
from ui.accessibility import NAV_LABEL, page_title

PAGES = {("" if info.page == HOME_PAGE else info.page.value): info for info in REGISTRY}
CHARTLESS = {Page.VUE_ENSEMBLE, Page.PLAN_ACTION, Page.DONNEES_METHODES, Page.IMPORT_DONNEES, Page.SEANCES}
VIEWPORTS = {"1920x1080": (1920, 1080), "1366x768": (1366, 768)}
MODES = {"standard": "", "presentation": "presentation=1"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
APP_NAME = "Observatoire PDALHPD"
ADMIN, PASSWORD = "gestion-a11y", "une phrase de passe pour le test"
# Streamlit's and Plotly's own English words, as they would reach a sighted or a screen-reader user
ENGLISH_WORDS = {"Open", "Close", "Search", "Sidebar", "Upload", "Fullscreen", "Reset", "Zoom", "Pan", "Autoscale"}
ENGLISH_PARTS = (
    "Choose an option",
    "Choose options",
    "Skip to main content",
    "Download plot",
    "Clear all",
    "Clear value",
    "— start",
    "— end",
    "MB per file",
    "Drag and drop",
    "Browse files",
    "file upload",
    "Link to heading",
    "Collapse sidebar",
    "Expand sidebar",
    "App pages",
    "Show/hide columns",
    "Download as CSV",
    "Selected values",
    "Remove ",
    "Help for ",
    "Main menu",
    "Reset axes",
    "Zoom in",
    "Zoom out",
)
# every text node and every attribute that names or describes something to assistive technologies
TEXTS_JS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('style, script, noscript, [aria-hidden="true"]')) continue;
    if (node.nodeValue.trim()) texts.push(node.nodeValue.trim());
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], [aria-valuetext], [data-title]'))
    for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'aria-valuetext', 'data-title'])
      if (element.getAttribute(name)) texts.push(element.getAttribute(name));
  return texts;
}"""
# a Material icon is a ligature (« gavel », « upload_file »): its text must never be read
ICONS_READ_JS = """() => [...document.querySelectorAll('[data-testid="stIconMaterial"]')]
  .filter(icon => !icon.closest('[aria-hidden="true"]')).map(icon => icon.textContent)"""
CHARTS_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
  const named = chart.closest('[aria-label]') || chart.querySelector('[aria-label][role="img"]');
  const focusable = chart.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])').length;
  return {name: named ? named.getAttribute('aria-label') : '', focusable};
})"""
BUSY = '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"]\')'

pytestmark = pytest.mark.browser
# the served app (on SQLite only, as the other browser tests) and headless Chromium, as tests/test_browser.py makes them
server = test_browser.server
browser = test_browser.browser


@pytest.fixture(scope="module", autouse=True)
def data_manager_account() -> Iterator[None]:
    """A local data-manager account in the served app's environment (autouse: set before the
    module's ``server`` starts, which copies the environment), removed after the module."""
    from data_access.auth import ENV_HASH, ENV_USER, hash_password

    saved = {name: os.environ.get(name) for name in (ENV_USER, ENV_HASH)}
    os.environ[ENV_USER], os.environ[ENV_HASH] = ADMIN, hash_password(PASSWORD)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _open(browser: Any, url: str, viewport: str, outside: list[str]) -> Any:
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on(
        "request", lambda request: outside.append(request.url) if urlparse(request.url).hostname not in (None, "", "127.0.0.1") else None
    )
    page.goto(url, wait_until="networkidle", timeout=90_000)
    return page


def _signed_in(page: Any) -> None:
    """Sign the import page in with the test's data-manager account; return once its uploaders show."""
    _painted(page, charts=False)
    page.fill("input[autocomplete=username]", ADMIN)
    page.fill("input[type=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=90_000)
    page.wait_for_function(BUSY, timeout=90_000)


def _painted(page: Any, charts: bool) -> None:
    page.wait_for_selector("h1", state="attached", timeout=90_000)
    if charts:
        page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=90_000)
    page.wait_for_function(BUSY, timeout=90_000)
    page.wait_for_timeout(1500)  # let maps, fonts and the page's own scripts settle


def blocking_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations of WCAG 2.x A/AA, one line per rule and element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{rule['id']} ({rule['impact']}): {node['html'][:200]}"
        for rule in results.response["violations"]
        if rule["impact"] in BLOCKING
        for node in rule["nodes"]
    ]


def english_left(texts: list[str]) -> list[str]:
    return sorted({text for text in texts if text in ENGLISH_WORDS or any(part in text for part in ENGLISH_PARTS)})


def _check_french_and_named(page: Any, path: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "fr", f"/{path}: <html lang> is not fr"
    assert english_left(page.evaluate(TEXTS_JS)) == [], f"/{path}: English left"
    assert page.evaluate(ICONS_READ_JS) == [], f"/{path}: icon names read as text"


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", list(PAGES))
def test_page_is_accessible_in_french_and_self_contained(server, browser, path, viewport, mode):
    info = PAGES[path]
    outside: list[str] = []
    page = _open(browser, f"{server}/{path}?{MODES[mode]}", viewport, outside)
    try:
        _painted(page, charts=info.page not in CHARTLESS)
        assert blocking_violations(page) == [], f"/{path} {viewport} {mode}: axe"
        assert page.title() == page_title(info.page)
        _check_french_and_named(page, path)
        if mode == "standard":
            charts = page.evaluate(CHARTS_JS)
            assert all(chart["name"].startswith("Graphique : ") for chart in charts), charts
            assert all(chart["focusable"] == 0 for chart in charts), f"/{path}: tab stops inside a chart {charts}"
        assert outside == [], f"/{path}: requests to another host"
    finally:
        page.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_opened_fiches_action_are_accessible(server, browser, viewport):
    """A fiche-action's content is drawn only once opened: opened, its tables, sparklines and
    texts pass the same checks as a page."""
    outside: list[str] = []
    path = Page.PLAN_ACTION.value
    page = _open(browser, f"{server}/{path}", viewport, outside)
    try:
        _painted(page, charts=False)
        fiches = page.locator('[data-testid="stExpander"]')
        for position in (0, 1):
            fiches.nth(position).locator("summary").click()
            fiches.nth(position).locator('[data-testid="stMarkdown"]').first.wait_for(timeout=90_000)
            page.wait_for_function(BUSY, timeout=90_000)
        page.wait_for_timeout(1000)
        assert blocking_violations(page) == [], f"/{path} fiches open {viewport}: axe"
        _check_french_and_named(page, path)
        assert outside == []
    finally:
        page.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("plan", ["isere-palhdi-2014-2020", "grenoble-alpes-metropole-plh-2010-2015"])
def test_the_metro_with_every_plan_is_accessible(server, browser, plan, viewport):
    """Grenoble-Alpes-Métropole's Plan d'action: both plans side by side, objectives « à fixer »
    (issue 20) pass the same checks as a page."""
    outside: list[str] = []
    path = f"{Page.PLAN_ACTION.value}?plan={plan}&niveau=epci&territoire=200040715"
    page = _open(browser, f"{server}/{path}", viewport, outside)
    try:
        _painted(page, charts=False)
        page.get_by_text("Tous les plans pour Grenoble-Alpes-Métropole :").first.wait_for(timeout=90_000)
        assert blocking_violations(page) == [], f"/{path} {viewport}: axe"
        _check_french_and_named(page, path)
        assert outside == []
    finally:
        page.close()


def test_every_page_has_its_own_title():
    titles = [page_title(info.page) for info in REGISTRY]
    assert len(set(titles)) == len(titles)
    assert all(title.endswith(f" · {APP_NAME}") for title in titles)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_import_page_signed_in(server, browser, viewport):
    """Signed in, the import page shows its file uploaders: their words too are French."""
    outside: list[str] = []
    path = Page.IMPORT_DONNEES.value
    page = _open(browser, f"{server}/{path}", viewport, outside)
    try:
        _signed_in(page)
        page.wait_for_timeout(1000)
        assert blocking_violations(page) == [], f"/{path} signed in {viewport}: axe"
        _check_french_and_named(page, path)
        assert outside == []
    finally:
        page.close()


def test_a_signed_in_data_manager_uploads_through_the_served_app(server, browser, tmp_path):
    """The upload gate (``ui/upload_gate.py``) lets the signed-in data manager's file through the
    real server: the file is read and its preview shown (anonymous uploads: tests/test_upload_endpoint.py)."""
    outside: list[str] = []
    page = _open(browser, f"{server}/{Page.IMPORT_DONNEES.value}", "1366x768", outside)
    try:
        _signed_in(page)
        upload = tmp_path / "envoi.csv"
        upload.write_text("indicateur;territoire;periode;valeur\nassignations;38185;2001-01;5\n", encoding="utf-8")
        page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(upload))
        page.get_by_role("button", name="Vérifier le fichier").click(timeout=90_000)
        page.get_by_text("Nouvelles", exact=True).first.wait_for(timeout=90_000)
        assert "réservé au gestionnaire" not in page.inner_text("body")
        assert outside == []
    finally:
        page.close()


def test_keyboard_focus_is_visible(server, browser):
    """Tab from the top of the page reaches the navigation; every focused element has a 3 px ring."""
    outside: list[str] = []
    page = _open(browser, f"{server}/tendances", "1366x768", outside)
    try:
        _painted(page, charts=True)
        reached: list[dict[str, str]] = []
        for _ in range(12):
            page.keyboard.press("Tab")
            reached.append(
                page.evaluate(
                    "() => { const e = document.activeElement, s = getComputedStyle(e);"
                    " const label = e.querySelector('[data-testid=\"stMarkdownContainer\"]') || e;"
                    " return {tag: e.tagName, text: (label.innerText || e.getAttribute('aria-label') || '').trim(),"
                    " style: s.outlineStyle, width: s.outlineWidth}; }"
                )
            )
        assert any(item["tag"] == "A" and item["text"] == PAGE_INFO[Page.TENDANCES].title for item in reached), reached
        # the navigation: a landmark, one list per section, each link named by its page's title alone
        nav = page.get_by_role("navigation", name=NAV_LABEL)
        assert nav.get_by_role("list").count() == len({info.section for info in REGISTRY})
        assert nav.get_by_role("listitem").count() == len(REGISTRY)
        assert all(nav.get_by_role("link", name=info.title, exact=True).count() == 1 for info in REGISTRY)
        assert nav.locator('a[aria-current="page"]').count() == 1
        assert nav.get_by_role("link", name=PAGE_INFO[Page.TENDANCES].title, exact=True).get_attribute("aria-current") == "page"
        for item in reached:
            assert item["style"] not in ("none", "") and float(re.sub("px$", "", item["width"])) >= 3, item
    finally:
        page.close()
