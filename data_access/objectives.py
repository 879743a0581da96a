"""Objective statuses measured from the database (the rule itself is in ``data_access.status``).

The evaluated period of an objective for a year:

- ``min_cumulative``: from the objective's start to the end of that year (capped at the
  objective's end);
- every other kind: that calendar year.

A plan-wide objective (its territory is the département) evaluated for another territory reads
as its territorial rule says (``objective.territorial_rule``, declared in plan.yaml):

- ``prorata``: evaluated on the territory, its target shared pro rata of households (or population)
  — « au prorata »;
- ``chaque_territoire``: evaluated on the territory against ``target_per_territory`` (1 référent in
  each of the 13 territoires) — « objectif de chaque territoire »; at another level than the
  territoires, it reads as ``departemental``;
- ``departemental``: not divided, evaluated on the département — « objectif départemental »;
- a territorialised objective (Sarthe 2A, rule ``territorial``) is always evaluated on its own territory.

A milestone's status comes from its latest ``milestone_record`` (or the plan's ``atteint_le``); an
objective whose target is still to be set (``to_be_set``) is « à fixer », its value shown.

An objective set on a past perimeter of its own territory (``perimeter_date``, a
``historic_perimeter`` covering that date) is evaluated on that perimeter's communes: the sum of
their stored values, a ratio recomputed from the sums of its parts (``data_access.perimeters``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection, select

from data_access.aggregation import SumRequest, chosen_sources, coverage_index, stored_components, summed_rows_many
from data_access.models import Indicator, MilestoneRecord, Territory
from data_access.perimeters import historic_members, perimeter_label, perimeter_value
from data_access.periods import Period, add_months, last_ended_year
from data_access.queries import plan_objectives, plans
from data_access.status import BASELINE_KINDS, PRORATA_KINDS, Measurement, milestone_status, prorata_target, status_from_measurement
from data_access.vocabulary import RULE_LABELS, Level, MilestoneState, ObjectiveKind, ObjectiveStatus, ProrataBase, TerritorialRule

STATUS_TABLE_COLUMNS = [
    "objective_id",
    "rule",
    "rule_label",
    "tolerance_label",
    "baseline_label",
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
    "perimeter_label",
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
    rule: str = ""  # the rule applied to read it for another territory than its own ("" on its own)
    achieved_on: dt.date | None = None  # a milestone's recorded date
    perimeter: str = ""  # « périmètre au 31/12/2013 : 28 communes » when evaluated on a past perimeter


def milestone_records(conn: Connection, plan_codes: list[str]) -> dict[tuple[str, str, int], tuple[str, dt.date | None, str | None]]:
    """(plan, action, position) → (state, date, comment) of each milestone's latest record."""
    rows = conn.execute(
        select(
            MilestoneRecord.plan_code,
            MilestoneRecord.action_code,
            MilestoneRecord.position,
            MilestoneRecord.state,
            MilestoneRecord.achieved_on,
            MilestoneRecord.comment,
        )
        .where(MilestoneRecord.plan_code.in_(plan_codes))
        .order_by(MilestoneRecord.id)
    ).all()
    return {(plan, action, position): (state, day, comment) for plan, action, position, state, day, comment in rows}


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
    rule: str = ""
    tolerance: float | None = None
    evaluated: str = ""
    members: tuple[str, ...] | None = None  # the communes of the past perimeter it was set on (``perimeter_date``)


def objective_statuses(conn: Connection, objectives: pd.DataFrame, territory: str | None, year: int) -> list[ObjectiveResult]:
    """The status of each objective (rows of ``plan_objectives``) for ``territory`` (None: each
    objective's own territory) and calendar ``year``, in order (see the module docstring); all
    their values are read with one SQL statement (a plan has about twenty objectives, each with up
    to two sums)."""
    codes = sorted({*objectives["territory_code"], *([territory] if territory else [])})
    places = {
        code: (level, dep or "", households or 0, population or 0)
        for code, level, dep, households, population in conn.execute(
            select(Territory.code, Territory.level, Territory.departement_code, Territory.households, Territory.population).where(
                Territory.code.in_(codes)
            )
        )
    }
    records = milestone_records(conn, sorted(set(objectives["plan_code"]))) if not objectives.empty else {}
    indicators = sorted({i for i in objectives["indicator_code"] if isinstance(i, str)})
    parts = stored_components(conn, indicators)
    # a ratio on a past perimeter is recomputed here from its parts: its scale, read only then
    past = not objectives.empty and objectives["perimeter_date"].notna().any()
    scales = dict(conn.execute(select(Indicator.code, Indicator.scale).where(Indicator.code.in_(indicators))).all()) if past else {}
    coverage = coverage_index(conn, {c for p in parts.values() for c in p}, {place[1] for place in places.values()})
    drafts, requests = [], []
    for _, objective in objectives.iterrows():
        own = objective["territory_code"]
        kind = objective["kind"]
        rule = applied_rule(objective, places[own][0], places[territory][0] if territory else None, territory)
        evaluated = territory if rule in (TerritorialRule.PRORATA, TerritorialRule.CHAQUE_TERRITOIRE) and territory else own
        prorata = rule == TerritorialRule.PRORATA
        size = _population if objective["prorata_base"] == ProrataBase.POPULATION else _households
        share = size(places[evaluated]) / (size(places[own]) or 1) if prorata else 1.0
        period = evaluated_period(kind, objective["period_start"], objective["period_end"], year)
        if rule == TerritorialRule.CHAQUE_TERRITOIRE:
            target = _float(objective["target_per_territory"])
        else:
            target = prorata_target(kind, _float(objective["target_value"]), share)
        indicator = objective["indicator_code"] if isinstance(objective["indicator_code"], str) else None
        baseline = prorata_target(kind, _float(objective["baseline_value"]), share)
        draft = _Draft(
            kind,
            target,
            period,
            prorata,
            baseline,
            measured=kind != "milestone" and indicator is not None,
            rule=rule,
            tolerance=_float(objective["tolerance"]),
            evaluated=evaluated,
        )
        if draft.measured:
            assert indicator is not None
            components = parts.get(indicator, ())
            members = (
                historic_members(conn, own, objective["perimeter_date"])
                if evaluated == own and pd.notna(objective["perimeter_date"])
                else None
            )
            # a past perimeter is the sum of its communes' values: each stored part, summed in Python
            asked, summed = ((indicator,), (evaluated,)) if members is None else (components, members)
            place = (places[evaluated][0] if members is None else Level.COMMUNE.value, places[evaluated][1])
            draft = replace(draft, fraction=_covered_fraction(coverage, components, place, period), members=members)
            requests.append(SumRequest(asked, summed, period, "total"))
            if baseline is None and kind in BASELINE_KINDS and pd.notna(objective["baseline_start"]):
                base = Period(objective["baseline_start"].replace(day=1), add_months(objective["baseline_end"].replace(day=1), 1))
                draft = replace(draft, base_period=base, base_fraction=_covered_fraction(coverage, components, place, base))
                requests.append(SumRequest(asked, summed, base, "total"))
        drafts.append((objective, draft))
    sums = iter(summed_rows_many(conn, requests))
    results = []
    for objective, draft in drafts:
        if draft.kind == "milestone":
            state, achieved = _milestone_record(objective, records)
            due = objective["due_on"] if pd.notna(objective["due_on"]) else objective["period_end"]
            status = milestone_status(state, achieved, due_on=due, period_end=draft.period.end - dt.timedelta(days=1))
            results.append(ObjectiveResult(status, None, None, None, 1.0, draft.period, False, False, draft.rule, achieved))
            continue
        if not draft.measured:
            unmeasured = ObjectiveStatus.A_FIXER if draft.kind == ObjectiveKind.TO_BE_SET else ObjectiveStatus.PAS_DE_DONNEES
            results.append(ObjectiveResult(unmeasured, None, draft.target, None, 0.0, draft.period, draft.prorata, False, draft.rule))
            continue
        indicator = str(objective["indicator_code"])
        value, demo = _measured(next(sums), draft, parts.get(indicator, ()), scales.get(indicator))
        baseline = draft.baseline
        if draft.base_period is not None:
            measured, base_demo = _measured(
                next(sums), replace(draft, fraction=draft.base_fraction), parts.get(indicator, ()), scales.get(indicator)
            )
            baseline = measured if draft.base_fraction >= 1 else None
            demo = demo or base_demo
        status = status_from_measurement(draft.kind, draft.target, Measurement(value, draft.fraction, baseline), draft.tolerance)
        perimeter = perimeter_label(objective["perimeter_date"], len(draft.members)) if draft.members is not None else ""
        results.append(
            ObjectiveResult(
                status, value, draft.target, baseline, draft.fraction, draft.period, draft.prorata, demo, draft.rule, perimeter=perimeter
            )
        )
    return results


def _households(place: tuple[str, str, int, int]) -> float:
    return float(place[2])


def _population(place: tuple[str, str, int, int]) -> float:
    return float(place[3])


def applied_rule(objective: pd.Series, own_level: str, territory_level: str | None, territory: str | None) -> str:
    """The rule that reads ``objective`` for ``territory`` ("" when it is evaluated on its own territory)."""
    rule = str(objective["territorial_rule"])
    if territory is None or territory == objective["territory_code"] or rule == TerritorialRule.TERRITORIAL or own_level != "departement":
        return ""
    if rule == TerritorialRule.CHAQUE_TERRITOIRE and territory_level != "territoire":
        return TerritorialRule.DEPARTEMENTAL  # « un référent par territoire » says nothing of an EPCI or a commune
    if rule == TerritorialRule.PRORATA and objective["kind"] not in PRORATA_KINDS:
        return TerritorialRule.DEPARTEMENTAL
    return rule


def _milestone_record(
    objective: pd.Series, records: dict[tuple[str, str, int], tuple[str, dt.date | None, str | None]]
) -> tuple[str | None, dt.date | None]:
    """(state, date) of a milestone: its latest record, else the plan's own « atteint_le »."""
    key = (str(objective["plan_code"]), str(objective["action_code"]), int(objective["position"]))
    if key in records:
        state, day, _ = records[key]
        return state, day
    if pd.notna(objective["achieved_on"]):
        return MilestoneState.REALISE, objective["achieved_on"]
    return None, None


def _measured(rows: list[tuple], draft: _Draft, parts: tuple[str, ...], scale: float | None) -> tuple[float | None, bool]:  # type: ignore[type-arg]
    """(value over the period, any demo value) from one total's rows: no value without coverage;
    on a past perimeter, its communes' parts summed (a ratio recomputed from the sums)."""
    if not rows or draft.fraction == 0:
        return None, False
    if draft.members is not None:
        return perimeter_value(rows, parts, scale)
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
                result.rule,
                _rule_label(objective, result.rule),
                objective["tolerance_label"] if isinstance(objective["tolerance_label"], str) else "",
                _baseline_label(objective, result),
                objective["action_code"],
                objective["label"],
                objective["kind"],
                objective["indicator_code"],
                territory if result.rule in (TerritorialRule.PRORATA, TerritorialRule.CHAQUE_TERRITOIRE) else objective["territory_code"],
                result.period.label(),
                result.target,
                result.baseline,
                result.value,
                result.fraction,
                result.status,
                result.prorata,
                result.achieved_on,
                result.demo,
                result.perimeter,
            )
        )
    frame = pd.DataFrame(rows, columns=STATUS_TABLE_COLUMNS)
    frame.attrs["demo"] = bool(frame["demo"].any()) if not frame.empty else False
    return frame


def _rule_label(objective: pd.Series, rule: str) -> str:
    """How the objective reads for the territory asked: the rule applied (« au prorata »…), « objectif
    du territoire » for one that names its own territory (an EPCI's, Sarthe 2A's), "" for a
    département's own objective read on the département."""
    if rule:
        return RULE_LABELS.get(TerritorialRule(rule), "")
    return RULE_LABELS[TerritorialRule.TERRITORIAL] if objective["territorial_rule"] == TerritorialRule.TERRITORIAL else ""


def _baseline_label(objective: pd.Series, result: ObjectiveResult) -> str:
    """« 2013 », « 2013 (année de référence supposée) », « nov. 2012 – oct. 2013 », or "" without a baseline."""
    if objective["kind"] not in BASELINE_KINDS or pd.isna(objective["baseline_start"]):
        return ""
    end = objective["baseline_end"] if pd.notna(objective["baseline_end"]) else objective["baseline_start"]
    label = Period(objective["baseline_start"].replace(day=1), add_months(end.replace(day=1), 1)).label()
    return f"{label} (année de référence supposée)" if bool(objective["baseline_assumed"]) else label


def latest_complete_year(conn: Connection, *, plan: str) -> int | None:
    """The latest calendar year fully covered by the eviction series of the plan's département,
    among the years already over (a value dated after today does not make a year complete)."""
    departement = str(plans(conn).set_index("code").at[plan, "departement_code"])
    level = conn.scalar(select(Territory.level).where(Territory.code == departement)) or "departement"
    coverage = coverage_index(conn, ["assignations"], [departement])
    for year in range(last_ended_year(), 1999, -1):
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
