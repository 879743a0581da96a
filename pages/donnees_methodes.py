"""Données et méthodes : le dictionnaire des indicateurs et la couverture des données."""

import streamlit as st

from ui import cache
from ui.plan_choice import current_plan

plan = current_plan()
st.title("Données et méthodes")
st.subheader("Dictionnaire des indicateurs")
catalogue = cache.indicator_catalogue()
st.dataframe(
    catalogue[["label", "unit", "theme", "definition", "source", "granularities"]].rename(
        columns={
            "label": "Indicateur",
            "unit": "Unité",
            "theme": "Thème",
            "definition": "Définition",
            "source": "Source",
            "granularities": "Granularités",
        }
    ),
    hide_index=True,
    width="stretch",
)
st.subheader("Couverture des données")
st.dataframe(cache.coverage(plan["departement_code"]), hide_index=True, width="stretch")
