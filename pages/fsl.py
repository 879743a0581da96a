"""Aides FSL : ménages aidés et montants par type d'aide, montant moyen, demandes face à l'objectif du plan."""

from data_access.vocabulary import Page
from ui import cache, filters, render

params = filters.current()
render.view(cache.view(Page.FSL, params), presentation=params.presentation, title=True)
