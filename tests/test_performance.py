"""What keeps the pages fast, pinned without timing anything (the timings are ``make bench``'s).

- the sums behind every chart are found through a primary key, never by scanning a table;
- a page's sums are read with a fixed number of statements, however many objectives or
  indicators it shows (no query per objective);
- the map payload budgets are pinned in ``tests/test_geo.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, event

from data_access import objectives, overview, queries
from data_access.periods import Period
from tests.conftest import plan_objective_count

PLAN = "isere-palhdi-2014-2020"


@contextmanager
def statements(conn: Connection) -> Iterator[list[tuple[str, object]]]:
    """The SQL statements (and parameters) sent on ``conn`` while in the block."""
    sent: list[tuple[str, object]] = []

    def on_execute(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    engine = conn.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def query_plan(conn: Connection, statement: str, parameters: object) -> str:
    if conn.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))  # type: ignore[arg-type]
    # a small test database is cheaper to scan; what is pinned is that the index can be used
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("indicator", "territories", "table"),
    [
        ("assignations", ["38"], "observation_rollup"),  # the département from its communes: the rollup
        ("assignations", ["agglo-grenobloise", "oisans"], "observation_rollup"),  # territoires from their communes
        ("assignations", ["38185"], "observation"),  # a commune, read directly
        ("expulsions_effectives", ["FR"], "observation"),  # national figures stored as such
    ],
)
def test_series_sums_are_found_through_a_primary_key(conn, indicator, territories, table):
    with statements(conn) as sent:
        queries.indicator_series(conn, indicators=[indicator], territories=territories, period=Period.years(2018, 2024), granularity="year")
    sums = [(s, p) for s, p in sent if "sum(" in s.lower()]
    assert len(sums) == 1, sums
    statement, parameters = sums[0]
    assert f"FROM {table}" in statement
    plan = query_plan(conn, statement, parameters)
    if conn.dialect.name == "sqlite":
        assert f"SEARCH {table}" in plan and f"SCAN {table}" not in plan, plan
    else:
        assert f"pk_{table}" in plan and f"Seq Scan on {table}" not in plan, plan


def test_objective_table_reads_its_sums_in_one_statement(conn):
    with statements(conn) as sent:
        table = objectives.objective_status_table(conn, plan=PLAN, year=2024)
    assert len(table) == plan_objective_count(PLAN)
    assert sum("sum(" in s.lower() for s, _ in sent) == 1
    # objectives, their territories, the milestone records, catalogue and coverage, then the same three for
    # the sums, the sums: a fixed count, whatever the number of objectives (it was four per objective)
    assert len(sent) <= 9, [s for s, _ in sent]


def test_overview_tiles_read_their_sums_in_one_statement(conn):
    with statements(conn) as sent:
        overview.family_tiles(conn, territory="38", year=2024)
    assert sum("sum(" in s.lower() for s, _ in sent) == 1
    assert len(sent) <= 4
