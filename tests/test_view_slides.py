"""Every figure of a view is a slide (issue « The meeting and the bilan »): the séance's dossier and
the export of one view draw every chart the projection shows, in its order, one slide each.

On the demo database and the example séance of the Isère plan; the screen is the app itself
(AppTest in presentation mode, ``?figure=N``)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from data_access import seances
from data_access.vocabulary import Page
from reporting import images
from reporting.dossier import seance_deck
from reporting.pdf import deck_pdf
from reporting.pptx import FOOTER_NAME
from reporting.slides import Deck, Slide
from reporting.view_export import url_view, view_file
from reporting.view_slides import page_view, slide_charts, slide_of, slides_of, view_slide, view_slides
from tests.conftest import open_page
from ui.slide import FIGURE_COUNT_KEY
from views.model import Chart, KeyFigure, Table, View

ISERE = "isere-palhdi-2014-2020"
EXAMPLE = "CCAPEX plénière — exemple"
SCREEN_NUMBER = re.compile(r" \((\d+)/(\d+)\)$")  # the projection's heading ends with « (2/6) »
needs_chromium = pytest.mark.skipif(not images.browser_path().is_file(), reason="Chromium absent : « make chromium » l'installe")


@dataclass(frozen=True)
class SeanceView:
    page: str
    params: dict[str, str]
    title: str
    view: View  # the page's View, built as the dossier builds it
    slides: list[Slide]  # this view's slides in the dossier


Dossier = tuple[Deck, list[SeanceView]]


@pytest.fixture(scope="module")
def dossier(engine: Engine) -> Dossier:
    """The example séance's dossier, and each of its views with the dossier's slides of that view."""
    with engine.connect() as conn:
        deck = seance_deck(conn, EXAMPLE, plan=ISERE)
        seance_id = seances.seance_by_name(conn, name=EXAMPLE, plan=ISERE)
        rows = seances.seance_views(conn, seance_id=seance_id)
        built = [(row, page_view(conn, str(row.page), dict(row.params), plan=ISERE)) for row in rows.itertuples()]  # type: ignore[arg-type]
    views, start = [], 0
    for row, view in built:
        count = max(len(slide_charts(view)), 1)
        views.append(SeanceView(str(row.page), dict(row.params), str(row.title), view, list(deck.slides[start : start + count])))  # type: ignore[arg-type]
        start += count
    assert start == len(deck.slides), "the dossier has a slide the views do not account for"
    return deck, views


def of_page(views: list[SeanceView], page: Page) -> SeanceView:
    return next(view for view in views if view.page == page.value)


def same_figure(drawn: go.Figure | None, chart: Chart) -> bool:
    assert drawn is not None and chart.figure is not None
    return bool(drawn.to_json() == chart.figure.to_json())


def test_the_fsl_view_has_a_slide_for_households_and_one_for_amounts(dossier: Dossier) -> None:
    fsl = of_page(dossier[1], Page.FSL)
    charts = {chart.key: chart for chart in fsl.view.charts()}
    households, amounts = charts["fsl-menages"], charts["fsl-montants"]
    first, second = fsl.slides[:2]
    assert first.title == fsl.title
    assert same_figure(first.figure, households) and first.notes_table is not None and first.notes_table.equals(households.data)
    assert second.title == f"{fsl.title} — {amounts.title}"
    assert same_figure(second.figure, amounts) and second.notes_table is not None and second.notes_table.equals(amounts.data)
    assert amounts.key_figure is not None and second.key_figures == [(amounts.key_figure.label, amounts.key_figure.value)]
    assert "Montants versés" in second.title and not same_figure(second.figure, households)


def test_the_mal_logement_view_has_a_slide_per_chart_in_the_screens_order(dossier: Dossier) -> None:
    shown = of_page(dossier[1], Page.MAL_LOGEMENT)
    charts = slide_charts(shown.view)
    keys = [chart.key for chart in charts]
    assert keys[:3] == ["ml-signalements_insalubrite", "ml-signalements_non_decence", "ml-signalements_precarite_energetique"]
    assert len(shown.slides) == len(charts) >= 4  # the three kinds of signalement, then the map at least
    for number, (slide, chart) in enumerate(zip(shown.slides, charts, strict=True)):
        assert slide.title == (shown.title if number == 0 else f"{shown.title} — {chart.title}")
        assert same_figure(slide.figure, chart)
        assert slide.notes_table is not None and slide.notes_table.equals(chart.data)
        assert slide.footer == (chart.source or shown.view.source) and slide.footer.startswith("Source :")
        assert slide.filters.startswith(shown.view.filters)


def test_every_view_has_as_many_slides_as_the_projection_has_figures(dossier: Dossier) -> None:
    deck, views = dossier
    for shown in views:
        charts = slide_charts(shown.view)  # what ui.slide.draw pages through with ?figure=N
        assert len(shown.slides) == max(len(charts), 1), shown.title
        assert [slide.figure is not None for slide in shown.slides] == ([True] * len(charts) or [False]), shown.title
    counts = {shown.page: len(shown.slides) for shown in views}
    assert counts["vue_ensemble"] == 1 and counts["tendances"] == 1  # a view without chart, a view of one chart
    assert counts["fsl"] >= 2 and counts["mal_logement"] >= 3 and len(deck.slides) == sum(counts.values())


def test_the_first_slide_of_a_view_is_its_view_slide_with_key_figures_and_status(dossier: Dossier, engine: Engine) -> None:
    """``view_slide`` (the bilan's) stays the first of ``view_slides``; the next ones carry their chart's key figure only."""
    with engine.connect() as conn:
        for shown in dossier[1]:
            alone = view_slide(conn, shown.page, shown.params, title=shown.title, plan=ISERE)
            assert alone.title == shown.slides[0].title and alone.key_figures == shown.slides[0].key_figures
            assert alone.status == shown.slides[0].status == shown.view.status
            for slide, chart in zip(shown.slides[1:], slide_charts(shown.view)[1:], strict=True):
                assert slide.status is None
                assert slide.key_figures == ([(chart.key_figure.label, chart.key_figure.value)] if chart.key_figure else [])
        fsl = of_page(dossier[1], Page.FSL)
        assert [s.title for s in view_slides(conn, fsl.page, fsl.params, title=fsl.title, plan=ISERE)] == [s.title for s in fsl.slides]


def test_every_slide_of_a_demo_view_says_demo(dossier: Dossier) -> None:
    deck, views = dossier
    demo_views = [shown for shown in views if shown.view.demo]
    assert demo_views, "the demo database has demo views"
    for shown in demo_views:
        assert all(slide.demo for slide in shown.slides), shown.title
    assert deck.demo


@pytest.mark.parametrize("page", [Page.FSL, Page.MAL_LOGEMENT], ids=str)
def test_the_dossier_has_the_slides_the_screen_shows(app: AppTest, dossier: Dossier, page: Page) -> None:
    """The app in presentation mode, ``?figure=1…n``: as many slides, the same chart titles, in the same order."""
    shown = of_page(dossier[1], page)
    headings: list[str] = []
    count = 1
    while len(headings) < count:
        if not headings:
            open_page(app, f"pages/{page.value}.py", {**shown.params, "presentation": "1"})
        else:
            app.query_params["figure"] = str(len(headings) + 1)
            app.run()
        assert not app.exception, app.exception
        heading = app.subheader[0].value
        match = SCREEN_NUMBER.search(heading)
        assert match is not None and int(match.group(1)) == len(headings) + 1, heading
        count = int(match.group(2))
        headings.append(heading[: match.start()])
    assert app.session_state[FIGURE_COUNT_KEY] == count == len(shown.slides)
    assert [slide.title for slide in shown.slides[1:]] == [f"{shown.title} — {heading}" for heading in headings[1:]]
    assert headings == [chart.title for chart in slide_charts(shown.view)]


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "dossier.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext absent (paquet poppler-utils)")
def test_the_dossier_pdf_prints_the_amounts_chart(dossier: Dossier, backend: str, tmp_path: Path) -> None:
    if backend != "sqlite":
        pytest.skip("PDF rendu sur SQLite seulement, pour garder la suite rapide")
    deck, views = dossier
    amounts = next(chart for chart in of_page(views, Page.FSL).view.charts() if chart.key == "fsl-montants")
    text = pdf_text(deck_pdf(deck), tmp_path)
    title = " ".join(amounts.title.replace("\u202f", " ").replace("\u00a0", " ").split())
    assert title in text, title
    assert "Montants versés (2025)" in text  # its key figure beside it
    for chart in slide_charts(of_page(views, Page.MAL_LOGEMENT).view)[1:]:
        assert " ".join(chart.title.split()) in text, chart.title


@pytest.fixture
def sqlite_engine(engine: Engine, backend: str) -> Iterator[Engine]:
    if backend != "sqlite":
        pytest.skip("exports testés sur SQLite seulement, pour garder la suite rapide")
    yield engine


@needs_chromium
def test_a_view_exported_alone_has_a_slide_per_chart_titled_by_its_chart(sqlite_engine: Engine) -> None:
    """``python -m reporting view fsl?… --out F.pptx``: every chart, each slide titled as the screen heads it."""
    url = "fsl?plan=isere-palhdi-2014-2020&debut=2021&fin=2025"
    with sqlite_engine.connect() as conn:
        data, view = view_file(conn, url, ".pptx")
        screen = url_view(conn, url, presentation=True)
    charts = slide_charts(screen)
    assert view.title == screen.title and len(charts) >= 2
    # the slides that draw a figure (a long table may continue on slides of its own)
    drawn = [
        slide
        for slide in Presentation(io.BytesIO(data)).slides
        if any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)
    ]
    assert len(drawn) == len(charts)
    for slide, chart in zip(drawn, charts, strict=True):
        title = next(shape for shape in slide.shapes if shape.name == "Titre").text_frame.text
        assert " ".join(title.split()) == " ".join(chart.title.replace("\u202f", " ").split())
        assert sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes) == 1
        footer = next(shape for shape in slide.shapes if shape.name == FOOTER_NAME).text_frame.text
        assert "Source :" in footer


def test_slides_of_a_view_without_chart_nor_figure_is_one_slide_of_its_key_figures() -> None:
    table = Table("t", "Tableau", pd.DataFrame({"Territoire": ["Isère"], "Valeur": [1]}))
    no_figure = Chart("c", "Sans figure", None, pd.DataFrame({"Année": [2024]}), "u", ("x",), False, message="Aucune donnée.")
    view = View(
        Page.VUE_ENSEMBLE,
        "Vue",
        "Isère · 2024",
        (no_figure, table),
        key_figures=(KeyFigure("Assignations", "3 106"),),
        status="Objectifs 2024 : 1 sur 2 atteints",
        source="Source : Préfecture",
        demo=True,
    )
    (slide,) = slides_of(view, title="Séance : la vue")
    assert slide.title == "Séance : la vue" and slide.figure is None and slide.demo
    assert slide.key_figures == [("Assignations", "3 106")] and slide.status == view.status
    assert slide.notes_table is not None and slide.notes_table.equals(table.data)
    assert slides_of(view, title="Vue", own_titles=True)[0].title == "Vue"


def test_a_chart_without_its_own_source_takes_the_views_and_a_demo_chart_says_demo() -> None:
    figure = go.Figure(go.Bar(x=[2024], y=[1]))
    first = Chart("a", "Premier graphique", figure, pd.DataFrame({"Année": [2024]}), "u", ("x",), False, source="Source : A")
    hidden = Chart("b", "Sans figure", None, pd.DataFrame(), "u", ("y",), False)
    second = Chart(
        "c", "Second graphique", go.Figure(go.Bar(x=[2024], y=[2])), pd.DataFrame({"Année": [2025]}), "u", ("z",), True,
        key_figure=KeyFigure("Second (2024)", "2"),
    )  # fmt: skip
    view = View(Page.TENDANCES, "Vue", "Isère", (first, hidden, second), key_figures=(KeyFigure("K", "1"),), source="Source : vue")
    slides = slides_of(view, title="Titre", note="Note courte")
    assert [slide.title for slide in slides] == ["Titre", "Titre — Second graphique"]
    assert [slide.footer for slide in slides] == ["Source : A", "Source : vue"]
    assert [slide.demo for slide in slides] == [False, True]
    assert [slide.filters for slide in slides] == ["Isère — Note courte"] * 2
    assert slides[0].key_figures == [("K", "1")] and slides[1].key_figures == [("Second (2024)", "2")]
    assert slides[0].figure is figure and slides[1].figure is second.figure
    assert [slide.title for slide in slides_of(view, title="Titre", own_titles=True)] == ["Premier graphique", "Second graphique"]
    assert slide_of(view, title="Titre").footer == slides[0].footer
