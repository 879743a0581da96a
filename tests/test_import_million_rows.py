"""A file of 1 000 000 rows, within the reading limits, still imports whole (issue 18).

Bounded: one file, built in the test, on a database of its own without demo values, on SQLite and
PostgreSQL (which writes the rows through COPY). The import ends with ``python -m data_access
check`` clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access.check import check_database
from data_access.db import make_engine
from data_access.importers import ImportOptions, apply_import, prepare_import
from data_access.models import Observation, Territory
from tests.conftest import committed_small_database

ROWS = 1_000_000
INDICATORS = (
    "assignations",
    "decisions_expulsion",
    "cql",
    "cfp_demandes",
    "cfp_accordes",
    "expulsions_effectives",
    "diagnostics_sociaux",
    "dossiers_ccapex",
)


@pytest.fixture
def million_url(backend: str, small_database_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from committed_small_database(backend, small_database_template, tmp_path_factory, "million")


def test_a_million_row_long_table_imports_whole_and_the_database_stays_consistent(million_url: str):
    engine = make_engine(million_url)
    with engine.connect() as conn:
        communes = conn.scalars(select(Territory.code).where(Territory.level == "commune", Territory.departement_code == "38")).all()
    months = [f"{y}-{m:02d}" for y in range(2000, 2025) for m in range(1, 13)]
    lines = ["indicateur;territoire;periode;valeur"]
    for indicator in INDICATORS:
        for commune in communes:
            lines.extend(f"{indicator};{commune};{month};{(len(lines) * 7) % 90}" for month in months)
            if len(lines) > ROWS:
                break
        if len(lines) > ROWS:
            break
    data = ("\n".join(lines[: ROWS + 1]) + "\n").encode()
    with engine.begin() as conn:
        preview = prepare_import(conn, data, "million.csv", ImportOptions())
        assert preview.file_rows == ROWS and preview.errors == 0
        outcome = apply_import(conn, preview, user_name="test")
    assert outcome.new == ROWS
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Observation)) >= ROWS
        report = check_database(conn)
    engine.dispose()
    assert report.clean, report.text()
