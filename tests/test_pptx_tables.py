"""The PPTX's tables: each view's table drawn as a real PowerPoint table, continued over slides.

Real files, re-opened with python-pptx; the figures are a plain PNG (no Chromium needed): the
layout is checked by the shapes' geometry, text and formatting, never by pixels.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches

from data_access.vocabulary import DEMO_NOTICE
from reporting.pptx import (
    DEMO_NAME,
    FOOTER_NAME,
    FOOTER_TOP,
    KEY_FIGURES_NAME,
    STATUS_NAME,
    TABLE_MAX_ROWS,
    TABLE_MAX_SLIDES,
    TABLE_NAME,
    TABLE_NOTE_NAME,
    contrast_ratio,
    deck_pptx,
    slide_text,
    text_width,
    wrapped_lines,
)
from reporting.slides import Deck, Slide
from reporting.tables import formatted_table

FOOTER = "Source : ADIL 38 ; mise à jour le 15/11/2025"
LONG_TEXT = (
    "Mettre en place des actions préventives à partir de l'analyse des difficultés des ménages en impayés ayant recours aux "
    "aides énergie ou en situation d'inconfort dans leur logement, avec les bailleurs sociaux et les travailleurs sociaux"
)


def png(width: int = 1920, height: int = 1103) -> bytes:
    """A white RGB PNG (what slide_images would draw, without Chromium)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PICTURE = png()


def communes(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Commune": [f"Commune {i}" for i in range(rows)],
            "Assignations": np.arange(rows) * 1000 + 529,
            "Taux (%)": np.linspace(0, 50, rows),
        }
    )


def objectives(rows: int) -> pd.DataFrame:
    """Like the bilan's objectives of a chantier: long texts, short statuses."""
    return pd.DataFrame(
        {
            "Fiche-action": [f"5.{i} – {LONG_TEXT[: 40 + 7 * i]}" for i in range(rows)],
            "Objectif": [LONG_TEXT[: 60 + 11 * i] for i in range(rows)],
            "Référence": ["1\u202f529 (nov. 2012 – oct. 2013)"] * rows,
            "Valeur / cible": ["1\u202f834 / > 1\u202f529 (réf.)"] * rows,
            "Statut": ["atteint", "non atteint", "à renseigner"] * (rows // 3) + ["en retard"] * (rows % 3),
        }
    )


def figure_view(table: pd.DataFrame, *, demo: bool = True, title: str = "Assignations par commune, 2024") -> Slide:
    return Slide(
        title,
        go.Figure(go.Bar(x=["Grenoble"], y=[544])),
        [("Assignations en 2024", "2\u202f696")],
        "Objectif 2024 : en retard",
        "Isère · 2024",
        FOOTER,
        table,
        demo,
    )


def chantier_view(table: pd.DataFrame, *, status: str = "Objectifs 2018 : 0 sur 14 atteints", demo: bool = False) -> Slide:
    """Like the bilan's chantier slide: no figure, the objectives counted, their table."""
    return Slide(
        "Chantier 5 : Mettre en place ou renforcer les dispositifs de traitement du mal logement",
        key_figures=[("Objectifs « atteint »", "1"), ("Objectifs « non atteint »", "1")],
        status=status,
        filters="Isère — PALHDI 2014–2020 · 4 fiches-action · objectifs évalués pour 2018",
        footer=FOOTER,
        notes_table=table,
        demo=demo,
    )


def build(*views: Slide):  # type: ignore[no-untyped-def]
    deck = Deck("Bilan annuel 2018", date=dt.date(2025, 12, 12), demo=any(v.demo for v in views), slides=list(views))
    data = deck_pptx(deck, images=[PICTURE if view.figure is not None else None for view in views])
    return Presentation(io.BytesIO(data))


def title_of(slide) -> str:  # type: ignore[no-untyped-def]
    return next(shape.text_frame.text for shape in slide.shapes if shape.name == "Titre")


def tables_of(slide) -> list:  # type: ignore[no-untyped-def]
    return [shape for shape in slide.shapes if shape.has_table]


def cell_texts(shape) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text_frame.text for cell in row.cells] for row in shape.table.rows]


def expected_texts(frame: pd.DataFrame) -> list[list[str]]:
    """The frame as the slides write it: formatted the French way, U+202F as U+00A0 (slide_text)."""
    text = formatted_table(frame)
    return [[slide_text(value) for value in row] for row in text.itertuples(index=False, name=None)]


def assert_inside(prs) -> None:  # type: ignore[no-untyped-def]
    """Every shape inside its slide; every table above the footer."""
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= prs.slide_width and shape.top + shape.height <= prs.slide_height, (number, shape.name)
            if shape.has_table:
                assert shape.top + shape.height <= Inches(FOOTER_TOP), (number, "the table runs into the footer")
                assert sum(row.height for row in shape.table.rows) == shape.height
                assert sum(column.width for column in shape.table.columns) == shape.width


def test_a_long_table_continues_on_slides_each_with_its_header_the_footer_and_the_demo_notice() -> None:
    frame = communes(40)
    prs = build(figure_view(frame))
    slides = list(prs.slides)[1:-1]
    view, continued = slides[0], slides[1:]
    assert [s.shape_type for s in view.shapes].count(MSO_SHAPE_TYPE.PICTURE) == 1 and not tables_of(view)  # the figure slide stays
    assert len(continued) >= 2, "40 rows do not fit one slide"
    parts = len(continued) + 1
    body: list[list[str]] = []
    for index, slide in enumerate(continued, start=2):
        assert title_of(slide) == f"Assignations par commune, 2024 (suite {index}/{parts})"
        (table,) = tables_of(slide)
        assert table.name == TABLE_NAME
        rows = cell_texts(table)
        assert rows[0] == ["Commune", "Assignations", "Taux (%)"]  # the header row on every slide
        assert table.table.first_row  # marked as the header row
        body.extend(rows[1:])
        assert next(s for s in slide.shapes if s.name == FOOTER_NAME).text_frame.text == FOOTER
        assert [s.name for s in slide.shapes].count(DEMO_NAME) == 1
        assert next(s for s in slide.shapes if s.name == DEMO_NAME).text_frame.text.replace("\n", " ") == DEMO_NOTICE
        assert "sur 40" in slide.notes_slide.notes_text_frame.text  # the presenter knows which rows
    assert body == expected_texts(frame)  # every row once, in order, as the spreadsheet shows it
    assert body[-1] == ["Commune 39", "39\u00a0529", "50,0"]
    assert "Commune | Assignations | Taux (%)" in view.notes_slide.notes_text_frame.text  # the notes keep the table
    numbers = [next(s for s in slide.shapes if s.has_text_frame and s.text_frame.text.endswith(f"/ {len(prs.slides)}")) for slide in slides]
    assert [n.text_frame.text for n in numbers] == [f"{i} / {len(prs.slides)}" for i in range(2, len(prs.slides))]
    assert_inside(prs)


def test_table_text_is_large_bold_header_on_a_contrasted_fill_numbers_right_aligned() -> None:
    prs = build(figure_view(communes(5)))
    (table,) = tables_of(list(prs.slides)[2])
    for r, row in enumerate(table.table.rows):
        for c, cell in enumerate(row.cells):
            runs = [run for paragraph in cell.text_frame.paragraphs for run in paragraph.runs]
            assert runs and all(run.font.size.pt >= 12 for run in runs)
            assert all(bool(run.font.bold) == (r == 0) for run in runs)
            fill, text = str(cell.fill.fore_color.rgb), str(runs[0].font.color.rgb)
            assert contrast_ratio(fill, text) >= 4.5, (r, c, fill, text)  # WCAG AA
            assert cell.text_frame.word_wrap is not False  # wrapped, never cut
            assert {paragraph.alignment for paragraph in cell.text_frame.paragraphs} == {PP_ALIGN.RIGHT if c > 0 else PP_ALIGN.LEFT}
    header_fill = str(table.table.cell(0, 0).fill.fore_color.rgb)
    assert header_fill != str(table.table.cell(1, 0).fill.fore_color.rgb)  # the header row stands out


def test_columns_are_sized_by_their_content_and_long_text_wraps_uncut() -> None:
    frame = objectives(6)
    prs = build(figure_view(frame, demo=False))
    tables = [shape for slide in list(prs.slides)[2:-1] for shape in tables_of(slide)]
    widths = [column.width for column in tables[0].table.columns]
    assert widths[1] > widths[4] and widths[0] > widths[4]  # the objectives get the room, « Statut » little
    assert [row for shape in tables for row in cell_texts(shape)[1:]] == expected_texts(frame)  # whole, never « … »
    for shape in tables:
        for row in list(shape.table.rows)[1:]:
            # each row is as high as its tallest cell's wrapped text
            size = row.cells[0].text_frame.paragraphs[0].runs[0].font.size.pt
            lines = max(
                wrapped_lines(cell.text_frame.text, (column.width - cell.margin_left - cell.margin_right) / 914400, size)
                for cell, column in zip(row.cells, shape.table.columns, strict=True)
            )
            assert row.height >= Inches(lines * size * 1.2 / 72)
    assert_inside(prs)


def test_a_view_without_figure_shows_its_table_under_its_key_figures() -> None:
    prs = build(chantier_view(objectives(3)))
    (slide,) = list(prs.slides)[1:-1]  # the whole table on the slide itself
    (table,) = tables_of(slide)
    assert cell_texts(table)[1:] == expected_texts(objectives(3))
    above = [s for s in slide.shapes if s.name in (KEY_FIGURES_NAME, STATUS_NAME)]
    assert len(above) == 3 and table.top >= max(s.top + s.height for s in above)
    assert_inside(prs)


def test_a_view_without_figure_continues_a_long_table_on_following_slides() -> None:
    frame = objectives(14)
    prs = build(chantier_view(frame, demo=True))
    slides = list(prs.slides)[1:-1]
    assert len(slides) >= 3
    tables = [tables_of(slide) for slide in slides]
    assert len(tables[0]) == 1 and all(len(found) == 1 for found in tables[1:])
    assert all(cell_texts(found[0])[0] == list(frame.columns) for found in tables)
    assert [row for found in tables for row in cell_texts(found[0])[1:]] == expected_texts(frame)
    assert [title_of(slide).endswith(f"(suite {i}/{len(slides)})") for i, slide in enumerate(slides, start=1)] == [False] + [True] * (
        len(slides) - 1
    )
    assert all(DEMO_NAME in [s.name for s in slide.shapes] for slide in slides)
    assert_inside(prs)


def test_a_view_without_figure_whose_table_does_not_fit_starts_it_on_the_next_slide() -> None:
    many = [(f"Fiches « état {i} » au long libellé", str(i)) for i in range(6)]
    view = Slide(
        "Chantier 1 : suivi des fiches-action", key_figures=many, status="Objectifs 2018 : 3 sur 14 atteints", notes_table=objectives(6)
    )
    slides = list(build(view).slides)[1:-1]
    assert not tables_of(slides[0]) and all(tables_of(slide) for slide in slides[1:])
    assert len(slides[0].shapes) > 0 and [s.name for s in slides[0].shapes].count(KEY_FIGURES_NAME) == 6


def test_a_very_long_table_is_capped_and_says_how_many_rows_are_left_out() -> None:
    frame = communes(500)
    prs = build(figure_view(frame, demo=False))
    slides = list(prs.slides)[2:-1]
    assert 1 <= len(slides) <= TABLE_MAX_SLIDES
    body = [row for slide in slides for shape in tables_of(slide) for row in cell_texts(shape)[1:]]
    assert len(body) <= TABLE_MAX_ROWS and body == expected_texts(frame)[: len(body)]
    notes = [s for slide in slides for s in slide.shapes if s.name == TABLE_NOTE_NAME]
    assert len(notes) == 1 and notes[0] in list(slides[-1].shapes)
    assert notes[0].text_frame.text == f"… et {500 - len(body)} lignes de plus : voir l'export Excel ou CSV."
    assert DEMO_NAME not in [s.name for slide in prs.slides for s in slide.shapes]
    assert_inside(prs)


def test_empty_or_missing_tables_add_no_slide() -> None:
    prs = build(figure_view(communes(0)), Slide("Sans tableau", key_figures=[("Assignations", "2")]))
    assert len(prs.slides) == 1 + 2 + 1
    assert not any(tables_of(slide) for slide in prs.slides)


def test_the_status_box_follows_the_counts() -> None:
    fills = {}
    for status in ("Objectifs 2018 : 0 sur 14 atteints", "Objectifs 2018 : 3 sur 14 atteints", "Objectifs 2018 : 14 sur 14 atteints"):
        (slide,) = list(build(chantier_view(objectives(2), status=status)).slides)[1:-1]
        fills[status] = str(next(s for s in slide.shapes if s.name == STATUS_NAME).fill.fore_color.rgb)
    assert list(fills.values()) == ["D55E00", "E69F00", "009E73"]  # non atteint, en retard, atteint


def test_wrapped_lines_breaks_at_spaces_never_at_no_break_spaces() -> None:
    width = text_width("Assignations", 12)
    assert wrapped_lines("Assignations", width, 12) == 1
    assert wrapped_lines("Assignations Assignations", width, 12) == 2
    assert wrapped_lines("Assignations\u00a0Assignations", width, 12) == 3  # one word, broken where each line ends
    narrow = text_width("a ab", 12)
    assert wrapped_lines("a ab ab", narrow, 12) == 2  # « a ab » / « ab »
    assert wrapped_lines("a ab\u00a0ab", narrow, 12) == 3  # « a » / « ab a » / « b »: the no-break space holds
    assert wrapped_lines("1\u00a0529", width, 12) == 1 and wrapped_lines("a\nb", width, 12) == 2
    assert text_width("Moyens", 12, bold=True) > text_width("Moyens", 12)


def test_a_long_source_or_filters_line_shrinks_to_its_box_never_below_its_floor() -> None:
    from reporting.pptx import FILTERS_NAME, FILTERS_SIZES, FOOTER_SIZES

    long_source = (  # the Isère bilan's: every partner the plan's objectives cite (330 characters)
        "Source : CCAPEX (secrétariat) ; Département ; CAF / MSA ; Département (FSL) / Action Logement ; Département "
        "(référents territoriaux) ; Tribunal judiciaire ; CCAPEX ; Bailleurs sociaux / Préfecture ; Bailleurs sociaux "
        "(ABSISE) ; SML / Histologe ; Anah / opérateur du PIG « Sortir du mal logement » ; Département (FSL) · Mise à jour : 01/12/2026"
    )
    long_filters = "Isère — PALHDI 2014–2020 · " + LONG_TEXT
    short, long = (
        Slide("Vue", key_figures=[("Assignations", "2 351")], filters=filters, footer=footer)
        for filters, footer in (("Isère · 2018", FOOTER), (long_filters, long_source))
    )
    prs = build(short, long)

    def size(slide, name: str) -> float:  # type: ignore[no-untyped-def]
        shape = next(shape for shape in slide.shapes if shape.name == name)
        return shape.text_frame.paragraphs[0].runs[0].font.size.pt

    first, second = prs.slides[1], prs.slides[2]
    assert size(first, FOOTER_NAME) == FOOTER_SIZES[0] and size(first, FILTERS_NAME) == FILTERS_SIZES[0]
    assert FOOTER_SIZES[-1] <= size(second, FOOTER_NAME) < FOOTER_SIZES[0]
    assert FILTERS_SIZES[-1] <= size(second, FILTERS_NAME) < FILTERS_SIZES[0]
    footer = size(second, FOOTER_NAME)
    assert wrapped_lines(long_source, 11.3 - 0.2, footer) * footer * 1.2 / 72 <= 0.5
