"""The aggregation engine: sums of stored observations for any territory, period and bucket.

How values are aggregated (every page relies on it):

- Values are summed in SQL from the finest stored level that nests in the requested territory
  (communes for an EPCI, an arrondissement or a territoire; communes, then the groupings, then the
  département itself for a département) and from the finest stored granularity that nests in the
  requested one. The choice is read from ``series_coverage``, so two levels are never added up.
- Within the stored coverage of a commune-level series, a period without any value counts as
  zero: partners' files and the demo data list only communes with cases. Series stored at a
  grouping or national level keep their gaps (a missing year is absent, not zero).
- Ratio indicators are recomputed from their summed numerator and denominator, never averaged.
- Every result has a boolean ``demo`` column (any demo value contributed), so that pages say
  « Données fictives de démonstration » exactly where it applies.

The public queries built on it are in :mod:`data_access.queries`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Integer, Select, case, cast, extract, func, literal, literal_column, select, union_all

from data_access.models import ImportBatch, Indicator, Observation, ObservationRollup, SeriesCoverage, Territory, TerritoryMembership
from data_access.periods import Bucket, Period, add_months, bucket_months, bucket_start
from data_access.vocabulary import GROUP_LEVELS

SERIES_COLUMNS = ["indicator_code", "territory_code", "period_start", "value", "complete", "demo"]

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


def bucket_columns(bucket: Bucket, period_start: Any = Observation.period_start) -> list:  # type: ignore[type-arg]
    """The labelled (``y``, ``m``) columns of ``period_start``'s bucket: its year and first month
    (constants for a year's single month and for the whole period)."""
    year = cast(extract("year", period_start), Integer)
    month = cast(extract("month", period_start), Integer)
    if bucket == "month":
        return [year.label("y"), month.label("m")]
    if bucket == "quarter":
        return [year.label("y"), case((month <= 3, 1), (month <= 6, 4), (month <= 9, 7), else_=10).label("m")]
    if bucket == "year":
        return [year.label("y"), literal(1).label("m")]
    return [literal(0).label("y"), literal(0).label("m")]


def bucket_grouping(columns: list, bucket: Bucket) -> list:  # type: ignore[type-arg]
    """What to GROUP BY for :func:`bucket_columns`: constant buckets (a year's single month, the
    whole period) are not grouped on."""
    return [c.element for c in columns if bucket in ("month", "quarter") or c.name == "y" and bucket == "year"]


def bucket_day(bucket: Bucket, period: Period, y: Any, m: Any) -> dt.date:
    """The first day of the bucket read as (``y``, ``m``) by :func:`bucket_columns`."""
    return period.start if bucket == "total" else dt.date(int(y), int(m), 1)


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
    columns = bucket_columns(bucket, table.period_start)
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
        *bucket_grouping(columns, bucket),
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


def with_ratios(sums: dict[_Key, tuple[float, bool, bool]], components: dict[str, tuple[str, ...]], scales: dict[str, float]) -> list[_Row]:
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


def series_frame(rows: list[_Row]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return pd.DataFrame(rows, columns=SERIES_COLUMNS).astype({"value": float, "complete": bool, "demo": bool})


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
    return [series_frame(rows) for rows in summed_rows_many(conn, requests)]


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
            raw[need][(indicator, territory, bucket_day(request.bucket, request.period, y, m))] = (float(value), bool(demo))
    return [
        with_ratios(
            _zero_fill(raw[n], plans[n], r.period, r.bucket), {i: parts[i] for i in dict.fromkeys(r.indicators) if i in parts}, scales
        )
        for n, r in enumerate(requests)
    ]
