"""The bilan d'activité et d'évaluation of a plan for one year, or of the whole plan period
(``year=None``): workbook and deck, both from the sheets of :func:`views.bilan.bilan_tables`.

The workbook has those sheets: « Synthèse », « Fiches-action », « Dispositifs » (when programmes
serve the plan's fiches), « Objectifs », « Évaluation du plan », « Indicateurs », « Territoires »,
« Objectifs par territoire ». The deck follows the guide's order: the synthesis (where the plan
stands, what moved most, the objectives at risk); per chantier/orientation the follow-up of its
fiches, the programmes serving them (their published results) and its objectives; the evaluation over the plan
(first for the whole plan); the four families — expulsions (assignations, the funnel), the FSL
(households and amounts, each as what it counts), mal-logement, and the plan's steering in the
chantier slides —; the territorial part (the map per territoire, each territoire's rates and
objectives); the methods. A year outside the plan's period says so in the title.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from reporting.bilan_slides import (
    evaluation_slide,
    fiches_slide,
    indicators_slide,
    objectives_slide,
    programme_slides,
    synthesis_slides,
    territory_slides,
)
from reporting.dossier import methods_lines
from reporting.slides import Deck, Progress, Slide
from reporting.view_slides import view_slides
from reporting.xlsx import xlsx_bytes
from views.bilan import TERRITORY_INDICATORS, axis_word, bilan_home, bilan_tables, bilan_year, outside_plan, plan_row, plan_years
from views.common import source_line
from views.loader import DatabaseLoader


def _title(row, plan_word: str, year: int | None) -> str:  # type: ignore[no-untyped-def]
    if year is None:
        first, last = plan_years(row)
        return f"Bilan du plan {first}–{last} — {plan_word}"
    outside = outside_plan(row, year)
    return f"Bilan annuel {year} — {plan_word}" + (f" ({outside})" if outside else "")


def bilan_xlsx(conn: Connection, plan: str, year: int | None) -> bytes:
    """The bilan's sheets as an ``.xlsx`` (title, sources, demo notice above each table); ``year``
    None: the bilan of the whole plan period."""
    loader = DatabaseLoader(conn)
    sheets = bilan_tables(loader, plan, year)
    row = plan_row(loader, plan, bilan_year(loader, plan, year))
    indicators = [*TERRITORY_INDICATORS, *loader.action_indicators(plan)["indicator_code"].unique()]
    return xlsx_bytes(
        sheets,
        title=_title(row, str(row["short_name"]), year),
        source=source_line(loader, indicators, str(row["departement_code"])),
        demo=any(bool(frame.attrs.get("demo")) for frame in sheets.values()),
    )


def _family_views(plan: str, home: tuple[str, str], departement: str, start: int, year: int) -> list[tuple[str, dict[str, str], str]]:
    """(page, URL parameters, title) of the views of the four families, on the plan's ``home``
    (level, territory: :func:`views.bilan.bilan_home`), and of the département's territorial map."""
    level, territory = home
    params = {"plan": plan, "debut": str(start), "fin": str(year), "granularite": "annee", "niveau": level, "territoire": territory}
    compared = {**params, "niveau": "territoire", "territoire": departement}
    return [
        ("tendances", {**params, "indicateur": "assignations"}, f"Expulsions — assignations, {start}–{year}"),
        ("expulsions", {**params, "debut": str(year)}, f"Expulsions — de l'assignation à l'expulsion en {year}"),
        ("fsl", params, f"FSL — aides accordées et montants versés, {start}–{year}"),
        ("mal_logement", params, f"Mal-logement — signalements, {start}–{year}"),
        (
            "comparer",
            {**compared, "debut": str(year), "indicateur": "assignations", "affichage": "rate"},
            f"Territoires — assignations pour 1 000 ménages, {year}",
        ),
    ]


def bilan_deck(conn: Connection, plan: str, year: int | None, *, progress: Progress | None = None) -> Deck:
    """The bilan as a deck (see the module docstring). ``year`` None: the bilan of the whole plan —
    the evaluation right after the synthesis, each fiche's latest follow-up, the objectives of the
    plan's last year, trends over the plan."""
    loader = DatabaseLoader(conn)
    whole = year is None
    shown = bilan_year(loader, plan, year)
    row = plan_row(loader, plan, shown)
    departement = str(row["departement_code"])
    word = axis_word(row)
    structure = loader.plan_structure(plan)
    axes = structure.drop_duplicates("axis_code")[["axis_code", "axis_title"]]
    views = _family_views(plan, bilan_home(loader, row), departement, plan_years(row)[0] if whole else shown - 4, shown)
    total = 2 + len(axes) + len(views) + 1
    step = iter(range(total))

    def report(label: str) -> None:
        if progress:
            progress(next(step), total, label)

    report("Synthèse et tableaux du bilan")
    sheets = bilan_tables(loader, plan, year)
    indicators = loader.plan_objectives(plan)["indicator_code"].dropna().unique().tolist()
    source = source_line(loader, indicators, departement)
    outside = outside_plan(row, shown)
    filters = str(row["short_name"]) + (f" · {outside}" if outside else "")
    evaluation = evaluation_slide(sheets, filters=filters, source=source)
    slides: list[Slide] = synthesis_slides(sheets, year=shown, filters=filters, source=source)
    report("Évaluation du plan")
    if whole:
        slides.append(evaluation)
    for axis in axes.itertuples():
        report(f"{word} {axis.axis_code}")
        count = int((structure["axis_code"] == axis.axis_code).sum())
        when = "à la dernière année suivie" if whole else f"en {shown}"
        slides.append(fiches_slide(sheets, word, axis, when=when, filters=filters, source=source))
        slides.extend(programme_slides(sheets, word, axis, filters=filters))
        slides.append(objectives_slide(sheets, word, axis, year=shown, fiches=count, filters=filters, source=source))
    if not whole:
        slides.append(evaluation)
    slides.append(indicators_slide(sheets, year=shown, filters=filters, source=source))
    for page, view_params, title in views:
        report(title)
        slides.extend(view_slides(conn, page, view_params, title=title, plan=plan))
    report("Territoires")
    slides.extend(territory_slides(sheets, year=shown, filters=filters, source=source))
    if progress:
        progress(total, total, "Terminé")
    demo = any(slide.demo for slide in slides)
    return Deck(
        title=_title(row, str(row["short_name"]), year),
        subtitle=str(row["name"]),
        date=dt.date.today(),
        demo=demo,
        slides=slides,
        methods=methods_lines(demo=demo),
    )
