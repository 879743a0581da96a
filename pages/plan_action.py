"""Plan d'action : chantiers / orientations → fiches-action, avec objectifs, indicateurs et statuts.

La version écran du bilan annuel d'activité du plan."""

import streamlit as st

from ui import cache, filters, render
from views import plan_action

params = filters.current()
st.title(plan_action.TITLE)
choices = plan_action.axis_choices(cache, params.plan)
statuses = list(plan_action.STATUSES)
left, right = st.columns(2)
label = f"{plan_action.axis_word(cache, params.plan)}s"
axes = left.multiselect(
    label,
    list(choices),
    default=plan_action.chosen_axes(params, choices),
    format_func=lambda code: choices[code],
    placeholder="Choisir…",
    key="p_axes",
)
chosen = right.multiselect(
    "Statut des objectifs", statuses, default=plan_action.chosen_statuses(params), placeholder="Choisir…", key="p_statuts"
)
filters.remember("axes", axes, list(choices))
filters.remember("statuts", chosen, statuses)
if choices and (not axes or not chosen):
    st.info(f"Choisissez au moins une valeur dans « {label} » et dans « Statut des objectifs ».")
    st.stop()
view = plan_action.build(params.with_options(axes=tuple(axes), statuses=tuple(chosen)), cache)
render.view(view, presentation=params.presentation, title=False)
