"""The bilan's own slides, from the sheets of :func:`views.bilan.bilan_tables` (nothing is
computed here but counts of those sheets): the synthesis, per chantier/orientation the follow-up
of its fiches, the programmes serving them and its objectives, the evaluation over the plan, the territorial part."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from data_access.french import fr_number
from figures.units import value_text
from reporting.slides import Slide
from views.bilan import EVALUATION_HEADERS
from views.bilan_synthesis import at_risk, movers
from views.bilan_territories import RATE_WORDS, territory_status_counts
from views.objective_tables import status_counts, summary_status

Sheets = Mapping[str, pd.DataFrame]


def _demo(*frames: pd.DataFrame) -> bool:
    return any(bool(frame.attrs.get("demo")) for frame in frames)


def _axis_rows(frame: pd.DataFrame, word: str, axis_code: str) -> pd.DataFrame:
    return frame[frame[word].str.startswith(f"{axis_code} – ")]


def synthesis_slides(sheets: Sheets, *, year: int, filters: str, source: str) -> list[Slide]:
    """« Où en est le plan ? » (objectives per status, the objectives at risk in its table) and
    « Ce qui a le plus évolué » (the indicators that moved most between ``year - 1`` and ``year``)."""
    objectives, fiches, indicators = sheets["Objectifs"], sheets["Fiches-action"], sheets["Indicateurs"]
    statuses = list(objectives["Statut"])
    followed = int((fiches["Année du suivi"] != "–").sum()) if "Année du suivi" in fiches else 0
    figures = [(f.label, f.value) for f in status_counts(statuses)][:5]
    figures.append(("Fiches-action suivies", f"{fr_number(followed)} sur {fr_number(len(fiches))}"))
    moved = movers(indicators, year)
    return [
        Slide(
            f"Synthèse {year} : où en est le plan ?",
            key_figures=figures,
            status=summary_status(statuses, year),
            filters=f"{filters} · objectifs « non atteint » ou « en retard » dans le tableau",
            footer=source,
            notes_table=at_risk(objectives),
            demo=_demo(objectives),
        ),
        Slide(
            f"Ce qui a le plus évolué de {year - 1} à {year}",
            key_figures=[(str(item.Indicateur), str(item.Évolution)) for item in moved.head(3).itertuples(index=False)],
            filters=f"{filters} · indicateurs des fiches-action, {indicators.attrs['where']}",
            footer=source,
            notes_table=moved,
            demo=_demo(indicators),
        ),
    ]


def fiches_slide(sheets: Sheets, word: str, axis, *, when: str, filters: str, source: str) -> Slide:  # type: ignore[no-untyped-def]
    """The follow-up of the axis's fiches-action: the count per état as key figures, and every
    fiche (objective, pilote, partenaires, moyens, état, réalisations, commentaire) in its table."""
    # the evaluation indicators' wording stays in the workbook: their values have their own slide
    own = _axis_rows(sheets["Fiches-action"], word, axis.axis_code).drop(columns=[word, "Objectifs suivis", *EVALUATION_HEADERS])
    counts = own["État"].value_counts()
    return Slide(
        f"{word} {axis.axis_code} : suivi des fiches-action {when}",
        key_figures=[(f"Fiches « {state} »", fr_number(int(n))) for state, n in counts.items()][:6],
        filters=f"{filters} · {axis.axis_title} · {len(own)} fiches-action",
        footer=source,
        notes_table=own.reset_index(drop=True),
    )


def programme_slides(sheets: Sheets, word: str, axis, *, filters: str) -> list[Slide]:  # type: ignore[no-untyped-def]
    """One slide per programme serving a fiche of the axis (« Dispositifs » sheet): its results as
    key figures, each with the period it covers, and in its table; its document as the source."""
    if "Dispositifs" not in sheets:
        return []
    own = _axis_rows(sheets["Dispositifs"], word, axis.axis_code)
    slides = []
    for (name, period, operators), rows in own.groupby(["Dispositif", "Période du dispositif", "Opérateurs"], sort=False):
        fiches = ", ".join(dict.fromkeys(code.split(" – ")[0] for code in rows["Fiche-action"]))
        results = rows.drop_duplicates("Résultat")
        slides.append(
            Slide(
                f"{word} {axis.axis_code} : dispositif « {name} » (fiche {fiches})",
                key_figures=[(f"{r['Résultat']} ({r['Période couverte']})", str(r["Valeur"])) for _, r in results.head(4).iterrows()],
                filters=f"{filters} · {name}, {period} · {operators} · chiffres publiés par le dispositif",
                footer=f"Source : {rows['Source'].iloc[0]}",
                notes_table=results[["Résultat", "Valeur", "Période couverte", "Calcul"]].reset_index(drop=True),
            )
        )
    return slides


def objectives_slide(sheets: Sheets, word: str, axis, *, year: int, fiches: int, filters: str, source: str) -> Slide:  # type: ignore[no-untyped-def]
    """The axis's objectives: the count per status, the summary « N sur M atteints », the table."""
    own = _axis_rows(sheets["Objectifs"], word, axis.axis_code)
    return Slide(
        f"{word} {axis.axis_code} : {axis.axis_title}",  # never cut: the renderers wrap it
        key_figures=[(f.label, f.value) for f in status_counts(list(own["Statut"]))]
        if not own.empty
        else [("Objectifs chiffrés", "aucun")],
        status=summary_status(list(own["Statut"]), year),
        filters=f"{filters} · {fiches} fiches-action · objectifs évalués pour {year}",
        footer=source,
        notes_table=own[["Fiche-action", "Objectif", "Référence", "Valeur / cible", "Statut"]],
        demo=(own["Données fictives"] == "oui").any().item() if not own.empty else False,
    )


def evaluation_slide(sheets: Sheets, *, filters: str, source: str) -> Slide:
    """The plan evaluated over its period: the verdicts counted, the matrix (reference → each plan
    year → verdict) in its table."""
    matrix = sheets["Évaluation du plan"]
    years = matrix.attrs.get("years") or []
    span = f" {years[0]}–{years[-1]}" if years else ""
    verdicts = matrix.attrs.get("verdicts", [])
    return Slide(
        f"Évaluation du plan{span} : chaque objectif année par année",
        key_figures=[(f.label.replace("Objectifs", "Bilans"), f.value) for f in status_counts(verdicts)][:6]
        if verdicts
        else [("Objectifs chiffrés", "aucun")],
        filters=f"{filters} · référence, statut de chaque année du plan, bilan du plan",
        footer=source,
        notes_table=matrix.iloc[:, 1:],  # the fiche's code says its chantier/orientation: room for the years
        demo=_demo(matrix),
    )


def indicators_slide(sheets: Sheets, *, year: int, filters: str, source: str) -> Slide:
    """The fiches-action's indicators (effectivité, efficacité, impact, as the plan links them):
    the value on the plan's home (the département, an intercommunal plan's perimeter) the year before
    and the year, and the change."""
    indicators = sheets["Indicateurs"]
    measured = indicators.dropna(subset=[str(year)])
    return Slide(
        f"Indicateurs des fiches-action : {year - 1} et {year}",
        key_figures=[("Indicateurs mesurés", f"{fr_number(len(measured))} sur {fr_number(len(indicators))}")],
        filters=f"{filters} · {indicators.attrs['where']} ; libellés des indicateurs d'effectivité, d'efficacité et d'impact dans le tableur",
        footer=source,
        notes_table=_values_by_unit(indicators, [str(year - 1), str(year)]),
        demo=_demo(indicators),
    )


def _values_by_unit(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The table with each row's values printed for its own « Unité » (a column mixes counts, euros
    and percentages: « 2 242 » beside « 27,2 % », never « 2 242,0 »)."""
    shown = table.copy()
    for column in columns:
        shown[column] = [value_text(None if pd.isna(v) else float(v), unit) for v, unit in zip(table[column], table["Unité"], strict=True)]
    return shown


def territory_slides(sheets: Sheets, *, year: int, filters: str, source: str) -> list[Slide]:
    """The territorial part: each territoire's key rates per 1 000 ménages with their ranks, and how
    many of each territoire's own objectives (pro rata, its own target) are in each status."""
    places, territorial = sheets["Territoires"], sheets["Objectifs par territoire"]
    rates = [column for column in places.columns if column.endswith(RATE_WORDS) and not column.startswith("Rang")]
    shown = places[["Territoire", "Ménages", *rates]].rename(columns={c: c.removesuffix(f" {RATE_WORDS}") for c in rates})
    first = rates[0] if rates and places[rates[0]].notna().any() else None
    top = places.sort_values(first, ascending=False, kind="stable").iloc[0] if first else None  # the first highest, as idxmax
    slides = [
        Slide(
            f"Les territoires en {year} : indicateurs clés pour 1 000 ménages",
            key_figures=[(f"{first.removesuffix(f' {RATE_WORDS}')} : le plus élevé, {top['Territoire']}", fr_number(float(top[first]), 1))]
            if first and top is not None
            else [],
            filters=f"{filters} · valeurs pour 1 000 ménages (Insee, RP 2021) ; rangs dans le tableur",
            footer=source,
            notes_table=shown,
            demo=_demo(places),
        )
    ]
    counts = territory_status_counts(territorial, places)
    slides.append(
        Slide(
            f"Objectifs de chaque territoire en {year}",
            filters=f"{filters} · objectifs au prorata ou fixés pour chaque territoire ; détail dans le tableur",
            footer=source,
            notes_table=counts,
            demo=_demo(territorial),
        )
    )
    return slides
