"""The import commands of the CLI: import (preview, refusal, no-op), batches, revert, hash-password."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data_access.auth import LocalAccount, verify_password
from data_access.cli import main
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "import-long.csv"


@pytest.fixture(scope="module")
def cli_template(small_database_template: Path) -> Path:
    return small_database_template


@pytest.fixture
def url(cli_template: Path, tmp_path: Path) -> str:
    copy = tmp_path / "cli.db"
    shutil.copy(cli_template, copy)
    return f"sqlite:///{copy}"


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "data_access", *args], capture_output=True, text=True, timeout=120, input=stdin, cwd=ROOT)


def test_import_reimport_and_revert_the_example_file(url, capsys):
    assert main(["--database-url", url, "import", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "format : table longue" in out and "Import enregistré : lot n° 4" in out
    assert main(["--database-url", url, "import", str(EXAMPLE)]) == 0
    assert "déjà été importé de la même façon (lot n° 4" in capsys.readouterr().out
    assert main(["--database-url", url, "batches"]) == 0
    listing = capsys.readouterr().out
    assert "import-long.csv" in listing and "Annulé le" in listing
    assert main(["--database-url", url, "revert", "4"]) == 0
    assert "Lot n° 4 annulé" in capsys.readouterr().out
    assert main(["--database-url", url, "revert", "4"]) == 2
    assert "déjà été annulé" in capsys.readouterr().err


def test_a_file_with_errors_is_refused_with_exit_code_2_and_a_report(url, tmp_path, capsys):
    bad = tmp_path / "erreurs.csv"
    bad.write_text("indicateur;territoire;periode;valeur\nassignations;38185;2024-13;5\n", encoding="utf-8")
    report = tmp_path / "rapport.csv"
    assert main(["--database-url", url, "import", str(bad), "--report", str(report)]) == 2
    captured = capsys.readouterr()
    assert "ligne 2, colonne « periode » : « 2024-13 » n'est pas un mois valide" in captured.out
    assert "Fichier refusé : 1 erreur(s) sur 1 ligne(s) ; rien n'a été écrit" in captured.err
    assert report.read_bytes().startswith(b"\xef\xbb\xbfligne;colonne;valeur;gravit")
    assert main(["--database-url", url, "batches"]) == 0
    assert "Aucun import" in capsys.readouterr().out


def test_dry_run_writes_nothing(url, capsys):
    assert main(["--database-url", url, "import", str(EXAMPLE), "--dry-run"]) == 0
    assert "Essai (--dry-run) : rien n'a été écrit." in capsys.readouterr().out
    main(["--database-url", url, "batches"])
    assert "Aucun import" in capsys.readouterr().out


def test_wide_table_with_flags(url, capsys):
    args = ["import", str(ROOT / "examples" / "import-large.csv"), "--format", "wide", "--indicator", "assignations"]
    assert main(["--database-url", url, *args, "--territory-column", "Code commune", "--source", "Préfecture (EXPLOC)"]) == 0
    out = capsys.readouterr().out
    assert "format : table large" in out and "Colonnes ignorées : Commune, Total." in out and "Import enregistré" in out


def test_a_partners_yearly_table_by_indicator_label_with_its_sources(url, capsys):
    """examples/import-acces-hebergement.csv as the README imports it: one row per indicator (its
    French label), a « Source » column, one column per year, at the département."""
    args = ["import", str(ROOT / "examples" / "import-acces-hebergement.csv"), "--format", "wide", "--indicator-column", "Indicateur"]
    assert main(["--database-url", url, *args, "--territory", "38"]) == 0
    out = capsys.readouterr().out
    assert "Import enregistré" in out and "18 valeur(s) nouvelle(s)" in out
    for code in ("demandes_115", "dalo_relogements", "coupures_impayes_energie"):
        assert f"{code} (annuelles, 2022 → 2024)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "/nulle/part.csv"], "Fichier illisible : /nulle/part.csv"),
        (["revert", "12345"], "Aucun lot n° 12345"),
        (["import", str(ROOT / "tests" / "golden" / "long-classeur.xlsx")], "plusieurs feuilles"),
        (["import", str(ROOT / "tests" / "golden" / "long-classeur.xlsx"), "--sheet", "Absente"], "pas de feuille « Absente »"),
    ],
)
def test_bad_input_gives_a_french_error_and_no_traceback(url, args, message):
    result = _cli("--database-url", url, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_import_on_a_database_without_the_import_tables_says_to_run_init(tmp_path):
    from alembic import command

    from data_access.db import alembic_config

    url = f"sqlite:///{tmp_path / 'ancienne.db'}"
    command.upgrade(alembic_config(url), "0001")
    result = _cli("--database-url", url, "import", str(EXAMPLE))
    assert result.returncode == 2 and "python -m data_access init" in result.stderr and "Traceback" not in result.stderr


def test_hash_password_reads_stdin_and_gives_an_argon2_hash():
    result = _cli("hash-password", stdin="une phrase de passe assez longue\n")
    assert result.returncode == 0
    password_hash = result.stdout.strip()
    assert password_hash.startswith("$argon2id$")
    assert verify_password(LocalAccount("gestion", password_hash), "gestion", "une phrase de passe assez longue")


def test_hash_password_refuses_a_short_password():
    result = _cli("hash-password", stdin="court\n")
    assert result.returncode == 2 and "Mot de passe trop court" in result.stderr


def test_help_lists_the_import_commands():
    result = _cli("--help")
    for command in ("import", "batches", "revert", "hash-password"):
        assert command in result.stdout


def test_a_histologe_export_is_complete_for_its_departement_only_with_complete(url, tmp_path, capsys):
    from tests.test_import_histologe import FULL_2026, GRENOBLE, export

    path = tmp_path / "export.csv"
    path.write_bytes(export(FULL_2026, [{"deposited": "03/02/2026", **GRENOBLE}]))
    assert main(["--database-url", url, "import", str(path), "--dry-run"]) == 0
    assert "pour les 1 commune(s) où il a des signalements" in capsys.readouterr().out
    assert main(["--database-url", url, "import", str(path), "--dry-run", "--complete"]) == 0
    assert "pour les 521 communes du département 38" in capsys.readouterr().out
