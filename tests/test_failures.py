"""French under failure: a database that is busy, full or read-only is named as such on the page,
with what to do, never an English error box (ui/boundary.py). The errors are the databases' own."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from data_access.db import make_engine
from tests.test_boundary import _app, _assert_nothing_english
from ui import boundary
from ui.boundary import Problem


def _error(engine: Engine, *statements: str) -> BaseException:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return caught.value


@pytest.fixture
def sqlite_copy(database_url: str, tmp_path: Path) -> Iterator[Path]:
    """A copy of the SQLite demo database, in rollback-journal mode once opened by the app."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite files only")
    path = tmp_path / "copie.db"
    shutil.copy(database_url.removeprefix("sqlite:///"), path)
    yield path


@pytest.fixture
def locked(sqlite_copy: Path) -> Iterator[Path]:
    """The copy, held by another process's exclusive lock (an import that does not let go)."""
    holder = sqlite3.connect(sqlite_copy)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    yield sqlite_copy
    holder.close()


def test_sqlite_locked_full_and_read_only_are_each_named(locked, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a « file: » URI is no folder to create beside the tests
    busy = make_engine(f"sqlite:///{locked}")
    assert boundary.classify(_error(busy, "SELECT count(*) FROM plan")) is Problem.LOCKED
    spare = tmp_path / "pleine.db"
    sqlite3.connect(spare).execute("CREATE TABLE t (x)").connection.commit()
    full = make_engine(f"sqlite:///{spare}")
    statements = ("PRAGMA max_page_count = 3", "INSERT INTO t SELECT randomblob(100000) FROM (SELECT 1 UNION SELECT 2)")
    assert boundary.classify(_error(full, *statements)) is Problem.DISK_FULL
    read_only = make_engine(f"sqlite:///file:{spare}?mode=ro&uri=true")
    assert boundary.classify(_error(read_only, "INSERT INTO t VALUES (1)")) is Problem.READ_ONLY


def test_postgresql_lock_timeout_and_read_only_are_each_named(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with engine.connect() as holder, holder.begin():
        holder.execute(text("LOCK TABLE plan IN ACCESS EXCLUSIVE MODE"))
        error = _error(engine, "SET LOCAL lock_timeout = '100ms'", "SELECT count(*) FROM plan")
    assert boundary.classify(error) is Problem.LOCKED
    assert boundary.classify(_error(engine, "SET TRANSACTION READ ONLY", "DELETE FROM event")) is Problem.READ_ONLY


@pytest.mark.parametrize("page", ["pages/vue_ensemble.py", "pages/tendances.py"])
def test_a_locked_database_is_explained_in_french(locked, monkeypatch, page):
    at = _app(monkeypatch, f"sqlite:///{locked}")
    at.switch_page(page)
    at.run()
    _assert_nothing_english(at, str(locked), "locked")
    assert at.error and at.error[0].value.startswith("**La base de données est occupée**"), [e.value for e in at.error]
    assert "Rechargez la page dans une minute" in at.error[0].value


def test_an_unreachable_server_is_explained_in_french(monkeypatch):
    at = _app(monkeypatch, "postgresql+psycopg://postgres@127.0.0.1:1/x")  # nothing listens on port 1
    at.run()
    _assert_nothing_english(at, "127.0.0.1", "refused")
    assert at.error[0].value.startswith("**La base de données est injoignable**")
