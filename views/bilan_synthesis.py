"""The bilan's synthesis: « are we on track? » (objectives per status, fiches-action per état),
« what moved most? » (the plan's indicators whose département value changed most over the year)
and « which objectives are at risk? » (those « en retard » or « non atteint » for the year).

Pure: it reads the bilan's own sheets (``objectives_sheet``, ``fiches_sheet``, ``indicators_sheet``
of :mod:`views.bilan`), so the synthesis never says anything the detailed sheets do not.
"""

from __future__ import annotations

import pandas as pd

from data_access.french import MISSING, fr_number, fr_signed_percent
from data_access.vocabulary import PROGRESS_NOT_RECORDED, ObjectiveStatus
from views.wording import STATUSES

AT_RISK = (ObjectiveStatus.NON_ATTEINT, ObjectiveStatus.EN_RETARD)
MOVERS = 6  # the indicators that moved most, by the size of their relative change
SYNTHESIS_COLUMNS = ("Rubrique", "Élément", "Valeur", "Détail")


def movers(indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    """The indicators of ``indicators_sheet`` whose département value changed most between
    ``year - 1`` and ``year`` (largest relative change first, each indicator once, at most
    ``MOVERS``): « Indicateur », « Unité », both years, « Évolution » in French (« +12,5 % »)."""
    before, now = str(year - 1), str(year)
    known = indicators.dropna(subset=["Évolution (%)"]).drop_duplicates("Indicateur")
    ranked = known.assign(size=known["Évolution (%)"].abs()).sort_values(["size", "Indicateur"], ascending=[False, True])
    top = ranked.head(MOVERS)
    return pd.DataFrame(
        {
            "Indicateur": top["Indicateur"],
            "Unité": top["Unité"],
            before: top[before],
            now: top[now],
            "Évolution": [fr_signed_percent(float(change), 1) for change in top["Évolution (%)"]],
        }
    ).reset_index(drop=True)


def at_risk(objectives: pd.DataFrame) -> pd.DataFrame:
    """The objectives of ``objectives_sheet`` whose status for the year is « non atteint » or
    « en retard », « non atteint » first, in the plan's order within each."""
    risky = objectives[objectives["Statut"].isin(AT_RISK)]
    order = {status: rank for rank, status in enumerate(AT_RISK)}
    risky = risky.assign(order=risky["Statut"].map(order)).sort_values("order", kind="stable")
    return risky[["Fiche-action", "Objectif", "Référence", "Valeur / cible", "Statut"]].reset_index(drop=True)


def synthesis_sheet(objectives: pd.DataFrame, fiches: pd.DataFrame, indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    """The « Synthèse » sheet, one statement per row (columns ``SYNTHESIS_COLUMNS``): the objectives
    per status for ``year``, the fiches-action per état, the indicators that moved most, the
    objectives at risk."""
    rows: list[tuple[str, str, str, str]] = []
    statuses = objectives["Statut"].value_counts()
    total = fr_number(len(objectives))
    for status in STATUSES:
        if status in statuses.index:
            rows.append((f"Objectifs {year}", f"« {status} »", fr_number(int(statuses[status])), f"sur {total} objectifs"))
    if objectives.empty:
        rows.append((f"Objectifs {year}", "objectifs chiffrés", "aucun", ""))
    states = fiches["État"].fillna(PROGRESS_NOT_RECORDED).value_counts()
    for state, count in states.items():
        rows.append(("Fiches-action", f"« {state} »", fr_number(int(count)), f"sur {fr_number(len(fiches))} fiches-action"))
    moved = movers(indicators, year)
    for item in moved.itertuples(index=False):
        before, now = (MISSING if pd.isna(v) else fr_number(float(v)) for v in (item[2], item[3]))
        rows.append((f"Évolutions {year - 1} → {year}", str(item.Indicateur), str(item.Évolution), f"{before} → {now}"))
    if moved.empty:
        rows.append((f"Évolutions {year - 1} → {year}", "indicateurs des fiches-action", MISSING, "pas de valeur pour les deux années"))
    risky = at_risk(objectives)
    for item in risky.itertuples(index=False):
        rows.append(("Objectifs à risque", f"{item[0].split(' – ')[0]} – {item.Objectif}", str(item.Statut), str(item[3])))
    if risky.empty:
        rows.append(("Objectifs à risque", "aucun objectif « non atteint » ou « en retard »", "", ""))
    frame = pd.DataFrame(rows, columns=list(SYNTHESIS_COLUMNS))
    frame.attrs["demo"] = bool(objectives.attrs.get("demo")) or bool(indicators.attrs.get("demo"))
    return frame
