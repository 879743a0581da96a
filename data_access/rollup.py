"""``observation_rollup``: commune-level values summed per grouping, rebuilt after every write.

Callers rely on one thing: after :func:`refresh_rollup` for the indicators a load touched, reading
a grouping's value from the rollup gives exactly the sum of its communes' stored values (and how
many of them are demo values), as the join of ``observation`` and ``territory_membership`` would.
``writes.refresh_coverage`` calls it, so every load, import, revert and demo seed keeps it current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, case, delete, func, insert, select, text

from data_access.models import GRANULARITIES, GROUP_LEVELS, ImportBatch, Observation, ObservationRollup, TerritoryMembership


@dataclass(frozen=True)
class Touched:
    """When a write changed values: the first and last period starts it wrote."""

    first: dt.date
    last: dt.date

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Touched | None:
        """The periods of a frame with a ``period_start`` column (None when empty)."""
        if frame.empty:
            return None
        periods = pd.to_datetime(frame["period_start"])
        return cls(periods.min().date(), periods.max().date())


def refresh_rollup(conn: Connection, indicator_codes: Iterable[str], touched: Touched | None = None) -> None:
    """Rebuild the rollup rows of the given indicators from the observations, in SQL: all of them,
    or only those of the periods a write ``touched`` (an import of a few months then rebuilds those
    months, not thirteen years). Every grouping of those periods is rebuilt: narrowing to the
    groupings of the written communes makes SQLite probe the membership index once per grouping
    for each value, which costs more than it saves."""
    codes = sorted(set(indicator_codes))
    if not codes:
        return
    _analyze_if_never_analyzed(conn)
    m, r = TerritoryMembership, ObservationRollup
    kept_out = delete(r).where(r.indicator_code.in_(codes))
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
    if touched is not None:
        # every granularity named, so that both primary keys are searched by period, not scanned
        kept_out = kept_out.where(r.granularity.in_(GRANULARITIES), r.period_start.between(touched.first, touched.last))
        sums = sums.where(Observation.granularity.in_(GRANULARITIES), Observation.period_start.between(touched.first, touched.last))
    conn.execute(kept_out)
    columns = ["indicator_code", "granularity", "territory_code", "period_start", "value", "n_demo"]
    conn.execute(insert(r).from_select(columns, sums))


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
