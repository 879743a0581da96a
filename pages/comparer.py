"""Comparer les territoires : carte, classement, petites courbes et écart à l'objectif au prorata."""

import streamlit as st

from data_access.vocabulary import Page
from ui import cache, filters, render
from views import common, comparer

params = filters.current()
choices = common.chart_indicators(cache)
catalogue = common.catalogue(cache)
st.title(comparer.TITLE)
left, right = st.columns([3, 2])
default_indicator = comparer.chosen_indicator(params, choices)
indicator = str(
    left.selectbox(
        "Indicateur", list(choices), index=list(choices).index(default_indicator), format_func=choices.__getitem__, key="p_indicateur"
    )
)
filters.remember("indicateur", [indicator], [comparer.DEFAULT_INDICATOR])
is_ratio = isinstance(catalogue.at[indicator, "numerator_code"], str)
offered = comparer.modes(is_ratio, str(catalogue.at[indicator, "unit"]))
default_mode = comparer.chosen_mode(params, offered)
mode = str(
    right.radio(
        "Afficher",
        list(offered),
        index=list(offered).index(default_mode),
        format_func=offered.__getitem__,
        horizontal=True,
        key="p_affichage",
    )
)
filters.remember("affichage", [mode], [next(iter(offered))])
one_year = is_ratio or comparer.is_stock(catalogue, indicator)  # a ratio's period is one number; a stock shows its last year
total = comparer.offers_total(params, one_year) and right.checkbox(comparer.TOTAL_LABEL, value=params.total, key="p_cumul")
filters.remember("cumul", ["1"] if total else [])
view = cache.view(Page.COMPARER, params.with_options(indicators=(indicator,), mode=mode, total=total))
render.view(view, presentation=params.presentation, title=False)
