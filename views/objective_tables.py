"""The plan's objectives in words and tables: « valeur / cible », the status table, the plan matrix,
the counts per status (pure; shared by the Vue d'ensemble, the Plan d'action, the bilan and the slides).

Every objective is read from the status table (``objective_status_table``) or the plan evaluation
(``plan_evaluation``): nothing here judges an objective, it only prints the judgement.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import pandas as pd

from data_access.french import MISSING, fr_date, fr_measure, fr_number
from data_access.vocabulary import ObjectiveKind, ObjectiveStatus
from views.model import KeyFigure
from views.wording import STATUSES, sparkline_text, status_with_symbol

# how each kind compares the value to its target (« ≥ 40 »): read « valeur / cible » as « 50 / ≥ 40 »
COMPARATORS = {
    ObjectiveKind.MIN_PER_YEAR: "≥ ",
    ObjectiveKind.MIN_CUMULATIVE: "≥ ",
    ObjectiveKind.SHARE_MIN: "≥ ",
    ObjectiveKind.MAX_PER_YEAR: "≤ ",
    ObjectiveKind.RATIO_MAX: "≤ ",
    ObjectiveKind.STOCK_TARGET: "",
    ObjectiveKind.DECREASE_FROM_BASELINE: "< ",
    ObjectiveKind.INCREASE_FROM_BASELINE: "> ",
}
PERCENT_KINDS = frozenset({ObjectiveKind.SHARE_MIN, ObjectiveKind.RATIO_MAX})
MILESTONE_WORDS = {
    ObjectiveStatus.A_RENSEIGNER: "à renseigner",
    ObjectiveStatus.EN_RETARD: "non réalisé à l'échéance",
    ObjectiveStatus.ABANDONNE: "abandonné",
}


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[call-overload,arg-type]


def _amount(value: object, kind: str, against: object = None) -> str:
    """A value or target as printed: « 1 529 », « 9,9 % » for shares and rates; with one decimal
    more when it would otherwise print as ``against`` although it differs (a pro rata target of
    15,3 beside a value of 15: « 15 / ≥ 15,3 », never « 15 / ≥ 15 » judged « non atteint »)."""
    text = fr_measure(value)
    number, other = _number(value), _number(against)
    if number is not None and other is not None and number != other and text == fr_measure(other):
        text = fr_number(number, 1 if round(number, 1) != round(other, 1) else 2)
    return text + (" %" if kind in PERCENT_KINDS and number is not None else "")


def value_target(objective: Mapping[Hashable, Any]) -> str:
    """« valeur / cible » of one row of the status table, the comparison in the target:

    « 50 / ≥ 40 », « 0 / ≤ 0 », « 9,9 % / ≥ 10 % », « 311 / < 318 (réf.) », « — / ≥ 40 » (no
    value), « 1 234 / cible à fixer » (a target the plan has not set), « réalisé le 30/06/2016 » or « à renseigner » (milestones), « 187 » (no target)."""
    kind = str(objective["kind"])
    if kind == ObjectiveKind.MILESTONE:
        achieved = objective.get("achieved_on")
        if achieved is not None and not pd.isna(achieved):
            return f"réalisé le {fr_date(achieved)}"
        return MILESTONE_WORDS.get(ObjectiveStatus(objective["status"]), str(objective["status"]))  # type: ignore[call-overload]
    value = _amount(objective["value"], kind)
    if kind == ObjectiveKind.TO_BE_SET:
        return f"{value} / cible à fixer"
    if kind in (ObjectiveKind.DECREASE_FROM_BASELINE, ObjectiveKind.INCREASE_FROM_BASELINE):
        reference = objective.get("baseline")
        if _number(reference) is None:
            return value
        return f"{value} / {COMPARATORS[ObjectiveKind(kind)]}{_amount(reference, kind, objective['value'])} (réf.)"
    if _number(objective["target"]) is None:
        return value
    target = _amount(objective["target"], kind, objective["value"])
    return f"{value} / {COMPARATORS.get(ObjectiveKind(kind), '')}{target}"  # type: ignore[call-overload]


def objective_words(table: pd.DataFrame) -> list[str]:
    """Each objective's words as the plan wrote them, and the past perimeter it is evaluated on
    (« … — périmètre au 31/12/2013 : 28 communes ») when it was set on one."""
    perimeters = table["perimeter_label"] if "perimeter_label" in table.columns else [""] * len(table)
    return [f"{label} — {perimeter}" if perimeter else str(label) for label, perimeter in zip(table["label"], perimeters, strict=True)]


def target_text(target: object, rule_label: str, tolerance_label: str) -> str:
    """« 40 », « 1 (objectif de chaque territoire) », « 20 (une vingtaine) », « 3,1 (au prorata) »."""
    notes = [note for note in (tolerance_label, rule_label) if note]
    return fr_measure(target) + (f" ({', '.join(notes)})" if notes else "")


def reference_text(value: object, label: str) -> str:
    """« 318 (2013, année de référence supposée) », « — » without a reference."""
    if not label and _number(value) is None:
        return MISSING
    if label.endswith(")") and " (" in label:  # « 2013 (année de référence supposée) »: one pair of brackets
        label = label[:-1].replace(" (", ", ", 1)
    return fr_measure(value) + (f" ({label})" if label else "")


def objective_table(table: pd.DataFrame, *, territorial: bool = False) -> pd.DataFrame:
    """The status table (``objective_status_table``) as the screen prints it, status first:
    Statut, Fiche, Objectif (termes du plan), Valeur / cible, Période évaluée (and, for a
    territory, the territorial rule that reads each objective there)."""
    columns: dict[str, object] = {
        "Statut": table["status"].map(status_with_symbol),
        "Fiche": table["action_code"],
        "Objectif (termes du plan)": objective_words(table),
        "Valeur / cible": [value_target(row) for row in table.to_dict("records")],
        "Période évaluée": table["period_label"],
    }
    if territorial:
        columns["Lecture territoriale"] = [label or "objectif départemental" for label in table["rule_label"]]
    return pd.DataFrame(columns)


def plan_matrix(evaluation: pd.DataFrame) -> pd.DataFrame:
    """The plan evaluated year by year (``plan_evaluation``): one row per objective, one column
    per plan year with its status chip (« ✔ 46 », « ✎ à renseigner »), then the verdict over the
    plan (« ✔ tenu 5 années sur 7 »). Every chip opens with its status symbol (see ``cell_status``)."""
    years: list[int] = evaluation.attrs.get("years", [])
    columns: dict[str, object] = {"Fiche": evaluation["action_code"], "Objectif (termes du plan)": evaluation["label"]}
    for year in years:
        columns[str(year)] = [
            _year_cell(*cells[year], kind=str(kind)) if year in cells else MISSING
            for cells, kind in zip(evaluation["years"], evaluation["kind"], strict=True)
        ]
    columns["Bilan du plan"] = [
        f"{status_with_symbol(verdict).split(' ')[0]} {text}"
        for verdict, text in zip(evaluation["verdict"], evaluation["verdict_text"], strict=True)
    ]
    return pd.DataFrame(columns)


def _year_cell(status: str, value: object, *, kind: str) -> str:
    """« ✔ 46 », « ✖ 8 % »; without a value, the symbol alone (« ✎ », « ⚠ »: the caption gives
    their key) so that seven plan years fit a 1366-pixel screen."""
    symbol = status_with_symbol(status).split(" ")[0]
    return f"{symbol} {_amount(value, kind)}" if _number(value) is not None else symbol


def trajectory(cells: Mapping[int, tuple[str, object]]) -> str:
    """An objective's measured values over the plan years, in order, as a text sparkline
    (« ▂▅█▃ »), « – » when none was measured."""
    return sparkline_text([float(value) for _, (_, value) in sorted(cells.items()) if _number(value) is not None])  # type: ignore[arg-type]


def status_counts(statuses: Sequence[str]) -> tuple[KeyFigure, ...]:
    """Key figures: the number of objectives per status, in status order (only the statuses present)."""
    counts = pd.Series(list(statuses), dtype=object).value_counts()
    return tuple(
        KeyFigure(f"Objectifs « {status} »", fr_number(int(counts[status])), status=status) for status in STATUSES if status in counts.index
    )


UNJUDGED = (ObjectiveStatus.A_RENSEIGNER, ObjectiveStatus.A_FIXER, ObjectiveStatus.PAS_DE_DONNEES)


def summary_status(statuses: Sequence[str], year: int) -> str | None:
    """« Objectifs 2024 : 10 sur 18 atteints (2 à renseigner, 1 sans données) » (None without
    objectives): reached among the objectives that have a verdict for the year; a milestone not yet
    due (« à renseigner ») or an objective without measure is counted apart, never as missed."""
    if not len(statuses):
        return None
    reached = sum(1 for status in statuses if status == ObjectiveStatus.ATTEINT)
    apart = {status: sum(1 for s in statuses if s == status) for status in UNJUDGED}
    judged = len(statuses) - sum(apart.values())
    words = {
        ObjectiveStatus.A_RENSEIGNER: "à renseigner",
        ObjectiveStatus.A_FIXER: "à fixer",
        ObjectiveStatus.PAS_DE_DONNEES: "sans données",
    }
    note = ", ".join(f"{fr_number(count)} {words[status]}" for status, count in apart.items() if count)
    if not judged:
        return f"Objectifs {year} : aucun encore évaluable ({note})"
    return f"Objectifs {year} : {fr_number(reached)} sur {fr_number(judged)} atteints" + (f" ({note})" if note else "")
