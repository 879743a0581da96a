"""Observatoire PDALHPD : point d'entrée (configuration, filtres partagés, navigation)."""

import streamlit as st

from ui import auth, cache, filters, frame, presentation, seance_nav

st.set_page_config(page_title="Observatoire PDALHPD", page_icon=":material/home:", layout="wide")

pages = {
    "Tableau de bord": [
        st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", icon=":material/dashboard:", default=True),
        st.Page("pages/tendances.py", title="Tendances", icon=":material/show_chart:"),
        st.Page("pages/comparer.py", title="Comparer les territoires", icon=":material/map:"),
    ],
    "Thématiques": [
        st.Page("pages/expulsions.py", title="Procédure d'expulsion", icon=":material/gavel:"),
        st.Page("pages/fsl.py", title="Aides FSL", icon=":material/euro:"),
        st.Page("pages/mal_logement.py", title="Mal-logement", icon=":material/house_siding:"),
    ],
    "Le plan": [
        st.Page("pages/plan_action.py", title="Plan d'action", icon=":material/checklist:"),
        st.Page("pages/donnees_methodes.py", title="Données et méthodes", icon=":material/menu_book:"),
    ],
    "Réunions et données": [
        st.Page("pages/seances.py", title="Séances", icon=":material/slideshow:"),
        st.Page("pages/import_donnees.py", title="Importer des données", icon=":material/upload_file:"),
    ],
}
# less empty space above the title: more of each chart above the fold on a projected screen
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
cache.follow_data_changes()
navigation = st.navigation(pages)
view = filters.sidebar()
frame.start_run()
presentation.apply(view)
seance_nav.presenter_bar()
page = navigation.url_path or "vue_ensemble"
if page not in ("import_donnees", "seances"):
    seance_nav.add_current_view(view.plan, page, auth.data_manager())
navigation.run()
