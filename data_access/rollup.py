"""``observation_rollup``: commune-level values summed per grouping, rebuilt after every write.

Callers rely on one thing: after :func:`refresh_rollup` for the indicators a load touched, reading
a grouping's value from the rollup gives exactly the sum of its communes' stored values (and how
many of them are demo values), as the join of ``observation`` and ``territory_membership`` would.
``writes.refresh_coverage`` calls it, so every load, import, revert and demo seed keeps it current.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, case, delete, func, insert, select, text

from data_access.models import GROUP_LEVELS, ImportBatch, Observation, ObservationRollup, TerritoryMembership


def refresh_rollup(conn: Connection, indicator_codes: Iterable[str]) -> None:
    """Rebuild the rollup rows of the given indicators from the observations, in SQL."""
    codes = sorted(set(indicator_codes))
    if not codes:
        return
    _analyze_if_never_analyzed(conn)
    m = TerritoryMembership
    conn.execute(delete(ObservationRollup).where(ObservationRollup.indicator_code.in_(codes)))
    sums = (
        select(
            Observation.indicator_code,
            Observation.granularity,
            m.group_code,
            Observation.period_start,
            func.sum(Observation.value),
            func.sum(case((ImportBatch.kind == "demo", 1), else_=0)),
        )
        .join(m, m.member_code == Observation.territory_code)
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(Observation.indicator_code.in_(codes), m.member_level == "commune", m.group_level.in_(GROUP_LEVELS))
        .group_by(Observation.indicator_code, Observation.granularity, m.group_code, Observation.period_start)
    )
    columns = ["indicator_code", "granularity", "territory_code", "period_start", "value", "n_demo"]
    conn.execute(insert(ObservationRollup).from_select(columns, sums))


def _analyze_if_never_analyzed(conn: Connection) -> None:
    """PostgreSQL: give the planner statistics for the tables the rebuild joins when it has none
    (a new database being filled in one transaction, before autovacuum ever ran). Without them it
    plans a nested loop over the memberships for each observation: 111 s instead of 4 s for the
    demo seed's 490 000 values. ANALYZE takes a sample, under a second, and is allowed in a
    transaction; later loads find the statistics autovacuum keeps."""
    if conn.dialect.name != "postgresql":
        return
    never = conn.scalar(
        text("SELECT count(*) FROM pg_class WHERE relname IN ('observation', 'territory_membership') AND relkind = 'r' AND reltuples < 0")
    )
    if never:
        conn.execute(text("ANALYZE observation, territory_membership, import_batch"))
