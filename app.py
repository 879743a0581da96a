"""Observatoire PDALHPD : point d'entrée (configuration, filtres partagés, navigation)."""

import streamlit as st

from data_access.logs import configure_logging
from data_access.vocabulary import HOME_PAGE, PAGES, SEANCE_PAGES
from ui import auth, boundary, cache, filters, presentation, seance_nav

st.set_page_config(page_title="Observatoire PDALHPD", page_icon=":material/home:", layout="wide")
configure_logging()

pages: dict[str, list[st.Page]] = {}
for info in PAGES:
    page = st.Page(info.script, title=info.title, icon=info.icon, url_path=info.page.value, default=info.page == HOME_PAGE)
    pages.setdefault(info.section.value, []).append(page)
# no exception text reaches a user: a French message, its reference, the traceback in the server log
with boundary.guard():
    # less empty space above the title: more of each chart above the fold on a projected screen
    st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
    navigation = st.navigation(pages)
    boundary.require_database()  # unreachable, or no plan loaded: say what to run, then st.stop()
    cache.follow_data_changes()
    view = filters.sidebar()
    presentation.apply(view)
    seance_nav.presenter_bar()
    current = navigation.url_path or HOME_PAGE.value
    if current in SEANCE_PAGES:
        seance_nav.add_current_view(view.plan, current, auth.data_manager())
    navigation.run()
