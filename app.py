"""Observatoire PDALHPD : point d'entrée (configuration, filtres partagés, navigation).

Streamlit's script runner runs this file as ``__main__`` on every run of every session.
``streamlit run app.py`` first imports it once as a module and, finding ``app`` (``st.App``),
serves that ASGI app: Streamlit behind the upload gate (``ui/upload_gate.py``) and the home page's
alias (``ui/home_alias.py``: ``/vue_ensemble`` leads to ``/``).
"""

import streamlit as st
from starlette.middleware import Middleware

from ui import home_alias, upload_gate, warmup


def main() -> None:
    # imported here, on a run: their caches need Streamlit's runtime, which the import by
    # `streamlit run` precedes (the modules are imported once per process all the same)
    from data_access.logs import configure_logging
    from data_access.vocabulary import HOME_PAGE, PAGES, SEANCE_PAGES, Page
    from ui import accessibility, auth, boundary, cache, filters, presentation, seance_nav

    accessibility.page_config()  # local favicon, wide layout; the page's own title once it is known
    configure_logging()
    upload_gate.admit(auth.data_manager())  # Streamlit's upload endpoint: data managers only
    pages: dict[str, list[st.Page]] = {}
    for info in PAGES:
        page = st.Page(info.script, title=info.title, icon=info.icon, url_path=info.page.value, default=info.page == HOME_PAGE)
        pages.setdefault(info.section.value, []).append(page)
    # no exception text reaches a user: a French message, its reference, the traceback in the server log
    with boundary.guard():
        # less empty space above the title: more of each chart above the fold on a projected screen
        st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
        # Streamlit's menu is replaced by the app's own (accessible lists, see ui/accessibility.py)
        navigation = st.navigation(pages, position="hidden")
        current = navigation.url_path or HOME_PAGE.value
        accessibility.page_config(Page(current))
        accessibility.apply()
        accessibility.navigation(pages)
        boundary.require_database()  # unreachable, or no plan loaded: say what to run, then st.stop()
        cache.follow_data_changes()
        view = filters.sidebar()
        presentation.apply(view)
        seance_nav.presenter_bar()
        if current in SEANCE_PAGES:
            seance_nav.add_current_view(view.plan, current, auth.data_manager())
        navigation.run()


if __name__ == "__main__":
    main()
else:
    # lifespan: once the runtime has started, the default views are built in the background (ui/warmup.py)
    app = st.App(__file__, middleware=[Middleware(upload_gate.UploadGate), Middleware(home_alias.HomeAlias)], lifespan=warmup.lifespan)
