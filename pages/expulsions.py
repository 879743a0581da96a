"""Procédure d'expulsion : la chaîne assignations → expulsions effectives, sa saisonnalité, l'activité de la CCAPEX."""

import streamlit as st

from data_access.vocabulary import Page
from ui import cache, filters, render
from ui.accessibility import PLACEHOLDER
from views import common, expulsions

params = filters.current()
labels = common.labels(cache)
st.title(expulsions.TITLE)
head = st.container()  # the funnel, above the seasonality selector
default = expulsions.chosen_seasonality(params)
choices: list[str] = list(expulsions.SEASONAL)
indicator = str(
    st.selectbox(
        "Saisonnalité de",
        choices,
        index=choices.index(default),
        format_func=labels.__getitem__,
        key="p_saisonnalite",
        placeholder=PLACEHOLDER,
    )
)
filters.remember("saisonnalite", [indicator], [expulsions.DEFAULT_SEASONALITY])
view = cache.view(Page.EXPULSIONS, params.with_options(seasonality=indicator))
render.view(view, presentation=params.presentation, title=False, head=head, head_blocks=1)
