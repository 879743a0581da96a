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
import html
import os
import re
import textwrap
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import kaleido
import plotly.graph_objects as go
from kaleido.errors import JavascriptError, KaleidoError

from data_access.french import NNBSP
from data_access.vocabulary import DEMO_NOTICE
from figures.theme import set_layout
from geo.maps import TOPOJSON_URL

DEFAULT_BROWSER = "/usr/bin/chromium"
DEFAULT_WIDTH = 1920
DEFAULT_HEIGHT = 1080
MIN_PNG_WIDTH = 1920  # px: sharp on a full-HD projector and when a slide is enlarged
START_TIMEOUT = 60.0  # s, for a cold Chromium on a slow server
RENDER_TIMEOUT = 90.0  # s, one figure (the 521-commune map takes under 1 s warm, 3–4 s cold)
RELOAD_EVERY = 200  # figures drawn in one page before it is reloaded (0.2 s, paid by that figure)

# A downloaded chart (:func:`framed`) is laid out at 1 280 CSS px, the width of a laptop screen,
# and drawn at scale 1,5: a 1 920 px PNG whose 16 px labels come out 24 px, readable once the
# image is put in a report or a slide (laid out at 1 920 px they would be two thirds as large).
EXPORT_WIDTH = 1280
EXPORT_HEIGHT = 720  # at least: a taller figure (small multiples) keeps its own height
EXPORT_SCALE = MIN_PNG_WIDTH / EXPORT_WIDTH
FRAME_PAD = 16  # px between the image's edge and the frame's texts
FRAME_TITLE_SIZE = 24
FRAME_TEXT_SIZE = 17  # the filters line and the demo notice
FRAME_SOURCE_SIZE = 15
FRAME_TEXT_COLOUR = "#444444"
FRAME_DEMO_COLOUR = "#A63F00"  # the slides' demo badge colour
FRAME_LINE = 1.3  # line height, in font sizes
CHARACTER_WIDTH = 0.6  # average width of a character of the sans-serif stack, in font sizes
BOLD_WIDTH = 1.1  # a bold character is about a tenth wider
CAP_SHIFT = 0.7  # Plotly's shift of a text hung from its top, in font sizes

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


def framed(
    figure: go.Figure,
    *,
    title: str,
    filters: str,
    source: str,
    demo: bool,
    width: int = EXPORT_WIDTH,
    min_height: int = EXPORT_HEIGHT,
) -> go.Figure:
    """A copy of ``figure`` that carries its context drawn inside it, for a PNG or SVG download.

    At the top, from the image's left edge: ``title`` in bold, ``filters`` (the view's period and
    territory in words) and, when ``demo``, « Données fictives de démonstration » in the slides'
    orange. At the bottom, right-aligned on the plot's right edge: ``source`` (« Source : … · Mise
    à jour : … »). The figure's own title (a map's) is replaced; its subtitle (the département's
    value) joins the filters line. The margins grow by the room these texts take and a legend
    along the bottom edge moves up by the footer's height, so nothing overlaps the plot, its axes
    or its legend. ``figure`` itself is not modified.

    Parameters
    ----------
    figure
        A figure of ``figures/`` or ``geo/`` (its margins, axes, legend and height are read).
    title, filters, source
        French texts, drawn as written (Plotly's markup characters are escaped), wrapped to the
        width; an empty ``filters`` or ``source`` is left out.
    demo
        The chart plots demonstration data.
    width, min_height
        The layout size of the export in CSS px: the copy is ``width`` wide and at least
        ``min_height`` high, higher when the figure's own height and the frame need it. Its
        ``layout.width`` and ``height`` are set: draw it at that size (:func:`framed_png`).

    Returns
    -------
    go.Figure
        The framed copy: the title block is its layout title (title and subtitle), the source
        the annotation named « cadre-source ».

    Examples
    --------
    >>> figure = go.Figure(go.Bar(x=["2021", "2022"], y=[1529, 1480]))
    >>> copy = framed(figure, title="Assignations", filters="Isère · 2021–2022", source="Source : Préfecture", demo=True)
    >>> copy.layout.title.text, copy.layout.width
    ('<b>Assignations</b>', 1280)
    >>> figure.layout.title.text is None
    True
    """
    copy = go.Figure(figure)
    own = copy.layout
    own_title = _plain(own.title.text or "")
    lines = [line for line in (filters.strip(), _plain(own.title.subtitle.text or "")) if line]
    if own_title and _words(own_title) != _words(title):  # a projected map's title is the département's value
        lines.append(own_title)
    # the figure's own top margin holds what it draws above its plot (events, a verdict), unless it
    # is the room of its own title, replaced here
    top = FRAME_PAD if own_title else (own.margin.t if own.margin.t is not None else 16)
    title_lines = _lines(title, width, FRAME_TITLE_SIZE * BOLD_WIDTH)
    subtitle = [_escaped(part) for line in lines for part in _lines(line, width, FRAME_TEXT_SIZE)]
    if demo:
        subtitle.append(f"<b><span style='color:{FRAME_DEMO_COLOUR}'>⚠ {DEMO_NOTICE}</span></b>")
    head = round(FRAME_PAD + FRAME_LINE * (FRAME_TITLE_SIZE * len(title_lines) + FRAME_TEXT_SIZE * len(subtitle)) + 2 * FRAME_PAD)
    source_lines = _lines(source, width, FRAME_SOURCE_SIZE) if source.strip() else []
    foot = round(FRAME_LINE * FRAME_SOURCE_SIZE * len(source_lines) + 2 * FRAME_PAD) if source_lines else FRAME_PAD
    height = max(min_height, (own.height or 480) + head + foot)
    bottom_legend = own.legend.yref == "container" and (own.legend.y or 0) < 0.5  # drawn or not: moving it is harmless
    updates: dict[str, Any] = {
        "width": width,
        "height": height,
        # Plotly pushes a margin only up to what the x axes need (the margin is the larger of the
        # two, not their sum): the footer gets room of its own below the axes' labels; a legend
        # along the bottom edge reserves its own room, so it moves up by the footer's height
        "margin": {"t": top + head, "b": foot + max(own.margin.b or 0, _bottom_axis_depth(copy))},
        # the layout title, anchored to the image (« container »), is the one text Plotly places
        # from the image's left edge whatever the axes' labels take: the title block uses it
        "title": {
            "text": "<br>".join(f"<b>{_escaped(line)}</b>" for line in title_lines),
            "font": {"size": FRAME_TITLE_SIZE},
            "subtitle": {"text": "<br>".join(subtitle) or None, "font": {"size": FRAME_TEXT_SIZE, "color": FRAME_TEXT_COLOUR}},
            "xref": "container",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            # a one-line title hangs from ``y`` (cap height shift); the lines of a longer one are
            # placed from their first baseline (Plotly 6): lowered by the cap height to match
            "y": 1 - (FRAME_PAD + (CAP_SHIFT * FRAME_TITLE_SIZE if len(title_lines) > 1 else 0)) / height,
            "yanchor": "top",
            "pad": {"l": FRAME_PAD, "t": 0, "b": 0, "r": 0},
            "automargin": False,
        },
    }
    if bottom_legend:
        updates["legend"] = {"y": (own.legend.y or 0) + foot / height}
    set_layout(copy, updates)
    if source_lines:
        # an annotation is placed from the plot area: the footer hangs from the plot's top edge
        # (``top + head`` px below the image's top: nothing pushes the top margin of these figures)
        # down to the band kept free at the bottom
        copy.add_annotation(
            name="cadre-source",
            text="<br>".join(_escaped(line) for line in source_lines),
            xref="paper",
            yref="paper",
            x=1,
            y=1,
            xanchor="right",
            yanchor="top",
            yshift=-(height - foot + FRAME_PAD - (top + head)),
            align="right",
            showarrow=False,
            font={"size": FRAME_SOURCE_SIZE, "color": FRAME_TEXT_COLOUR},
        )
    return copy


def framed_png(figure: go.Figure, *, title: str, filters: str, source: str, demo: bool) -> bytes:
    """:func:`framed` as a PNG 1 920 px wide (laid out at 1 280 px, drawn at scale 1,5)."""
    copy = framed(figure, title=title, filters=filters, source=source, demo=demo)
    return figure_png(copy, width=copy.layout.width, height=copy.layout.height, scale=EXPORT_SCALE)


def framed_svg(figure: go.Figure, *, title: str, filters: str, source: str, demo: bool) -> bytes:
    """:func:`framed` as SVG laid out at 1 280 px wide; its texts stay text (searchable, selectable)."""
    copy = framed(figure, title=title, filters=filters, source=source, demo=demo)
    return figure_svg(copy, width=copy.layout.width, height=copy.layout.height)


def _bottom_axis_depth(figure: go.Figure) -> int:
    """About how many px the x axes' tick labels and titles take below the plot (0 without visible x axis)."""
    depth = 0
    for key, axis in figure.layout.to_plotly_json().items():
        if not _X_AXIS.fullmatch(key) or axis.get("visible") is False or axis.get("side") == "top":
            continue
        font = FRAME_TEXT_SIZE if axis.get("showticklabels", True) else 0
        ticks = (axis.get("tickfont") or {}).get("size") or font
        title = axis.get("title") or {}
        text = title.get("text") if isinstance(title, dict) else None
        size = (title.get("font") or {}).get("size", FRAME_TEXT_SIZE) if isinstance(title, dict) else FRAME_TEXT_SIZE
        titled = FRAME_LINE * size * (1 + str(text).count("<br>")) + (title.get("standoff") or 12) if text else 0
        depth = max(depth, round(axis.get("ticklen", 5) + FRAME_LINE * ticks + titled + FRAME_PAD))
    return depth


def _lines(text: str, width: int, size: float) -> list[str]:
    """``text`` wrapped to the lines that fit ``width`` px at font ``size``, never inside a number (« 1 000 »)."""
    characters = max(20, int((width - 2 * FRAME_PAD) / (size * CHARACTER_WIDTH)))
    glued = _THOUSANDS.sub(f"\\1{NNBSP}\\2", " ".join(text.split()))
    return textwrap.wrap(glued, characters, break_long_words=False, break_on_hyphens=False) or [glued]


def _escaped(text: str) -> str:
    """Text Plotly draws as written: its markup (``<b>``, ``&amp;``) escaped."""
    return html.escape(text, quote=False)


def _plain(markup: str) -> str:
    """A figure's title markup as text: line breaks as spaces, tags removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", " ", markup))).strip()


def _words(text: str) -> str:
    return " ".join(text.replace(NNBSP, " ").replace("\u00a0", " ").split())


_THOUSANDS = re.compile(r"(\d) (\d{3})\b")
_X_AXIS = re.compile(r"xaxis\d*")


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
