"""Tendances : un ou plusieurs indicateurs pour un ou plusieurs territoires dans le temps, face à l'objectif."""

import streamlit as st

from data_access.vocabulary import Page
from ui import cache, filters, render
from views import common, tendances

params = filters.current()
choices = common.chart_indicators(cache)
st.title(tendances.TITLE)
left, right = st.columns([3, 2])
default_indicators = tendances.chosen_indicators(params, choices)
indicators = left.multiselect(
    "Indicateurs",
    list(choices),
    default=default_indicators,
    format_func=choices.__getitem__,
    max_selections=tendances.MAX_INDICATORS,
    placeholder="Choisir un ou plusieurs indicateurs",
    key="p_indicateurs",
)
others = cache.territories(params.departement, params.level.value)
names = dict(zip(others["code"], others["name"], strict=True))
compared = right.multiselect(
    "Comparer avec",
    list(names),
    format_func=names.__getitem__,
    max_selections=tendances.MAX_COMPARED,
    default=[c for c in params.compared if c in names][: tendances.MAX_COMPARED],
    placeholder="Autres territoires du niveau choisi",
    key="p_avec",
)
default_line = tendances.with_departement(params.with_options(with_departement=None))
shown = st.checkbox(f"Ajouter {params.departement_name} (département)", value=tendances.with_departement(params), key="p_departement")
filters.remember("indicateur", indicators, [tendances.DEFAULT_INDICATOR])
filters.remember("avec", compared)
filters.remember("departement", ["oui" if shown else "non"], ["oui" if default_line else "non"])
if not indicators:
    st.info("Choisissez au moins un indicateur.")
    st.stop()
view = cache.view(Page.TENDANCES, params.with_options(indicators=tuple(indicators), compared=tuple(compared), with_departement=shown))
render.view(view, presentation=params.presentation, title=False)
