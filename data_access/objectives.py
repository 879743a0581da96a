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
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection, select

from data_access.aggregation import SumRequest, chosen_sources, coverage_index, stored_components, summed_rows_many
from data_access.models import Territory
from data_access.periods import Period, add_months
from data_access.queries import plan_objectives, plans
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


def _covered_fraction(coverage: dict, parts: tuple[str, ...], place: tuple[str, str], period: Period) -> float:  # type: ignore[type-arg]
    """Share of ``period`` covered by the stored series ``parts`` (an indicator, or both parts of a
    ratio) for a territory of (level, département) ``place``, from a ``coverage_index``."""
    fractions = []
    for component in parts:
        sources = chosen_sources(coverage, {component}, [place], period, "total")
        if not sources:
            return 0.0
        source = next(iter(sources.values()))
        step = {"month": 1, "quarter": 3, "year": 12}[source.granularity]
        covered_end = min(period.end, add_months(source.last, step))
        covered_start = max(period.start, source.first)
        months = (covered_end.year - covered_start.year) * 12 + covered_end.month - covered_start.month
        fractions.append(max(0, months) / period.months)
    return min(fractions) if fractions else 0.0


@dataclass(frozen=True)
class _Draft:
    """An objective's evaluation before its values are read."""

    kind: str
    target: float | None
    period: Period
    prorata: bool
    baseline: float | None
    measured: bool  # its value (and maybe its baseline) must be read
    fraction: float = 0.0
    base_period: Period | None = None
    base_fraction: float = 0.0


def objective_statuses(conn: Connection, objectives: pd.DataFrame, territory: str | None, year: int) -> list[ObjectiveResult]:
    """The status of each objective (rows of ``plan_objectives``) for ``territory`` (None: each
    objective's own territory) and calendar ``year``, in order (see the module docstring); all
    their values are read with one SQL statement (a plan has about twenty objectives, each with up
    to two sums)."""
    codes = sorted({*objectives["territory_code"], *([territory] if territory else [])})
    places = {
        code: (level, dep or "", households or 0)
        for code, level, dep, households in conn.execute(
            select(Territory.code, Territory.level, Territory.departement_code, Territory.households).where(Territory.code.in_(codes))
        )
    }
    indicators = sorted({i for i in objectives["indicator_code"] if isinstance(i, str)})
    parts = stored_components(conn, indicators)
    coverage = coverage_index(conn, {c for p in parts.values() for c in p}, {dep for _, dep, _ in places.values()})
    drafts, requests = [], []
    for _, objective in objectives.iterrows():
        own = objective["territory_code"]
        evaluated = own if territory is None or places[own][0] != "departement" else territory
        prorata = evaluated != own
        share = places[evaluated][2] / (places[own][2] or 1) if prorata else 1.0
        kind = objective["kind"]
        period = evaluated_period(kind, objective["period_start"], objective["period_end"], year)
        target = prorata_target(kind, _float(objective["target_value"]), share)
        indicator = objective["indicator_code"] if isinstance(objective["indicator_code"], str) else None
        baseline = prorata_target(kind, _float(objective["baseline_value"]), share)
        draft = _Draft(kind, target, period, prorata, baseline, measured=kind != "milestone" and indicator is not None)
        if draft.measured:
            assert indicator is not None
            place = places[evaluated][:2]
            draft = replace(draft, fraction=_covered_fraction(coverage, parts.get(indicator, ()), place, period))
            requests.append(SumRequest((indicator,), (evaluated,), period, "total"))
            if baseline is None and kind in BASELINE_KINDS and pd.notna(objective["baseline_start"]):
                base = Period(objective["baseline_start"].replace(day=1), add_months(objective["baseline_end"].replace(day=1), 1))
                draft = replace(draft, base_period=base, base_fraction=_covered_fraction(coverage, parts.get(indicator, ()), place, base))
                requests.append(SumRequest((indicator,), (evaluated,), base, "total"))
        drafts.append((objective, draft))
    sums = iter(summed_rows_many(conn, requests))
    results = []
    for objective, draft in drafts:
        if draft.kind == "milestone":
            achieved = objective["achieved_on"] if pd.notna(objective["achieved_on"]) else None
            status = milestone_status(achieved, draft.period.end - dt.timedelta(days=1))
            results.append(ObjectiveResult(status, None, None, None, 1.0, draft.period, False, False))
            continue
        if not draft.measured:
            results.append(ObjectiveResult("pas de données", None, draft.target, None, 0.0, draft.period, draft.prorata, False))
            continue
        value, demo = _measured(next(sums), draft.fraction)
        baseline = draft.baseline
        if draft.base_period is not None:
            measured, base_demo = _measured(next(sums), draft.base_fraction)
            baseline = measured if draft.base_fraction >= 1 else None
            demo = demo or base_demo
        status = status_from_measurement(draft.kind, draft.target, Measurement(value, draft.fraction, baseline))
        results.append(ObjectiveResult(status, value, draft.target, baseline, draft.fraction, draft.period, draft.prorata, demo))
    return results


def _measured(rows: list[tuple], fraction: float) -> tuple[float | None, bool]:  # type: ignore[type-arg]
    """(value over the period, any demo value) from one total's rows: no value without coverage."""
    if not rows or fraction == 0:
        return None, False
    _, _, _, value, _, demo = rows[0]
    return float(value), bool(demo)


def objective_status_table(conn: Connection, *, plan: str, year: int, territory: str | None = None) -> pd.DataFrame:
    """Every objective of ``plan`` with its status for ``year`` (and ``territory``, pro rata for
    plan-wide objectives). Columns: STATUS_TABLE_COLUMNS, in the plan's order."""
    return objective_status_frame(conn, plan_objectives(conn, plan=plan), territory, year)


def objective_status_frame(conn: Connection, objectives: pd.DataFrame, territory: str | None, year: int) -> pd.DataFrame:
    """:func:`objective_status_table` of some objectives only (rows of ``plan_objectives``), in their order."""
    rows = []
    for (_, objective), result in zip(objectives.iterrows(), objective_statuses(conn, objectives, territory, year), strict=True):
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
    level = conn.scalar(select(Territory.level).where(Territory.code == departement)) or "departement"
    coverage = coverage_index(conn, ["assignations"], [departement])
    for year in range(dt.date.today().year, 1999, -1):
        if _covered_fraction(coverage, ("assignations",), (level, departement), Period.years(year)) >= 1:
            return year
    return None


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
