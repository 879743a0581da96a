"""A restart in seconds (issue 19): a second ``make run`` skips the set-up step when none of its
inputs changed, and runs it again when one did. Dry runs (``make -n``) of a Makefile whose
interpreter is ``true``: nothing is installed or built, only what make would do is read."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = "-m geo prepare"
STREAMLIT = "-m streamlit run app.py"

pytestmark = pytest.mark.skipif(shutil.which("make") is None or shutil.which("true") is None, reason="make absent")


@pytest.fixture
def done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A completed set-up (``make setup`` with ``true`` as interpreter) for a database of its own."""
    database = tmp_path / "observatoire.db"
    database.write_bytes(b"")
    (tmp_path / "geo" / "38").mkdir(parents=True)
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("OBSERVATOIRE_GEO_CACHE", str(tmp_path / "geo"))
    variables = {"VENV": str(tmp_path / "venv"), "PY": shutil.which("true") or "true"}
    (tmp_path / "venv").mkdir()
    # the inputs made here, then the set-up's stamps, dated in the past (10 s, then 2 s): a change
    # the test makes next is newer for make even within one tick of the file-system clock (a
    # removal right after the stamp was written could share its mtime: make would see nothing new)
    _age([database, tmp_path / "geo", tmp_path / "geo" / "38"], 10)
    first = _make(variables, "setup", dry=False)
    assert SETUP in first, first
    _age([path for path in (tmp_path / "venv").iterdir() if path.is_file()], 2)  # its stamps, in the same order
    return variables | {"database": str(database), "geo": str(tmp_path / "geo")}


def _age(paths: list[Path], seconds: float) -> None:
    for path in paths:
        past = path.stat().st_mtime - seconds
        os.utime(path, (past, past))


def _make(variables: dict[str, str], target: str = "run", *, dry: bool = True, what_if: tuple[str, ...] = ()) -> str:
    command = ["make", "--no-print-directory", *(["-n"] if dry else [])]
    command += [f"-W{path}" for path in what_if]  # « what if this file were just modified »
    command += [f"{name}={value}" for name, value in variables.items() if name in ("VENV", "PY")] + [target]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True).stdout


def test_a_second_make_run_skips_the_set_up_step(done):
    lines = _make(done).splitlines()
    assert not any(SETUP in line for line in lines), lines
    assert "data_access.check_shared" in lines[0] and STREAMLIT in lines[-1], lines  # the shared-data check still first


@pytest.mark.parametrize(
    "changed",
    [
        "data_access/migrations/versions/0004_observation_rollup.py",
        "plans/isere-palhdi-2014-2020/plan.yaml",
        "requirements.txt",
        "geo/cache.py",
    ],
)
def test_a_changed_input_runs_the_set_up_step_again(done, changed):
    assert (ROOT / changed).is_file()
    assert SETUP in _make(done, what_if=(changed,))


def test_a_removed_database_runs_the_set_up_step_again(done):
    Path(done["database"]).unlink()
    assert SETUP in _make(done)


def test_a_removed_map_layer_runs_the_set_up_step_again(done):
    shutil.rmtree(Path(done["geo"]) / "38")
    assert SETUP in _make(done)
    shutil.rmtree(done["geo"])
    assert SETUP in _make(done)


def test_another_database_has_a_stamp_of_its_own(done, monkeypatch, tmp_path):
    other = tmp_path / "autre.db"
    other.write_bytes(b"")
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", f"sqlite:///{other}")
    assert SETUP in _make(done)
