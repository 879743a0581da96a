"""The CLI: commands listed, French errors without traceback, status on a database."""

from __future__ import annotations

import subprocess
import sys

import pytest

from data_access.cli import main
from data_access.db import run_migrations

COMMANDS = ["init", "load-plan", "seed-demo", "load-reference", "status", "setup"]


def _cli(*args: str, env_url: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "data_access", *([f"--database-url={env_url}"] if env_url else []), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_help_lists_every_command():
    result = _cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["data_access", "--help"],
        ["data_access", "import", "--help"],
        ["data_access", "progress", "set", "--help"],
        ["reporting", "--help"],
        ["reporting", "bilan", "--help"],
        ["reporting", "view", "--help"],
        ["geo", "--help"],
        ["benchmarks", "--help"],
    ],
)
def test_help_is_french_to_the_last_word(command: list[str]) -> None:
    """argparse's own words (« usage: », « positional arguments », « show this help message and
    exit ») were the English left in every command's help."""
    result = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("utilisation : ") and "affiche cette aide et quitte" in result.stdout
    for english in ("usage:", "positional arguments", "optional arguments", "show this help", "options:\n  -h, --help  show"):
        assert english not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], "choix invalide"),
        (["load-plan"], "arguments obligatoires manquants"),
        (["status", "--unknown"], "arguments non reconnus"),
    ],
)
def test_bad_arguments_give_a_french_message_and_no_traceback(args, message):
    result = _cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_plan_directory_is_a_french_error(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run_migrations(url)
    assert main(["--database-url", url, "load-plan", str(tmp_path / "nowhere")]) == 2
    assert "Aucun fichier plan.yaml" in capsys.readouterr().err


def test_status_reports_tables_plans_and_demo(database_url, capsys):
    assert main(["--database-url", database_url, "status"]) == 0
    out = capsys.readouterr().out
    assert "observation" in out and "isere-palhdi-2014-2020" in out and "Base de démonstration : oui" in out


@pytest.mark.parametrize(
    ("args", "written"),
    [(["status"], ""), (["import", "examples/import-long.csv"], " Rien n'a été écrit."), (["revert", "1"], " Rien n'a été écrit.")],
)
def test_an_unreachable_database_is_said_in_french_with_what_to_do(args, written, capsys):
    # failed before: « impossible d'utiliser la base … (connection failed: connection to server … refused) », the driver's English
    assert main(["--database-url", "postgresql+psycopg://postgres@127.0.0.1:1/absente", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : la base de données est injoignable") and "puis relancez la commande." + written in err
    assert "Traceback" not in err and "connection" not in err.lower() and "refused" not in err
