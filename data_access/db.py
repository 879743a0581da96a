"""Engines and migrations. No connection is opened at import time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from data_access.settings import load_settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> Engine:
    """An Engine for ``url`` (default: the configured database). SQLite files get their folder
    created, foreign keys enforced and WAL journaling so that readers never block an import."""
    url = url or load_settings().database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    # psycopg prepares a statement on the server from its fifth run, and PostgreSQL then switches
    # to a generic plan, blind to the values: the 521-commune map's sums went from 45 to 350 ms
    # (make bench). Not preparing keeps every run planned for its own values. (A server-wide
    # plan_cache_mode = force_custom_plan would also re-plan the foreign-key checks of every
    # inserted row: imports ran three times slower.)
    connect_args = {"prepare_threshold": None} if url.startswith("postgresql+psycopg") else {}
    engine = create_engine(url, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # alembic (0,1 s of imports) only where migrations run, not in the app

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_migrations(url: str | None = None) -> None:
    """Create or upgrade the schema of ``url`` to the latest migration (idempotent)."""
    url = url or load_settings().database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(url), "head")


@contextmanager
def temporary_postgres_database(admin_url: str, prefix: str, template: str | None = None) -> Iterator[str]:
    """The URL of a new PostgreSQL database beside ``admin_url``'s, named ``<prefix>_<random>``
    (empty, or a copy of the database at ``template``, which must have no open connection),
    dropped on exit even if connections remain. For the tests and the benchmark."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    database = f"{prefix}_{uuid.uuid4().hex[:8]}"
    copied = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"{copied}'))
    try:
        yield make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
