"""The evaluation of a plan over its own period: each objective, year by year, and its end-of-plan verdict.

For each objective of the plan: its baseline (value and period, « année de référence supposée »
when the plan gives none), the value and status of every plan year (up to the current one), and a
verdict per kind:

- yearly kinds (``min_per_year``, ``max_per_year``, ``ratio_max``, ``share_min``) are judged year by
  year: « tenu 5 années sur 7 »; the verdict is ``atteint`` when every evaluated year was, else
  ``non atteint`` once the plan is over (``en bonne voie`` / ``en retard`` while it runs);
- every other kind (cumulative targets, baselines, stocks, milestones) is judged on the whole
  period: the status of its last evaluated year.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, select

from data_access.errors import UserError
from data_access.french import fr_number
from data_access.models import Plan
from data_access.objectives import objective_status_frame
from data_access.queries import plan_objectives
from data_access.vocabulary import ObjectiveKind, ObjectiveStatus

YEARLY_KINDS = frozenset({ObjectiveKind.MIN_PER_YEAR, ObjectiveKind.MAX_PER_YEAR, ObjectiveKind.RATIO_MAX, ObjectiveKind.SHARE_MIN})
JUDGED = (ObjectiveStatus.ATTEINT, ObjectiveStatus.NON_ATTEINT)
EVALUATION_COLUMNS = (
    "objective_id",
    "action_code",
    "label",
    "kind",
    "indicator_code",
    "rule_label",
    "tolerance_label",
    "target",
    "baseline",
    "baseline_label",
    "years",  # {year: (status, value)}
    "verdict",
    "verdict_text",
    "demo",
)


def plan_period(conn: Connection, plan: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the plan; UserError for an unknown plan."""
    row = conn.execute(select(Plan.period_start, Plan.period_end).where(Plan.code == plan)).one_or_none()
    if row is None:
        raise UserError(f"Plan « {plan} » inconnu.")
    return row.period_start, row.period_end


def plan_years(conn: Connection, plan: str, today: dt.date | None = None) -> list[int]:
    """The plan's calendar years, up to the current one."""
    start, end = plan_period(conn, plan)
    return list(range(start.year, min(end.year, (today or dt.date.today()).year) + 1))


def plan_evaluation(conn: Connection, *, plan: str, territory: str | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Every objective of ``plan`` evaluated for each plan year and judged over the plan (see the module docstring).

    ``territory`` reads plan-wide objectives by their territorial rule (``data_access.objectives``).
    Columns: EVALUATION_COLUMNS, in the plan's order; ``years`` maps each plan year to (status, value).
    """
    objectives = plan_objectives(conn, plan=plan)
    years = plan_years(conn, plan, today)
    frames = {year: objective_status_frame(conn, objectives, territory, year) for year in years}
    over = (today or dt.date.today()) > plan_period(conn, plan)[1]
    by_year = {year: frame.to_dict("records") for year, frame in frames.items()}
    rows = []
    for index, objective in enumerate(objectives.to_dict("records")):
        per_year = {year: (str(records[index]["status"]), records[index]["value"]) for year, records in by_year.items()}
        last: dict = by_year[years[-1]][index] if years else {}  # type: ignore[type-arg]
        verdict, text = _verdict(str(objective["kind"]), per_year, over)
        rows.append(
            (
                int(objective["id"]),
                objective["action_code"],
                objective["label"],
                objective["kind"],
                objective["indicator_code"],
                last.get("rule_label", ""),
                last.get("tolerance_label", ""),
                last.get("target"),
                last.get("baseline"),
                last.get("baseline_label", ""),
                per_year,
                verdict,
                text,
                any(bool(records[index]["demo"]) for records in by_year.values()),
            )
        )
    result = pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))
    result.attrs["years"] = years
    result.attrs["demo"] = bool(result["demo"].any()) if not result.empty else False
    return result


def _verdict(kind: str, per_year: dict[int, tuple[str, object]], over: bool) -> tuple[str, str]:
    """(status, words) of an objective over the plan."""
    if not per_year:
        return ObjectiveStatus.PAS_DE_DONNEES, "pas encore évalué"
    if kind not in YEARLY_KINDS:
        status = per_year[max(per_year)][0]
        return status, f"{status} en {max(per_year)}"
    judged = [status for status, _ in per_year.values() if status in JUDGED]
    if not judged:
        return ObjectiveStatus.PAS_DE_DONNEES, "aucune année mesurée"
    met = sum(status == ObjectiveStatus.ATTEINT for status in judged)
    words = f"tenu {fr_number(met)} année{'s' if met > 1 else ''} sur {fr_number(len(judged))}"
    missing = len(per_year) - len(judged)
    if missing:
        words += f" ({fr_number(missing)} sans mesure complète)"
    if met == len(judged):
        return (ObjectiveStatus.ATTEINT if over else ObjectiveStatus.EN_BONNE_VOIE), words
    return (ObjectiveStatus.NON_ATTEINT if over else ObjectiveStatus.EN_RETARD), words
