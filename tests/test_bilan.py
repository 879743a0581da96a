"""The bilan (issue 15): every fiche-action with its follow-up, the objectives with their
reference, value / target and status, the evaluation over the plan, and the PDF as a document.

Built on the demo database (SQLite only, to keep the suite fast): Isère 2018, Sarthe 2010."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import Connection

from reporting import images
from reporting.bilan import bilan_deck, bilan_xlsx
from reporting.pdf import deck_html, deck_pdf
from reporting.slides import slide_images
from tests.conftest import ROOT
from views.bilan import bilan_tables
from views.loader import DatabaseLoader

ISERE = "isere-palhdi-2014-2020"
SARTHE = "sarthe-pdalpd-2008-2012"
CASES = [pytest.param(ISERE, 2018, id="isere-2018"), pytest.param(SARTHE, 2010, id="sarthe-2010")]
needs_chromium = pytest.mark.skipif(not images.browser_path().is_file(), reason="Chromium absent : « make chromium » l'installe")


@pytest.fixture
def sqlite_conn(conn: Connection, backend: str) -> Connection:
    if backend != "sqlite":
        pytest.skip("bilan testé sur SQLite seulement, pour garder la suite rapide")
    return conn


def fiche_codes(plan: str) -> list[str]:
    data = yaml.safe_load((ROOT / "plans" / plan / "plan.yaml").read_text(encoding="utf-8"))
    return [str(action["code"]) for axis in data["axes"] for action in axis["actions"]]


def sheet_rows(book, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    rows = list(book[name].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "Fiche-action" in row or "Fiche" in row)
    return rows[header:]


@pytest.mark.parametrize(("plan", "year"), CASES)
def test_fiches_sheet_has_every_fiche_with_its_follow_up(sqlite_conn: Connection, plan: str, year: int) -> None:
    tables = bilan_tables(DatabaseLoader(sqlite_conn), plan, year)
    fiches = tables["Fiches-action"]
    assert [text.split(" – ")[0] for text in fiches["Fiche-action"]] == fiche_codes(plan)
    for column in ("Objectif de la fiche (termes du plan)", "Pilote", "Partenaires", "Moyens", "État", "Réalisations", "Commentaire"):
        assert fiches[column].map(lambda v: isinstance(v, str) and v != "").all(), column
    objectives = tables["Objectifs"]
    assert {"Référence", "Valeur / cible", "Statut"} <= set(objectives.columns)


def test_isere_fiches_without_quantified_objectives_are_in_the_bilan(sqlite_conn: Connection) -> None:
    fiches = bilan_tables(DatabaseLoader(sqlite_conn), ISERE, 2018)["Fiches-action"].set_index("Fiche-action")
    codes = [text.split(" – ")[0] for text in fiches.index]
    assert "1.4" in codes and "2.1" in codes


def test_sarthe_fiches_take_pilote_and_partners_from_the_plan_when_not_followed(sqlite_conn: Connection) -> None:
    fiches = bilan_tables(DatabaseLoader(sqlite_conn), SARTHE, 2010)["Fiches-action"]
    first = fiches.iloc[0]
    assert first["Fiche-action"].startswith("1A – ")
    assert first["Pilote"] == "CAF" and "Banque de France" in first["Partenaires"]


def test_sarthe_objectives_print_their_reference_and_value_against_target(sqlite_conn: Connection) -> None:
    objectives = bilan_tables(DatabaseLoader(sqlite_conn), SARTHE, 2010)["Objectifs"]
    assert objectives["Référence"].str.contains(r"^\d[\d  ]* \(2007", regex=True).any()
    assert objectives["Valeur / cible"].str.contains("(réf.)", regex=False).any()


@pytest.mark.parametrize(("plan", "year"), CASES)
def test_xlsx_has_the_fiches_sheet_with_every_code(sqlite_conn: Connection, plan: str, year: int) -> None:
    book = load_workbook(io.BytesIO(bilan_xlsx(sqlite_conn, plan, year)))
    assert book.sheetnames[:2] == ["Fiches-action", "Objectifs"]
    rows = sheet_rows(book, "Fiches-action")
    column = rows[0].index("Fiche-action")
    assert [str(row[column]).split(" – ")[0] for row in rows[1:]] == fiche_codes(plan)


@pytest.mark.parametrize(("plan", "year"), CASES)
def test_deck_names_every_fiche_and_never_cuts_a_title(sqlite_conn: Connection, plan: str, year: int) -> None:
    deck = bilan_deck(sqlite_conn, plan, year)
    html = deck_html(deck, [b"png" if slide.figure is not None else None for slide in deck.slides])
    for code in fiche_codes(plan):
        assert f"{code} – " in html, code
    assert not any(slide.title.endswith("…") for slide in deck.slides)


@pytest.mark.parametrize(("plan", "year"), CASES)
def test_evaluation_sheet_reads_reference_each_plan_year_and_verdict(sqlite_conn: Connection, plan: str, year: int) -> None:
    matrix = bilan_tables(DatabaseLoader(sqlite_conn), plan, year)["Évaluation du plan"]
    first, last = (int(part) for part in re.findall(r"\d{4}", plan)[:2])
    assert [c for c in matrix.columns if c.isdigit()] == [str(y) for y in range(first, last + 1)]
    assert matrix.columns[-1] == "Bilan du plan" and "Référence" in matrix.columns
    assert len(matrix) == len(bilan_tables(DatabaseLoader(sqlite_conn), plan, year)["Objectifs"])
    if plan == SARTHE:
        assert matrix["Référence"].str.contains("2007").any()


def test_deck_has_the_evaluation_slide(sqlite_conn: Connection) -> None:
    deck = bilan_deck(sqlite_conn, SARTHE, 2010)
    slide = next(s for s in deck.slides if s.title.startswith("Évaluation du plan 2008–2012"))
    assert slide.notes_table is not None and "Bilan du plan" in slide.notes_table.columns


# --- the whole plan period ----------------------------------------------------------------------


def test_whole_plan_bilan_puts_the_evaluation_first_and_the_latest_follow_up(sqlite_conn: Connection) -> None:
    tables = bilan_tables(DatabaseLoader(sqlite_conn), ISERE, None)
    assert list(tables)[:2] == ["Évaluation du plan", "Fiches-action"]
    fiches = tables["Fiches-action"]
    assert [text.split(" – ")[0] for text in fiches["Fiche-action"]] == fiche_codes(ISERE)
    followed = fiches[fiches["Année du suivi"] != "–"]
    assert followed["Année du suivi"].map(lambda y: 2014 <= int(y) <= 2020).all()
    assert [c for c in tables["Évaluation du plan"].columns if c.isdigit()] == [str(y) for y in range(2014, 2021)]


def test_whole_plan_deck_and_workbook(sqlite_conn: Connection) -> None:
    deck = bilan_deck(sqlite_conn, ISERE, None)
    assert deck.title == "Bilan du plan 2014–2020 — Isère — PALHDI 2014–2020"
    assert deck.slides[0].title.startswith("Évaluation du plan 2014–2020")
    assert any(slide.title == "Assignations, 2014–2020" for slide in deck.slides)
    html = deck_html(deck, [b"png" if slide.figure is not None else None for slide in deck.slides])
    assert all(f"{code} – " in html for code in fiche_codes(ISERE))
    book = load_workbook(io.BytesIO(bilan_xlsx(sqlite_conn, ISERE, None)))
    assert book.sheetnames[:2] == ["Évaluation du plan", "Fiches-action"]
    assert "Bilan du plan 2014–2020" in str(book["Fiches-action"]["A1"].value)
