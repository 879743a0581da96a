"""Données et méthodes : dictionnaire des indicateurs, historique des chargements, méthodes, sources."""

from data_access.vocabulary import Page
from ui import cache, filters, render

params = filters.current()
view = cache.view(Page.DONNEES_METHODES, params)
render.view(view, presentation=params.presentation, title=True)
