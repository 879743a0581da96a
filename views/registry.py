"""Page → view builder, for the séances and the exports (the pages call their builder directly).

Each page of ``data_access.vocabulary.SEANCE_PAGES`` has a module ``views/<page>.py`` with a
``build(params, loader) -> View`` function.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from data_access.vocabulary import SEANCE_PAGES, Page
from views.loader import Loader
from views.model import View
from views.params import ViewParams

Builder = Callable[[ViewParams, Loader], View]


def builder(page: Page | str) -> Builder:
    """The view builder of ``page``; ValueError for a page without a view (séances, imports)."""
    chosen = Page(page)
    if chosen not in SEANCE_PAGES:
        raise ValueError(f"page without a view: {chosen}")
    build: Builder = importlib.import_module(f"views.{chosen.value}").build
    return build


def build_view(page: Page | str, params: ViewParams, loader: Loader) -> View:
    """The view of ``page`` for ``params``."""
    return builder(page)(params, loader)
