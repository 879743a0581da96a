"""``observation_rollup``: commune-level values summed per grouping, kept current at every write.

Callers rely on one thing: reading a grouping's value from the rollup gives the sum of its
communes' stored values (and how many values, demo values and secret cells were summed), as the join of
``observation`` and ``territory_membership`` would — exactly after :func:`refresh_rollup` (loads
and demo seeds rebuild the indicators they wrote), and up to floating-point rounding after
:func:`add_changes` (imports and reverts add the change of each value they wrote, which costs
what they wrote rather than every value of their indicators). ``writes.refresh_coverage`` calls
one or the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import Connection, Select, case, delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from data_access.models import ImportBatch, Observation, ObservationRollup, TerritoryMembership
from data_access.vocabulary import GROUP_LEVELS

ROLLUP_KEY = ["indicator_code", "granularity", "territory_code", "period_start"]
# what a write changed, one row per stored value: the value's change, and the change of the
# number of values (+1 added, -1 removed, 0 replaced) and of demo values and secret cells behind it
CHANGE_COLUMNS = ["indicator_code", "granularity", "territory_code", "period_start", "value", "n_values", "n_demo", "n_secret"]
COUNTS = ["value", "n_values", "n_demo", "n_secret"]


def refresh_rollup(conn: Connection, indicator_codes: Iterable[str]) -> None:
    """Rebuild the rollup rows of the given indicators from the observations, in SQL."""
    codes = sorted(set(indicator_codes))
    if not codes:
        return
    _analyze_if_never_analyzed(conn)
    conn.execute(delete(ObservationRollup).where(ObservationRollup.indicator_code.in_(codes)))
    conn.execute(insert(ObservationRollup).from_select([*ROLLUP_KEY, *COUNTS], rollup_sums(codes)))


def rollup_sums(codes: Sequence[str] | None = None) -> Select:  # type: ignore[type-arg]
    """What the rollup rows of ``codes`` (default: every indicator) must hold, computed from the
    observations: ROLLUP_KEY then COUNTS (``check`` compares them with the stored rows)."""
    m = TerritoryMembership
    sums = (
        select(
            Observation.indicator_code,
            Observation.granularity,
            m.group_code,
            Observation.period_start,
            func.sum(Observation.value),
            func.count(),
            func.sum(case((ImportBatch.kind == "demo", 1), else_=0)),
            func.sum(case((Observation.secret, 1), else_=0)),
        )
        .join(m, m.member_code == Observation.territory_code)
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .where(m.member_level == "commune", m.group_level.in_(GROUP_LEVELS))
        .group_by(Observation.indicator_code, Observation.granularity, m.group_code, Observation.period_start)
    )
    return sums if codes is None else sums.where(Observation.indicator_code.in_(codes))


def add_changes(conn: Connection, changes: pd.DataFrame) -> None:
    """Add ``changes`` (CHANGE_COLUMNS, any territories: only communes count) to their groupings'
    sums, and drop the sums left with no value."""
    if changes.empty:
        return
    m = TerritoryMembership
    groups = pd.DataFrame(
        conn.execute(
            select(m.member_code, m.group_code).where(
                m.member_level == "commune", m.group_level.in_(GROUP_LEVELS), m.member_code.in_(sorted(changes["territory_code"].unique()))
            )
        ).all(),
        columns=["territory_code", "group_code"],
    )
    summed = (
        changes.merge(groups, on="territory_code")
        .groupby(["indicator_code", "granularity", "group_code", "period_start"], as_index=False)[COUNTS]
        .sum()
        .rename(columns={"group_code": "territory_code"})
    )
    if summed.empty:
        return
    summed["period_start"] = pd.to_datetime(summed["period_start"]).dt.date
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(ObservationRollup)
    r = ObservationRollup
    stmt = stmt.on_conflict_do_update(
        index_elements=ROLLUP_KEY,
        set_={
            "value": r.value + stmt.excluded.value,
            "n_values": r.n_values + stmt.excluded.n_values,
            "n_demo": r.n_demo + stmt.excluded.n_demo,
            "n_secret": r.n_secret + stmt.excluded.n_secret,
        },
    )
    columns = [*ROLLUP_KEY, *COUNTS]
    typed = summed.astype({"value": float, "n_values": int, "n_demo": int, "n_secret": int})[columns]
    conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in typed.itertuples(index=False, name=None)])
    conn.execute(delete(r).where(r.indicator_code.in_(sorted(summed["indicator_code"].unique())), r.n_values <= 0))


def _analyze_if_never_analyzed(conn: Connection) -> None:
    """PostgreSQL: give the planner statistics for the tables the rebuild joins when it has none
    (a new database being filled in one transaction, before autovacuum ever ran). Without them it
    plans a nested loop over the memberships for each observation: 111 s instead of 4 s for the
    demo seed's 490 000 values. ANALYZE takes a sample, under a second, and is allowed in a
    transaction; later loads find the statistics autovacuum keeps (where it runs: a server with
    autovacuum off, as this project's CI machine, keeps these). ``territory`` too: without its
    statistics a count of a département's values (``departement_code = '38'``, estimated at one
    territory) is planned as a nested loop over every observation, minutes instead of a second."""
    if conn.dialect.name != "postgresql":
        return
    never = conn.scalar(
        text(
            "SELECT count(*) FROM pg_class WHERE relname IN ('observation', 'territory_membership', 'territory') "
            "AND relkind = 'r' AND reltuples < 0"
        )
    )
    if never:
        conn.execute(text("ANALYZE observation, territory_membership, territory, import_batch"))
