"""Séances in the app: the presenter bar (« précédent / suivant », keyboard, auto-advance) and
« ajouter à la séance » for data managers.

A séance view opens with ``?seance=<id>&vue=<position>`` plus the view's own parameters and
``presentation=1``; moving to another view switches page with that view's parameters.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from data_access import seances
from data_access.errors import UserError
from ui import cache, slide

SEANCE_KEYS = ("seance", "vue", "presentation", slide.FIGURE_PARAM)
ID = re.compile(r"[0-9]{1,9}")
PAGE_WIDGET_PREFIX = "p_"  # the keys of the pages' own widgets
# A presentation clicker sends Page Down / Page Up; a keyboard has the arrows. The buttons are found
# by their labels in the app's document (the component runs in a same-origin iframe).
KEYBOARD_JS = """
<script>
const doc = window.parent.document;
const click = (label) => {
  const button = [...doc.querySelectorAll('button')].find(b => b.innerText.includes(label));
  if (button) { button.click(); }
};
if (!doc.__seanceKeys) {
  doc.__seanceKeys = true;
  doc.addEventListener('keydown', (event) => {
    const tag = (event.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea') { return; }
    const label = {ArrowRight: 'Suivant', PageDown: 'Suivant', ArrowLeft: 'Précédent', PageUp: 'Précédent'}[event.key];
    if (label) { event.preventDefault(); click(label); }
  });
}
const delay = DELAY;
if (delay > 0) { setTimeout(() => click('Suivant'), delay * 1000); }
</script>
"""


def view_params() -> dict[str, str]:
    """The current view's URL parameters, without the séance and presentation ones."""
    return {key: value for key, value in st.query_params.to_dict().items() if key not in SEANCE_KEYS}


def go_to(seance_id: int, views: pd.DataFrame, position: int) -> None:
    """Open view ``position`` of the séance in presentation mode (wrapping around at the ends)."""
    row = views.iloc[position % len(views)]
    st.session_state["_filters_ready"] = False  # the filters are read again from the view's URL
    for key in [k for k in st.session_state if str(k).startswith(PAGE_WIDGET_PREFIX)]:
        del st.session_state[key]  # and so are the page's own options (two views of one page in a row)
    params = {**row["params"], "seance": str(seance_id), "vue": str(position % len(views)), "presentation": "1"}
    st.switch_page(f"pages/{row['page']}.py", query_params=params)


def presenter_bar() -> None:
    """When a séance is being presented: its name, « Vue i / n », the buttons and the keyboard."""
    raw_id, raw_position = st.query_params.get("seance"), st.query_params.get("vue", "0")
    if raw_id is None:
        return
    try:
        if not (ID.fullmatch(raw_id) and ID.fullmatch(raw_position)):  # « ٣ », 23 digits: no database integer
            raise ValueError(raw_id)
        seance_id, position = int(raw_id), int(raw_position)
        views = cache.seance_views(seance_id)
    except (ValueError, UserError):
        st.warning("Séance introuvable : la vue est affichée seule.")
        return
    if views.empty:
        st.info("Cette séance n'a encore aucune vue.")
        return
    position = min(max(position, 0), len(views) - 1)
    # a view with several charts is several slides: « Suivant » shows its next chart first (the
    # count is the one this view's slide stored when it was drawn, before the click)
    figures = int(st.session_state.get(slide.FIGURE_COUNT_KEY, 1) or 1)
    number = slide.figure_number(figures)
    previous, label, following, auto = st.columns([2, 6, 2, 3], vertical_alignment="center")
    if previous.button("◀ Précédent", key="seance-previous", width="stretch"):
        if number > 1:
            _show_figure(number - 1)
        go_to(seance_id, views, position - 1)
    part = f" (graphique {number} / {figures})" if figures > 1 else ""
    label.markdown(f"**Vue {position + 1} / {len(views)}**{part} — {views.iloc[position]['title']}")
    if following.button("Suivant ▶", key="seance-next", width="stretch"):
        if number < figures:
            _show_figure(number + 1)
        go_to(seance_id, views, position + 1)
    seconds = 30 if auto.toggle("Défilement auto. (30 s)", key="seance-auto") else 0
    components.html(KEYBOARD_JS.replace("DELAY", str(seconds)), height=0)


def _show_figure(number: int) -> None:
    st.query_params[slide.FIGURE_PARAM] = str(number)
    st.rerun()


def add_current_view(plan: str, page: str, user: str | None) -> None:
    """Sidebar form « Ajouter à la séance » (data managers only): the current view, with a title."""
    if user is None:
        return
    with st.sidebar.expander("Ajouter à la séance"):
        existing = cache.seances(plan)
        names = dict(zip(existing["id"], existing["name"], strict=True))
        choice = st.selectbox("Séance", [*names, 0], format_func=lambda i: names.get(i, "Nouvelle séance…"), key="seance-choice")
        new_name = st.text_input("Nom de la nouvelle séance", key="seance-new") if choice == 0 else None
        title = st.text_input("Titre de la vue", key="seance-title")
        if st.button("Ajouter la vue actuelle", key="seance-add", disabled=not title):
            try:
                with cache.engine().begin() as conn:
                    seance_id = choice or seances.create_seance(conn, plan=plan, name=new_name or "", user=user)
                    seances.add_view(conn, seance_id=seance_id, page=page, params=view_params(), title=title, user=user)
            except UserError as error:
                st.error(str(error))
            else:
                cache.clear()
                st.success("Vue ajoutée à la séance.")
