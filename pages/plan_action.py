"""Plan d'action : le tableau de bord du plan, la matrice des objectifs, les fiches-action et leur suivi.

La version écran du bilan annuel d'activité du plan ; les gestionnaires de données y enregistrent
le suivi de chaque fiche-action."""

import streamlit as st

from data_access.vocabulary import Page
from reporting.bilan import bilan_deck, bilan_xlsx
from ui import auth, cache, filters, render, report_downloads
from ui.progress_form import progress_form
from views import followup, plan_action

params = filters.current()
st.title(plan_action.TITLE)
choices = plan_action.axis_choices(cache, params.plan)
statuses = list(plan_action.STATUSES)
states = list(followup.STATES)
left, middle, right = st.columns(3)
label = f"{plan_action.axis_word(cache, params.plan)}s"
axes = left.multiselect(
    label,
    list(choices),
    default=plan_action.chosen_axes(params, choices),
    format_func=lambda code: choices[code],
    placeholder="Choisir…",
    key="p_axes",
)
chosen = middle.multiselect(
    "Statut des objectifs", statuses, default=plan_action.chosen_statuses(params), placeholder="Choisir…", key="p_statuts"
)
chosen_states = right.multiselect(
    "État des fiches-action", states, default=followup.chosen_states(params), placeholder="Choisir…", key="p_etats"
)
filters.remember("axes", axes, list(choices))
filters.remember("statuts", chosen, statuses)
filters.remember("etats", chosen_states, states)
if choices and (not axes or not chosen or not chosen_states):
    st.info(f"Choisissez au moins une valeur dans « {label} », « Statut des objectifs » et « État des fiches-action ».")
    st.stop()
view = cache.view(Page.PLAN_ACTION, params.with_options(axes=tuple(axes), statuses=tuple(chosen), progress_states=tuple(chosen_states)))
user = auth.data_manager()


def edit_fiche(fiche: str) -> None:
    """The follow-up form at the end of a fiche: data managers only (the form checks it again)."""
    st.markdown(f"**Renseigner le suivi {params.last_year}** (gestionnaire de données : {user})")
    progress_form(params.plan, fiche, params.last_year, user=str(user))


render.view(view, presentation=params.presentation, title=False, group_end=edit_fiche if user and not params.presentation else None)

if not params.presentation:
    st.subheader(f"Bilan annuel {params.last_year}")
    st.caption("Le bilan du plan pour l'année choisie (fin de la période) : objectifs, indicateurs, territoires.")
    report_downloads.document_downloads(
        "bilan",
        f"bilan-{params.plan}-{params.last_year}",
        deck=lambda conn, progress: bilan_deck(conn, params.plan, params.last_year, progress=progress),
        workbook=lambda conn: bilan_xlsx(conn, params.plan, params.last_year),
    )
