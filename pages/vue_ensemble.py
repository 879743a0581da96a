"""Vue d'ensemble : la dernière année complète en un coup d'œil — familles, points d'attention, objectifs."""

from ui import cache, filters, render
from views import vue_ensemble

params = filters.current()
view = vue_ensemble.build(params, cache)
render.view(view, presentation=params.presentation, title=True)
