"""The annual report (bilan annuel) of a plan for one year: workbook and deck.

The workbook has three sheets: « Objectifs » (every objective with its status for the year, by
chantier/orientation and fiche-action), « Indicateurs » (each fiche-action's indicators for the
département, the year before and the year) and « Territoires » (key indicators per territoire,
with their rates per 1 000 ménages). The deck has one slide per chantier/orientation, then the
trends and maps that matter for the year.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection

from data_access import objectives, queries
from data_access.aggregation import SERIES_COLUMNS
from data_access.errors import UserError
from data_access.periods import Period
from reporting import tables
from reporting.dossier import methods_lines
from reporting.slides import Deck, Progress, Slide
from reporting.view_slides import view_slide
from views.common import source_line
from views.loader import DatabaseLoader
from views.plan_action import status_counts, summary_status

TERRITORY_INDICATORS = ("assignations", "expulsions_effectives", "fsl_energie_menages", "menages_reperes")
FIRST_YEAR = 2000


def _plan_row(conn: Connection, plan: str, year: int) -> pd.Series:
    known = queries.plans(conn).set_index("code")
    if plan not in known.index:
        raise UserError(f"Plan « {plan} » inconnu. Plans chargés : {', '.join(known.index) or 'aucun'}.")
    if not FIRST_YEAR <= year <= dt.date.today().year:
        raise UserError(f"Année {year} invalide : une année entre {FIRST_YEAR} et {dt.date.today().year} est attendue.")
    return known.loc[str(plan)]  # type: ignore[return-value]


def _axis_word(row: pd.Series) -> str:
    return str(row["axis_kind"] or "axe").capitalize()


def objectives_sheet(conn: Connection, plan: str, year: int) -> pd.DataFrame:
    """Every objective of ``plan`` with its status for ``year``, its chantier/orientation and fiche-action, French headers."""
    row = _plan_row(conn, plan, year)
    axis = _axis_word(row)
    structure = queries.plan_structure(conn, plan=plan)[["axis_code", "axis_title", "code", "title"]]
    table = objectives.objective_status_table(conn, plan=plan, year=year)
    labels = queries.indicator_catalogue(conn).set_index("code")["label"].to_dict()
    merged = table.merge(structure, left_on="action_code", right_on="code", how="left")
    frame = pd.DataFrame(
        {
            axis: merged["axis_code"].astype(str) + " – " + merged["axis_title"].fillna(""),
            "Fiche-action": merged["action_code"].astype(str) + " – " + merged["title"].fillna(""),
            "Objectif": merged["label"],
            "Indicateur": merged["indicator_code"].map(labels),
            "Période évaluée": merged["period_label"],
            "Cible": merged["target"],
            "Référence": merged["baseline"],
            "Valeur": merged["value"],
            "Statut": merged["status"],
            "Données fictives": merged["demo"].map({True: "oui", False: "non"}),
        }
    )
    frame.attrs["demo"] = bool(table.attrs.get("demo"))
    return frame


def indicators_sheet(conn: Connection, plan: str, year: int) -> pd.DataFrame:
    """Each fiche-action's linked indicators for the département: ``year - 1``, ``year`` and the change."""
    departement = str(_plan_row(conn, plan, year)["departement_code"])
    links = queries.action_indicators(conn, plan=plan)
    structure = queries.plan_structure(conn, plan=plan)[["code", "title"]]
    catalogue = queries.indicator_catalogue(conn).set_index("code")
    codes = sorted(set(links["indicator_code"]))
    values = (
        queries.indicator_series(conn, indicators=codes, territories=[departement], period=Period.years(year - 1, year), granularity="year")
        if codes
        else pd.DataFrame(columns=SERIES_COLUMNS)
    )
    by_year = {
        (code, day.year): value for code, day, value in zip(values["indicator_code"], values["period_start"], values["value"], strict=True)
    }
    order = {code: i for i, code in enumerate(structure["code"])}
    links = links.assign(order=links["action_code"].map(order)).sort_values(["order", "indicator_code"])
    titles = dict(zip(structure["code"], structure["title"], strict=True))
    before, now = (links["indicator_code"].map(lambda c, y=y: by_year.get((c, y))) for y in (year - 1, year))
    before, now = pd.to_numeric(before), pd.to_numeric(now)
    frame = pd.DataFrame(
        {
            "Fiche-action": links["action_code"].astype(str) + " – " + links["action_code"].map(titles).fillna(""),
            "Indicateur": links["indicator_code"].map(catalogue["label"]),
            "Unité": links["indicator_code"].map(catalogue["unit"]),
            str(year - 1): before.to_numpy(),
            str(year): now.to_numpy(),
            "Évolution (%)": (100 * (now - before) / before.where(before != 0)).round(1).to_numpy(),
        }
    ).reset_index(drop=True)
    frame.attrs["demo"] = bool(values.attrs.get("demo", False))
    return frame


def territories_sheet(conn: Connection, plan: str, year: int) -> pd.DataFrame:
    """The key indicators per territoire for ``year``, with their rates per 1 000 ménages."""
    departement = str(_plan_row(conn, plan, year)["departement_code"])
    labels = queries.indicator_catalogue(conn).set_index("code")["label"].to_dict()
    frame: pd.DataFrame | None = None
    demo = False
    for code in TERRITORY_INDICATORS:
        values = queries.level_values(conn, indicator=code, level="territoire", departement=departement, period=Period.years(year))
        demo = demo or bool(values.attrs.get("demo"))
        part = values.set_index("territory_code")[["value", "rate"]].rename(
            columns={"value": labels.get(code, code), "rate": f"{labels.get(code, code)} pour 1 000 ménages"}
        )
        if frame is None:
            frame = values.set_index("territory_code")[["name", "households"]].rename(
                columns={"name": "Territoire", "households": "Ménages"}
            )
        frame = frame.join(part)
    assert frame is not None
    result = frame.sort_values("Territoire").reset_index(drop=True)
    result.attrs["demo"] = demo
    return result


def bilan_tables(conn: Connection, plan: str, year: int) -> dict[str, pd.DataFrame]:
    """Sheet name → table: « Objectifs », « Indicateurs », « Territoires » (see the module docstring).

    Raises
    ------
    UserError
        Unknown plan or a year outside 2000 – this year.
    """
    return {
        "Objectifs": objectives_sheet(conn, plan, year),
        "Indicateurs": indicators_sheet(conn, plan, year),
        "Territoires": territories_sheet(conn, plan, year),
    }


def _title(conn: Connection, plan: str, year: int) -> str:
    row = _plan_row(conn, plan, year)
    return f"Bilan annuel {year} — {row['short_name']}"


def bilan_xlsx(conn: Connection, plan: str, year: int) -> bytes:
    """The bilan's three sheets as an ``.xlsx`` (title, sources, demo notice above each table)."""
    sheets = bilan_tables(conn, plan, year)
    departement = str(_plan_row(conn, plan, year)["departement_code"])
    indicators = [*TERRITORY_INDICATORS, *queries.action_indicators(conn, plan=plan)["indicator_code"].unique()]
    return tables.xlsx_bytes(
        sheets,
        title=_title(conn, plan, year),
        source=source_line(DatabaseLoader(conn), indicators, departement),
        demo=any(bool(frame.attrs.get("demo")) for frame in sheets.values()),
    )


def bilan_deck(conn: Connection, plan: str, year: int, *, progress: Progress | None = None) -> Deck:
    """The bilan as a deck: one slide per chantier/orientation (its objectives and their status for
    ``year``), then the assignations trend, the eviction funnel of the year, the assignations map per
    territoire and the signalements trend."""
    row = _plan_row(conn, plan, year)
    departement = str(row["departement_code"])
    axis_word = _axis_word(row)
    sheet = objectives_sheet(conn, plan, year)
    structure = queries.plan_structure(conn, plan=plan)
    axes = structure.drop_duplicates("axis_code")[["axis_code", "axis_title"]]
    params = {
        "plan": plan,
        "debut": str(year - 4),
        "fin": str(year),
        "granularite": "annee",
        "niveau": "territoire",
        "territoire": departement,
    }
    thematic = [
        ("tendances", {**params, "indicateur": "assignations"}, f"Assignations, {year - 4}–{year}"),
        ("expulsions", {**params, "debut": str(year)}, f"De l'assignation à l'expulsion en {year}"),
        (
            "comparer",
            {**params, "debut": str(year), "indicateur": "assignations", "affichage": "rate"},
            f"Assignations pour 1 000 ménages par territoire, {year}",
        ),
        ("mal_logement", params, f"Signalements de mal-logement, {year - 4}–{year}"),
    ]
    total = len(axes) + len(thematic)
    indicators = queries.plan_objectives(conn, plan=plan)["indicator_code"].dropna().unique().tolist()
    source = source_line(DatabaseLoader(conn), indicators, departement)
    slides: list[Slide] = []
    for number, axis in enumerate(axes.itertuples(), start=1):
        if progress:
            progress(number - 1, total, f"{axis_word} {axis.axis_code}")
        own = sheet[sheet[axis_word].str.startswith(f"{axis.axis_code} – ")]
        notes = own[["Fiche-action", "Objectif", "Valeur", "Cible", "Statut"]]
        title = f"{axis_word} {axis.axis_code} : {axis.axis_title}"
        slides.append(
            Slide(
                title if len(title) <= 110 else title[:108].rstrip() + "…",
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
    for number, (page, view_params, title) in enumerate(thematic, start=len(axes) + 1):
        if progress:
            progress(number - 1, total, title)
        slides.append(view_slide(conn, page, view_params, title=title, plan=plan))
    if progress:
        progress(total, total, "Terminé")
    demo = any(slide.demo for slide in slides)
    return Deck(
        title=_title(conn, plan, year),
        subtitle=str(row["name"]),
        date=dt.date.today(),
        demo=demo,
        slides=slides,
        methods=methods_lines(demo=demo),
    )
