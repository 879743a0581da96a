"""Each query function the pages call, against its floor: the raw SQL that returns the same values.

For a function that sums stored values (everything built on ``aggregation.summed_rows_many``), the floor
is ONE statement: a UNION ALL of the sums it needs, read from the same stored sources (level and
granularity chosen by ``series_coverage``) as a hand-written query would: the stored territories
directly, groupings by joining ``observation`` to the memberships (the base tables: the rollup
table is one of the fixes measured against this floor); no zero-filling, ratios or ranking. For any other function, the floor is
the SQL it sends, replayed through the driver with the same parameters (usually one statement).
Both run on the same connection as the function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event

from benchmarks.stats import Timing, timed
from data_access import aggregation, objectives, seances, series_kinds
from data_access.periods import Bucket, Period
from views.loader import DatabaseLoader

# modules that call summed_rows_many (the sums core) through their own global name
_SUMMING_MODULES: tuple[Any, ...] = (aggregation, objectives)


@dataclass
class QueryResult:
    function: str
    arguments: str
    rows: int
    timing: Timing
    floor: Timing
    floor_kind: str  # « 1 requête (n sommes) » or « n requête(s) rejouée(s) »

    @property
    def ratio(self) -> float:
        return self.timing.median_ms / self.floor.median_ms if self.floor.median_ms else float("inf")


# the cached queries of ui.cache that are not DatabaseLoader methods
_STORE_CALLS: dict[str, Callable[..., Any]] = {
    "seances": seances.seances,
    "seance_views": seances.seance_views,
    "kinds_table": series_kinds.kinds_table,
}


def bound(name: str, args: tuple[Any, ...]) -> Callable[[Connection], Any]:
    """The call behind ``ui.cache.<name>(*args)`` on ``conn``: the same ``DatabaseLoader`` method
    (every cached query of the pages, those added after this benchmark too), or the séance store's."""
    if hasattr(DatabaseLoader, name):
        return lambda conn: getattr(DatabaseLoader(conn), name)(*args)
    function = _STORE_CALLS[name]
    keywords = dict(zip([p for p in inspect.signature(function).parameters if p != "conn"], args, strict=False))
    return lambda conn: function(conn, **keywords)


@contextmanager
def _captured(engine: Engine) -> Iterator[tuple[list[tuple[str, Any]], list[tuple[list[str], list[str], Period, Bucket]]]]:
    """The statements sent and the sums requested (``summed_rows_many``) while in the block."""
    statements: list[tuple[str, Any]] = []
    sums: list[tuple[list[str], list[str], Period, Bucket]] = []

    def on_execute(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    original = aggregation.summed_rows_many

    def summing(conn: Connection, requests: Any) -> Any:
        sums.extend((list(r.indicators), list(r.codes), r.period, r.bucket) for r in requests)
        return original(conn, requests)

    event.listen(engine, "before_cursor_execute", on_execute)
    for module in _SUMMING_MODULES:
        module.summed_rows_many = summing
    try:
        yield statements, sums
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        for module in _SUMMING_MODULES:
            module.summed_rows_many = original


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _bucket_sql(dialect: str, bucket: Bucket) -> str:
    """The bucket expression of ``o.period_start`` (month: the stored month itself)."""
    if bucket == "month":
        return "o.period_start"
    if bucket == "total":
        return "0"
    if dialect == "sqlite":
        year = "strftime('%Y', o.period_start)"
        return year if bucket == "year" else f"{year} || '-' || ((CAST(strftime('%m', o.period_start) AS INTEGER) + 2) / 3)"
    year = "EXTRACT(YEAR FROM o.period_start)"
    return year if bucket == "year" else f"{year} * 10 + EXTRACT(QUARTER FROM o.period_start)"


def sums_floor(conn: Connection, needs: list[tuple[list[str], list[str], Period, Bucket]]) -> str:
    """One statement summing every stored component each need reads, from the chosen sources."""
    selects = []
    for number, (indicators, codes, period, bucket) in enumerate(needs):
        components = {c for parts in aggregation.stored_components(conn, indicators).values() for c in parts}
        targets = aggregation.target_territories(conn, codes)
        if targets.empty or not components:
            continue
        pairs = set(targets[["level", "dep"]].itertuples(index=False, name=None))
        coverage = aggregation.coverage_index(conn, components, {dep for _, dep in pairs})
        for (_, level, dep), source in aggregation.chosen_sources(coverage, components, pairs, period, bucket).items():
            group_codes = targets.loc[(targets["level"] == level) & (targets["dep"] == dep), "code"].tolist()
            bucket_sql = _bucket_sql(conn.dialect.name, bucket)
            # the stored territories themselves, or their members summed through the memberships
            direct = source.level == level
            territory = "o.territory_code" if direct else "m.group_code"
            membership = (
                "" if direct else f"JOIN territory_membership m ON m.member_code = o.territory_code AND m.member_level = '{source.level}' "
            )
            selects.append(
                f"SELECT {number} AS need, o.indicator_code, {territory}, {bucket_sql} AS bucket, SUM(o.value) AS value, "
                "MAX(CASE WHEN b.kind = 'demo' THEN 1 ELSE 0 END) AS demo "
                f"FROM observation o {membership}JOIN import_batch b ON b.id = o.import_batch_id "
                f"WHERE o.indicator_code = '{source.indicator}' AND o.granularity = '{source.granularity}' "
                f"AND {territory} IN ({_quoted(group_codes)}) "
                f"AND o.period_start >= '{period.start.isoformat()}' AND o.period_start < '{period.end.isoformat()}' "
                f"GROUP BY o.indicator_code, {territory}{'' if bucket == 'total' else ', ' + bucket_sql}"
            )
    return " UNION ALL ".join(selects)


def measure_query(engine: Engine, name: str, args: tuple[Any, ...], repeat: int) -> QueryResult:
    """Time one page call and its floor on one connection (``repeat`` runs each)."""
    call = bound(name, args)
    with engine.connect() as conn:
        with _captured(engine) as (statements, needs):
            result = call(conn)
        rows = len(result) if hasattr(result, "__len__") else 1
        if needs:
            floor_sql = sums_floor(conn, needs)
            kind = f"1 requête ({floor_sql.count('SELECT ')} somme(s))"

            def floor() -> object:
                return conn.exec_driver_sql(floor_sql).fetchall()
        else:
            replay = [(s, p) for s, p in statements]
            kind = f"{len(replay)} requête(s) rejouée(s)"

            def floor() -> object:
                return [conn.exec_driver_sql(s, p).fetchall() for s, p in replay]

        timing = timed(lambda: call(conn), repeat)
        floor_timing = timed(floor, repeat)
        conn.rollback()
    return QueryResult(name, _describe(args), rows, timing, floor_timing, kind)


def _describe(args: tuple[Any, ...]) -> str:
    def short(value: Any) -> str:
        if isinstance(value, Period):
            return value.label()
        if isinstance(value, tuple):
            return f"({len(value)} codes)" if len(value) > 3 else ", ".join(map(str, value))
        return str(value)

    return "; ".join(short(a) for a in args)
