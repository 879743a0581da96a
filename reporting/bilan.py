"""The annual report (bilan annuel) of a plan for one year, or the bilan of the whole plan period
(``year=None``): workbook and deck.

The workbook has the sheets of :func:`views.bilan.bilan_tables`: « Fiches-action » (every fiche
with its follow-up), « Objectifs » (every objective with its reference, value / cible and status
for the year), « Évaluation du plan » (each objective year by year and its verdict),
« Indicateurs » and « Territoires ». The deck has, per chantier/orientation, the follow-up of its
fiches and its objectives, then the evaluation over the plan, then the trends and maps that
matter for the year; for the whole plan, the evaluation comes first and the trends cover the plan.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from data_access.french import fr_number
from reporting import tables
from reporting.dossier import methods_lines
from reporting.slides import Deck, Progress, Slide
from reporting.view_slides import view_slide
from views.bilan import (
    TERRITORY_INDICATORS,
    axis_word,
    bilan_tables,
    bilan_year,
    evaluation_sheet,
    fiches_sheet,
    objectives_sheet,
    plan_row,
    plan_years,
)
from views.common import source_line
from views.loader import DatabaseLoader
from views.objective_tables import status_counts, summary_status


def _title(conn: Connection, plan: str, year: int | None) -> str:
    loader = DatabaseLoader(conn)
    row = plan_row(loader, plan, bilan_year(loader, plan, year))
    if year is None:
        first, last = plan_years(row)
        return f"Bilan du plan {first}–{last} — {row['short_name']}"
    return f"Bilan annuel {year} — {row['short_name']}"


def bilan_xlsx(conn: Connection, plan: str, year: int | None) -> bytes:
    """The bilan's sheets as an ``.xlsx`` (title, sources, demo notice above each table); ``year``
    None: the bilan of the whole plan period."""
    sheets = bilan_tables(DatabaseLoader(conn), plan, year)
    departement = str(plan_row(DatabaseLoader(conn), plan, bilan_year(DatabaseLoader(conn), plan, year))["departement_code"])
    indicators = [*TERRITORY_INDICATORS, *DatabaseLoader(conn).action_indicators(plan)["indicator_code"].unique()]
    return tables.xlsx_bytes(
        sheets,
        title=_title(conn, plan, year),
        source=source_line(DatabaseLoader(conn), indicators, departement),
        demo=any(bool(frame.attrs.get("demo")) for frame in sheets.values()),
    )


def _fiches_slide(fiches, word: str, axis, year: int | None, row, source: str) -> Slide:  # type: ignore[no-untyped-def]
    """The follow-up of the axis's fiches-action: the count per état as key figures, and every
    fiche (objective, pilote, partenaires, moyens, état, réalisations, commentaire) in its table."""
    own = fiches[fiches[word].str.startswith(f"{axis.axis_code} – ")].drop(columns=[word, "Objectifs suivis"])
    counts = own["État"].value_counts()
    when = f"en {year}" if year is not None else "à la dernière année suivie"
    return Slide(
        f"{word} {axis.axis_code} : suivi des fiches-action {when}",
        key_figures=[(f"Fiches « {state} »", fr_number(int(n))) for state, n in counts.items()][:6],
        filters=f"{row['short_name']} · {axis.axis_title} · {len(own)} fiches-action",
        footer=source,
        notes_table=own.reset_index(drop=True),
    )


def _evaluation_slide(matrix, row, source: str) -> Slide:  # type: ignore[no-untyped-def]
    """The plan evaluated over its period: the verdicts counted, the matrix (reference → each plan
    year → verdict) in its table."""
    years = matrix.attrs.get("years") or []
    span = f"{years[0]}–{years[-1]}" if years else ""
    verdicts = matrix.attrs.get("verdicts", [])
    return Slide(
        f"Évaluation du plan {span} : chaque objectif année par année".replace("  ", " "),
        key_figures=[(f.label.replace("Objectifs", "Bilans"), f.value) for f in status_counts(verdicts)][:6]
        if verdicts
        else [("Objectifs chiffrés", "aucun")],
        filters=f"{row['short_name']} · référence, statut de chaque année du plan, bilan du plan",
        footer=source,
        notes_table=matrix.iloc[:, 1:],  # the fiche's code says its chantier/orientation: room for the years
        demo=bool(matrix.attrs.get("demo")),
    )


def bilan_deck(conn: Connection, plan: str, year: int | None, *, progress: Progress | None = None) -> Deck:
    """The bilan as a deck: per chantier/orientation, the follow-up of its fiches-action and its
    objectives with their status for ``year``; the evaluation over the plan; then the assignations
    trend, the eviction funnel of the year, the assignations map per territoire and the
    signalements trend. ``year`` None: the bilan of the whole plan — the evaluation first, each
    fiche's latest follow-up, the objectives of the plan's last year, trends over the plan."""
    loader = DatabaseLoader(conn)
    whole = year is None
    shown = bilan_year(loader, plan, year)
    row = plan_row(loader, plan, shown)
    departement = str(row["departement_code"])
    word = axis_word(row)
    sheet = objectives_sheet(loader, plan, shown)
    fiches = fiches_sheet(loader, plan, year, sheet)
    start = plan_years(row)[0] if whole else shown - 4
    year = shown
    structure = loader.plan_structure(plan)
    axes = structure.drop_duplicates("axis_code")[["axis_code", "axis_title"]]
    params = {
        "plan": plan,
        "debut": str(start),
        "fin": str(year),
        "granularite": "annee",
        "niveau": "territoire",
        "territoire": departement,
    }
    thematic = [
        ("tendances", {**params, "indicateur": "assignations"}, f"Assignations, {start}–{year}"),
        ("expulsions", {**params, "debut": str(year)}, f"De l'assignation à l'expulsion en {year}"),
        (
            "comparer",
            {**params, "debut": str(year), "indicateur": "assignations", "affichage": "rate"},
            f"Assignations pour 1 000 ménages par territoire, {year}",
        ),
        ("mal_logement", params, f"Signalements de mal-logement, {start}–{year}"),
    ]
    total = 2 * len(axes) + 1 + len(thematic)
    indicators = loader.plan_objectives(plan)["indicator_code"].dropna().unique().tolist()
    source = source_line(DatabaseLoader(conn), indicators, departement)
    slides: list[Slide] = []
    if whole:
        if progress:
            progress(0, total, "Évaluation du plan")
        slides.append(_evaluation_slide(evaluation_sheet(loader, plan), row, source))
    for number, axis in enumerate(axes.itertuples(), start=1):
        if progress:
            progress(2 * (number - 1) + whole, total, f"{word} {axis.axis_code}")
        slides.append(_fiches_slide(fiches, word, axis, None if whole else year, row, source))
        own = sheet[sheet[word].str.startswith(f"{axis.axis_code} – ")]
        notes = own[["Fiche-action", "Objectif", "Référence", "Valeur / cible", "Statut"]]
        slides.append(
            Slide(
                f"{word} {axis.axis_code} : {axis.axis_title}",  # never cut: the renderers wrap it
                key_figures=[(f.label, f.value) for f in status_counts(list(own["Statut"]))]
                if not own.empty
                else [("Objectifs chiffrés", "aucun")],
                status=summary_status(list(own["Statut"]), year),
                filters=f"{row['short_name']} · {len(structure[structure['axis_code'] == axis.axis_code])} fiches-action · objectifs évalués pour {year}",
                footer=source,
                notes_table=notes,
                demo=(own["Données fictives"] == "oui").any().item() if not own.empty else False,
            )
        )
    if not whole:
        if progress:
            progress(2 * len(axes), total, "Évaluation du plan")
        slides.append(_evaluation_slide(evaluation_sheet(loader, plan), row, source))
    for number, (page, view_params, title) in enumerate(thematic, start=2 * len(axes) + 2):
        if progress:
            progress(number - 1, total, title)
        slides.append(view_slide(conn, page, view_params, title=title, plan=plan))
    if progress:
        progress(total, total, "Terminé")
    demo = any(slide.demo for slide in slides)
    return Deck(
        title=_title(conn, plan, None if whole else year),
        subtitle=str(row["name"]),
        date=dt.date.today(),
        demo=demo,
        slides=slides,
        methods=methods_lines(demo=demo),
    )
