"""Shared fixtures: throw-away databases built by the real migrations, on SQLite and PostgreSQL.

Every database test runs on SQLite, and a second time on PostgreSQL when
``OBSERVATOIRE_TEST_POSTGRES_URL`` is set; the PostgreSQL database is created for the test
session and dropped at its end. Each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from streamlit.testing.v1 import AppTest

from data_access import demo, reference
from data_access.catalogue import load_catalogue
from data_access.check import check_database
from data_access.db import make_engine, run_migrations, temporary_postgres_database
from data_access.plans import load_plan, plan_directories
from data_access.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("OBSERVATOIRE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]


def _postgres_database(tmp_name: str) -> Iterator[str]:
    """Create a fresh PostgreSQL database next to the configured one; drop it afterwards."""
    assert POSTGRES_URL is not None
    with temporary_postgres_database(POSTGRES_URL, f"observatoire_{tmp_name}") as url:
        yield url


def empty_database_url(backend: str, tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL non configuré : définissez OBSERVATOIRE_TEST_POSTGRES_URL pour rejouer ces tests sur PostgreSQL")
        yield from _postgres_database(name)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.db'}"


def populate(engine: Engine, with_demo: bool = True) -> None:
    """Catalogue, both plans, the reference data and (optionally) the full demo batch."""
    with engine.begin() as conn:
        load_catalogue(conn)
        for directory in plan_directories():
            load_plan(conn, directory)
        reference.load_reference(conn, load_settings().shared_data)
        if with_demo:
            demo.seed_demo(conn)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the schema, both plans, reference and demo data (built once per backend)."""
    for url in empty_database_url(backend, tmp_path_factory, "demo"):
        run_migrations(url)
        engine = make_engine(url)
        populate(engine)
        yield url
        # after every test of the session (app tests commit their imports, reverts and records):
        # what the pages read is still what the observations say (``python -m data_access check``)
        with engine.connect() as conn:
            report = check_database(conn)
        engine.dispose()
        assert report.clean, report.text()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection whose changes are rolled back after the test: tests never see each other's rows."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def committed_small_database(backend: str, template: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """A database of its own for tests that commit (catalogue, plans, reference, no demo): a copy
    of the SQLite ``template`` (``small_database_template``), or a new PostgreSQL database."""
    if backend == "sqlite":
        copy = tmp_path_factory.mktemp(name) / f"{name}.db"
        shutil.copy(template, copy)
        yield f"sqlite:///{copy}"
        return
    for url in empty_database_url(backend, tmp_path_factory, name):
        run_migrations(url)
        engine = make_engine(url)
        populate(engine, with_demo=False)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def small_database_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small SQLite file (catalogue, plans, reference, no demo), checkpointed so that it can be
    copied for each test that writes."""
    path = tmp_path_factory.mktemp("template") / "modele.db"
    url = f"sqlite:///{path}"
    run_migrations(url)
    engine = make_engine(url)
    populate(engine, with_demo=False)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def new_app() -> AppTest:
    """The app (``app.py``) for AppTest, with every Streamlit cache emptied (cached results and
    engines otherwise leak between tests)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def open_page(at: AppTest, page: str, query: Mapping[str, str]) -> AppTest:
    """Open ``page`` (``pages/<name>.py``) as a visitor following a URL with ``query`` would."""
    at.switch_page(page)
    at.query_params.update(query)
    at.run()
    return at


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the demo database (SQLite only: the app tests run once)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the app tests run once, on SQLite")
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", database_url)
    return new_app()


def plan_objective_count(code: str) -> int:
    """How many objectives the plan's ``plan.yaml`` declares (the counts tests compare tables with)."""
    import yaml

    plan = yaml.safe_load((ROOT / "plans" / code / "plan.yaml").read_text(encoding="utf-8"))
    return sum(len(action.get("objectifs") or []) for axis in plan["axes"] for action in axis["actions"])
