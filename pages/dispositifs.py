"""Dispositifs du plan : les programmes qui portent le plan, leurs opérateurs, budgets et résultats publiés."""

from data_access.vocabulary import Page
from ui import cache, filters, render

params = filters.current()
render.view(cache.view(Page.DISPOSITIFS, params), presentation=params.presentation, title=True)
