"""Mal-logement : signalements par type face aux objectifs annuels, du repérage au traitement, carte par territoire."""

from data_access.vocabulary import Page
from ui import cache, filters, render

params = filters.current()
render.view(cache.view(Page.MAL_LOGEMENT, params), presentation=params.presentation, title=True)
