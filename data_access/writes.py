"""Writing helpers shared by every loader: batches, bulk observation inserts, upserts, coverage.

Callers own the transaction: every function here runs on the Connection it is given, so that a
load either commits whole or leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv
from sqlalchemy import Connection, Select, case, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.models import Base, ImportBatch, Observation, SeriesCoverage, Territory
from data_access.rollup import add_changes, refresh_rollup

CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
COPY_CHUNK = 1 << 20

OBSERVATION_COLUMNS = (
    "indicator_code",
    "granularity",
    "period_start",
    "territory_code",
    "value",
    "status",
    "approx",
    "source",
    "import_batch_id",
    "secret",
)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def create_batch(
    conn: Connection,
    *,
    kind: str,
    file_name: str,
    sha256: str,
    rows: int,
    user_name: str,
    source: str | None = None,
) -> int:
    """Insert an ``import_batch`` row and return its id."""
    result = conn.execute(
        insert(ImportBatch).values(
            kind=kind,
            file_name=file_name,
            sha256=sha256,
            rows=rows,
            user_name=user_name,
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            source=source,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def upsert(conn: Connection, model: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> None:
    """Insert ``rows`` into ``model``'s table, updating the non-key columns of rows whose keys exist."""
    if not rows:
        return
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt: Any = dialect_insert(model)
    updated = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=updated) if updated else stmt.on_conflict_do_nothing()
    conn.execute(stmt, list(rows))


def bulk_insert_observations(conn: Connection, frame: pd.DataFrame, batch_id: int) -> int:
    """Insert new observation rows fast (COPY on PostgreSQL, executemany on SQLite).

    ``frame`` has the columns of OBSERVATION_COLUMNS except ``import_batch_id`` (``status``,
    ``approx``, ``source`` and ``secret`` are optional). Keys must not exist yet. Returns the row count.
    """
    if frame.empty:
        return 0
    data = frame.assign(import_batch_id=batch_id)
    data["status"] = data.get("status", "définitif")
    data["approx"] = data["approx"].astype(bool) if "approx" in data else False
    data["source"] = data.get("source")
    data["secret"] = data["secret"].fillna(False).astype(bool) if "secret" in data else False
    data["period_start"] = pd.to_datetime(data["period_start"]).dt.strftime("%Y-%m-%d")
    bulk_insert_frame(conn, "observation", data[list(OBSERVATION_COLUMNS)])
    return len(data)


def bulk_insert_frame(conn: Connection, table: str, data: pd.DataFrame) -> None:
    """Insert ``data``'s rows into ``table`` (columns named as the frame's, dates as ISO strings,
    missing values as NULL): COPY on PostgreSQL, one executemany on SQLite — the fast paths of each driver."""
    columns = ", ".join(data.columns)
    if conn.dialect.name == "postgresql":
        # Arrow's CSV writer is about ten times faster than DataFrame.to_csv. It quotes every string
        # and writes a missing value as an unquoted empty field, which is COPY's NULL in CSV: an
        # empty string stays an empty string.
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(pa.Table.from_pandas(data, preserve_index=False), buffer, write_options=CSV_OPTIONS)
        payload = memoryview(buffer.getvalue())
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            for start in range(0, len(payload), COPY_CHUNK):  # the server parses a chunk while the next one is sent
                copy.write(payload[start : start + COPY_CHUNK])
    else:
        rows = list(zip(*(_python_values(data[c]) for c in data.columns), strict=True))
        conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in data.columns)})", rows)


def _python_values(column: pd.Series) -> list[Any]:
    """A column as Python values for the DB-API, None where missing (column by column: a row-wise
    ``astype(object)`` of the whole frame costs twice as much)."""
    return column.astype(object).where(column.notna(), None).tolist() if column.hasnans else column.tolist()


def refresh_coverage(conn: Connection, indicator_codes: Iterable[str], rollup_changes: pd.DataFrame | None = None) -> None:
    """Recompute ``series_coverage`` for the given indicators from the observations, in SQL, and
    bring ``observation_rollup`` up to date: rebuilt for those indicators, or, when the write
    says what it changed (``rollup.CHANGE_COLUMNS``: imports and reverts), changed by that only.
    Every write path calls this once after writing."""
    codes = sorted(set(indicator_codes))
    if not codes:
        return
    if rollup_changes is None:
        refresh_rollup(conn, codes)
    else:
        add_changes(conn, rollup_changes)
    conn.execute(delete(SeriesCoverage).where(SeriesCoverage.indicator_code.in_(codes)))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rows = [
        dict(
            indicator_code=r[0],
            departement_code=r[1],
            level=r[2],
            granularity=r[3],
            first_period=r[4],
            last_period=r[5],
            n_values=r[6],
            n_demo=int(r[7] or 0),
            updated_at=now,
        )
        for r in conn.execute(coverage_rows(codes))
    ]
    if rows:
        conn.execute(insert(SeriesCoverage), rows)


def coverage_rows(codes: Sequence[str] | None = None) -> Select:  # type: ignore[type-arg]
    """What ``series_coverage`` must hold for ``codes`` (default: every indicator), computed from
    the observations: indicator, département, level, granularity, first and last period, number of
    values and of demo values (``check`` compares them with the stored rows)."""
    query = (
        select(
            Observation.indicator_code,
            Territory.departement_code,
            Territory.level,
            Observation.granularity,
            func.min(Observation.period_start),
            func.max(Observation.period_start),
            func.count(),
            func.sum(case((ImportBatch.kind == "demo", 1), else_=0)),
        )
        .join(Territory, Territory.code == Observation.territory_code)
        .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
        .group_by(Observation.indicator_code, Territory.departement_code, Territory.level, Observation.granularity)
    )
    return query if codes is None else query.where(Observation.indicator_code.in_(codes))
