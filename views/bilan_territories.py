"""The bilan's territorial part: each territoire's key values ranked by the measure shown, and each
territoire's objectives read under their territorial rules (pro rata, each territory's own target,
the département's objective, a named territory's objective).

Pure over a :class:`~views.loader.Loader`; the objectives' statuses come from
``objective_status_table`` for each territoire, as the Plan d'action shows them for that territoire.
"""

from __future__ import annotations

import pandas as pd

from data_access.periods import Period
from data_access.vocabulary import Level, ObjectiveStatus, TerritorialRule
from views import secret
from views.loader import Loader
from views.objective_tables import objective_words, value_target

TERRITORY_INDICATORS = ("assignations", "expulsions_effectives", "fsl_energie_menages", "menages_reperes")
RATE_WORDS = "pour 1 000 ménages"
# the statuses counted per territoire on the bilan's slide, in this order
COUNTED = (
    ObjectiveStatus.ATTEINT,
    ObjectiveStatus.EN_BONNE_VOIE,
    ObjectiveStatus.EN_RETARD,
    ObjectiveStatus.NON_ATTEINT,
    ObjectiveStatus.PAS_DE_DONNEES,
)


def territories_sheet(loader: Loader, departement: str, year: int) -> pd.DataFrame:
    """The key indicators per territoire for ``year``: each one's value, its rate per 1 000 ménages
    and its rank by that rate (« Rang (… pour 1 000 ménages) », 1 = highest), territoires by name."""
    labels = loader.indicator_catalogue().set_index("code")["label"].to_dict()
    frame: pd.DataFrame | None = None
    demo = False
    remarks: dict[str, list[str]] = {}
    for code in TERRITORY_INDICATORS:
        values = loader.level_values(code, Level.TERRITOIRE, departement, Period.years(year))
        demo = demo or bool(values.attrs.get("demo"))
        label = labels.get(code, code)
        # a value over secret cells is a minimum, a wholly secret one is « s », not 0
        for territory, n, cells, d in zip(
            *(values[c] for c in ("territory_code", "n_secret", "n_cells", "n_secret_denominator")), strict=True
        ):
            if n or d:
                remarks.setdefault(territory, []).append(f"{label} : {secret.cell_remark(int(n), int(cells), int(d))}")
        values = secret.hide_secret(values)
        part = values.set_index("territory_code")[["value", "rate"]].rename(columns={"value": label, "rate": f"{label} {RATE_WORDS}"})
        part[f"Rang ({label} {RATE_WORDS})"] = part[f"{label} {RATE_WORDS}"].rank(ascending=False, method="min").astype("Int64")
        part[f"{label} {RATE_WORDS}"] = part[f"{label} {RATE_WORDS}"].round(1)
        if frame is None:
            frame = values.set_index("territory_code")[["name", "households"]].rename(
                columns={"name": "Territoire", "households": "Ménages"}
            )
        frame = frame.join(part)
    assert frame is not None
    if remarks:
        frame["Remarque"] = [" ; ".join(remarks.get(code, [])) for code in frame.index]
    result = frame.sort_values("Territoire").reset_index(drop=True)
    result.attrs["demo"] = demo
    return result


def _own(table: pd.DataFrame, territory: str) -> pd.Series:
    """Which objectives are the territoire's own: shared pro rata, its own target in each
    territoire, or named for this territoire (not the département's objective it only shows)."""
    rules = table["rule"]
    return rules.isin([TerritorialRule.PRORATA, TerritorialRule.CHAQUE_TERRITOIRE]) | (
        (rules == TerritorialRule.TERRITORIAL) & (table["territory_code"] == territory)
    )


def territorial_objectives_sheet(loader: Loader, plan: str, departement: str, year: int) -> pd.DataFrame:
    """Each territoire's own objectives for ``year`` (see ``_own``): « Territoire », « Fiche-action »,
    « Objectif », « Lecture territoriale » (« au prorata »…), « Valeur / cible », « Statut »;
    territoires by name, objectives in the plan's order."""
    places = loader.territories(departement, Level.TERRITOIRE)
    structure = loader.plan_structure(plan).set_index("code")["title"].to_dict()
    parts = []
    demo = False
    for code, name in zip(places["code"], places["name"], strict=True):
        table = loader.objective_status_table(plan, year, territory=str(code))
        demo = demo or bool(table.attrs.get("demo"))
        own = table[_own(table, str(code))]
        parts.append(
            pd.DataFrame(
                {
                    "Territoire": name,
                    "Fiche-action": own["action_code"].astype(str) + " – " + own["action_code"].map(structure).fillna(""),
                    "Objectif": objective_words(own),
                    "Lecture territoriale": own["rule_label"],
                    "Valeur / cible": [value_target(objective) for objective in own.to_dict("records")],
                    "Statut": own["status"],
                }
            )
        )
    columns = ["Territoire", "Fiche-action", "Objectif", "Lecture territoriale", "Valeur / cible", "Statut"]
    result = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    result.attrs["demo"] = demo
    return result


def territory_status_counts(territorial: pd.DataFrame, territories: pd.DataFrame) -> pd.DataFrame:
    """Per territoire (the rows of ``territories_sheet``), how many of its own objectives
    (``territorial_objectives_sheet``) are in each status of ``COUNTED``, with its households."""
    counts = pd.crosstab(territorial["Territoire"], territorial["Statut"]) if not territorial.empty else pd.DataFrame()
    frame = territories[["Territoire", "Ménages"]].copy()
    for status in COUNTED:
        column = counts[status] if status in counts.columns else pd.Series(dtype=int)
        frame[f"« {status} »"] = frame["Territoire"].map(column).fillna(0).astype(int)
    frame.attrs["demo"] = bool(territorial.attrs.get("demo"))
    return frame
