"""Vue d'ensemble : les objectifs du plan et leur statut pour la dernière année complète."""

import streamlit as st

from figures.locale import fr_number
from ui import cache
from ui.plan_choice import current_plan

plan = current_plan()
year = cache.latest_complete_year(plan.name)
st.title(f"Vue d'ensemble — {plan['short_name']}")
if year is None:
    st.info("Aucune année complète dans la base. Chargez les données (python -m data_access setup) ou importez un fichier.")
    st.stop()
table = cache.objective_status_table(plan.name, year)
st.subheader(f"Objectifs quantifiés du plan : statut {year}")
if table.attrs.get("demo"):
    st.caption("⚠️ Données fictives de démonstration")
shown = table.assign(
    cible=table["target"].map(lambda v: fr_number(v, 1 if v and v < 10 else 0)),
    valeur=table["value"].map(lambda v: fr_number(v, 1 if v and v < 100 else 0)),
)[["action_code", "label", "cible", "valeur", "status"]]
st.dataframe(
    shown.rename(
        columns={
            "action_code": "Action",
            "label": "Objectif (termes du plan)",
            "cible": "Cible",
            "valeur": f"Valeur {year}",
            "status": "Statut",
        }
    ),
    hide_index=True,
    width="stretch",
)
