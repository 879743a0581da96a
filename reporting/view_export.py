"""One dashboard view, given by its browser URL, as a file: the framed main chart (PNG, SVG), its
data (CSV, XLSX) or its slides, one per chart as the projection shows them (PPTX, PDF), from the
command line (``python -m reporting view``).

The URL is the one the browser shows (``http://127.0.0.1:8501/tendances?indicateur=assignations``)
or only its page and parameters (``tendances?indicateur=assignations``); it is read by the
dashboard's one parser (``views.params.parse``) and the page's own builder, on a
``DatabaseLoader``: the file shows what the page shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
from sqlalchemy import Connection

from data_access.errors import UserError
from data_access.vocabulary import HOME_PAGE, PAGE_INFO, SEANCE_PAGES, Page
from reporting import images, tables
from reporting.dossier import methods_lines
from reporting.pdf import deck_pdf
from reporting.pptx import deck_pptx
from reporting.slides import Deck, Progress
from reporting.view_slides import slides_of
from reporting.xlsx import xlsx_bytes
from views import params as view_params
from views.loader import DatabaseLoader
from views.model import View
from views.registry import build_view

FORMATS = (".png", ".svg", ".csv", ".xlsx", ".pptx", ".pdf")
MAX_URL_LENGTH = 4000  # a dashboard URL is a few hundred characters: longer is not one
HOST_AND_PORT = re.compile(r"[A-Za-z][\w.-]*:[0-9]{1,5}(/|$)")


@dataclass(frozen=True)
class ViewAddress:
    """A dashboard URL read: the page and its query parameters (each a list, the last one wins)."""

    page: Page
    query: Mapping[str, list[str]]


def view_address(url: str) -> ViewAddress:
    """The page and parameters of a dashboard URL.

    ``url`` is the browser's address (``http://127.0.0.1:8501/tendances?debut=2014``, any host and
    base path: the page is the last segment of the path, the home page when there is none) or
    only the page and its parameters (``tendances?debut=2014``, ``?plan=…`` for the home page).

    Raises
    ------
    UserError
        Not a URL of the dashboard, or a page that has no view (séances, imports): the message
        lists the pages that have one.

    Examples
    --------
    >>> view_address("http://127.0.0.1:8501/tendances?indicateur=assignations&debut=2014").query["debut"]
    ['2014']
    >>> view_address("comparer").page
    <Page.COMPARER: 'comparer'>
    """
    text = url.strip()
    pages = ", ".join(page.value for page in SEANCE_PAGES)
    if not text or len(text) > MAX_URL_LENGTH:
        raise UserError("Adresse vide ou trop longue : donnez l'adresse d'une vue, par exemple « tendances?indicateur=assignations ».")
    if HOST_AND_PORT.match(text):  # « localhost:8501/tendances », copied without its « http:// »
        text = f"http://{text}"
    try:
        parts = urlsplit(text)
    except ValueError as error:  # « http://[::1/… »: an unclosed bracket
        raise UserError(
            f"Adresse illisible « {text[:80]} » : copiez l'adresse de la vue depuis la barre d'adresse du navigateur."
        ) from error
    if parts.scheme and parts.scheme not in ("http", "https") or (not parts.scheme and parts.netloc):
        raise UserError(f"Adresse « {text[:80]} » : une adresse http(s):// du tableau de bord ou « page?paramètres » est attendue.")
    segments = [segment for segment in unquote(parts.path).split("/") if segment]
    name = segments[-1] if segments else HOME_PAGE.value
    if name.endswith(".py"):  # « pages/tendances.py », the page's script
        name = name.removesuffix(".py")
    page = next((page for page in Page if name in (page.value, page.value.replace("_", "-"))), None)
    if page is None:
        raise UserError(f"Page « {name[:60]} » inconnue : pages possibles : {pages}.")
    if page not in SEANCE_PAGES:
        raise UserError(f"La page « {PAGE_INFO[page].title} » n'a pas de vue à exporter : pages possibles : {pages}.")
    return ViewAddress(page, parse_qs(parts.query, keep_blank_values=True))


def url_view(conn: Connection, url: str, *, presentation: bool | None = None) -> View:
    """The View the page of ``url`` shows for its parameters (``presentation``: forced on or off,
    else as the URL says), its notices included.

    Raises
    ------
    UserError
        See :func:`view_address`; also when no plan is loaded.
    """
    address = view_address(url)
    loader = DatabaseLoader(conn)
    parsed = view_params.parse(address.query, loader)
    chosen = parsed.params if presentation is None else parsed.params.with_options(presentation=presentation)
    built = build_view(address.page, chosen, loader)
    if parsed.notices:  # the parser's (an unknown plan, a bad year…) before the builder's own
        built = replace(built, notices=tuple(dict.fromkeys((*parsed.notices, *built.notices))))
    return built


def view_file(
    conn: Connection, url: str, suffix: str, *, progress: Progress | None = None, exported: dt.date | None = None
) -> tuple[bytes, View]:
    """The file of the view at ``url`` in the format of ``suffix``, and the View it shows.

    - ``.png``, ``.svg``: the view's main chart framed with its title, filters, source and demo
      notice (:func:`reporting.images.framed`);
    - ``.csv``, ``.xlsx``: the main chart's data, else the view's first table, with the same
      notes as the page's downloads (:func:`reporting.tables.export_notes`);
    - ``.pptx``, ``.pdf``: a deck of the view's slides, one per chart with a figure, each titled
      by its chart (:func:`reporting.view_slides.slides_of`): title page, the slides, « Méthodes
      et sources ».

    Raises
    ------
    UserError
        Unknown format or page, bad URL, a view without data, without chart (PNG, SVG) or
        without chart nor table (CSV, XLSX).
    reporting.images.ExportError
        Chromium is missing or a figure could not be drawn.
    """
    if suffix not in FORMATS:
        raise UserError(f"Format « {suffix} » non pris en charge pour une vue : choisissez un fichier {', '.join(FORMATS)}.")
    slide = suffix in (".pptx", ".pdf")
    view = url_view(conn, url, presentation=True if slide else None)
    if view.empty is not None:
        raise UserError(
            f"Aucune donnée pour {view.empty} : rien à exporter. Élargissez la période ou changez de territoire dans l'adresse."
        )
    if slide:
        slides = slides_of(view, title=view.title, own_titles=True)
        demo = any(one.demo for one in slides)  # the view's flag, or a chart's own
        deck = Deck(
            title=view.title,
            subtitle=view.filters,
            date=exported or dt.date.today(),
            demo=demo,
            slides=slides,
            methods=methods_lines(demo=demo),
        )
        return (deck_pptx if suffix == ".pptx" else deck_pdf)(deck, progress=progress), view
    if suffix in (".png", ".svg"):
        main = view.main_chart
        if main is None or main.figure is None:
            raise UserError(
                f"La vue « {view.title} » n'a pas de graphique : exportez ses tableaux en .csv ou .xlsx, ou sa diapositive en .pptx ou .pdf."
            )
        draw = images.framed_png if suffix == ".png" else images.framed_svg
        return draw(main.figure, title=main.title, filters=view.filters, source=main.source, demo=main.demo), view
    data, notes = exported_table(view)
    if suffix == ".csv":
        return tables.csv_bytes(data, **notes, exported=exported), view
    return xlsx_bytes({"Données": data}, **notes, exported=exported), view


def exported_table(view: View) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table a CSV / XLSX of ``view`` holds and its notes, as the page's downloads have them:
    the main chart's data, else the view's first table."""
    main = view.main_chart or next(view.charts(), None)
    if main is not None:
        return main.data, {"title": main.title, "filters": view.filters, "unit": main.unit, "source": main.source, "demo": main.demo}
    table = next(view.tables(), None)
    if table is None:
        raise UserError(
            f"La vue « {view.title} » n'a ni graphique ni tableau à exporter en .csv ou .xlsx : exportez sa diapositive en .pptx ou .pdf."
        )
    data = table.data.drop(columns=[table.sparkline_column]) if table.sparkline_column else table.data
    return data, {"title": table.title or view.title, "filters": view.filters, "source": table.source or view.source, "demo": table.demo}
