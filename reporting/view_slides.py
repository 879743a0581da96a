"""A dashboard view (a page and its URL parameters) as :class:`~reporting.slides.Slide` objects.

The slides are the page's own :class:`~views.model.View`, built by the page's builder with
``presentation=True`` from the uncached queries: one slide per chart with a figure, as the
projection shows them (:func:`slide_charts`, also used by ``ui.slide``). The main chart is framed
by the view's key figures and objective status, each next chart by its own key figure; every slide
has its chart's data, the filters, the source and the demo flag. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd
from sqlalchemy import Connection

from data_access.errors import UserError
from data_access.vocabulary import SEANCE_PAGES
from reporting.slides import MAX_KEY_FIGURES, Slide
from views import params as view_params
from views.loader import DatabaseLoader
from views.model import Chart, View
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


def slide_charts(view: View) -> list[Chart]:
    """The charts the projection shows one per slide (``?figure=N``, from 1), in the view's order:
    every chart that has a figure, ``view.main_chart`` first. Empty for a view without one, which
    is a single slide of key figures."""
    return [chart for chart in view.charts() if chart.figure is not None]


def slide_of(view: View, *, title: str, note: str | None = None) -> Slide:
    """The slide of ``view``: its main chart (None for a view without chart) and what frames it;
    the first of :func:`slides_of`.

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


def slides_of(view: View, *, title: str, note: str | None = None, own_titles: bool = False) -> list[Slide]:
    """One slide per chart of :func:`slide_charts`, in the projection's order; one slide for a view without chart.

    The first is :func:`slide_of` (the main chart framed by the view's key figures and status).
    Each next one shows its chart, its data as the notes table, its own key figure (the one the
    projection shows beside it) and its source (else the view's), with the same filters line,
    ``note`` and demo flag (the view's or the chart's). Titles: ``title``, then « ``title`` — the
    chart's title » (the projection's heading); with ``own_titles`` (a view exported alone), each
    slide is titled by its chart's title (``title`` for a view without chart).

    Examples
    --------
    >>> [slide.title for slide in slides_of(view, title="Aides du FSL")]  # doctest: +SKIP
    ['Aides du FSL', "Aides du FSL — Montants versés par type d'aide — Isère, 2021–2025", …]
    """
    charts = slide_charts(view)
    first = slide_of(view, title=charts[0].title if own_titles and charts else title, note=note)
    return [
        first,
        *(
            replace(
                first,
                title=chart.title if own_titles else f"{title} — {chart.title}",
                figure=chart.figure,
                key_figures=[(chart.key_figure.label, chart.key_figure.value)] if chart.key_figure is not None else [],
                status=None,  # the view's status judges its main series; this chart's objective is drawn in it
                footer=chart.source or view.source,
                notes_table=chart.data,
                demo=view.demo or chart.demo,
            )
            for chart in charts[1:]
        ),
    ]


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


def view_slides(
    conn: Connection, page: str, params: Mapping[str, str], *, title: str, note: str | None = None, plan: str | None = None
) -> list[Slide]:
    """The slides of one dashboard view, one per figure: ``page_view`` then ``slides_of`` (see both).

    Examples
    --------
    >>> [slide.title for slide in view_slides(conn, "fsl", {"debut": "2021", "fin": "2025"}, title="Aides du FSL")]  # doctest: +SKIP
    ['Aides du FSL', "Aides du FSL — Montants versés par type d'aide — Isère, 2021–2025", …]
    """
    return slides_of(page_view(conn, page, params, plan=plan), title=title, note=note)
