"""The projection layout of a :class:`~views.model.View`: one figure per screen, sized to the screen.

A view with several charts (FSL: households, then amounts; Mal-logement: one chart per kind of
signalement) is a sequence of slides, one per chart: ``?figure=N`` (from 1) picks it, the séance's
« Suivant » steps through them before the next view, and outside a séance the slide has its own
buttons. The chart's height follows the screen (Plotly's responsive mode under a CSS height), so
that title, key figure, chart, source and demo banner fit 1920×1080 and 1280×720 alike.
"""

from __future__ import annotations

import re
from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from data_access.vocabulary import DEMO_NOTICE
from reporting.view_slides import slide_charts
from ui.accessibility import chart_label
from views.model import Chart, Scoreboard, View

FIGURE_PARAM = "figure"
FIGURE_COUNT_KEY = "_slide_figures"  # how many slides the view shown last had (read by the séance bar)
NUMBER = re.compile(r"[1-9][0-9]?")
# the chart fills what the screen leaves: filters line, séance bar, title and source line (two lines each at most), demo banner
SLIDE_CSS = """
<style>
.st-key-slide-figure [data-testid='stPlotlyChart'], .st-key-slide-figure .js-plotly-plot,
.st-key-slide-figure .plot-container, .st-key-slide-figure .svg-container {height: calc(100vh - 410px) !important; min-height: 260px;}
.st-key-slide-figure [data-testid='stElementContainer'], .st-key-slide-figure [data-testid='stFullScreenFrame'] {height: auto !important; min-height: 0 !important; flex: 0 0 auto !important;}
[data-testid='stMain'] h3 {font-size: clamp(1.6rem, 2.3vw, 2.1rem) !important;}
.st-key-slide-summary-figures [data-testid='stMetricValue'] [data-testid='stMarkdownContainer'] p {font-size: clamp(1.8rem, 2.6vw, 3.2rem) !important;}
.st-key-slide-figure-value [data-testid='stMetricValue'] [data-testid='stMarkdownContainer'] p {font-size: clamp(2.4rem, 4vw, 4.5rem) !important;}
.st-key-slide-demo p {font-size: 1.6rem !important; font-weight: 700; color: #000;}
.st-key-slide-demo {background: #FBE7C2; border-left: 0.6rem solid #E69F00; padding: 0.2rem 1rem;}
/* in a séance, its bar (« ◀ Précédent », the view's name, « Suivant ▶ ») takes a line of the screen */
.stApp:has(.st-key-seance-next) .st-key-slide-figure [data-testid='stPlotlyChart'], .stApp:has(.st-key-seance-next) .st-key-slide-figure .js-plotly-plot,
.stApp:has(.st-key-seance-next) .st-key-slide-figure .plot-container, .stApp:has(.st-key-seance-next) .st-key-slide-figure .svg-container {height: calc(100vh - 475px) !important;}
/* a 720-line projector: the text around the chart shrinks so that the chart keeps its room; the
   map's names shrink with it (its 13 territories at 20 px would overlap on a smaller map) */
@media (max-height: 800px) {
  [data-testid='stMain'] h3 {font-size: clamp(1.3rem, 2vw, 1.6rem) !important;}
  .st-key-slide-demo p {font-size: 1.3rem !important;}
  .st-key-slide-demo {padding: 0 0.8rem;}
  .st-key-slide-figure .geo .scattergeo text {font-size: 13px !important;}
  .st-key-slide-figure [data-testid='stPlotlyChart'], .st-key-slide-figure .js-plotly-plot,
  .st-key-slide-figure .plot-container, .st-key-slide-figure .svg-container {height: calc(100vh - 275px) !important; min-height: 0;}
  .stApp:has(.st-key-seance-next) .st-key-slide-figure [data-testid='stPlotlyChart'], .stApp:has(.st-key-seance-next) .st-key-slide-figure .js-plotly-plot,
  .stApp:has(.st-key-seance-next) .st-key-slide-figure .plot-container, .stApp:has(.st-key-seance-next) .st-key-slide-figure .svg-container {height: calc(100vh - 320px) !important;}
}
</style>
"""


def figure_number(count: int) -> int:
    """The slide asked for by ``?figure=`` (1-based), within 1…count (1 for anything else)."""
    raw = st.query_params.get(FIGURE_PARAM, "1")
    number = int(raw) if NUMBER.fullmatch(raw) else 1
    return min(max(number, 1), max(count, 1))


def draw(shown: View, *, in_seance: bool) -> None:
    """The slide of ``shown``: the chart ``?figure=`` picks, or the view's summary when it has none."""
    charts = slide_charts(shown)  # the séance's dossier has the same slides, in this order
    st.session_state[FIGURE_COUNT_KEY] = len(charts)
    st.html(SLIDE_CSS)
    if not charts:
        _summary(shown)
        return
    number = figure_number(len(charts))
    _chart(charts[number - 1], number, len(charts), buttons=len(charts) > 1 and not in_seance)


def _demo_banner() -> None:
    with st.container(key="slide-demo"):
        st.markdown(f"⚠ {DEMO_NOTICE}")


def _chart(main: Chart, number: int, count: int, *, buttons: bool) -> None:
    """The chart, its title, key figure and source line; ``buttons``: its own « graphique
    précédent / suivant » on the source line (outside a séance, whose bar steps through them)."""
    suffix = f" ({number}/{count})" if count > 1 else ""
    st.subheader(main.title + suffix, anchor=False)
    if main.demo:
        _demo_banner()
    if main.key_figure is not None:
        place, figure_column = st.columns([4, 1])
        with figure_column, st.container(key="slide-figure-value"):
            st.metric(main.key_figure.label, main.key_figure.value)
    else:
        place = st.container()
    assert main.figure is not None
    figure = go.Figure(main.figure)  # a copy: the cached view keeps its own height
    figure.update_layout(height=None, autosize=True)
    from ui.render import PLOTLY_CONFIG  # the same chart configuration as on screen

    with place, st.container(key="slide-figure"):
        st.plotly_chart(
            figure,
            theme=None,
            config={**PLOTLY_CONFIG, "responsive": True},
            key=f"fig-{main.key}",
            alt=chart_label(main.title, table=False),  # a slide has no « Voir les données » table
        )
    if not buttons:
        st.caption(f"Unité : {main.unit} · {main.source}")
        return
    source, previous, following = st.columns([4, 2, 2], vertical_alignment="center")
    source.caption(f"Unité : {main.unit} · {main.source}")
    if previous.button("◀ Graphique précédent", key="slide-previous", disabled=number == 1, width="stretch"):
        st.query_params[FIGURE_PARAM] = str(number - 1)
        st.rerun()
    if following.button("Graphique suivant ▶", key="slide-next", disabled=number == count, width="stretch"):
        st.query_params[FIGURE_PARAM] = str(number + 1)
        st.rerun()


def _summary(shown: View) -> None:
    """A view without chart (Vue d'ensemble, Plan d'action): its key figures, status and scoreboard."""
    if shown.demo:
        _demo_banner()
    if shown.key_figures:
        with st.container(key="slide-summary-figures"):
            for column, figure in zip(st.columns(len(shown.key_figures[:4])), shown.key_figures[:4], strict=True):
                column.metric(figure.label, figure.value)
    from ui.render import scoreboard

    for block in shown.blocks:
        if isinstance(block, Scoreboard):
            scoreboard(replace(block, caption=""))  # what the counts lead to is for the screen
    st.caption(shown.source)
