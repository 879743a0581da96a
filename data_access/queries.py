"""Query functions used by the pages: Connection + keyword filters → DataFrame.

How values are aggregated (every page relies on it):

- Values are summed in SQL from the finest stored level that nests in the requested territory
  (communes for an EPCI, an arrondissement or a territoire; communes, then the groupings, then the
  département itself for a département) and from the finest stored granularity that nests in the
  requested one. The choice is read from ``series_coverage``, so two levels are never added up.
- Within the stored coverage of a commune-level series, a period without any value counts as
  zero: partners' files and the demo data list only communes with cases. Series stored at a
  grouping or national level keep their gaps (a missing year is absent, not zero).
- Ratio indicators are recomputed from their summed numerator and denominator, never averaged.
- Every result has a boolean ``demo`` column (any demo value contributed) and ``attrs["demo"]``
  (any row is demo), so that pages say « Données fictives de démonstration » exactly where it applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Integer, Select, and_, case, cast, extract, func, literal, literal_column, select, union_all

from data_access.models import (
    ActionIndicator,
    Event,
    ImportBatch,
    Indicator,
    Objective,
    Observation,
    ObservationRollup,
    Plan,
    PlanAction,
    PlanAxis,
    SeriesCoverage,
    Territory,
    TerritoryMembership,
)
from data_access.periods import Bucket, Granularity, Period, add_months, bucket_months, bucket_start
from data_access.vocabulary import GROUP_LEVELS

SERIES_COLUMNS = ["indicator_code", "territory_code", "period_start", "value", "complete", "demo"]
LEVEL_VALUES_COLUMNS = ["territory_code", "name", "value", "households", "population", "rate", "rank", "demo"]
CHAIN_COLUMNS = ["stage", "indicator_code", "label", "value", "rate_from_previous", "demo"]
EVICTION_CHAIN = ("assignations", "cql", "cfp_demandes", "cfp_accordes", "expulsions_effectives")

# Stored levels that may be summed into each requested level, finest first.
SOURCE_LEVELS = {
    "commune": ("commune",),
    "epci": ("commune", "epci"),
    "arrondissement": ("commune", "arrondissement"),
    "territoire": ("commune", "territoire"),
    "departement": ("commune", "territoire", "epci", "arrondissement", "departement"),
    "france": ("france",),
}
SOURCE_GRANULARITIES = {
    "month": ("month",),
    "quarter": ("month", "quarter"),
    "year": ("month", "quarter", "year"),
    "total": ("month", "quarter", "year"),
}


@dataclass(frozen=True)
class _Source:
    indicator: str
    level: str
    granularity: str
    first: dt.date
    last: dt.date
    demo: bool


# --- catalogue and referentials ------------------------------------------------------------------


def _table_frame(conn: Connection, stmt: Select) -> pd.DataFrame:  # type: ignore[type-arg]
    result = conn.execute(stmt)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def indicator_catalogue(conn: Connection) -> pd.DataFrame:
    """Every indicator with its label, unit, theme, better, granularities, definition, source,
    numerator_code, denominator_code and scale, ordered by theme then code."""
    return _table_frame(conn, select(Indicator).order_by(Indicator.theme, Indicator.code))


def plans(conn: Connection) -> pd.DataFrame:
    """Loaded plans: code, name, short_name, acronym, departement_code, period_start, period_end, axis_kind."""
    stmt = select(
        Plan.code, Plan.name, Plan.short_name, Plan.acronym, Plan.departement_code, Plan.period_start, Plan.period_end, Plan.axis_kind
    ).order_by(Plan.code)
    return pd.DataFrame(
        conn.execute(stmt).all(),
        columns=["code", "name", "short_name", "acronym", "departement_code", "period_start", "period_end", "axis_kind"],
    )


def territories(conn: Connection, *, departement: str, level: str | None = None) -> pd.DataFrame:
    """Territories of a département (optionally of one level): code, name, level, population, households, sorted by name."""
    stmt = select(Territory.code, Territory.name, Territory.level, Territory.population, Territory.households).where(
        Territory.departement_code == departement
    )
    if level is not None:
        stmt = stmt.where(Territory.level == level)
    return pd.DataFrame(conn.execute(stmt.order_by(Territory.name)).all(), columns=["code", "name", "level", "population", "households"])


def territory_name(conn: Connection, *, code: str) -> str:
    """The territory's name, or its code when unknown."""
    return conn.scalar(select(Territory.name).where(Territory.code == code)) or code


def year_bounds(conn: Connection, *, departement: str) -> tuple[int, int]:
    """First and last years with stored values for the département (or France), from the coverage."""
    first, last = conn.execute(
        select(func.min(SeriesCoverage.first_period), func.max(SeriesCoverage.last_period)).where(
            SeriesCoverage.departement_code.in_([departement, "FR"])
        )
    ).one()
    return (first.year, last.year) if first and last else (2013, dt.date.today().year)


def data_version(conn: Connection) -> tuple[int, int, str]:
    """Changes whenever values are loaded, imported or reverted: (batches, last batch id, last revert)."""
    count, last, reverted = conn.execute(select(func.count(), func.max(ImportBatch.id), func.max(ImportBatch.reverted_at))).one()
    return int(count), int(last or 0), str(reverted)


def memberships(conn: Connection, *, departement: str) -> pd.DataFrame:
    """Commune → grouping table of a département: member_code, group_code, group_level (one row per
    commune and grouping level: epci, arrondissement, territoire, departement)."""
    stmt = (
        select(TerritoryMembership.member_code, TerritoryMembership.group_code, TerritoryMembership.group_level)
        .join(Territory, Territory.code == TerritoryMembership.member_code)
        .where(
            Territory.departement_code == departement,
            TerritoryMembership.member_level == "commune",
            TerritoryMembership.group_level != "commune",
        )
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=["member_code", "group_code", "group_level"])


def events(conn: Connection, *, departement: str | None = None) -> pd.DataFrame:
    """Events to annotate (national ones and the département's): date_start, date_end, label."""
    stmt = select(Event.date_start, Event.date_end, Event.label).where(
        (Event.departement_code.is_(None)) | (Event.departement_code == departement)
    )
    return pd.DataFrame(conn.execute(stmt.order_by(Event.date_start)).all(), columns=["date_start", "date_end", "label"])


# --- the aggregation core --------------------------------------------------------------------------


def target_territories(conn: Connection, codes: Sequence[str]) -> pd.DataFrame:
    stmt = select(
        Territory.code, Territory.level, Territory.departement_code, Territory.name, Territory.households, Territory.population
    ).where(Territory.code.in_(list(codes)))
    return pd.DataFrame(conn.execute(stmt).all(), columns=["code", "level", "dep", "name", "households", "population"])


def stored_components(conn: Connection, indicators: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each requested indicator → the stored indicators it is computed from (itself, or its
    numerator and denominator for a ratio)."""
    rows = conn.execute(
        select(Indicator.code, Indicator.numerator_code, Indicator.denominator_code).where(Indicator.code.in_(list(indicators)))
    ).all()
    return {code: (num, den) if num and den else (code,) for code, num, den in rows}


_CoverageKey = tuple[str, str, str, str]  # indicator, département, level, granularity


def coverage_index(conn: Connection, components: Iterable[str], departements: Iterable[str]) -> dict[_CoverageKey, Any]:
    """The ``series_coverage`` rows of these stored indicators and départements, by
    (indicator, département, level, granularity), for :func:`chosen_sources`."""
    rows = conn.execute(
        select(SeriesCoverage).where(
            SeriesCoverage.indicator_code.in_(list(components)), SeriesCoverage.departement_code.in_(list(departements))
        )
    )
    return {(c.indicator_code, c.departement_code, c.level, c.granularity): c for c in rows}


def chosen_sources(
    by_key: dict[_CoverageKey, Any], components: Iterable[str], pairs: Iterable[tuple[str, str]], period: Period, bucket: Bucket
) -> dict[tuple[str, str, str], _Source]:
    """(stored indicator, target level, département) → the finest stored source of each component
    overlapping ``period`` (see ``SOURCE_LEVELS`` and ``SOURCE_GRANULARITIES``), for the
    (target level, département) ``pairs``, from a :func:`coverage_index`."""
    chosen = {}
    for indicator in components:
        for level, dep in pairs:
            for source_level in SOURCE_LEVELS[level]:
                found = next(
                    (
                        c
                        for g in SOURCE_GRANULARITIES[bucket]
                        if (c := by_key.get((indicator, dep, source_level, g))) is not None
                        and c.first_period < period.end
                        and c.last_period >= period.start
                    ),
                    None,
                )
                if found is not None:
                    chosen[(indicator, level, dep)] = _Source(
                        indicator, source_level, found.granularity, found.first_period, found.last_period, found.n_demo > 0
                    )
                    break
    return chosen


def _bucket_columns(bucket: Bucket, period_start: Any = Observation.period_start) -> list:  # type: ignore[type-arg]
    year = cast(extract("year", period_start), Integer)
    month = cast(extract("month", period_start), Integer)
    if bucket == "month":
        return [year.label("y"), month.label("m")]
    if bucket == "quarter":
        return [year.label("y"), case((month <= 3, 1), (month <= 6, 4), (month <= 9, 7), else_=10).label("m")]
    if bucket == "year":
        return [year.label("y"), literal(1).label("m")]
    return [literal(0).label("y"), literal(0).label("m")]


def _sum_statement(source: _Source, level: str, codes: list[str], period: Period, bucket: Bucket, need: int) -> Select:  # type: ignore[type-arg]
    """Sums of ``source`` per target territory (``codes``, of ``level``) and bucket, tagged ``need``.

    Three ways, cheapest first: a grouping's sums of communes are read from the rollup; stored
    territories of the requested level are read as they are; anything else (territoires summed
    into the département, say) is summed through the memberships."""
    m = TerritoryMembership
    if source.level == "commune" and level in GROUP_LEVELS:
        table: Any = ObservationRollup
        territory, demo = ObservationRollup.territory_code, ObservationRollup.n_demo > 0
    else:
        table = Observation
        territory = Observation.territory_code if source.level == level else m.group_code
        demo = ImportBatch.kind == "demo"
    columns = _bucket_columns(bucket, table.period_start)
    stmt = select(
        table.indicator_code,
        territory,
        *columns,
        func.sum(table.value).label("value"),
        func.max(case((demo, 1), else_=0)).label("demo"),
        literal_column(str(need)).label("need"),
    )
    if table is Observation:
        stmt = stmt.join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        if source.level != level:
            stmt = stmt.join(m, m.member_code == Observation.territory_code).where(m.member_level == source.level)
    return stmt.where(
        table.indicator_code == source.indicator,
        table.granularity == source.granularity,
        table.period_start >= period.start,
        table.period_start < period.end,
        territory.in_(codes),
    ).group_by(
        table.indicator_code,
        territory,
        # constant buckets (a year's single month, the whole period) are not grouped on
        *[c.element for c in columns if bucket in ("month", "quarter") or c.name == "y" and bucket == "year"],
    )


_Key = tuple[str, str, dt.date]  # indicator, territory, bucket start
_Fill = tuple[_Source, list[str]]


def _zero_fill(
    raw: dict[_Key, tuple[float, bool]], fills: list[_Fill], period: Period, bucket: Bucket
) -> dict[_Key, tuple[float, bool, bool]]:
    """(value, complete, demo) per key: the sums read, plus zeros for the buckets inside each
    commune-level source's coverage, each flagged complete when its bucket lies wholly inside its
    source's coverage and the requested period."""
    result: dict[_Key, tuple[float, bool, bool]] = {}
    for source, codes in fills:
        source_last = add_months(source.last, 12 if source.granularity == "year" else 3 if source.granularity == "quarter" else 1)
        start, end = max(period.start, source.first), min(period.end, source_last)
        if bucket == "total":
            buckets = [(period.start, source.first <= period.start and source_last >= period.end)]
        else:
            buckets = []
            day = bucket_start(start, bucket)
            while day < end:
                nxt = add_months(day, bucket_months(bucket))
                full = day >= bucket_start(source.first, bucket) and nxt <= source_last and day >= period.start and nxt <= period.end
                buckets.append((day, full))
                day = nxt
        zero_filled = source.level == "commune"  # partners list only communes with cases; others are gaps
        for code in codes:
            for day, full in buckets:
                key = (source.indicator, code, day)
                if key in raw:
                    result[key] = (raw[key][0], full, raw[key][1])
                elif zero_filled:
                    result[key] = (0.0, full, source.demo)
    for key, (value, demo) in raw.items():
        result.setdefault(key, (value, False, demo))
    return result


_Row = tuple[str, str, dt.date, float, bool, bool]  # SERIES_COLUMNS


def _with_ratios(
    sums: dict[_Key, tuple[float, bool, bool]], components: dict[str, tuple[str, ...]], scales: dict[str, float]
) -> list[_Row]:
    """Rows of the requested indicators from summed components (ratios recomputed as
    sum(num) / sum(den)), sorted by indicator, territory and period."""
    rows = []
    for code, parts in components.items():
        if len(parts) == 1:
            rows += [(code, t, p, value, complete, demo) for (i, t, p), (value, complete, demo) in sums.items() if i == code]
            continue
        for (i, t, p), (num, num_complete, num_demo) in sums.items():
            den = sums.get((parts[1], t, p)) if i == parts[0] else None
            if den is not None and den[0]:
                rows.append((code, t, p, num / den[0] * scales[code], num_complete and den[1], num_demo or den[2]))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def _series_frame(rows: list[_Row]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return pd.DataFrame(rows, columns=SERIES_COLUMNS).astype({"value": float, "complete": bool, "demo": bool})


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame.attrs["demo"] = bool(frame["demo"].any()) if not frame.empty else False
    return frame


@dataclass(frozen=True)
class SumRequest:
    """One set of sums: ``indicators`` for the territories ``codes`` over ``period`` by ``bucket``."""

    indicators: tuple[str, ...]
    codes: tuple[str, ...]
    period: Period
    bucket: Bucket


def summed_values(conn: Connection, indicators: Sequence[str], codes: Sequence[str], period: Period, bucket: Bucket) -> pd.DataFrame:
    """SERIES_COLUMNS of ``indicators`` for the territories ``codes`` (see the module docstring)."""
    return summed_values_many(conn, [SumRequest(tuple(indicators), tuple(codes), period, bucket)])[0]


def summed_values_many(conn: Connection, requests: Sequence[SumRequest]) -> list[pd.DataFrame]:
    """``summed_values`` of each request, in order, with one SQL statement for all their sums
    (and one each for the catalogue, the territories and the coverage they need)."""
    return [_series_frame(rows) for rows in summed_rows_many(conn, requests)]


def summed_rows_many(conn: Connection, requests: Sequence[SumRequest]) -> list[list[_Row]]:
    """:func:`summed_values_many` as plain rows (tuples in SERIES_COLUMNS order), for callers that
    need many small results and no DataFrame."""
    indicators = sorted({i for r in requests for i in r.indicators})
    catalogue = conn.execute(
        select(Indicator.code, Indicator.numerator_code, Indicator.denominator_code, Indicator.scale).where(Indicator.code.in_(indicators))
    ).all()
    parts = {code: (num, den) if num and den else (code,) for code, num, den, _ in catalogue}
    scales = {code: scale for code, _, _, scale in catalogue}
    targets: dict[str, tuple[str, str]] = {
        code: (level, dep or "")
        for code, level, dep in conn.execute(
            select(Territory.code, Territory.level, Territory.departement_code).where(
                Territory.code.in_(sorted({c for r in requests for c in r.codes}))
            )
        )
    }
    by_key = coverage_index(conn, {c for p in parts.values() for c in p}, {dep for _, dep in targets.values()})
    statements, plans = [], []
    for need, request in enumerate(requests):
        components = {c for i in request.indicators if i in parts for c in parts[i]}
        places = [(code, *targets[code]) for code in dict.fromkeys(request.codes) if code in targets]
        fills: list[_Fill] = []
        for (_, level, dep), source in chosen_sources(
            by_key, components, {(lv, d) for _, lv, d in places}, request.period, request.bucket
        ).items():
            codes = [code for code, lv, d in places if lv == level and d == dep]
            statements.append(_sum_statement(source, level, codes, request.period, request.bucket, need))
            fills.append((source, codes))
        plans.append(fills)
    raw: list[dict[_Key, tuple[float, bool]]] = [{} for _ in requests]
    if statements:
        stmt = statements[0] if len(statements) == 1 else union_all(*statements)
        for indicator, territory, y, m, value, demo, need in conn.execute(stmt):
            request = requests[need]
            start = request.period.start if request.bucket == "total" else dt.date(int(y), int(m), 1)
            raw[need][(indicator, territory, start)] = (float(value), bool(demo))
    return [
        _with_ratios(
            _zero_fill(raw[n], plans[n], r.period, r.bucket), {i: parts[i] for i in dict.fromkeys(r.indicators) if i in parts}, scales
        )
        for n, r in enumerate(requests)
    ]


# --- public queries -----------------------------------------------------------------------------


def indicator_series(
    conn: Connection, *, indicators: Sequence[str], territories: Sequence[str], period: Period, granularity: Granularity = "month"
) -> pd.DataFrame:
    """Values of indicators per territory and period, summed in SQL (see the module docstring).

    Territories may be of any level (a commune, a territoire, the département, ``FR``).
    ``total`` gives one row per indicator and territory for the whole period (``period_start`` is
    the period's start). ``rolling12`` gives, for each month, the sum of the twelve months ending with it (ratios:
    the ratio of the twelve-month sums); months without twelve months of coverage are absent.
    Columns: SERIES_COLUMNS; ``period_start`` is the first day of the month, quarter or year.
    """
    if granularity != "rolling12":
        return _finish(summed_values(conn, indicators, territories, period, granularity))
    extended = Period(add_months(period.start, -11), period.end)
    components = stored_components(conn, indicators)
    scales = dict(conn.execute(select(Indicator.code, Indicator.scale).where(Indicator.code.in_(list(indicators)))).all())
    monthly = summed_values(conn, [c for parts in components.values() for c in parts], territories, extended, "month")
    rolled = []
    for (indicator, territory), group in monthly.groupby(["indicator_code", "territory_code"]):
        group = group.set_index("period_start").sort_index()
        full = group.reindex([add_months(extended.start, i) for i in range(extended.months)])
        rolled.append(
            pd.DataFrame(
                {
                    "indicator_code": indicator,
                    "territory_code": territory,
                    "period_start": full.index,
                    "value": full["value"].rolling(12, min_periods=12).sum().to_numpy(),
                    "complete": full["complete"]
                    .astype("boolean")
                    .fillna(False)
                    .astype(bool)
                    .rolling(12)
                    .min()
                    .fillna(0)
                    .astype(bool)
                    .to_numpy(),
                    "demo": full["demo"]
                    .astype("boolean")
                    .fillna(False)
                    .astype(bool)
                    .rolling(12, min_periods=1)
                    .max()
                    .astype(bool)
                    .to_numpy(),
                }
            )
        )
    sums = pd.concat(rolled, ignore_index=True).dropna(subset=["value"]) if rolled else pd.DataFrame(columns=SERIES_COLUMNS)
    sums = sums[sums["period_start"] >= period.start]
    by_key = {(i, t, p): (float(v), bool(c), bool(d)) for i, t, p, v, c, d in sums[SERIES_COLUMNS].itertuples(index=False, name=None)}
    return _finish(_series_frame(_with_ratios(by_key, components, scales)))


def level_values(conn: Connection, *, indicator: str, level: str, departement: str, period: Period) -> pd.DataFrame:
    """One indicator for every territory of ``level`` in ``departement``, summed over ``period``,
    with its rate per 1 000 ménages (``rate``; per 1 000 habitants is ``value / population``) and
    its rank within the level (1 = highest value). Columns: LEVEL_VALUES_COLUMNS, sorted by rank.
    ``attrs["departement_value"]`` is the département's value over the same period,
    ``attrs["departement_rate"]`` and ``attrs["departement_per_inhabitants"]`` its rates per 1 000
    ménages and per 1 000 habitants (None without data)."""
    places = territories(conn, departement=departement, level=level)
    values = summed_values(conn, [indicator], [*places["code"], departement], period, "total")
    # the level's territories as read above, and the département itself (not a second long IN list)
    targets = pd.concat([places, target_territories(conn, [departement])]).set_index("code")
    frame = values.set_index("territory_code").join(targets[["name", "households", "population"]], how="right")
    dep_value = frame.loc[departement, "value"] if departement in frame.index else np.nan
    frame = frame.drop(index=departement).reset_index(names="territory_code")
    frame["rate"] = frame["value"] / frame["households"].replace(0, np.nan) * 1000
    frame["rank"] = frame["value"].rank(ascending=False, method="min").astype("Int64")
    frame["demo"] = frame["demo"].astype("boolean").fillna(False).astype(bool)
    result = _finish(frame[LEVEL_VALUES_COLUMNS].sort_values(["rank", "name"], ignore_index=True))
    total = None if pd.isna(dep_value) else float(dep_value)  # type: ignore[arg-type]
    households, population = (float(targets.at[departement, c] or 0) for c in ("households", "population"))  # type: ignore[arg-type]
    result.attrs["departement_value"] = total
    result.attrs["departement_rate"] = None if total is None or not households else total / households * 1000
    result.attrs["departement_per_inhabitants"] = None if total is None or not population else total / population * 1000
    return result


def eviction_chain(conn: Connection, *, territory: str, period: Period) -> pd.DataFrame:
    """The five stages assignations → CQL → CFP demandés → CFP accordés → expulsions effectives
    for one territory over ``period``, in that order, with each stage's share of the previous one
    (``rate_from_previous``, percent; None for the first stage). Columns: CHAIN_COLUMNS."""
    values = summed_values(conn, list(EVICTION_CHAIN), [territory], period, "total").set_index("indicator_code")
    labels = dict(conn.execute(select(Indicator.code, Indicator.label).where(Indicator.code.in_(EVICTION_CHAIN))).all())
    rows: list[tuple[int, str, str, float | None, float | None, bool]] = []
    previous: float | None = None
    for stage, code in enumerate(EVICTION_CHAIN, start=1):
        value = float(values.at[code, "value"]) if code in values.index else None  # type: ignore[arg-type]
        rate = 100 * value / previous if value is not None and previous else None
        rows.append((stage, code, labels.get(code, code), value, rate, bool(values.loc[code, "demo"]) if code in values.index else False))
        previous = value
    return _finish(pd.DataFrame(rows, columns=CHAIN_COLUMNS))


def reference_points(conn: Connection, *, indicators: Sequence[str], territories: Sequence[str]) -> pd.DataFrame:
    """Published real figures (batches of kind ``reference``) for the given indicators and
    territories: indicator_code, territory_code, period_start, value, approx, source."""
    stmt = (
        select(
            Observation.indicator_code,
            Observation.territory_code,
            Observation.period_start,
            Observation.value,
            Observation.approx,
            Observation.source,
        )
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(
            ImportBatch.kind == "reference",
            Observation.indicator_code.in_(list(indicators)),
            Observation.territory_code.in_(list(territories)),
        )
        .order_by(Observation.indicator_code, Observation.period_start)
    )
    return pd.DataFrame(conn.execute(stmt).all(), columns=["indicator_code", "territory_code", "period_start", "value", "approx", "source"])


def coverage(conn: Connection, *, departement: str | None = None) -> pd.DataFrame:
    """What is stored per indicator: indicator_code, departement_code, level, granularity,
    first_period, last_period, n_values, n_demo, updated_at."""
    stmt = select(SeriesCoverage)
    if departement is not None:
        stmt = stmt.where(SeriesCoverage.departement_code.in_([departement, "FR"]))
    return _table_frame(conn, stmt)


def plan_structure(conn: Connection, *, plan: str) -> pd.DataFrame:
    """Axes and fiches-action of a plan in order: axis_code, axis_title, axis_objective, and the
    action's code, title, description, objective, quantified_objective, responsible, partners,
    cost, evaluation_effectivite, evaluation_efficacite, evaluation_impact, evaluation_text."""
    a, x = PlanAction, PlanAxis
    stmt = (
        select(
            x.code,
            x.title,
            x.objective,
            a.code,
            a.title,
            a.description,
            a.objective,
            a.quantified_objective,
            a.responsible,
            a.partners,
            a.cost,
            a.evaluation_effectivite,
            a.evaluation_efficacite,
            a.evaluation_impact,
            a.evaluation_text,
        )
        .join(a, and_(a.plan_code == x.plan_code, a.axis_code == x.code))
        .where(x.plan_code == plan)
        .order_by(x.position, a.position)
    )
    columns = [
        "axis_code",
        "axis_title",
        "axis_objective",
        "code",
        "title",
        "description",
        "objective",
        "quantified_objective",
        "responsible",
        "partners",
        "cost",
        "evaluation_effectivite",
        "evaluation_efficacite",
        "evaluation_impact",
        "evaluation_text",
    ]
    return pd.DataFrame(conn.execute(stmt).all(), columns=columns)


def action_indicators(conn: Connection, *, plan: str) -> pd.DataFrame:
    """Which stored indicators measure each fiche-action: action_code, indicator_code."""
    stmt = select(ActionIndicator.action_code, ActionIndicator.indicator_code).where(ActionIndicator.plan_code == plan)
    return pd.DataFrame(conn.execute(stmt).all(), columns=["action_code", "indicator_code"])


def plan_objectives(conn: Connection, *, plan: str) -> pd.DataFrame:
    """Objectives of a plan in the plan's order, with every column of ``objective``."""
    stmt = (
        select(Objective)
        .join(PlanAction, and_(PlanAction.plan_code == Objective.plan_code, PlanAction.code == Objective.action_code))
        .join(PlanAxis, and_(PlanAxis.plan_code == PlanAction.plan_code, PlanAxis.code == PlanAction.axis_code))
        .where(Objective.plan_code == plan)
        .order_by(PlanAxis.position, PlanAction.position, Objective.position)
    )
    return _table_frame(conn, stmt)
