"""A :class:`~reporting.slides.Deck` as a 16:9 PowerPoint file, readable from the back of a meeting room.

Slides: a title page; one slide per view (title, applied filters, the figure as a picture, the
objective's status and key figures in large text, source and update date in the footer, the
figure's table in the speaker notes), then its table as a real PowerPoint table; « Méthodes et
sources ». Text is at least 24 pt where it carries the message (key figures, status), 20 pt for
the filters, 14 pt for the footer, 14 or 12 pt in tables.

Tables: the view's ``notes_table`` formatted the French way (:func:`reporting.tables.formatted_table`),
header row in bold white on the accent blue (5,1:1, WCAG AA), columns sized by their content,
text wrapped, never cut. A view with a figure keeps its figure slide and its table follows on
slides titled « <titre> (suite 2/3) »; a view without figure shows its table under its key
figures when a few rows fit there, and continues likewise. Every table slide repeats the header
row, the filters, the footer and, for demonstration data, the demo notice. A table shows at most
``TABLE_MAX_ROWS`` (50) rows over at most ``TABLE_MAX_SLIDES`` (12) table slides — a commune-level
table has hundreds of rows, nobody reads them in a meeting: a last line says how many were left
out and points to the spreadsheet export (the speaker notes keep up to 300). Row heights are
estimated from the text: PowerPoint grows a row to fit its text but paginates nothing.
"""

from __future__ import annotations

import functools
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PptxPresentation
from pptx.shapes.base import BaseShape
from pptx.slide import Slide as PptxSlide
from pptx.text.text import _Paragraph
from pptx.util import Emu, Inches, Pt

from data_access.french import NNBSP, fr_long_date, fr_number
from data_access.vocabulary import DEMO_NOTICE
from reporting.images import png_size
from reporting.slides import PICTURE_INCHES, Deck, Progress, Slide, check_images, slide_images, status_colour
from reporting.tables import formatted_table, numeric_columns, table_text

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13,33 × 7,5 in: PowerPoint's 16:9
BLANK_LAYOUT = 6
MARGIN = 0.45  # in
TEXT = "1A1A1A"
MUTED = "404040"
ACCENT = "0072B2"
DEMO_FILL = "A63F00"  # a dark orange: white bold text on it is 5,6:1
FOOTER_NAME = "Pied de page"
DEMO_NAME = "Mention démonstration"
KEY_FIGURES_NAME = "Chiffres clés"
STATUS_NAME = "Statut de l'objectif"
FILTERS_NAME = "Filtres appliqués"
METHODS_TITLE = "Méthodes et sources"
# The picture's box (in): the figure is drawn with these proportions (slides.PICTURE_ASPECT).
PICTURE_BOX = (0.4, 1.8, *PICTURE_INCHES)
PANEL_BOX = (9.35, 1.8, 3.55, 5.0)
TITLE_BOX = (MARGIN, 0.22, 12.45, 0.98)  # two lines of 28 pt
FILTERS_BOX = (MARGIN, 1.22, 12.45, 0.48)
FOOTER_TOP = 6.95
FOOTER_SIZES = (14, 12, 10)  # pt: the source line, smaller when long (the bilan cites every partner)
FILTERS_SIZES = (20, 18, 16, 14)  # pt: the filters line, two lines of 14 pt at most
METHODS_BOX = (MARGIN + 0.1, 1.35, 12.3, 5.5)
METHODS_SIZE = 18  # pt: the methods are read, not projected from afar; long statements wrap
METHODS_SPACE = 8  # pt after each statement
TABLE_NAME = "Tableau"
TABLE_NOTE_NAME = "Lignes non montrées"
TABLE_TOP = PICTURE_BOX[1]  # a table slide: title, filters, then the table
TABLE_BOTTOM = 6.75  # in: the footer starts at FOOTER_TOP, PowerPoint may draw a row a little taller
TABLE_WIDTH = 12.45
TABLE_GAP = 0.2  # between the key figures and a table on the same slide
TABLE_SIZES = (14, 12)  # pt: 14 when every column fits its text on one line, else 12 (the floor)
TABLE_MAX_ROWS = 50  # beyond, the spreadsheet export has them (and the speaker notes up to 300)
TABLE_MAX_SLIDES = 12  # table slides per view, however tall the rows (the evaluation of a plan: about 9)
TABLE_NOTE_HEIGHT = 0.4
TABLE_MIN_ROWS_ON_VIEW = 3  # a table starts under the key figures when that many rows (or all) fit there
HEADER_FILL = ACCENT  # white bold text on it: 5,1:1 (WCAG AA)
BAND_FILL = "F2F2F2"  # every other body row; the text on it stays above 15:1
CELL_MARGIN_X, CELL_MARGIN_Y = 0.08, 0.04  # in
# Table text is measured with the character widths (em) of Arial / Liberation Sans, about 10 %
# wider than Calibri (PowerPoint's default font): it fits whichever the meeting room's computer has.
TABLE_LINE_EM = 1.25
CHAR_EM = {
    **dict.fromkeys("ijl", 0.222),
    **dict.fromkeys("ft .,:;!'’|/()[]I\u00a0", 0.278),
    **dict.fromkeys("r-", 0.333),
    **dict.fromkeys("sckvxyzJ", 0.5),
    **dict.fromkeys("wCDHNRU", 0.722),
    **dict.fromkeys("mMGOQ%", 0.833),
    **dict.fromkeys("W—…@", 1.0),
}
LOWER_EM, UPPER_EM, SYMBOL_EM, BOLD_RATIO = 0.556, 0.7, 1.0, 1.1  # digits and most letters; ✔ ✎ ⚠
SHORT_WORD = 12  # characters: a cell (« ✔ 1 324 ») or word (« 2018 ») this short gets its column wide enough
STATUS_BESIDE_WIDTH = 4.2  # in: the status beside the key figures when a table follows on the slide


@dataclass(frozen=True)
class _Run:
    text: str
    size: int
    bold: bool = False
    colour: str = TEXT
    space_after: int = 0
    bullet: bool = False


def _box(
    slide: PptxSlide,
    box: tuple[float, float, float, float],
    paragraphs: Sequence[_Run | Sequence[_Run]],
    *,
    name: str | None = None,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
) -> None:
    """A text box; each paragraph is one run or several (its spacing and bullet are its first run's)."""
    left, top, width, height = box
    shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    for index, spec in enumerate(paragraphs):
        runs = [spec] if isinstance(spec, _Run) else list(spec)
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(runs[0].space_after)
        for run_spec in runs:
            run = paragraph.add_run()
            run.text = slide_text(run_spec.text)
            run.font.size = Pt(run_spec.size)
            run.font.bold = run_spec.bold
            run.font.color.rgb = _rgb(run_spec.colour)
            run.font.language_id = MSO_LANGUAGE_ID.FRENCH
        if runs[0].bullet:
            _bullet(paragraph, runs[0].size)


def _bullet(paragraph: _Paragraph, size: int) -> None:
    """A « • » bullet with a hanging indent (python-pptx has no API for it on a text box)."""
    properties = paragraph._p.get_or_add_pPr()
    indent = Pt(size * 0.9)
    properties.set("marL", str(indent))
    properties.set("indent", str(-indent))
    etree.SubElement(properties, qn("a:buChar"), char="•")  # after spcAft, as the schema orders them


def _badge(slide: PptxSlide, box: tuple[float, float, float, float], text: str, *, fill: str, size: int, name: str) -> None:
    """Text on a coloured rounded rectangle, one paragraph per line of :func:`badge_lines`;
    black or white text, whichever contrasts more."""
    left, top, width, height = box
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height))
    shape.name = name
    shape.adjustments[0] = 0.12
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    shape.line.fill.background()
    shape.shadow.inherit = False
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    for index, line in enumerate(badge_lines(text, _chars_per_line(size, width - 0.3, bold=True))):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.CENTER
        run = paragraph.add_run()
        run.text = slide_text(line)
        run.font.size = Pt(size)
        run.font.bold = True
        run.font.color.rgb = _rgb(text_colour_on(fill))
        run.font.language_id = MSO_LANGUAGE_ID.FRENCH


def badge_lines(text: str, width: int = 20) -> list[str]:
    """« Objectif 2024 : en retard » → [« Objectif 2024 : », « en retard »]: a status longer than
    ``width`` characters is broken after its colon rather than wherever the box ends."""
    head, colon, tail = text.rpartition(":")
    if len(text) <= width or not colon or not head.strip() or not tail.strip():
        return [text]
    return [f"{head.rstrip()}{chr(0xA0)}:", tail.strip()]


def _rgb(colour: str) -> RGBColor:
    """``"#E69F00"`` or ``"E69F00"`` → RGBColor."""
    return RGBColor.from_string(colour.lstrip("#").upper())


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21; AA asks 4,5 for body text)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(fill: str) -> str:
    """``"FFFFFF"`` or ``"000000"``: the text colour with the higher WCAG contrast on ``fill``."""
    return "FFFFFF" if contrast_ratio(fill, "FFFFFF") >= contrast_ratio(fill, "000000") else "000000"


def _title_size(title: str, width: float) -> int:
    """The largest of 32, 28, 24, 20 pt at which ``title`` fits the title box: one line at 32 pt,
    two lines below (an average bold character is about half an em wide)."""
    for size, lines in ((32, 1), (28, 2), (24, 2), (20, 3)):
        if len(title) <= lines * width * 72 / (size * 0.53):
            return size
    return 18


def _title(slide: PptxSlide, title: str, demo: bool) -> None:
    left, top, width, height = TITLE_BOX
    if demo:
        width = 8.75  # the demo notice takes the top right corner
    _box(slide, (left, top, width, height), [_Run(title, _title_size(title, width), bold=True)], name="Titre", anchor=MSO_ANCHOR.MIDDLE)
    if demo:
        _demo_badge(slide)


def _fitting_size(text: str, box: tuple[float, float, float, float], sizes: Sequence[int]) -> int:
    """The largest of ``sizes`` (pt, largest first) at which ``text`` wrapped in ``box`` fits its
    height (lines of 1.2 × the size), else the smallest: a long source or filters line shrinks
    rather than running off its box."""
    width, height = box[2] - 0.2, box[3]  # the text box's own inner margins
    for size in sizes:
        if wrapped_lines(text, width, size) * size * 1.2 / 72 <= height:
            return size
    return sizes[-1]


def _footer(slide: PptxSlide, text: str, number: int, total: int) -> None:
    box = (MARGIN, FOOTER_TOP, 11.3, 0.5)  # three lines of 10 pt, to 0.05 in above the slide's edge
    _box(slide, box, [_Run(text, _fitting_size(text, box, FOOTER_SIZES), colour=MUTED)], name=FOOTER_NAME, anchor=MSO_ANCHOR.MIDDLE)
    _box(
        slide,
        (11.85, FOOTER_TOP, 1.05, 0.45),
        [_Run(f"{number} / {total}", 14, colour=MUTED)],
        align=PP_ALIGN.RIGHT,
        anchor=MSO_ANCHOR.MIDDLE,
    )


def _demo_badge(slide: PptxSlide) -> None:
    _badge(slide, (9.35, 0.32, 3.55, 0.8), DEMO_NOTICE, fill=DEMO_FILL, size=16, name=DEMO_NAME)


def _title_slide(prs: PptxPresentation, deck: Deck) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_WIDTH, Inches(0.18))
    band.fill.solid()
    band.fill.fore_color.rgb = _rgb(ACCENT)
    band.line.fill.background()
    _box(slide, (0.8, 0.7, 11.7, 0.6), [_Run("Observatoire PDALHPD", 20, colour=MUTED)])
    runs = [_Run(deck.title, 44, bold=True, space_after=18)]
    if deck.subtitle:
        runs.append(_Run(deck.subtitle, 28, colour=MUTED, space_after=12))
    runs.append(_Run(fr_long_date(deck.date), 24, colour=MUTED))
    _box(slide, (0.8, 1.7, 11.7, 3.6), runs, name="Titre", anchor=MSO_ANCHOR.BOTTOM)
    if deck.demo:
        _badge(slide, (0.8, 5.7, 8.0, 0.85), DEMO_NOTICE, fill=DEMO_FILL, size=28, name=DEMO_NAME)
    slide.notes_slide.notes_text_frame.text = slide_text(
        "\n".join(filter(None, [deck.title, deck.subtitle, fr_long_date(deck.date), DEMO_NOTICE if deck.demo else ""]))
    )


def _fit(picture_size: tuple[int, int], box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The picture's position and size (in) inside ``box``, keeping its proportions, centred."""
    left, top, width, height = box
    ratio = picture_size[0] / picture_size[1]
    if ratio >= width / height:
        shown_width, shown_height = width, width / ratio
    else:
        shown_width, shown_height = height * ratio, height
    return left + (width - shown_width) / 2, top + (height - shown_height) / 2, shown_width, shown_height


def slide_text(text: str) -> str:
    """``text`` with U+202F (the narrow no-break space of ``data_access.french``: « 1 529 ») replaced by
    U+00A0: the default slide font may lack the former and show a box, every font has the latter."""
    return text.replace(NNBSP, "\u00a0")


def _chars_per_line(size: float, width: float, *, bold: bool = False) -> int:
    """About how many characters fit a line of ``width`` inches at ``size`` pt (an average
    character is about half an em wide, a bold one a little more)."""
    return max(1, int(width * 72 / (size * (0.55 if bold else 0.5))))


def _lines(text: str, size: float, width: float, *, bold: bool = False) -> int:
    """About how many lines ``text`` takes at ``size`` pt in ``width`` inches."""
    return max(1, math.ceil(len(text) / _chars_per_line(size, width, bold=bold)))


def _key_figure_paragraphs(key_figures: Sequence[tuple[str, str]], width: float, height: float) -> list[Sequence[_Run]]:
    """Each key figure as its value in large bold type above its label (24 pt): 40 pt when they
    fit the box, else 32 pt; when even that does not fit, value and label on one line (28 pt + 24 pt)."""
    for value_size in (40, 32):
        needed = sum(value_size * 1.2 + _lines(label, 24, width) * 24 * 1.2 + 14 for label, _ in key_figures)
        if needed <= height * 72:
            paragraphs: list[Sequence[_Run]] = []
            for label, value in key_figures:
                paragraphs.append([_Run(value, value_size, bold=True)])
                paragraphs.append([_Run(label, 24, colour=MUTED, space_after=14)])
            return paragraphs
    return [[_Run(value, 28, bold=True, space_after=10), _Run(f"  {label}", 24, colour=MUTED)] for label, value in key_figures]


Box = tuple[float, float, float, float]


def _key_figures(slide: PptxSlide, key_figures: Sequence[tuple[str, str]], box: Box, *, wide: bool, fitted: bool = False) -> None:
    left, top, width, height = box
    if not wide:
        _box(slide, box, _key_figure_paragraphs(key_figures, width, height), name=KEY_FIGURES_NAME)
        return
    for cell, (label, value) in zip(_key_figure_cells(key_figures, box, fitted=fitted), key_figures, strict=True):
        _box(slide, cell, [_Run(value, 48, bold=True), _Run(label, 24, colour=MUTED)], name=KEY_FIGURES_NAME)


def _key_figure_cells(key_figures: Sequence[tuple[str, str]], box: Box, *, fitted: bool) -> list[Box]:
    """No figure: a grid of up to three columns, each key figure in 48 pt above its label; each
    row as high as the box allows (at most 2,2 in), or, ``fitted`` (a table follows), as its text."""
    left, top, width, height = box
    columns = min(len(key_figures), 3)
    rows = math.ceil(len(key_figures) / columns)
    cell_width = width / columns
    if fitted:
        heights = [
            max(_key_figure_height(label, value, cell_width - 0.2) for label, value in key_figures[row * columns : (row + 1) * columns])
            for row in range(rows)
        ]
    else:
        heights = [min(height / rows, 2.2)] * rows
    cells = []
    for index in range(len(key_figures)):
        row, column = divmod(index, columns)
        cells.append((left + column * cell_width, top + sum(heights[:row]), cell_width - 0.2, heights[row]))
    return cells


def _key_figure_height(label: str, value: str, width: float) -> float:
    """The height (in) of a key figure's box: its 48 pt value above its 24 pt label, and the box's margins."""
    inner = width - 0.1
    return (_lines(value, 48, inner, bold=True) * 48 + _lines(label, 24, inner) * 24) * 1.2 / 72 + 0.15


def _status_height(status: str, width: float) -> float:
    per_line = _chars_per_line(24, width - 0.3, bold=True)
    lines = sum(_lines(line, 24, width - 0.3, bold=True) for line in badge_lines(status, per_line))
    return max(1.0, lines * 24 * 1.2 / 72 + 0.3)


@dataclass(frozen=True)
class _WidePanel:
    """Where a view without figure draws its status and key figures, and where they end."""

    status: Box | None
    key_figures: Box | None
    bottom: float


def _wide_panel(view: Slide, *, with_table: bool) -> _WidePanel:
    """The status on top (6 in wide), the key figures below filling the slide; ``with_table``:
    the status beside the key figures and both as high as their text, the table under them."""
    left, top, width, height = MARGIN, PICTURE_BOX[1], TABLE_WIDTH, PICTURE_BOX[3]
    status = figures = None
    bottom = top
    if view.status:
        beside = with_table and bool(view.key_figures)
        badge_width = STATUS_BESIDE_WIDTH if beside else 6.0
        status = (left, top, badge_width, _status_height(view.status, badge_width))
        bottom = top + status[3]
        if beside:
            left, width = left + badge_width + 0.25, width - badge_width - 0.25
        else:
            top, height = bottom + 0.25, height - status[3] - 0.25
    if view.key_figures:
        figures = (left, top, width, height)
        cells = _key_figure_cells(view.key_figures, figures, fitted=with_table)
        bottom = max(bottom, max(cell[1] + cell[3] for cell in cells))
    return _WidePanel(status, figures, bottom)


def notes_text(slide: Slide) -> str:
    """The speaker notes of a view: what the slide says, then the figure's table as text."""
    lines = [slide.title]
    if slide.filters:
        lines.append(f"Filtres : {slide.filters}")
    if slide.status:
        lines.append(f"Statut : {slide.status}")
    lines.extend(f"{label} : {value}" for label, value in slide.key_figures)
    if slide.footer:
        lines.append(slide.footer)
    if slide.demo:
        lines.append(DEMO_NOTICE)
    if slide.notes_table is not None:
        lines.append("")
        lines.append(table_text(slide.notes_table))
    return "\n".join(lines)


# --- tables ------------------------------------------------------------------------------------


@functools.cache
def _char_em(char: str) -> float:
    """The width (em) of ``char`` in Arial: an accented letter as its letter, a symbol as wide as an em."""
    base = unicodedata.normalize("NFD", char)[0]
    if base in CHAR_EM:
        return CHAR_EM[base]
    if base.isupper():
        return UPPER_EM
    return SYMBOL_EM if unicodedata.category(base) == "So" else LOWER_EM


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """About how wide (in) ``text`` is on one line at ``size`` pt (Arial's widths, see ``CHAR_EM``)."""
    return sum(_char_em(char) for char in text) * size / 72 * (BOLD_RATIO if bold else 1.0)


def wrapped_lines(text: str, width: float, size: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes in ``width`` inches at ``size`` pt, wrapped word by word as
    PowerPoint wraps: at spaces, not at no-break spaces (« 1 529 »); a word wider than the line
    broken where the line ends; each ``\\n`` starts a new line."""
    space = text_width(" ", size, bold=bold)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split(" "):
            word_width = text_width(word, size, bold=bold)
            needed = word_width if used == 0 else used + space + word_width
            if needed <= width:
                used = needed
                continue
            if used:
                lines, used = lines + 1, 0.0
            if word_width <= width:
                used = word_width
                continue
            for char in word:  # broken where the line ends
                char_width = text_width(char, size, bold=bold)
                if used and used + char_width > width:
                    lines, used = lines + 1, 0.0
                used += char_width
        total += lines
    return total


def _column_widths(rows: Sequence[Sequence[str]], size: int, width: float) -> tuple[list[float], bool]:
    """Column widths (in) summing to ``width`` for ``rows`` (the header first, in bold), and whether
    every cell fits on one line (then each column is as wide as its longest cell, stretched).

    Otherwise each column gets at least its widest word, or its widest cell of at most
    ``SHORT_WORD`` characters (« ✔ 1 324 » on one line) — when even that does not fit, at most
    ``SHORT_WORD`` characters: longer words are broken —, and the rest of the width goes, a little at a
    time, to the column that shortens the table most: a row is as high as its tallest cell, so
    widening a column of short texts while another wraps its text over five lines gains nothing."""
    pad = 2 * CELL_MARGIN_X + 0.02

    def widest(parts: list[str], bold: bool) -> float:
        return max(text_width(part, size, bold=bold) for part in parts)

    # each cell's longest paragraph and widest word laid out on one line (in), its paragraphs
    need = np.array([[widest(text.split("\n"), r == 0) for text in row] for r, row in enumerate(rows)])
    # a cell of at most SHORT_WORD characters (« ✔ 1 324 », « 2018 ») is kept on one line, as in the PDF
    longest = np.array(
        [[widest([text] if len(text) <= SHORT_WORD else re.split("[ \n]", text), r == 0) for text in row] for r, row in enumerate(rows)]
    )
    paragraphs = np.array([[text.count("\n") + 1 for text in row] for row in rows], dtype=float)
    natural, minimum = need.max(axis=0) + pad, longest.max(axis=0) + pad
    if natural.sum() <= width:
        return [float(w) * width / float(natural.sum()) for w in natural], True
    if minimum.sum() > width:  # crowded: only short words (numbers, years) keep their column that wide
        minimum = np.minimum(minimum, text_width("0" * SHORT_WORD, size, bold=True) + pad)
        if minimum.sum() > width:
            return [float(w) * width / float(minimum.sum()) for w in minimum], False

    def heights(trials: np.ndarray) -> np.ndarray:
        """The table's lines for each row of widths, each row's lines a soft maximum of its cells'
        (smooth, so that widening one of two equally tall cells still counts)."""
        lines = np.maximum(paragraphs, need / (trials[:, None, :] - pad))
        return ((lines**8).sum(axis=2) ** 0.125).sum(axis=1)

    widths = minimum.copy()
    spare = width - float(widths.sum())
    step = max(spare / 200, 0.01)
    while spare > 1e-9:
        give = min(step, spare)
        widths[int(np.argmin(heights(widths + give * np.eye(len(widths)))))] += give
        spare -= give
    return [float(w) for w in widths], False


def _row_height(row: Sequence[str], widths: Sequence[float], size: int, *, bold: bool) -> float:
    """The estimated height (in) of a table row: its tallest cell's lines, and the cell margins."""
    lines = max(wrapped_lines(text, width - 2 * CELL_MARGIN_X, size, bold=bold) for text, width in zip(row, widths, strict=True))
    return lines * size * TABLE_LINE_EM / 72 + 2 * CELL_MARGIN_Y


@dataclass(frozen=True)
class _TableLayout:
    """A view's table cut into pages: its rows (header first) as the slide shows them, the columns'
    alignment and widths, each row's estimated height, and which rows each page shows."""

    rows: list[list[str]]
    numeric: list[bool]
    size: int
    widths: list[float]
    heights: list[float]
    pages: list[tuple[int, int]]  # [start, stop) of the body rows (rows[1:]) on each page
    on_view: bool  # the first page is drawn on the view slide, under its key figures
    total: int  # rows of the whole table
    omitted: int  # rows left out (TABLE_MAX_ROWS, TABLE_MAX_SLIDES)

    @property
    def slides(self) -> int:
        """Table slides after the view slide."""
        return len(self.pages) - self.on_view


def _fill(heights: Sequence[float], start: int, room: float) -> int:
    """The stop of the body rows from ``start`` that fit ``room`` under the header: at least one,
    even taller than the room (a cell of a whole page of text, which no slide can show whole)."""
    used, stop = heights[0], start
    while stop < len(heights) - 1 and used + heights[1 + stop] <= room:
        used += heights[1 + stop]
        stop += 1
    return max(stop, start + 1)


def _table_layout(frame: pd.DataFrame | None, first_room: float | None) -> _TableLayout | None:
    """The pages of ``frame``'s table: the first on the view slide when ``first_room`` (in) holds
    the header and ``TABLE_MIN_ROWS_ON_VIEW`` rows (or all of them), then as many table slides as
    needed, at most ``TABLE_MAX_SLIDES``, of at most ``TABLE_MAX_ROWS`` rows in all; None for no
    table or an empty one."""
    if frame is None or frame.empty or frame.shape[1] == 0:
        return None
    shown = frame.iloc[:TABLE_MAX_ROWS]
    text = formatted_table(shown)
    rows = [[slide_text(str(name)) for name in text.columns]]
    rows.extend([slide_text(value) for value in row] for row in text.itertuples(index=False, name=None))
    for size in TABLE_SIZES:
        widths, one_line = _column_widths(rows, size, TABLE_WIDTH)
        if one_line:
            break
    heights = [_row_height(row, widths, size, bold=index == 0) for index, row in enumerate(rows)]
    room = TABLE_BOTTOM - TABLE_TOP
    rooms = [first_room] if first_room is not None and sum(heights[: 1 + TABLE_MIN_ROWS_ON_VIEW]) <= first_room else []
    on_view = bool(rooms)
    pages: list[tuple[int, int]] = []
    start = 0
    while start < len(rows) - 1 and len(pages) - on_view < TABLE_MAX_SLIDES:
        if len(rooms) <= len(pages):
            rooms.append(room)
        stop = _fill(heights, start, rooms[len(pages)])
        pages.append((start, stop))
        start = stop
    # the line saying how many rows are left out goes under the last page's table
    while start < len(frame) and pages[-1][1] - pages[-1][0] > 1:
        first, stop = pages[-1]
        if heights[0] + sum(heights[1 + first : 1 + stop]) + TABLE_NOTE_HEIGHT <= rooms[len(pages) - 1]:
            break
        pages[-1] = (first, stop - 1)
        start = stop - 1
    return _TableLayout(rows, numeric_columns(shown), size, widths, heights, pages, on_view, len(frame), len(frame) - start)


def _table(slide: PptxSlide, layout: _TableLayout, page: int, top: float, title: str) -> None:
    """The page's rows of the table as a PowerPoint table at ``top`` (in), its header row first;
    after the last page of a cut table, the line saying how many rows were left out."""
    start, stop = layout.pages[page]
    rows = [layout.rows[0], *layout.rows[1 + start : 1 + stop]]
    heights = [layout.heights[0], *layout.heights[1 + start : 1 + stop]]
    shape = slide.shapes.add_table(len(rows), len(layout.widths), Inches(MARGIN), Inches(top), Inches(TABLE_WIDTH), Inches(sum(heights)))
    shape.name = TABLE_NAME
    _describe(shape, f"Tableau : {slide_text(title)}")
    table = shape.table
    table.first_row, table.horz_banding = True, False  # the header row, banded by hand below
    for index, width in enumerate(layout.widths):
        table.columns[index].width = Inches(width)
    for index, height in enumerate(heights):
        table.rows[index].height = Inches(height)
    for r, values in enumerate(rows):
        header = r == 0
        fill = HEADER_FILL if header else BAND_FILL if r % 2 == 0 else "FFFFFF"
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
            cell.margin_left = cell.margin_right = Inches(CELL_MARGIN_X)
            cell.margin_top = cell.margin_bottom = Inches(CELL_MARGIN_Y)
            cell.vertical_anchor = MSO_ANCHOR.BOTTOM if header else MSO_ANCHOR.TOP
            frame = cell.text_frame
            frame.word_wrap = True
            frame.text = value
            for paragraph in frame.paragraphs:
                paragraph.alignment = PP_ALIGN.RIGHT if layout.numeric[c] else PP_ALIGN.LEFT
                for run in paragraph.runs:
                    run.font.size = Pt(layout.size)
                    run.font.bold = header
                    run.font.color.rgb = _rgb(text_colour_on(fill) if header else TEXT)
                    run.font.language_id = MSO_LANGUAGE_ID.FRENCH
    if page == len(layout.pages) - 1 and layout.omitted:
        more = f"… et {fr_number(layout.omitted)} ligne{'s' if layout.omitted > 1 else ''} de plus : voir l'export Excel ou CSV."
        _box(
            slide,
            (MARGIN, top + sum(heights) + 0.02, TABLE_WIDTH, TABLE_NOTE_HEIGHT - 0.02),
            [_Run(more, 14, colour=MUTED)],
            name=TABLE_NOTE_NAME,
        )


def _rows_line(layout: _TableLayout, page: int) -> str:
    start, stop = layout.pages[page]
    return f"Tableau, lignes {fr_number(start + 1)} à {fr_number(stop)} sur {fr_number(layout.total)}"


def _describe(shape: BaseShape, text: str) -> None:
    """The shape's alternative text, read by screen readers (python-pptx has no API for it)."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def _notes(slide: PptxSlide, text: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    assert frame is not None  # the default template's notes master has a body placeholder
    frame.text = slide_text(text)


def _heading(prs: PptxPresentation, title: str, view: Slide) -> PptxSlide:
    """A new slide with the title (and the demo notice for demonstration data), then the filters."""
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    _title(slide, title, view.demo)
    if view.filters:
        _box(
            slide,
            FILTERS_BOX,
            [_Run(view.filters, _fitting_size(view.filters, FILTERS_BOX, FILTERS_SIZES), colour=MUTED)],
            name=FILTERS_NAME,
        )
    return slide


def _plan_table(view: Slide, picture: bytes | None) -> _TableLayout | None:
    """The view's table, its first page under the key figures of a view without figure when a few rows fit."""
    if picture is not None:
        return _table_layout(view.notes_table, None)
    return _table_layout(view.notes_table, TABLE_BOTTOM - _wide_panel(view, with_table=True).bottom - TABLE_GAP)


def _view_slide(prs: PptxPresentation, view: Slide, picture: bytes | None, table: _TableLayout | None, number: int, total: int) -> None:
    slide = _heading(prs, view.title, view)
    if picture is not None:
        left, top, width, height = _fit(png_size(picture), PICTURE_BOX)
        shape = slide.shapes.add_picture(io.BytesIO(picture), Inches(left), Inches(top), Inches(width), Inches(height))
        shape.name = "Figure"
        _describe(shape, view.title)
        left, top, width, height = PANEL_BOX
        if view.status:
            badge_height = _status_height(view.status, width)
            _badge(slide, (left, top, width, badge_height), view.status, fill=status_colour(view.status), size=24, name=STATUS_NAME)
            top, height = top + badge_height + 0.25, height - badge_height - 0.25
        if view.key_figures:
            _key_figures(slide, view.key_figures, (left, top, width, height), wide=False)
    else:
        on_view = table is not None and table.on_view
        panel = _wide_panel(view, with_table=on_view)
        if panel.status is not None and view.status:
            _badge(slide, panel.status, view.status, fill=status_colour(view.status), size=24, name=STATUS_NAME)
        if panel.key_figures is not None:
            _key_figures(slide, view.key_figures, panel.key_figures, wide=True, fitted=on_view)
        if table is not None and on_view:
            _table(slide, table, 0, panel.bottom + TABLE_GAP, view.title)
    _footer(slide, view.footer, number, total)
    _notes(slide, notes_text(view))


def _table_slides(prs: PptxPresentation, view: Slide, table: _TableLayout, number: int, total: int) -> None:
    """The table slides after a view slide (numbered from ``number``): « <titre> (suite 2/3) », the
    filters, the page of the table under its header row, the view's footer and demo notice."""
    parts = 1 + table.slides
    for index, page in enumerate(range(table.on_view, len(table.pages))):
        title = f"{view.title} (suite {index + 2}/{parts})"
        slide = _heading(prs, title, view)
        _table(slide, table, page, TABLE_TOP, view.title)
        _footer(slide, view.footer, number + index, total)
        notes = [title, _rows_line(table, page), view.footer, DEMO_NOTICE if view.demo else ""]
        _notes(slide, "\n".join(filter(None, notes)))


def methods_pages(lines: Sequence[str]) -> list[list[str]]:
    """``lines`` (the methods, one statement each) split into slides: as many whole statements per
    slide as fit its text box at ``METHODS_SIZE`` (wrapped, ``wrapped_lines``); one statement per
    slide at least."""
    width, height = METHODS_BOX[2] - 0.6, METHODS_BOX[3]  # the bullet's indent and the box's margins
    pages: list[list[str]] = [[]]
    used = 0.0
    for line in lines:
        needed = wrapped_lines(line, width, METHODS_SIZE) * METHODS_SIZE * 1.2 / 72 + METHODS_SPACE / 72
        if pages[-1] and used + needed > height:
            pages.append([])
            used = 0.0
        pages[-1].append(line)
        used += needed
    return pages


def _methods_slides(prs: PptxPresentation, deck: Deck, pages: Sequence[Sequence[str]], number: int, total: int) -> None:
    """« Méthodes et sources », continued (« (suite 2/2) ») over as many slides as its statements need."""
    for index, page in enumerate(pages):
        slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
        suffix = f" (suite {index + 1}/{len(pages)})" if index else ""
        _title(slide, METHODS_TITLE + suffix, deck.demo)
        _box(slide, METHODS_BOX, [_Run(line, METHODS_SIZE, space_after=METHODS_SPACE, bullet=True) for line in page], name="Méthodes")
        _footer(slide, f"Observatoire PDALHPD · {deck.title} · {fr_long_date(deck.date)}", number + index, total)
        slide.notes_slide.notes_text_frame.text = slide_text("\n".join([METHODS_TITLE + suffix, *page]))


def deck_pptx(deck: Deck, *, progress: Progress | None = None, images: Sequence[bytes | None] | None = None) -> bytes:
    """The deck as a 16:9 ``.pptx``: title page, one slide per view and its table, « Méthodes et sources » (over
    as many slides as its statements need).

    Parameters
    ----------
    deck
        What to show (see :class:`reporting.slides.Deck`).
    progress
        ``progress(done, total, label)`` before each figure is drawn and before the file is
        assembled, then ``(total, total, "Terminé")``.
    images
        The figures already drawn by :func:`reporting.slides.slide_images` (to build the PPTX and
        the PDF of one deck with one drawing); drawn here when None.

    Returns
    -------
    bytes
        The title page; each view's slide, then its table's slides (« <titre> (suite 2/3) »), if
        any; « Méthodes et sources ». Each view slide has exactly one picture when it has a figure;
        every view and table slide has its footer shape named ``FOOTER_NAME``; a table is a shape
        named ``TABLE_NAME``, its first row the header; the view slide's notes hold the table
        (``table_text``).

    Raises
    ------
    reporting.images.ExportError
        A figure could not be drawn (Chromium missing or not responding).
    """
    drawn = sum(slide.figure is not None for slide in deck.slides) if images is None else 0
    total = drawn + 1
    if images is None:
        images = slide_images(deck, progress=progress, job_steps=total)
    check_images(deck, images)
    if progress:
        progress(drawn, total, "Assemblage du diaporama")
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = deck.title
    prs.core_properties.subject = deck.subtitle
    prs.core_properties.language = "fr-FR"
    tables = [_plan_table(view, picture) for view, picture in zip(deck.slides, images, strict=True)]
    methods = methods_pages(list(deck.methods) or ["Voir la page « Données et méthodes » de l'observatoire."])
    slide_count = len(deck.slides) + 1 + len(methods) + sum(table.slides for table in tables if table is not None)
    _title_slide(prs, deck)
    number = 2
    for view, picture, table in zip(deck.slides, images, tables, strict=True):
        _view_slide(prs, view, picture, table, number, slide_count)
        number += 1
        if table is not None:
            _table_slides(prs, view, table, number, slide_count)
            number += table.slides
    _methods_slides(prs, deck, methods, number, slide_count)
    buffer = io.BytesIO()
    prs.save(buffer)
    if progress:
        progress(total, total, "Terminé")
    return buffer.getvalue()
