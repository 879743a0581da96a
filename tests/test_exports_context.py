"""Every exported image and table carries its context (issue 15): ``python -m reporting view`` on a
URL of every page, in every format, on the demo database.

PNG and SVG draw the chart's title, the view's filters, the source with its update date and the
demo notice inside the image; CSV and XLSX have French headers, counts without « ,0 », years
without a thousands space, months ``2021-03``, booleans « Oui » / « Non » and the same notes above
the table; PPTX and PDF are the view's slide. A view without chart refuses PNG and SVG in French.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from data_access.db import make_engine
from data_access.vocabulary import DEMO_NOTICE, SEANCE_PAGES, Page
from reporting import images
from reporting.__main__ import main
from reporting.pptx import FOOTER_NAME
from reporting.view_export import FORMATS, url_view

# one URL per page, as a browser shows it or as « page?paramètres », both plans
URLS = {
    Page.VUE_ENSEMBLE: "http://127.0.0.1:8501/vue_ensemble?plan=isere-palhdi-2014-2020",
    Page.TENDANCES: "http://127.0.0.1:8501/tendances?indicateur=assignations&debut=2014&fin=2020",
    Page.COMPARER: "comparer?indicateur=assignations&affichage=rate&debut=2014&fin=2020",  # a map
    Page.EXPULSIONS: "http://localhost:8501/expulsions?debut=2014&fin=2020",  # the funnel
    Page.FSL: "fsl?plan=sarthe-pdalpd-2008-2012",
    Page.MAL_LOGEMENT: "mal_logement?niveau=epci",
    Page.ACCES_HEBERGEMENT: "acces_hebergement?niveau=territoire&territoire=trieves&debut=2014&fin=2020",
    Page.PLAN_ACTION: "plan_action?statuts=atteint",
    Page.DISPOSITIFS: "dispositifs?plan=isere-palhdi-2014-2020",  # published figures, not demo data
    Page.DONNEES_METHODES: "donnees_methodes",
}
WITHOUT_CHART = {Page.VUE_ENSEMBLE, Page.PLAN_ACTION, Page.DONNEES_METHODES}
# pages of published facts (a programme's results as its document gives them): neither demo data
# nor a stored series with an update date; their source names the document and its date
PUBLISHED = {Page.DISPOSITIFS}
SNAKE_CASE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+|[a-z]+")  # period_start, value, households…
GROUPED_NUMBER = re.compile(r"\d[\u202f\u00a0 ]\d{3}")  # « 2 021 », « 1 529 »: not a number a spreadsheet reads
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def test_every_page_with_a_view_has_a_url_here() -> None:
    assert set(URLS) == set(SEANCE_PAGES)


@pytest.fixture(scope="module")
def sqlite_url(database_url: str) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("exports testés sur SQLite seulement, pour garder la suite rapide")
    return database_url


@pytest.fixture(scope="module")
def exported(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[Page, str], tuple[int, Path, str]]]:
    """(page, suffix) → (exit code, file, stderr) of the CLI, run in-process once for every case.

    The CLI closes Chromium after each export (a process exits anyway); here it stays open between
    the runs, as in the dashboard, and is closed at the end."""
    folder = tmp_path_factory.mktemp("vues")
    results = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(images, "shutdown", lambda: None)
        for page, url in URLS.items():
            for suffix in FORMATS:
                out = folder / f"{page.value}{suffix}"
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    code = main(["--database-url", sqlite_url, "view", url, "--out", str(out)])
                results[page, suffix] = (code, out, err.getvalue())
    yield results
    images.shutdown()


@pytest.fixture(scope="module")
def views(sqlite_url: str) -> dict:
    """The screen view of each URL, to compare the files with."""
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        shown = {page: url_view(conn, url) for page, url in URLS.items()}
    engine.dispose()
    return shown


def _written(exported: dict, page: Page, suffix: str) -> Path:
    code, out, err = exported[page, suffix]
    assert code == 0, err
    assert "Traceback" not in err and "Attention" not in err, err  # every URL here is valid: no notice
    return out


def svg_texts(svg: bytes) -> str:
    """The SVG's texts, one per line (each ``<text>`` and ``<tspan>``), entities decoded, spaces normalised."""
    parts = re.findall(r"<(?:text|tspan)[^>]*>([^<]*)", svg.decode())
    return "\n".join(" ".join(html.unescape(part).replace("\u202f", " ").replace("\u00a0", " ").split()) for part in parts)


def words(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


CHART_PAGES = [page for page in URLS if page not in WITHOUT_CHART]


@pytest.mark.parametrize("page", CHART_PAGES, ids=str)
def test_svg_draws_title_filters_source_date_and_demo_notice(exported: dict, views: dict, page: Page) -> None:
    texts = svg_texts(_written(exported, page, ".svg").read_bytes())
    joined = words(texts.replace("\n", " "))  # a wrapped text's lines are consecutive
    chart = views[page].main_chart
    for expected in (chart.title, views[page].filters, chart.source):
        assert words(expected) in joined, (expected, texts)
    assert "Source :" in texts
    if page in PUBLISHED:
        assert not chart.demo and DEMO_NOTICE not in texts
        return
    assert re.search(rf"Mise à jour : {DATE.pattern}", texts)
    assert chart.demo and DEMO_NOTICE in texts  # the demo database: every chart of a series is demo data


@pytest.mark.parametrize("page", CHART_PAGES, ids=str)
def test_png_is_1920_pixels_wide(exported: dict, page: Page) -> None:
    png = _written(exported, page, ".png").read_bytes()
    width, height = images.png_size(png)
    assert width == 1920 and height >= 1080


@pytest.mark.parametrize("page", sorted(WITHOUT_CHART), ids=str)
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_view_without_chart_refuses_an_image_in_french(exported: dict, page: Page, suffix: str) -> None:
    code, out, err = exported[page, suffix]
    assert code == 2 and "n'a pas de graphique" in err and "Traceback" not in err
    assert not out.exists()


def csv_parts(data: bytes) -> tuple[list[str], list[str], list[list[str]]]:
    """(notes, header, rows) of an exported CSV."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    blank = rows.index([])
    return [row[0] for row in rows[:blank]], rows[blank + 1], rows[blank + 2 :]


@pytest.mark.parametrize("page", list(URLS), ids=str)
def test_csv_has_its_notes_french_headers_and_values_as_on_screen(exported: dict, views: dict, page: Page) -> None:
    notes, header, rows = csv_parts(_written(exported, page, ".csv").read_bytes())
    view = views[page]
    assert notes[0] and notes[1] == view.filters
    assert any(note.startswith("Source :") and "Exporté le" in note for note in notes)
    # the dictionary (first table of Données et méthodes) and published results are not demo data
    assert (DEMO_NOTICE in notes) == (page not in {Page.DONNEES_METHODES, *PUBLISHED})
    assert rows and all(len(row) == len(header) for row in rows)
    assert not [name for name in header if SNAKE_CASE.fullmatch(name)], header
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if re.fullmatch(r"-?\d+,0", cell)]  # a count is never « 2732,0 »
    assert not [cell for cell in cells if GROUPED_NUMBER.fullmatch(cell)]  # numbers and years without a thousands space
    assert not [cell for cell in cells if cell in ("True", "False", "nan", "NaN", "None", "<NA>")]
    for name in ("Année", "Période"):
        if name in header:
            periods = [row[header.index(name)] for row in rows]
            assert all(re.fullmatch(r"\d{4}(-T[1-4]|-(0[1-9]|1[0-2]))?", period) for period in periods), periods


def test_a_monthly_series_writes_its_months_2021_03(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "mois.csv"
    assert main(["--database-url", sqlite_url, "view", "tendances?granularite=mois&debut=2016&fin=2017", "--out", str(out)]) == 0
    _, header, rows = csv_parts(out.read_bytes())
    assert header == ["Indicateur", "Territoire", "Période", "Valeur", "Période complète"]
    assert [row[2] for row in rows[:3]] == ["2016-01", "2016-02", "2016-03"]
    assert {row[4] for row in rows} == {"Oui"}


@pytest.mark.parametrize("page", list(URLS), ids=str)
def test_xlsx_has_the_same_notes_and_table_as_the_csv(exported: dict, page: Page) -> None:
    notes, header, rows = csv_parts(_written(exported, page, ".csv").read_bytes())
    sheet = openpyxl.load_workbook(_written(exported, page, ".xlsx")).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[0] for row in cells[: len(notes)]] == notes
    assert [str(value) for value in cells[len(notes) + 1] if value is not None] == header
    assert len(cells) - len(notes) - 2 == len(rows)
    first = sheet[len(notes) + 3]
    for name, cell in zip(header, first, strict=False):
        if name == "Année" and isinstance(cell.value, int):
            assert cell.number_format == "0"  # « 2021 », not « 2 021 »
        if isinstance(cell.value, bool):
            pytest.fail(f"{name} : un booléen VRAI/FAUX au lieu de « Oui » / « Non »")


@pytest.mark.parametrize("page", list(URLS), ids=str)
def test_pptx_is_the_views_slide(exported: dict, views: dict, page: Page) -> None:
    from reporting.view_slides import slide_charts

    slides = list(Presentation(str(_written(exported, page, ".pptx"))).slides)
    # title page; one slide per chart of the view (one for a view without chart), each followed by
    # its table's slides (« … (suite 2/3) »); « Méthodes et sources »
    titles = [slide.shapes[0].text_frame.text if slide.shapes else "" for slide in slides]
    figures = [
        slide for slide, title in zip(slides[1:], titles[1:], strict=True) if "(suite" not in title and "Méthodes et sources" not in title
    ]
    assert len(figures) == max(1, len(slide_charts(views[page])))
    pictures = [sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes) for slide in figures]
    assert pictures == ([0] if page in WITHOUT_CHART else [1] * len(figures))
    for slide in figures:
        footer = [shape for shape in slide.shapes if shape.name == FOOTER_NAME]
        assert footer and "Source :" in footer[0].text_frame.text


@pytest.mark.parametrize("page", list(URLS), ids=str)
def test_pdf_is_the_views_slide(exported: dict, page: Page) -> None:
    pdf = _written(exported, page, ".pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) >= 3
