"""A dashboard view (a page and its URL parameters) as a :class:`~reporting.slides.Slide`.

The slide is the page's own :class:`~views.model.View`, built by the page's builder with
``presentation=True`` from the uncached queries: its main chart, key figures, objective status,
filters, source and demo flag. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Connection

from data_access.errors import UserError
from data_access.vocabulary import SEANCE_PAGES
from reporting.slides import MAX_KEY_FIGURES, Slide
from views import params as view_params
from views.loader import DatabaseLoader
from views.model import View
from views.registry import build_view

NOTE_ROOM = 110  # characters of the filters line (20 pt, 12,45 in)


def page_view(conn: Connection, page: str, params: Mapping[str, str], *, plan: str | None = None) -> View:
    """The View of ``page`` for the URL parameters ``params``, in presentation mode.

    Raises
    ------
    UserError
        Unknown page, or no plan loaded.
    """
    if page not in SEANCE_PAGES:
        raise UserError(f"Page « {page} » inconnue : pages possibles : {', '.join(SEANCE_PAGES)}.")
    loader = DatabaseLoader(conn)
    parsed = view_params.parse(params, loader, plan=plan)
    return build_view(page, parsed.params.with_options(presentation=True), loader)


def slide_of(view: View, *, title: str, note: str | None = None) -> Slide:
    """The slide of ``view``: its main chart (None for a view without chart) and what frames it.

    The notes table is the main chart's data, else the view's first table. A short ``note`` joins
    the filters line (one line of 20 pt); a longer one stays in the séance."""
    main = view.main_chart
    if main is not None:
        notes: pd.DataFrame | None = main.data
    else:
        notes = next((table.data for table in view.tables()), None)
    filters = view.filters
    if isinstance(note, str) and note.strip() and len(filters) + len(note) < NOTE_ROOM:
        filters = f"{filters} — {note.strip()}"
    return Slide(
        title,
        figure=main.figure if main is not None else None,
        key_figures=[(figure.label, figure.value) for figure in view.key_figures[:MAX_KEY_FIGURES]],
        status=view.status,
        filters=filters,
        footer=main.source if main is not None and main.source else view.source,
        notes_table=notes,
        demo=view.demo,
    )


def view_slide(
    conn: Connection, page: str, params: Mapping[str, str], *, title: str, note: str | None = None, plan: str | None = None
) -> Slide:
    """The slide of one dashboard view: ``page_view`` then ``slide_of`` (see both).

    Examples
    --------
    >>> slide = view_slide(conn, "tendances", {"indicateur": "assignations", "debut": "2021", "fin": "2025"},
    ...                    title="Assignations")  # doctest: +SKIP
    """
    return slide_of(page_view(conn, page, params, plan=plan), title=title, note=note)
