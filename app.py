"""Observatoire PDALHPD : point d'entrée (configuration, filtres partagés, navigation)."""

import streamlit as st

from data_access.vocabulary import HOME_PAGE, PAGES, SEANCE_PAGES
from ui import auth, cache, filters, frame, presentation, seance_nav

st.set_page_config(page_title="Observatoire PDALHPD", page_icon=":material/home:", layout="wide")

pages: dict[str, list[st.Page]] = {}
for info in PAGES:
    page = st.Page(info.script, title=info.title, icon=info.icon, url_path=info.page.value, default=info.page == HOME_PAGE)
    pages.setdefault(info.section.value, []).append(page)
# less empty space above the title: more of each chart above the fold on a projected screen
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
cache.follow_data_changes()
navigation = st.navigation(pages)
view = filters.sidebar()
frame.start_run()
presentation.apply(view)
seance_nav.presenter_bar()
page = navigation.url_path or HOME_PAGE.value
if page in SEANCE_PAGES:
    seance_nav.add_current_view(view.plan, page, auth.data_manager())
navigation.run()
