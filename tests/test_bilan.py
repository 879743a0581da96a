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
    programmes = ["Dispositifs"] if plan == ISERE else []  # « Logement toujours » serves Isère's fiche 3.2
    head = ["Synthèse", "Fiches-action", *programmes, "Objectifs"]
    assert book.sheetnames[: len(head)] == head
    assert book.sheetnames[-2:] == ["Territoires", "Objectifs par territoire"]
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
    assert list(tables)[:3] == ["Synthèse", "Évaluation du plan", "Fiches-action"]
    fiches = tables["Fiches-action"]
    assert [text.split(" – ")[0] for text in fiches["Fiche-action"]] == fiche_codes(ISERE)
    followed = fiches[fiches["Année du suivi"] != "–"]
    assert followed["Année du suivi"].map(lambda y: 2014 <= int(y) <= 2020).all()
    assert [c for c in tables["Évaluation du plan"].columns if c.isdigit()] == [str(y) for y in range(2014, 2021)]


def test_whole_plan_deck_and_workbook(sqlite_conn: Connection) -> None:
    deck = bilan_deck(sqlite_conn, ISERE, None)
    assert deck.title == "Bilan du plan 2014–2020 — Isère — PALHDI 2014–2020"
    assert deck.slides[0].title.startswith("Synthèse 2020")
    assert deck.slides[2].title.startswith("Évaluation du plan 2014–2020")
    assert any(slide.title == "Expulsions — assignations, 2014–2020" for slide in deck.slides)
    html = deck_html(deck, [b"png" if slide.figure is not None else None for slide in deck.slides])
    assert all(f"{code} – " in html for code in fiche_codes(ISERE))
    book = load_workbook(io.BytesIO(bilan_xlsx(sqlite_conn, ISERE, None)))
    assert book.sheetnames[:3] == ["Synthèse", "Évaluation du plan", "Fiches-action"]
    assert "Bilan du plan 2014–2020" in str(book["Fiches-action"]["A1"].value)


# --- the PDF as a document ------------------------------------------------------------------------

PDF_CASES = [*CASES, pytest.param(ISERE, None, id="isere-plan")]


def pdf_text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "bilan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_info(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "bilan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext absent (paquet poppler-utils)")
@pytest.mark.parametrize(("plan", "year"), PDF_CASES)
def test_pdf_is_a_tagged_document_with_every_fiche_and_french_numbers(
    sqlite_conn: Connection, tmp_path, plan: str, year: int | None
) -> None:  # type: ignore[no-untyped-def]
    deck = bilan_deck(sqlite_conn, plan, year)
    pdf = deck_pdf(deck, images=slide_images(deck))
    assert b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf and b"/Outlines" in pdf  # tagged, with bookmarks
    assert b"HeadlessChrome" not in pdf[pdf.rfind(b"/Title") :]  # the latest Info object names the observatory
    info = pdf_info(pdf, tmp_path)
    assert f"Title:           {deck.title}" in info and "Author:          Observatoire PDALHPD" in info
    assert "Tagged:          yes" in info and "HeadlessChrome" not in info
    text = pdf_text(pdf, tmp_path)
    first = 2008 if plan == SARTHE else 2014
    misprinted = "|".join(str(y)[1:] for y in range(first, first + 7))  # « 014|015… »: a year printed « 2 018 »
    assert not re.search(rf"\b2 (?:{misprinted})\b", text)  # years as 2018, never « 2 018 » (a count 2 096 is fine)
    assert not re.search(r"\d,0 / |[<>≤≥] \d[\d\u202f\u00a0 ]*,0\b", text)  # counts as 1 303, never 1 303,0
    for code in fiche_codes(plan):
        assert re.search(rf"\b{re.escape(code)} – ", text), code
    titles = [slide.title for slide in deck.slides]
    assert not any("…" in title for title in titles)
    long = max(titles, key=len)
    assert " ".join(long.split()[-2:]) in " ".join(text.split())  # the longest title printed to its end
    if plan == SARTHE:
        assert "(2007" in text  # the objectives' references
    else:  # the programme serving fiche 3.2, with its published figures and their periods
        flat = " ".join(text.replace("\u202f", " ").split())
        assert "dispositif « Logement toujours » (fiche 3.2)" in flat and "85 personnes" in flat and "2016–2018" in flat


# --- the synthesis, the territorial part, the families, the methods --------------------------------


@pytest.mark.parametrize(("plan", "year"), CASES)
def test_synthesis_counts_the_sheets_it_sums_up(sqlite_conn: Connection, plan: str, year: int) -> None:
    tables = bilan_tables(DatabaseLoader(sqlite_conn), plan, year)
    synthesis, objectives = tables["Synthèse"], tables["Objectifs"]
    assert list(tables)[0] == "Synthèse"
    counted = synthesis[synthesis["Rubrique"] == f"Objectifs {year}"]
    assert sum(int(v.replace("\u202f", "")) for v in counted["Valeur"]) == len(objectives)
    risky = synthesis[synthesis["Rubrique"] == "Objectifs à risque"]
    expected = objectives["Statut"].isin(["non atteint", "en retard"]).sum()
    assert len(risky) == max(expected, 1) and (expected or risky["Élément"].iloc[0].startswith("aucun"))
    moved = synthesis[synthesis["Rubrique"] == f"Évolutions {year - 1} → {year}"]
    assert 1 <= len(moved) <= 6 and moved["Valeur"].str.match(r"^[+−]?\d").all()  # « +35,0 % », « −64,7 % »


@pytest.mark.parametrize(("plan", "year"), CASES)
def test_territorial_part_ranks_by_rate_and_reads_each_territory_under_its_rule(sqlite_conn: Connection, plan: str, year: int) -> None:
    tables = bilan_tables(DatabaseLoader(sqlite_conn), plan, year)
    places = tables["Territoires"]
    rate = next(c for c in places.columns if c.startswith("Assignations") and c.endswith("pour 1 000 ménages") and not c.startswith("Rang"))
    rank = f"Rang ({rate})"
    best = places.sort_values(rate, ascending=False).iloc[0]
    assert best[rank] == 1  # ranked by the rate shown, not by the raw count
    territorial = tables["Objectifs par territoire"]
    assert set(territorial["Territoire"]) <= set(places["Territoire"]) and not territorial.empty
    assert set(territorial["Lecture territoriale"]) <= {"au prorata", "objectif de chaque territoire", "objectif du territoire"}


def test_deck_has_synthesis_families_and_territorial_part(sqlite_conn: Connection) -> None:
    deck = bilan_deck(sqlite_conn, ISERE, 2018)
    titles = [slide.title for slide in deck.slides]
    assert titles[:2] == ["Synthèse 2018 : où en est le plan ?", "Ce qui a le plus évolué de 2017 à 2018"]
    fsl = [slide for slide in deck.slides if slide.title.startswith("FSL — ")]
    assert any("Montants versés" in slide.title for slide in fsl)  # the amounts, not only the households
    assert fsl[0].key_figures[0][0].startswith("Aides accordées en 2018")  # aids counted, not distinct households
    assert any(title.startswith("Mal-logement — ") for title in titles)
    assert "Objectifs de chaque territoire en 2018" in titles
    assert "Les territoires en 2018 : indicateurs clés pour 1 000 ménages" in titles
    assert str(deck.slides[0].status).startswith("Objectifs 2018 : ")


def test_a_year_after_the_plan_says_so(sqlite_conn: Connection) -> None:
    deck = bilan_deck(sqlite_conn, SARTHE, 2014)
    assert deck.title.endswith("(hors période du plan 2008–2012)")
    assert all("hors période du plan 2008–2012" in slide.filters for slide in deck.slides[:3])
    assert "hors période" not in bilan_deck(sqlite_conn, SARTHE, 2010).title


def test_methods_page_states_the_status_rule_of_the_code(sqlite_conn: Connection) -> None:
    from data_access.status import Measurement, status_from_measurement
    from views.methods import METHODS

    deck = bilan_deck(sqlite_conn, SARTHE, 2010)
    rule = next(line for line in deck.methods if line.startswith("Statuts."))
    assert rule in " ".join(METHODS.replace("*", "").split())  # the same words as « Données et méthodes »
    # each case the statement names, as the code decides it
    assert status_from_measurement("min_per_year", 40, Measurement(45)) == "atteint"
    assert "un objectif est atteint si la valeur mesurée tient la cible" in rule
    assert status_from_measurement("min_per_year", 40, Measurement(25, fraction=0.5)) == "en bonne voie"  # 25 ÷ 0,5 = 50
    assert "valeur ÷ part couverte" in rule
    assert status_from_measurement("share_min", 10, Measurement(9, fraction=0.5)) == "en retard"  # a share is not projected
    assert "les taux, parts et effectifs sont pris tels quels" in rule
    assert status_from_measurement("min_cumulative", 40, Measurement(41, fraction=0.3)) == "atteint"
    assert status_from_measurement("max_per_year", 40, Measurement(41, fraction=0.3)) == "non atteint"
    assert "un minimum déjà atteint est atteint, un maximum annuel déjà dépassé non atteint" in rule
    assert status_from_measurement("decrease_from_baseline", None, Measurement(9, baseline=10)) == "atteint"
    assert "sans niveau cible est tenu quand la valeur est inférieure (supérieure) à sa valeur de référence" in rule
    assert status_from_measurement("min_per_year", 40, Measurement(None)) == "pas de données"
    assert "pas de données sans valeur mesurée" in rule
    assert not any("pas entièrement couverte" in line for line in deck.methods)  # the old, wrong statement


def test_fiches_carry_the_plans_evaluation_indicators_and_their_values_have_a_slide(sqlite_conn: Connection) -> None:
    fiches = bilan_tables(DatabaseLoader(sqlite_conn), ISERE, 2018)["Fiches-action"].set_index("Fiche-action")
    first = fiches.loc[next(code for code in fiches.index if code.startswith("1.1 – "))]
    assert first["Indicateurs d'effectivité"] == "Nombre de réunions des groupes techniques CCAPEX"
    assert first["Indicateurs d'impact"] == "Evolution du nombre d'expulsions effectives"
    deck = bilan_deck(sqlite_conn, ISERE, 2018)
    slide = next(slide for slide in deck.slides if slide.title == "Indicateurs des fiches-action : 2017 et 2018")
    assert slide.notes_table is not None and {"2017", "2018", "Évolution (%)"} <= set(slide.notes_table.columns)
    # each row in its own unit (the column mixes counts, euros and percentages): « 2 242 », never « 2 242,0 »
    shown = slide.notes_table.set_index("Unité")
    counts = shown.loc[shown.index.isin(["assignations", "dossiers", "ménages"]), "2018"]
    assert len(counts) and not counts.str.contains(",").any()
    assert shown.loc[shown.index == "%", "2018"].str.endswith("%").all()
