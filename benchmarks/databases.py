"""The databases measured: the full demo database and the same scaled to ten times the communes.

Both are built in a temporary place by the real commands (``python -m data_access init``,
``load-plan``, ``load-reference``, ``seed-demo``), on SQLite and, when ``OBSERVATOIRE_TEST_POSTGRES_URL``
is set, on a PostgreSQL database created for the run and dropped after it.

The scaled database adds synthetic départements « A38 », « B38 »… « I72 »: copies of the real
ones (territories, memberships, observations, rollup and coverage) under new codes. The pages
still show the Isère plan, so what grows is everything they must not read.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from data_access.db import make_engine
from data_access.plans import plan_directories

ROOT = Path(__file__).resolve().parent.parent
REAL_DEPARTEMENTS = ("38", "72")
COPY_LETTERS = "ABCDEFGHI"


@dataclass(frozen=True)
class Built:
    """A database ready to measure, and how long its demo seeding took (seconds, one per run)."""

    url: str
    seed_seconds: list[float]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def build_demo(url: str, seed_runs: int) -> Built:
    """The database as ``make run`` builds it, with the real commands (``init``, ``load-plan``,
    ``load-reference``), then ``seed-demo`` ``seed_runs`` times (the later runs with
    ``--replace``), each of those runs timed."""

    def command(*words: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "data_access", "--database-url", url, *words], cwd=ROOT, check=True, capture_output=True)
        return time.perf_counter() - start

    command("init")
    command("load-plan", *(str(d) for d in plan_directories()))
    command("load-reference")
    seconds = [command("seed-demo", *(["--replace"] if run else [])) for run in range(seed_runs)]
    _analyze(url)
    return Built(url, seconds)


def copy_sqlite(source: Path, target: Path) -> Path:
    """A copy of a SQLite database file (checkpointed first, so that the copy holds everything)."""
    engine = make_engine(sqlite_url(source))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    shutil.copyfile(source, target)
    return target


def scale(url: str, factor: int) -> None:
    """Add ``factor - 1`` copies of each real département under new codes (see the module docstring)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # synthetic copies of rows that already passed every check: skip the per-row
            # foreign-key triggers (superuser only; without it the copy is just slower)
            try:
                with conn.begin_nested():
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            except Exception:
                pass
        _copy_departements(conn, COPY_LETTERS[: factor - 1])
    engine.dispose()
    _analyze(url)


def _copy_departements(conn: Connection, letters: str) -> None:
    """One INSERT … SELECT per table: each real row read once, written once per copy letter."""
    copies = "(" + " UNION ALL ".join(f"SELECT '{letter}' AS letter" for letter in letters) + ") c"
    real = ", ".join(f"'{d}'" for d in REAL_DEPARTEMENTS)

    def renamed(column: str, dep: str = "t.departement_code") -> str:
        """« A38 » for the département « 38 », « A38-38185 » for its commune « 38185 »."""
        return f"CASE WHEN {column} = {dep} THEN c.letter || {column} ELSE c.letter || {dep} || '-' || {column} END"

    # CROSS JOIN: SQLite then reads the big table once, in order (PostgreSQL plans it freely)
    statements = [
        f"""INSERT INTO territory (code, name, level, departement_code, population, households)
            SELECT {renamed("t.code")}, t.name || ' (copie ' || c.letter || ')', t.level, c.letter || t.departement_code,
                   t.population, t.households
            FROM territory t CROSS JOIN {copies} WHERE t.departement_code IN ({real})""",
        f"""INSERT INTO territory_membership (member_code, group_code, member_level, group_level)
            SELECT {renamed("m.member_code")},
                   CASE WHEN g.departement_code IN ({real}) THEN {renamed("m.group_code", "g.departement_code")} ELSE m.group_code END,
                   m.member_level, m.group_level
            FROM territory_membership m CROSS JOIN territory t CROSS JOIN territory g CROSS JOIN {copies}
            WHERE t.code = m.member_code AND g.code = m.group_code AND t.departement_code IN ({real})""",
        f"""INSERT INTO observation (indicator_code, granularity, period_start, territory_code, value, status, approx, source, import_batch_id)
            SELECT o.indicator_code, o.granularity, o.period_start, {renamed("o.territory_code")},
                   o.value, o.status, o.approx, o.source, o.import_batch_id
            FROM observation o CROSS JOIN territory t CROSS JOIN {copies}
            WHERE t.code = o.territory_code AND t.departement_code IN ({real})""",
        f"""INSERT INTO observation_rollup (indicator_code, granularity, territory_code, period_start, value, n_values, n_demo)
            SELECT r.indicator_code, r.granularity, {renamed("r.territory_code")}, r.period_start, r.value, r.n_values, r.n_demo
            FROM observation_rollup r CROSS JOIN territory t CROSS JOIN {copies}
            WHERE t.code = r.territory_code AND t.departement_code IN ({real})""",
        f"""INSERT INTO series_coverage (indicator_code, departement_code, level, granularity, first_period, last_period, n_values, n_demo, updated_at)
            SELECT s.indicator_code, c.letter || s.departement_code, s.level, s.granularity, s.first_period, s.last_period,
                   s.n_values, s.n_demo, s.updated_at
            FROM series_coverage s CROSS JOIN {copies} WHERE s.departement_code IN ({real})""",
    ]
    for statement in statements:
        conn.execute(text(statement))


def _analyze(url: str) -> None:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum does shortly after a large load (so that it does
    not run during the measures). SQLite is left as the app leaves it (no ANALYZE)."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def row_counts(url: str) -> dict[str, int]:
    """Communes and observations of a database, for the report."""
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            "communes": int(conn.scalar(text("SELECT COUNT(*) FROM territory WHERE level = 'commune'")) or 0),
            "observations": int(conn.scalar(text("SELECT COUNT(*) FROM observation")) or 0),
        }
    engine.dispose()
    return counts
