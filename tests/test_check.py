"""``python -m data_access check`` and what the CLI reports around a commit: exit codes and
repair, a closed output pipe after the commit, ``kill -9`` of an import at three moments."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from data_access.check import check_database
from data_access.cli import main
from data_access.db import make_engine
from data_access.french import fr_number
from data_access.importers import revert_batch
from data_access.models import ImportBatch, Observation, ObservationRollup, Territory
from tests.conftest import ROOT, committed_small_database


@pytest.fixture
def sqlite_url(small_database_template: Path, tmp_path: Path) -> str:
    copy = tmp_path / "check.db"
    shutil.copy(small_database_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def kill_url(backend: str, small_database_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from committed_small_database(backend, small_database_template, tmp_path_factory, "kill")


def big_file(url: str, path: Path, communes: int, first_year: int, last_year: int) -> int:
    """A long table of ``assignations`` for the first communes of Isère × every month; its row count."""
    engine = make_engine(url)
    with engine.connect() as conn:
        places = conn.scalars(
            select(Territory.code)
            .where(Territory.level == "commune", Territory.departement_code == "38")
            .order_by(Territory.code)
            .limit(communes)
        ).all()
    engine.dispose()
    months = [f"{y}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]
    rows = [f"assignations;{t};{m};{(i * 7) % 90 + 1}" for i, (t, m) in enumerate((t, m) for t in places for m in months)]
    path.write_text("indicateur;territoire;periode;valeur\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


def cli(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "data_access", "--database-url", url, *args]


def state(url: str) -> tuple[int, list[int]]:
    """How many values are stored, and the active imports; asserts ``check`` is clean."""
    engine = make_engine(url)
    with engine.connect() as conn:
        report = check_database(conn)
        assert report.clean, report.text()
        values = conn.scalar(select(func.count()).select_from(Observation))
        active = conn.scalars(select(ImportBatch.id).where(ImportBatch.kind == "import", ImportBatch.reverted_at.is_(None))).all()
    engine.dispose()
    return int(values or 0), list(active)


def test_check_says_clean_or_lists_the_anomalies_and_repair_fixes_them(sqlite_url, capsys):
    assert main(["--database-url", sqlite_url, "import", str(ROOT / "examples" / "import-long.csv")]) == 0
    capsys.readouterr()
    assert main(["--database-url", sqlite_url, "check"]) == 0
    assert capsys.readouterr().out.startswith("Base cohérente : ")
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(update(ObservationRollup).values(value=ObservationRollup.value * 2))
    engine.dispose()
    assert main(["--database-url", sqlite_url, "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Anomalies trouvées") and "observation_rollup : " in out and "check --repair" in out
    assert main(["--database-url", sqlite_url, "check", "--repair"]) == 0
    out = capsys.readouterr().out
    assert "Réparation : sommes par regroupement et couverture recalculées" in out and "Après réparation : Base cohérente" in out
    assert main(["--database-url", sqlite_url, "check"]) == 0


def test_an_output_pipe_closed_after_the_preview_does_not_hide_the_commit(sqlite_url, tmp_path):
    # failed before: the message after the commit raised BrokenPipeError, reported as « rien n'a été écrit »
    data = tmp_path / "tube.csv"
    rows = big_file(sqlite_url, data, 200, 2015, 2022)
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = cli(sqlite_url, "import", str(data), "--report", str(tmp_path / "rapport.csv"))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=environment)
    assert process.stdout is not None and process.stderr is not None
    for line in process.stdout:  # the preview, then the report line printed just before the write
        if line.startswith("Rapport écrit"):
            break
    process.stdout.close()  # as `| head` does once it has what it wants
    assert process.wait(timeout=120) == 0
    err = process.stderr.read()
    assert "rien n'a été écrit" not in err
    assert (
        f"Sortie fermée avant la fin de la commande. Écrit en base : Import enregistré : lot n° 4 ; {fr_number(rows)} valeur(s) nouvelle(s)"
        in err
    )
    assert state(sqlite_url)[1] == [4]


def test_kill_9_of_an_import_leaves_the_database_before_or_after_and_consistent(kill_url, tmp_path):
    data = tmp_path / "gros.csv"
    rows = big_file(kill_url, data, 420, 2010, 2019)  # 50 400 values
    before, active = state(kill_url)
    start = time.perf_counter()
    finished = subprocess.run(cli(kill_url, "import", str(data)), capture_output=True, text=True, cwd=ROOT, timeout=300)
    duration = time.perf_counter() - start
    assert finished.returncode == 0, finished.stderr
    values, batches = state(kill_url)  # after the commit
    assert values == before + rows and len(batches) == len(active) + 1
    revert(kill_url, batches[-1])
    # killed just after starting (before any write), then near the end (while writing, most often)
    for delay in (0.3, 0.85 * duration):
        process = subprocess.Popen(cli(kill_url, "import", str(data)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(delay)
        process.kill()
        process.wait(timeout=60)
        values, batches = state(kill_url)
        assert (values, len(batches)) in ((before, len(active)), (before + rows, len(active) + 1)), delay
        if len(batches) > len(active):
            revert(kill_url, batches[-1])


def revert(url: str, batch_id: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        revert_batch(conn, batch_id)
    engine.dispose()
