"""Mal-logement : signalements par type face aux objectifs annuels, du repérage au traitement, carte par territoire."""

from ui import cache, filters, render
from views import mal_logement

params = filters.current()
render.view(mal_logement.build(params, cache), presentation=params.presentation, title=True)
