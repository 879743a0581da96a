"""Plotly figures as PNG and SVG bytes, drawn on the server by kaleido in the system Chromium, offline.

One headless Chromium is started on the first export and kept for the life of the process (a warm
export of a chart takes about 0.2 s, a cold one 1.5 s); it is closed at exit. Every call is
thread-safe: Streamlit runs each session in its own thread, and they all share that browser.

Why not ``kaleido.start_sync_server()``: its calls share one return queue without a lock (two
threads can receive each other's image), and when the browser cannot start its worker thread dies
while callers wait on ``Queue.join()`` forever. The small runner below drives the same public
``kaleido.Kaleido`` object on a private event loop, with a time limit on every call.

Offline: the page that draws the figures loads the plotly.js shipped with the ``plotly`` package
and no MathJax (its default is a CDN); maps must use a style without tiles (``geo.maps`` does).
The browser is ``$BROWSER_PATH`` when set, else ``/usr/bin/chromium``; nothing is ever downloaded.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import kaleido
import plotly.graph_objects as go

DEFAULT_BROWSER = "/usr/bin/chromium"
DEFAULT_WIDTH = 1920
DEFAULT_HEIGHT = 1080
MIN_PNG_WIDTH = 1920  # px: sharp on a full-HD projector and when a slide is enlarged
START_TIMEOUT = 60.0  # s, for a cold Chromium on a slow server
RENDER_TIMEOUT = 90.0  # s, one figure (the 521-commune map takes well under 2 s)

T = TypeVar("T")


class ExportError(RuntimeError):
    """A figure could not be drawn: the browser is missing, did not start or timed out."""


def browser_path() -> Path:
    """The Chromium used for exports: ``$BROWSER_PATH`` (kaleido's own variable) or ``/usr/bin/chromium``."""
    return Path(os.environ.get("BROWSER_PATH") or DEFAULT_BROWSER)


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
        browser = kaleido.Kaleido(path=str(path), mathjax=False, timeout=RENDER_TIMEOUT)
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
        result = self._run(self._kaleido.calc_fig(figure, opts=opts), RENDER_TIMEOUT + 5)
        return bytes(result)

    def close(self) -> None:
        if self._kaleido is not None:
            try:
                self._run(self._kaleido.close(), 15)
            except Exception:  # noqa: BLE001 - at exit, a browser that is already gone is fine
                pass
            self._kaleido = None
        self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


_lock = threading.Lock()
_renderer: _Renderer | None = None


def _shared_renderer() -> _Renderer:
    """The process's renderer, started on first use (only one thread starts it)."""
    global _renderer
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
            atexit.register(shutdown)
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
    return _shared_renderer().render(figure, opts)


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
    """The figure as UTF-8 SVG bytes (``<svg …``), laid out at ``width`` × ``height`` CSS pixels.

    Maps are drawn by WebGL: their SVG embeds the map as a raster image, the legend and titles stay vector.
    """
    return _render(figure, {"format": "svg", "width": width, "height": height})


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header (IHDR)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("ce ne sont pas des octets PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
