"""Objective statuses measured from the database (the rule itself is in ``data_access.status``).

The evaluated period of an objective for a year:

- ``min_cumulative``: from the objective's start to the end of that year (capped at the
  objective's end);
- every other kind: that calendar year.

A plan-wide objective (its territory is the département) evaluated for another territory is
shared pro rata of households (``prorata`` is True, the label says « objectif au prorata »);
ratios, shares and milestones are not shared. A territorialised objective (Sarthe 2A) is always
evaluated on its own territory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from data_access.models import Territory
from data_access.periods import Period, add_months
from data_access.queries import choose_sources, plan_objectives, plans, stored_components, summed_values, target_territories
from data_access.status import BASELINE_KINDS, Measurement, milestone_status, prorata_target, status_from_measurement

STATUS_TABLE_COLUMNS = [
    "objective_id",
    "action_code",
    "label",
    "kind",
    "indicator_code",
    "territory_code",
    "period_label",
    "target",
    "baseline",
    "value",
    "fraction",
    "status",
    "prorata",
    "achieved_on",
    "demo",
]


@dataclass(frozen=True)
class ObjectiveResult:
    status: str
    value: float | None
    target: float | None
    baseline: float | None
    fraction: float
    period: Period
    prorata: bool
    demo: bool


def evaluated_period(kind: str, objective_start: dt.date, objective_end: dt.date, year: int) -> Period:
    """The period over which an objective of ``kind`` is measured for ``year``."""
    if kind == "min_cumulative":
        end = min(dt.date(year + 1, 1, 1), add_months(dt.date(objective_end.year, objective_end.month, 1), 1))
        return Period(dt.date(objective_start.year, objective_start.month, 1), max(end, add_months(objective_start, 1)))
    return Period.years(year)


def _covered_fraction(conn: Connection, indicator: str, territory: pd.DataFrame, period: Period) -> float:
    """Share of ``period`` covered by the stored series of ``indicator`` (or of both parts of a ratio)."""
    fractions = []
    for component in stored_components(conn, [indicator]).get(indicator, ()):
        sources = choose_sources(conn, {component}, territory, period, "total")
        if not sources:
            return 0.0
        source = next(iter(sources.values()))
        step = {"month": 1, "quarter": 3, "year": 12}[source.granularity]
        covered_end = min(period.end, add_months(source.last, step))
        covered_start = max(period.start, source.first)
        months = (covered_end.year - covered_start.year) * 12 + covered_end.month - covered_start.month
        fractions.append(max(0, months) / period.months)
    return min(fractions) if fractions else 0.0


def _measure(conn: Connection, indicator: str, territory_code: str, period: Period) -> tuple[float | None, float, bool]:
    """(value over the period, covered fraction, any demo value) for one indicator and territory."""
    values = summed_values(conn, [indicator], [territory_code], period, "total")
    fraction = _covered_fraction(conn, indicator, target_territories(conn, [territory_code]), period)
    if values.empty or fraction == 0:
        return None, fraction, False
    return float(values["value"].iloc[0]), fraction, bool(values["demo"].iloc[0])


def objective_status(conn: Connection, objective: pd.Series, territory: str | None, year: int) -> ObjectiveResult:
    """Status of one objective (a row of ``plan_objectives``) for ``territory`` (None: the
    objective's own territory) and calendar ``year``; see the module docstring."""
    own = objective["territory_code"]
    evaluated = own if territory is None or _level(conn, own) != "departement" else territory
    prorata = evaluated != own
    share = _households_share(conn, evaluated, own) if prorata else 1.0
    period = evaluated_period(objective["kind"], objective["period_start"], objective["period_end"], year)
    target = prorata_target(objective["kind"], _float(objective["target_value"]), share)
    if objective["kind"] == "milestone":
        achieved = objective["achieved_on"] if pd.notna(objective["achieved_on"]) else None
        return ObjectiveResult(
            milestone_status(achieved, add_months(period.end, 0) - dt.timedelta(days=1)), None, None, None, 1.0, period, False, False
        )
    if objective["indicator_code"] is None or pd.isna(objective["indicator_code"]):
        return ObjectiveResult("pas de données", None, target, None, 0.0, period, prorata, False)
    value, fraction, demo = _measure(conn, objective["indicator_code"], evaluated, period)
    baseline = prorata_target(objective["kind"], _float(objective["baseline_value"]), share)
    if baseline is None and objective["kind"] in BASELINE_KINDS and pd.notna(objective["baseline_start"]):
        base_period = Period(objective["baseline_start"].replace(day=1), add_months(objective["baseline_end"].replace(day=1), 1))
        measured, base_fraction, base_demo = _measure(conn, objective["indicator_code"], evaluated, base_period)
        baseline = measured if base_fraction >= 1 else None
        demo = demo or base_demo
    status = status_from_measurement(objective["kind"], target, Measurement(value, fraction, baseline))
    return ObjectiveResult(status, value, target, baseline, fraction, period, prorata, demo)


def objective_status_table(conn: Connection, *, plan: str, year: int, territory: str | None = None) -> pd.DataFrame:
    """Every objective of ``plan`` with its status for ``year`` (and ``territory``, pro rata for
    plan-wide objectives). Columns: STATUS_TABLE_COLUMNS, in the plan's order."""
    rows = []
    for _, objective in plan_objectives(conn, plan=plan).iterrows():
        result = objective_status(conn, objective, territory, year)
        rows.append(
            (
                int(objective["id"]),
                objective["action_code"],
                objective["label"],
                objective["kind"],
                objective["indicator_code"],
                territory if result.prorata else objective["territory_code"],
                result.period.label(),
                result.target,
                result.baseline,
                result.value,
                result.fraction,
                result.status,
                result.prorata,
                objective["achieved_on"],
                result.demo,
            )
        )
    frame = pd.DataFrame(rows, columns=STATUS_TABLE_COLUMNS)
    frame.attrs["demo"] = bool(frame["demo"].any()) if not frame.empty else False
    return frame


def latest_complete_year(conn: Connection, *, plan: str) -> int | None:
    """The latest calendar year fully covered by the eviction series of the plan's département."""
    departement = str(plans(conn).set_index("code").at[plan, "departement_code"])
    targets = target_territories(conn, [departement])
    for year in range(dt.date.today().year, 1999, -1):
        if _covered_fraction(conn, "assignations", targets, Period.years(year)) >= 1:
            return year
    return None


def _level(conn: Connection, code: str) -> str | None:
    return conn.scalar(select(Territory.level).where(Territory.code == code))


def _households_share(conn: Connection, territory: str, departement: str) -> float:
    households = dict(conn.execute(select(Territory.code, Territory.households).where(Territory.code.in_([territory, departement]))).all())
    return (households.get(territory) or 0) / (households.get(departement) or 1)


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type,call-overload]


OBJECTIVE_SERIES_COLUMNS = ["period_start", "value"]


def objective_series(objective: pd.Series, period: Period, granularity: str, share: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The objective as a line to draw against a series, and the trajectory from the baseline.

    Returns (objective, trajectory), each with OBJECTIVE_SERIES_COLUMNS, for the buckets of
    ``period`` at ``granularity`` (month, quarter, year, rolling12) that fall within the
    objective's period. Counts per year are spread over months and quarters (a yearly 40 is 10 a
    quarter); ratios, shares and stocks are drawn as they are; a baseline objective is drawn at
    its baseline level, and its trajectory runs from the baseline to the target when the plan
    gives one. ``share`` scales counts pro rata (1.0: plan-wide). Empty frames when there is
    nothing to draw (milestones, cumulative targets).
    """
    empty = pd.DataFrame(columns=OBJECTIVE_SERIES_COLUMNS)
    kind = objective["kind"]
    level = _float(objective["baseline_value"]) if kind in BASELINE_KINDS else _float(objective["target_value"])
    if kind in ("milestone", "min_cumulative") or level is None:
        return empty, empty
    step = {"month": 1, "quarter": 3}.get(granularity, 12)
    # the target stays the reference outside the plan's years, as in the status table
    start, end = period.start, period.end
    buckets, day = (
        [],
        start if granularity in ("month", "rolling12") else dt.date(start.year, 1 if step == 12 else (start.month - 1) // 3 * 3 + 1, 1),
    )
    while day < end:
        buckets.append(day)
        day = add_months(day, step if granularity != "rolling12" else 1)
    per_bucket = prorata_target(kind, level, share) or 0.0
    if kind in ("min_per_year", "max_per_year", *BASELINE_KINDS):
        per_bucket *= step / 12 if granularity != "rolling12" else 1
    line = pd.DataFrame({"period_start": buckets, "value": per_bucket})
    target = _float(objective["target_value"])
    if kind not in BASELINE_KINDS or target is None:
        return line, empty
    goal = (prorata_target(kind, target, share) or 0.0) * (step / 12 if granularity != "rolling12" else 1)
    positions = range(len(buckets))
    trajectory = pd.DataFrame(
        {"period_start": buckets, "value": [per_bucket + (goal - per_bucket) * i / max(1, len(buckets) - 1) for i in positions]}
    )
    return line, trajectory
