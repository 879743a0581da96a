"""Aides FSL : ménages aidés et montants par type d'aide, montant moyen, demandes face à l'objectif du plan."""

from ui import cache, filters, render
from views import fsl

params = filters.current()
render.view(fsl.build(params, cache), presentation=params.presentation, title=True)
