"""What a user feels: time from a click (or a URL) to the last chart painted, in headless Chromium.

The app is served by ``streamlit run`` on a temporary copy of a demo database, and driven by
Playwright on the system Chromium (``/usr/bin/chromium``; never a downloaded browser). For each
view of ``benchmarks.pages.VIEWS``:

- **click → painted** (warm): a click on the page's link in the sidebar, in a session that already
  showed every page once; default views are clicked in turn in one session (each click changes
  page), each heavy view in a session of its own opened at its URL (its filters are shared by the
  session's pages), alternating with the overview page;
- **URL → painted**: the view's URL opened in a new tab of the same browser (HTTP cache warm);
- **bytes received** over the websocket for each click (Playwright's ``framereceived``);
- **paint floor**: the figures the page drew (each ``.js-plotly-plot``'s ``data`` and ``layout``,
  at its size) drawn by ``Plotly.newPlot`` in a plain static page with the plotly.js of the installed
  ``plotly`` package, served from a local folder, in the same browser; the floor is the time from
  the first ``newPlot`` to all of them drawn (the script already loaded, as for a warm click), the
  time from navigation is kept beside it;
- every request to a host other than the app's own (and the floor page's) is recorded.

**Painted** means, measured in the page's own clock (``performance.now()``): the server's
``script_finished`` message of a successful run received (read in the websocket messages by a hook
the page is given before Streamlit starts); no running indicator (``stStatusWidget``), no stale
element, no component still loading (``stSkeleton``); each Plotly chart (``stPlotlyChart``) drawn —
its ``.main-svg``, ``_fullLayout``, no pending promise — and two animation frames later; and the
time of the last change to the page (a ``MutationObserver``, outside the header) plus two animation
frames, once nothing has changed for ``QUIET_MS``.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

from benchmarks.databases import ROOT
from benchmarks.pages import VIEWS, view_label
from benchmarks.startup import free_port, healthy
from benchmarks.stats import Timing
from data_access.vocabulary import HOME_PAGE, PAGES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
WIDTH, HEIGHT = 1920, 1080
QUIET_MS = 150  # nothing changed on the page for this long: the last change was the last paint
TIMEOUT_MS = 90_000
HOME_VIEW = "vue_ensemble"

# Installed before any script of the page: counts websocket messages and notes when a run of the
# script finished (field ``script_finished`` of Streamlit's ForwardMsg, read from the protobuf's
# top-level fields), records the time of the last change to the page, and measures.
_HOOK = """
(() => {
  if (location.pathname.startsWith("/plancher")) return; // the paint floor's page: nothing added to it
  const FIELD = __FIELD__;
  const bench = (window.__bench = { finished: [], frames: 0, lastFrame: 0, lastChange: 0 });
  const varint = (buf, pos) => {
    let value = 0, shift = 0, byte;
    do { byte = buf[pos++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && pos < buf.length);
    return [value, pos];
  };
  const finishedStatus = (data) => {
    if (!(data instanceof ArrayBuffer)) return null;
    const buf = new Uint8Array(data);
    let pos = 0, key, value;
    while (pos < buf.length) {
      [key, pos] = varint(buf, pos);
      const wire = key & 7, number = Math.floor(key / 8);
      if (wire === 0) { [value, pos] = varint(buf, pos); if (number === FIELD) return value; }
      else if (wire === 2) { [value, pos] = varint(buf, pos); pos += value; }
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else return null;
    }
    return null;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const now = performance.now();
        bench.frames += 1;
        bench.lastFrame = now;
        const status = finishedStatus(event.data);
        if (status !== null) bench.finished.push([now, status]);
      });
    }
  };
  const OUTSIDE = '[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stStatusWidget"], [data-testid="stDecoration"]';
  const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => { bench.lastChange = performance.now(); }));
  const observe = () => new MutationObserver((records) => {
    for (const record of records) {
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (!node || !node.closest(OUTSIDE)) { painted(); return; }
    }
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  if (document.documentElement) observe(); else document.addEventListener("DOMContentLoaded", observe);
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const ready = () => {
    if (document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"], [data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')) return false;
    for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
      const gd = chart.querySelector(".js-plotly-plot");
      if (!gd || !gd._fullLayout || !gd.querySelector(".main-svg") || (gd._promises && gd._promises.length)) return false;
    }
    return true;
  };
  // selector: the link to click (its click is time zero), or null: time zero is the navigation
  bench.measure = async (selector, quietMs, timeoutMs) => {
    const first = selector ? bench.finished.length : 0;
    let t0 = 0;
    if (selector) {
      const link = document.querySelector(selector);
      if (!link) throw new Error("no link " + selector);
      t0 = performance.now();
      link.click();
    }
    const deadline = performance.now() + timeoutMs;
    const late = (what) => { if (performance.now() > deadline) throw new Error("timeout waiting for " + what); };
    let finished = null;
    while (finished === null) {
      const run = bench.finished.slice(first).find(([, status]) => status === 0);
      if (run) finished = run[0]; else { late("script_finished"); await frame(); }
    }
    while (!ready()) { late("charts drawn"); await frame(); }
    await frame(); await frame();
    const drawn = performance.now();
    for (;;) {
      const now = performance.now();
      if (ready() && now - Math.max(bench.lastChange, bench.lastFrame, drawn) >= quietMs) break;
      late("a quiet page"); await frame();
    }
    return {
      finished: finished - t0,
      drawn: drawn - t0,
      painted: Math.max(drawn, bench.lastChange) - t0,
      charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
    };
  };
  // every chart's figure as plotly.js holds it (typed arrays as lists), at its size on screen
  bench.figures = () => JSON.stringify(Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')).map((gd) => {
    const box = gd.getBoundingClientRect();
    return { data: gd.data, layout: gd.layout, width: Math.round(box.width), height: Math.round(box.height),
             config: { displayModeBar: gd._context.displayModeBar, displaylogo: false, responsive: gd._context.responsive,
                       topojsonURL: gd._context.topojsonURL, showTips: false } };
  }), (key, value) => (ArrayBuffer.isView(value) ? Array.from(value) : value));
})();
"""

# the static page of the paint floor: the figures inlined, plotly.js of the installed package
_FLOOR_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Plancher d'affichage</title>
<style>body{margin:0;font-family:sans-serif}</style>
<script src="plotly.min.js"></script></head>
<body>
__DIVS__
<script>
const FIGURES = __FIGURES__;
window.__floor = (async () => {
  const start = performance.now();
  await Promise.all(FIGURES.map((f, i) => Plotly.newPlot("p" + i, f.data, f.layout, f.config)));
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const end = performance.now();
  return { render: end - start, navigation: end };
})();
</script></body></html>
"""


@dataclass
class BrowserResult:
    """One view in the browser (times in ms, bytes of websocket payload received)."""

    view: str
    url: str
    charts: int
    click: Timing
    click_finished_ms: float  # median time from the click to the run's end received (server + transfer)
    click_bytes: int  # median bytes received over the websocket per click
    open: Timing
    open_finished_ms: float
    figure_bytes: int  # JSON of the figures drawn, as captured for the floor
    floor: Timing | None  # Plotly.newPlot → all drawn, in the static page (None: no chart)
    floor_navigation: Timing | None  # navigation → all drawn, in the static page

    @property
    def ratio(self) -> float | None:
        return self.click.median_ms / self.floor.median_ms if self.floor and self.floor.median_ms else None


@dataclass
class BrowserRun:
    """Every view measured, and what the browser asked of other hosts."""

    results: list[BrowserResult]
    outside_requests: list[str]
    chromium: str
    clicks: int
    opens: int
    load_average: list[float] = field(default_factory=list)  # 1-minute load before and after: the machine is shared

    def as_dict(self) -> dict[str, Any]:
        return {
            "chromium": self.chromium,
            "clicks": self.clicks,
            "opens": self.opens,
            "load_average": self.load_average,
            "outside_requests": self.outside_requests,
            "views": [{**asdict(r), "ratio": None if r.ratio is None else round(r.ratio, 3)} for r in self.results],
        }


@contextlib.contextmanager
def served_app(database_url: str, timeout: float = 120) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with this database (and a geo cache of its own),
    stopped on exit; yields the base URL."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="observatoire-bench-geo-") as geo:
        env = {**os.environ, "OBSERVATOIRE_DATABASE_URL": database_url, "OBSERVATOIRE_GEO_CACHE": geo}
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address", "127.0.0.1"]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            start = time.perf_counter()
            while not healthy(port):
                if process.poll() is not None or time.perf_counter() - start > timeout:
                    raise RuntimeError(f"streamlit run did not serve the app (exit {process.returncode})")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@contextlib.contextmanager
def served_folder(folder: Path) -> Iterator[str]:
    """A local static HTTP server for ``folder`` (the paint floor's pages); yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def floor_page(figures: list[dict[str, Any]]) -> str:
    """The static page drawing ``figures`` (as ``BrowserBench.figures`` captures them)."""
    divs = "\n".join(f'<div id="p{i}" style="width:{f["width"]}px;height:{f["height"]}px"></div>' for i, f in enumerate(figures))
    # inlined in a <script>: no « </ » may close it early
    data = json.dumps([{k: f[k] for k in ("data", "layout", "config")} for f in figures], ensure_ascii=False).replace("</", "<\\/")
    return _FLOOR_PAGE.replace("__DIVS__", divs).replace("__FIGURES__", data)


def plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _hook() -> str:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return _HOOK.replace("__FIELD__", str(ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].number))


def _page_path(script: str) -> str:
    """The URL path of a page script (« » for the home page)."""
    info = next(i for i in PAGES if i.script == script)
    return "" if info.page == HOME_PAGE else info.page.value


def _link(path: str) -> str:
    return f'[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"][href="{path}"]'


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else 0.0


class _Session:
    """One browser tab on the app: its websocket bytes, and measures in the page's clock."""

    def __init__(self, context: Any, url: str) -> None:
        self.page = context.new_page()
        self.received: list[int] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: self.received.append(len(payload))))
        self.page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        self.opened = self.page.evaluate("([q, t]) => window.__bench.measure(null, q, t)", [QUIET_MS, TIMEOUT_MS])

    def click(self, path: str) -> tuple[dict[str, float], int]:
        self.received.clear()
        measured = self.page.evaluate("([s, q, t]) => window.__bench.measure(s, q, t)", [_link(path), QUIET_MS, TIMEOUT_MS])
        if urlparse(self.page.url).path.strip("/") != path:
            raise RuntimeError(f"the click on /{path} showed {self.page.url}")
        return measured, sum(self.received)

    def figures(self) -> list[dict[str, Any]]:
        return list(json.loads(self.page.evaluate("() => window.__bench.figures()")))

    def close(self) -> None:
        self.page.close()


def measure_browser(
    database_url: str,
    clicks: int = 10,
    opens: int = 5,
    views: list[tuple[str, dict[str, str]]] | None = None,
    say: Callable[[str], None] = lambda message: None,
) -> BrowserRun:
    """Serve the app on ``database_url`` (use a copy: sessions may write) and measure every view
    (``clicks`` warm clicks, ``opens`` URL openings and floor drawings each)."""
    from playwright.sync_api import sync_playwright

    views = VIEWS if views is None else views
    with served_app(database_url) as base, tempfile.TemporaryDirectory(prefix="observatoire-bench-floor-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(plotly_js(), folder / "plotly.min.js")
        with served_folder(folder) as floor_base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            outside: list[str] = []
            try:
                context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
                context.add_init_script(_hook())
                own = (base, floor_base, "data:", "blob:", "about:")
                context.on("request", lambda request: None if request.url.startswith(own) else outside.append(request.url))
                load = os.getloadavg()[0]
                run = _measure_views(context, base, floor_base, folder, views, clicks, opens, say)
                run.load_average = [round(load, 2), round(os.getloadavg()[0], 2)]
                run.outside_requests = sorted(set(outside))
                run.chromium = browser.version
                return run
            finally:
                browser.close()


def _url(base: str, path: str, params: dict[str, str]) -> str:
    return f"{base}/{path}" + ("?" + urlencode(params) if params else "")


def _measure_views(
    context: Any,
    base: str,
    floor_base: str,
    folder: Path,
    views: list[tuple[str, dict[str, str]]],
    clicks: int,
    opens: int,
    say: Callable[[str], None],
) -> BrowserRun:
    click_samples: dict[int, list[tuple[dict[str, float], int]]] = {i: [] for i in range(len(views))}
    figures: dict[int, list[dict[str, Any]]] = {}
    plain = [i for i, (_, params) in enumerate(views) if not params]
    heavy = [i for i, (_, params) in enumerate(views) if params]
    paths = [_page_path(script) for script, _ in views]

    say(f"navigateur : {len(plain)} pages, clic sur chaque lien tour à tour (1 tour de mise en train + {clicks})")
    session = _Session(context, f"{base}/")
    for turn in range(clicks + 1):
        for i in plain:
            sample = session.click(paths[i])
            if turn:
                click_samples[i].append(sample)
            elif i not in figures:
                figures[i] = session.figures()
    session.close()

    for i in heavy:
        script, params = views[i]
        say(f"navigateur : {view_label(script, params)}, clics en alternance avec la vue d'ensemble")
        rest = "" if paths[i] else "tendances"
        session = _Session(context, _url(base, paths[i], params))
        for turn in range(clicks + 1):
            session.click(rest)
            sample = session.click(paths[i])
            shown = dict(parse_qsl(urlparse(session.page.url).query))
            if any(shown.get(k) != v for k, v in params.items()):
                raise RuntimeError(f"the click showed {session.page.url}, not the view {params}")
            if turn:
                click_samples[i].append(sample)
            else:
                figures[i] = session.figures()
        session.close()

    say(f"navigateur : adresse de chaque vue dans un nouvel onglet (×{opens}) et plancher d'affichage")
    results = []
    warm = _Session(context, f"{base}/")  # the browser's HTTP cache holds the app's scripts
    warm.close()
    for i, (script, params) in enumerate(views):
        url = _url(base, paths[i], params)
        opened = []
        for _ in range(opens):
            tab = _Session(context, url)
            opened.append(tab.opened)
            tab.close()
        floor, floor_navigation = _floor(context, floor_base, folder, i, figures.get(i, []), opens)
        samples = click_samples[i]
        results.append(
            BrowserResult(
                view=view_label(script, params),
                url=url.removeprefix(base),
                charts=len(figures.get(i, [])),
                click=Timing.of([m["painted"] / 1000 for m, _ in samples]),
                click_finished_ms=_median([m["finished"] for m, _ in samples]),
                click_bytes=round(statistics.median(b for _, b in samples)),
                open=Timing.of([m["painted"] / 1000 for m in opened]),
                open_finished_ms=_median([m["finished"] for m in opened]),
                figure_bytes=len(json.dumps([{k: f[k] for k in ("data", "layout")} for f in figures.get(i, [])])),
                floor=floor,
                floor_navigation=floor_navigation,
            )
        )
    return BrowserRun(results, [], "", clicks, opens)


def _floor(
    context: Any, floor_base: str, folder: Path, index: int, figures: list[dict[str, Any]], repeat: int
) -> tuple[Timing | None, Timing | None]:
    if not figures:
        return None, None
    name = f"plancher-{index}.html"
    (folder / name).write_text(floor_page(figures), encoding="utf-8")
    page = context.new_page()
    try:
        page.goto(f"{floor_base}/{name}")  # once for the HTTP cache
        page.evaluate("() => window.__floor")
        renders, navigations = [], []
        for _ in range(repeat):
            page.reload()
            measured = page.evaluate("() => window.__floor")
            renders.append(measured["render"] / 1000)
            navigations.append(measured["navigation"] / 1000)
    finally:
        page.close()
    return Timing.of(renders), Timing.of(navigations)
