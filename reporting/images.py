"""Plotly figures as PNG and SVG bytes, drawn on the server by kaleido in the system Chromium, offline.

One headless Chromium is started on the first export and kept for the life of the process, and
closed at exit. Measured on a shared, busy two-core server once warm: a chart takes 0.07–0.14 s
and the 521-commune map of Isère 0.3–0.6 s (cold: 3–3.6 s, the browser starting). Every call is
thread-safe: Streamlit runs each session in its own thread, and they all share that browser.

What makes warm exports fast (issue #8): kaleido reloads its page, and with it the 4.6 MB
plotly.js, after every figure: 0.2 s of a 0.27 s chart. ``Plotly.toImage`` draws each figure in a
div of its own and purges it, so the page is kept and reloaded only every ``RELOAD_EVERY``
figures, which bounds whatever figures leave behind (a few kB of heap each; a failed figure its
div). Maps are the screen's own figures (``geo.maps``: SVG, no WebGL), exported as they are.

Why not ``kaleido.start_sync_server()``: its calls share one return queue without a lock (two
threads can receive each other's image), and when the browser cannot start its worker thread dies
while callers wait on ``Queue.join()`` forever. The small runner below drives one
``kaleido.Kaleido`` on a private event loop, with a time limit on every call.

Offline: the page that draws the figures loads the plotly.js shipped with the ``plotly`` package
and no MathJax (its default is a CDN); maps get the empty world topology of ``geo.maps.TOPOJSON_URL``
(a ``data:`` URL) instead of Plotly's CDN, as on screen. The browser is ``$BROWSER_PATH`` when set,
else ``/usr/bin/chromium``; nothing is ever downloaded.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import kaleido
import plotly.graph_objects as go
from kaleido.errors import JavascriptError, KaleidoError

from geo.maps import TOPOJSON_URL

DEFAULT_BROWSER = "/usr/bin/chromium"
DEFAULT_WIDTH = 1920
DEFAULT_HEIGHT = 1080
MIN_PNG_WIDTH = 1920  # px: sharp on a full-HD projector and when a slide is enlarged
START_TIMEOUT = 60.0  # s, for a cold Chromium on a slow server
RENDER_TIMEOUT = 90.0  # s, one figure (the 521-commune map takes under 1 s warm, 3–4 s cold)
RELOAD_EVERY = 200  # figures drawn in one page before it is reloaded (0.2 s, paid by that figure)

T = TypeVar("T")


class ExportError(RuntimeError):
    """A figure could not be drawn: the browser is missing, did not start or timed out."""


def browser_path() -> Path:
    """The Chromium used for exports: ``$BROWSER_PATH`` (kaleido's own variable) or ``/usr/bin/chromium``."""
    return Path(os.environ.get("BROWSER_PATH") or DEFAULT_BROWSER)


class _PageKeepingKaleido(kaleido.Kaleido):
    """A ``kaleido.Kaleido`` that reloads its page every ``RELOAD_EVERY`` figures, not after each one.

    ``_return_kaleido_tab`` is the hook kaleido calls once a figure is drawn (kaleido 1.5, pinned;
    a test checks that the hook still exists).
    """

    figures_drawn = 0  # only touched on the renderer's event loop

    async def _return_kaleido_tab(self, tab: Any) -> None:
        self.figures_drawn += 1
        if self.figures_drawn % RELOAD_EVERY == 0:
            await super()._return_kaleido_tab(tab)
        else:
            await self.tabs_ready.put(tab)


class _Renderer:
    """One ``kaleido.Kaleido`` (one Chromium, one tab) on an event loop in a daemon thread."""

    def __init__(self, path: Path) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-export", daemon=True)
        self._thread.start()
        self._kaleido: kaleido.Kaleido | None = None
        try:
            self._kaleido = self._run(self._open(path), START_TIMEOUT)
        except BaseException:
            self._stop_loop()
            raise

    async def _open(self, path: Path) -> kaleido.Kaleido:
        # built inside the loop: choreographer binds the browser to the running loop
        browser = _PageKeepingKaleido(path=str(path), mathjax=False, timeout=RENDER_TIMEOUT)
        await browser.open()
        return browser

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError as error:
            future.cancel()
            raise ExportError(f"Chromium n'a pas répondu en {timeout:.0f} s ({browser_path()}).") from error

    def render(self, figure: go.Figure, opts: dict[str, Any]) -> bytes:
        assert self._kaleido is not None
        result = self._run(self._kaleido.calc_fig(figure, opts=opts, topojson=TOPOJSON_URL), RENDER_TIMEOUT + 5)
        return bytes(result)

    def close(self) -> None:
        if self._kaleido is not None:
            with contextlib.suppress(Exception):  # at exit, a browser that is already gone is fine
                self._run(self._kaleido.close(), 15)
            self._kaleido = None
        self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


_lock = threading.Lock()
_renderer: _Renderer | None = None
_closed_at_exit = False


def _shared_renderer() -> _Renderer:
    """The process's renderer, started on first use (only one thread starts it)."""
    global _renderer, _closed_at_exit
    with _lock:
        if _renderer is None:
            path = browser_path()
            if not path.is_file():
                raise ExportError(
                    f"Chromium est introuvable à « {path} » : installez le paquet chromium ou indiquez son chemin dans BROWSER_PATH."
                )
            try:
                _renderer = _Renderer(path)
            except ExportError:
                raise
            except Exception as error:
                raise ExportError(f"Chromium ({path}) n'a pas pu démarrer : {error}") from error
            if not _closed_at_exit:
                atexit.register(shutdown)
                _closed_at_exit = True
        return _renderer


def shutdown() -> None:
    """Close the shared browser (registered with ``atexit``; the next export starts a new one)."""
    global _renderer
    with _lock:
        renderer, _renderer = _renderer, None
    if renderer is not None:
        renderer.close()


def is_running() -> bool:
    """Whether the shared browser is started (the next export will be warm)."""
    return _renderer is not None


def _render(figure: go.Figure, opts: dict[str, Any]) -> bytes:
    if not isinstance(figure, go.Figure):
        raise TypeError(f"figure : un plotly.graph_objects.Figure était attendu, reçu {type(figure).__name__}")
    renderer = _shared_renderer()
    try:
        return renderer.render(figure, opts)
    except (JavascriptError, KaleidoError) as error:  # the figure itself could not be drawn: the browser is fine
        raise ExportError(f"La figure n'a pas pu être dessinée : {error}") from error
    except Exception as error:
        # a browser that timed out, crashed or closed its pipe is of no further use: the next
        # export starts a new one rather than failing until the process restarts
        _discard(renderer)
        if isinstance(error, ExportError):
            raise
        raise ExportError(f"Chromium ({browser_path()}) a cessé de répondre : {error}") from error


def _discard(renderer: _Renderer) -> None:
    global _renderer
    with _lock:
        if _renderer is renderer:
            _renderer = None
    renderer.close()


def figure_png(figure: go.Figure, *, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT, scale: float = 1) -> bytes:
    """The figure as a PNG of ``width * scale`` × ``height * scale`` pixels.

    Parameters
    ----------
    figure
        Any Plotly figure; its own ``layout.width`` and ``height`` are overridden.
    width, height
        The layout size in CSS pixels: the size at which Plotly lays out the figure, so its text
        sizes are relative to it. For a slide, a smaller layout size with ``scale=2`` gives larger
        text at the same resolution (960 × 540 at scale 2 is a 1920 × 1080 PNG).
    scale
        Pixel density; the PNG must be at least ``MIN_PNG_WIDTH`` (1 920) pixels wide.

    Raises
    ------
    ValueError
        ``width * scale`` is below 1 920 pixels.
    ExportError
        Chromium is missing, did not start, or did not draw the figure in time.

    Examples
    --------
    >>> png = figure_png(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])))  # doctest: +SKIP
    >>> int.from_bytes(png[16:20], "big")  # doctest: +SKIP
    1920
    """
    if width * scale < MIN_PNG_WIDTH:
        raise ValueError(f"PNG trop étroit : {width} × {scale} = {width * scale:g} px, il en faut au moins {MIN_PNG_WIDTH}")
    return _render(figure, {"format": "png", "width": width, "height": height, "scale": scale})


def figure_svg(figure: go.Figure, *, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    """The figure as UTF-8 SVG bytes (``<svg …``), laid out at ``width`` × ``height`` CSS pixels;
    maps are vector throughout (each territory a path)."""
    return _render(figure, {"format": "svg", "width": width, "height": height})


def figure_pdf(figure: go.Figure, *, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> bytes:
    """The figure as a one-page vector PDF (``%PDF…``) of ``width`` × ``height`` CSS pixels, printed
    by the same Chromium (a map's territories stay paths)."""
    return _render(figure, {"format": "pdf", "width": width, "height": height})


def refit_map(figure: go.Figure, height: int) -> go.Figure:
    """``figure`` itself: maps fit their box at any size (``fitbounds``), as charts reflow.

    Kept for the callers that refitted the MapLibre maps' zoom to a new height (``reporting.slides``).
    """
    return figure


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header (IHDR)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("ce ne sont pas des octets PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
