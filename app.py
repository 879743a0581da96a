"""Observatoire PDALHPD: entry point (page config, navigation)."""

import streamlit as st

st.set_page_config(page_title="Observatoire PDALHPD", page_icon="🏠", layout="wide")

pages = {
    "Tableau de bord": [st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", default=True)],
    "Référence": [st.Page("pages/donnees_methodes.py", title="Données et méthodes")],
}
st.navigation(pages).run()
