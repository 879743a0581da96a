"""The export CLI (issue 7) on the demo database: séance dossier (PPTX, PDF) and bilan annuel (XLSX, PPTX)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from reporting.__main__ import main
from reporting.pptx import FOOTER_NAME
from tests.conftest import plan_objective_count

SEANCE = "CCAPEX plénière — exemple"
PLAN = "isere-palhdi-2014-2020"
NO_FIGURE_PAGES = 1  # the example séance: vue_ensemble has no figure, the five others have one


def _run(database_url: str, *argv: str) -> int:
    return main(["--database-url", database_url, *argv])


@pytest.fixture(scope="module")
def sqlite_url(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("exports testés sur SQLite seulement, pour garder la suite rapide")
    return database_url


@pytest.fixture(scope="module")
def exports(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    files = {
        "dossier.pptx": ("seance", SEANCE),
        "dossier.pdf": ("seance", SEANCE),
        "bilan.xlsx": ("bilan", "--plan", PLAN, "--annee", "2024"),
        "bilan.pptx": ("bilan", "--plan", PLAN, "--annee", "2024"),
    }
    for name, argv in files.items():
        assert _run(sqlite_url, *argv, "--out", str(folder / name)) == 0
    return {name: folder / name for name in files}


def test_dossier_pptx(exports: dict[str, Path]) -> None:
    prs = Presentation(str(exports["dossier.pptx"]))
    slides = list(prs.slides)
    titles = [slide.shapes[0].text_frame.text for slide in slides]
    # one slide per figure of each view, each followed by its table (« … (suite 2/3) »)
    shown = [
        slide for slide, title in zip(slides[1:], titles[1:], strict=True) if "(suite" not in title and "Méthodes et sources" not in title
    ]
    pictures = [sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes) for slide in shown]
    assert pictures[0] == 0  # vue_ensemble: key figures only
    assert pictures.count(0) == NO_FIGURE_PAGES and len(pictures) > 6  # FSL and mal-logement: every chart
    assert any("Montants versés" in title for title in titles)
    assert titles[-1].startswith("Méthodes et sources")
    for slide in shown:
        footer = [shape for shape in slide.shapes if shape.name == FOOTER_NAME]
        assert footer and "Source :" in footer[0].text_frame.text and "Mise à jour" in footer[0].text_frame.text


def test_dossier_pdf(exports: dict[str, Path]) -> None:
    pdf = exports["dossier.pdf"].read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) >= 8  # Chromium writes page objects as plain text


def test_bilan_xlsx(exports: dict[str, Path]) -> None:
    book = load_workbook(io.BytesIO(exports["bilan.xlsx"].read_bytes()))
    assert book.sheetnames == [
        "Synthèse",
        "Fiches-action",
        "Dispositifs",
        "Objectifs",
        "Évaluation du plan",
        "Indicateurs",
        "Territoires",
        "Objectifs par territoire",
    ]
    sheet = book["Objectifs"]
    header = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if "Statut" in row)
    assert sheet.max_row - header == plan_objective_count("isere-palhdi-2014-2020")
    assert "Chantier" in [c.value for c in sheet[header]]


def test_bilan_pptx_opens(exports: dict[str, Path]) -> None:
    assert len(Presentation(str(exports["bilan.pptx"])).slides) >= 7


def test_unknown_seance_exits_2(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(sqlite_url, "seance", "Séance inconnue", "--out", str(tmp_path / "x.pptx")) == 2
    err = capsys.readouterr().err
    assert "introuvable" in err and "Traceback" not in err
    assert not (tmp_path / "x.pptx").exists()


def test_bad_format_exits_2(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(sqlite_url, "seance", SEANCE, "--out", str(tmp_path / "x.docx")) == 2
    assert "non pris en charge" in capsys.readouterr().err


# --- python -m reporting view (issue 15) --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8501/inconnue?debut=2014", "Page « inconnue » inconnue : pages possibles : vue_ensemble, tendances"),
        ("http://127.0.0.1:8501/seances", "La page « Séances » n'a pas de vue à exporter"),
        ("import_donnees", "n'a pas de vue à exporter"),
        ("ftp://127.0.0.1/tendances", "une adresse http(s):// du tableau de bord ou « page?paramètres » est attendue"),
        ("http://[::1/tendances", "Adresse illisible"),  # an unclosed bracket: urlsplit's own error, said in French
        ("   ", "Adresse vide ou trop longue"),
    ],
)
def test_view_with_a_bad_url_exits_2_with_a_french_message(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    assert _run(sqlite_url, "view", url, "--out", str(tmp_path / "vue.csv")) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "vue.csv").exists()


def test_view_in_an_unknown_format_exits_2(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(sqlite_url, "view", "tendances", "--out", str(tmp_path / "vue.docx")) == 2
    assert "choisissez un fichier .png ou .svg ou .csv ou .xlsx ou .pptx ou .pdf" in capsys.readouterr().err


def test_view_says_which_url_values_it_replaced_and_still_exports(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "vue.csv"
    assert _run(sqlite_url, "view", "localhost:8501/tendances?debut=19999&indicateur=assignations", "--out", str(out)) == 0
    err = capsys.readouterr().err
    assert "Attention : Année de début « 19999 » invalide" in err
    assert out.read_bytes().startswith("\ufeffAssignations aux fins de résiliation du bail".encode())


def test_bilan_over_the_whole_plan(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bilan-plan.xlsx"
    assert _run(sqlite_url, "bilan", "--plan", PLAN, "--periode", "plan", "--out", str(out)) == 0
    assert load_workbook(io.BytesIO(out.read_bytes())).sheetnames[:3] == ["Synthèse", "Évaluation du plan", "Fiches-action"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_code:  # argparse: --annee or --periode, not both
        _run(sqlite_url, "bilan", "--plan", PLAN, "--periode", "plan", "--annee", "2018", "--out", str(out))
    assert exit_code.value.code == 2 and "--annee" in capsys.readouterr().err
