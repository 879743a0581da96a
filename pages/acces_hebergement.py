"""Accès et hébergement : 115 et SIAO, places, DALO, demande et attributions de logement social, coupures d'énergie."""

from data_access.vocabulary import Page
from ui import cache, filters, render

params = filters.current()
render.view(cache.view(Page.ACCES_HEBERGEMENT, params), presentation=params.presentation, title=True)
