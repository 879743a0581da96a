"""The one write lock that serialises every writer: imports, reverts, demo seeding and removal,
follow-up records, séance edits, ``check --repair``.

A writer calls :func:`take_write_lock` as the first statement of its transaction; everything it
reads afterwards (what an import compares with, what a revert puts back) is the state the
previous writer committed, and no other writer changes it before this transaction ends. The lock
is released with the transaction (commit or rollback), also when the process is killed.

- PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``) on one constant key;
- SQLite: ``BEGIN IMMEDIATE``, which takes the database's single writer lock at once (pysqlite
  otherwise begins only at the first write, after the reads an import compares with).

A second writer waits up to :data:`WAIT_SECONDS`, then gets a French UserError telling them to retry.
Taking the lock again in the same transaction (a writer calling another writer) is a no-op.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from data_access.errors import UserError

LOCK_KEY = 180_018  # any constant: every writer of the database asks for this advisory lock
WAIT_SECONDS = 30.0
BUSY_MESSAGE = "Un autre import ou une autre modification est en cours ; réessayez dans un instant."
_HELD = "observatoire_write_lock"  # conn.info key: the transaction that holds the lock
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout reached


def take_write_lock(conn: Connection) -> None:
    """Take the write lock for the rest of ``conn``'s transaction, waiting up to WAIT_SECONDS for
    another writer to finish; UserError (BUSY_MESSAGE) when it does not."""
    held = conn.info.get(_HELD)
    if held is not None and held is conn.get_transaction():
        return
    try:
        if conn.dialect.name == "postgresql":
            _postgres_lock(conn)
        else:
            _sqlite_lock(conn)
    except OperationalError as error:
        if _lock_timeout(error):
            raise UserError(BUSY_MESSAGE) from error
        raise
    conn.info[_HELD] = conn.get_transaction()


def _postgres_lock(conn: Connection) -> None:
    # lock_timeout bounds the wait; set for this transaction only, then put back so that the
    # writer's own statements keep the server's setting
    previous = conn.scalar(text("SELECT current_setting('lock_timeout')"))
    conn.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": f"{int(WAIT_SECONDS * 1000)}ms"})
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    conn.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": previous})


def _sqlite_lock(conn: Connection) -> None:
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(WAIT_SECONDS * 1000)}")
    driver = conn.connection.driver_connection
    # pysqlite has begun a transaction only if this one already wrote, which took the writer lock
    # with a fresh snapshot: it is held already
    if not driver.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _lock_timeout(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE or "database is locked" in str(error.orig)
