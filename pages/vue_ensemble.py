"""Vue d'ensemble : la dernière année complète en un coup d'œil — familles, points d'attention, objectifs."""

from data_access.vocabulary import Page
from ui import cache, filters, render

params = filters.current()
view = cache.view(Page.VUE_ENSEMBLE, params)
render.view(view, presentation=params.presentation, title=True)
