"""The dossier of a séance: its saved views as a :class:`~reporting.slides.Deck` (then PPTX or PDF)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from data_access import seances
from reporting.slides import Deck, Progress
from reporting.view_slides import view_slides
from views.loader import DatabaseLoader

SOURCES_LINES = (
    "Sources des fonds de carte : « IGN – Admin Express COG 2018 ; INSEE – COG 2018 » (Licence Ouverte Etalab 2.0).",
    "Ménages et population : « Source : Insee, RP 2021 » (Licence Ouverte Etalab 2.0).",
    "Procédures d'expulsion : Préfecture (EXPLOC), tribunal judiciaire ; aides : Département (FSL) ; "
    "mal-logement : SML / Histologe, ARS, DDT, Anah.",
)


def methods_lines(*, demo: bool) -> list[str]:
    """The « Méthodes et sources » page shared by the dossier and the bilan."""
    lines = [
        "Les valeurs d'un territoire sont la somme de celles de ses communes (ou du niveau le plus fin disponible) : "
        "deux niveaux ne sont jamais additionnés.",
        "Les taux et ratios sont recalculés à partir des sommes de leur numérateur et de leur dénominateur, jamais moyennés.",
        "Les taux pour 1 000 ménages rapportent la valeur au nombre de ménages du territoire (Insee, RP 2021).",
        "Un objectif fixé pour le département est ramené à un territoire au prorata de ses ménages (« objectif au prorata »).",
        "Statut d'un objectif : atteint, en bonne voie, en retard ou non atteint selon la valeur mesurée face à la cible "
        "sur la période évaluée ; « pas de données » quand la période n'est pas entièrement couverte.",
        "Une année est « complète » quand les séries mensuelles la couvrent entièrement ; sinon elle est marquée provisoire.",
        *SOURCES_LINES,
    ]
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
