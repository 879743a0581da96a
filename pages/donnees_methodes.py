"""Données et méthodes : dictionnaire des indicateurs, historique des chargements, méthodes, sources."""

from ui import cache, filters, render
from views import donnees_methodes

params = filters.current()
view = donnees_methodes.build(params, cache)
render.view(view, presentation=params.presentation, title=True)
