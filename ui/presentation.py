"""Presentation mode (``?presentation=1``): the projection layout for CCAPEX meetings.

Sidebar and Streamlit chrome hidden, larger type, high contrast, the applied filters written at the
top of the screen, and one main figure per screen (``ui.render`` draws only the main chart).
"""

from __future__ import annotations

import streamlit as st

from data_access.vocabulary import LEVEL_SINGULAR
from views.params import ViewParams

# Streamlit's own elements, hidden or enlarged for a projector; selectors are Streamlit's test ids
PROJECTION_CSS = """
<style>
[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], [data-testid='stHeader'],
[data-testid='stToolbar'], [data-testid='stDecoration'], [data-testid='stStatusWidget'] {display: none !important;}
[data-testid='stMainBlockContainer'] {padding: 1rem 2.5rem 0.5rem 2.5rem; max-width: 100%;}
html, body, [data-testid='stMarkdownContainer'] p, [data-testid='stCaptionContainer'] {font-size: 22px; color: #000;}
h1 {font-size: 2.6rem !important; padding: 0 !important;}
h2, h3 {font-size: 2.1rem !important; color: #000;}
[data-testid='stMetricValue'] [data-testid='stMarkdownContainer'] p {font-size: 4.5rem !important; font-weight: 700; line-height: 1.1;}
[data-testid='stMetricLabel'] [data-testid='stMarkdownContainer'] p {font-size: 1.6rem !important; white-space: normal;}
[data-testid='stMetric'] .stMarkdownEllipsis {overflow: visible; white-space: normal;}
[data-testid='stMain'] [data-testid='stVerticalBlock'] {gap: 0.6rem;}
/* a slide is its chart: the page's title and own options (widgets keyed « p_… ») are not shown */
[data-testid='stMain'] h1, [class*='st-key-p_'] {display: none !important;}
/* hidden or zero-height elements still cost a flex gap each: the page title's box, the séance's keyboard frame */
[data-testid='stMain'] [data-testid='stElementContainer']:has(h1),
[data-testid='stMain'] [data-testid='stElementContainer'][height='0px']:has(> iframe) {display: none !important;}
/* a 720-line projector: smaller type and tighter spacing, so that the chart keeps its room */
@media (max-height: 800px) {
  html, body, [data-testid='stMarkdownContainer'] p, [data-testid='stCaptionContainer'] {font-size: 18px;}
  [data-testid='stMainBlockContainer'] {padding-top: 0.5rem;}
  [data-testid='stMain'] [data-testid='stVerticalBlock'] {gap: 0.4rem;}
  [data-testid='stMain'] [data-testid='stButton'] button {min-height: 2.2rem; padding-top: 0.1rem; padding-bottom: 0.1rem;}
}
[data-testid='stHorizontalBlock']:has([class*='st-key-p_']) {display: none !important;}
</style>
"""


def apply(view: ViewParams) -> None:
    """In presentation mode, restyle the page and write the applied filters on the slide."""
    if not view.presentation:
        return
    st.html(PROJECTION_CSS)
    place = view.territory_name if view.is_departement else f"{view.territory_name} ({LEVEL_SINGULAR[view.level]})"
    left, right = st.columns([5, 2], vertical_alignment="center")
    left.caption(f"{view.plan_name} · {place} · {view.period.label()}")
    if right.button("Quitter la présentation", key="leave-presentation", width="stretch"):
        st.session_state["f_presentation"] = False
        st.rerun()
