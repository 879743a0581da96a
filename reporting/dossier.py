"""The dossier of a séance: its saved views as a :class:`~reporting.slides.Deck` (then PPTX or PDF)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from data_access import seances
from reporting.slides import Deck, Progress
from reporting.view_slides import view_slides
from views.loader import DatabaseLoader
from views.methods import method_statements

SOURCES_LINES = (
    "Sources des fonds de carte : « IGN – Admin Express COG 2018 ; INSEE – COG 2018 » (Licence Ouverte Etalab 2.0).",
    "Ménages et population : « Source : Insee, RP 2021 » (Licence Ouverte Etalab 2.0).",
    "Procédures d'expulsion : Préfecture (EXPLOC), tribunal judiciaire ; aides : Département (FSL) ; "
    "mal-logement : SML / Histologe, ARS, DDT, Anah.",
)


def methods_lines(*, demo: bool) -> list[str]:
    """The « Méthodes et sources » page shared by the dossier and the bilan: the methods as
    « Données et méthodes » states them (:func:`views.methods.method_statements`), the sources."""
    lines = [*method_statements(), *SOURCES_LINES]
    if demo:
        lines.append("Attention : ces vues contiennent des données fictives de démonstration, à ne pas diffuser comme des chiffres réels.")
    return lines


def seance_deck(conn: Connection, name: str, *, plan: str | None = None, progress: Progress | None = None) -> Deck:
    """The deck of the séance called ``name``: a title page, the slides of each saved view (one per
    figure, as the projection shows them: :func:`reporting.view_slides.view_slides`), the methods.

    Parameters
    ----------
    conn
        An open connection (read only).
    name
        The séance's name, as listed in the dashboard.
    plan
        The plan's code, needed only when several plans have a séance of that name.
    progress
        ``progress(done, total, label)`` before each view is prepared (« Vue 2 sur 5 : … »: views, not slides).

    Raises
    ------
    UserError
        Unknown séance (the message lists the known ones), or an ambiguous name without ``plan``.
    """
    seance_id = seances.seance_by_name(conn, name=name, plan=plan)
    row = seances.seances(conn, plan=plan).set_index("id").loc[seance_id]
    plan_code = str(row["plan_code"])
    views = seances.seance_views(conn, seance_id=seance_id)
    plan_name = str(DatabaseLoader(conn).plans().set_index("code").at[plan_code, "name"])
    slides = []
    for number, view in enumerate(views.itertuples(), start=1):
        if progress:
            progress(number - 1, len(views), f"Vue {number} sur {len(views)} : {view.title}")
        note = view.note if isinstance(view.note, str) else None
        slides.extend(view_slides(conn, str(view.page), dict(view.params), title=str(view.title), note=note, plan=plan_code))  # type: ignore[arg-type]
    if progress:
        progress(len(views), len(views), "Terminé")
    demo = any(slide.demo for slide in slides)
    return Deck(title=name, subtitle=plan_name, date=dt.date.today(), demo=demo, slides=slides, methods=methods_lines(demo=demo))
