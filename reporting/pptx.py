"""A :class:`~reporting.slides.Deck` as a 16:9 PowerPoint file, readable from the back of a meeting room.

Slides: a title page; one slide per view (title, applied filters, the figure as a picture, the
objective's status and key figures in large text, source and update date in the footer, the
figure's table in the speaker notes); « Méthodes et sources ». Text is at least 24 pt where it
carries the message (key figures, status), 20 pt for the filters, 14 pt for the footer.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide as PptxSlide
from pptx.text.text import _Paragraph
from pptx.util import Emu, Inches, Pt

from data_access.french import NNBSP, fr_long_date
from data_access.vocabulary import DEMO_NOTICE
from reporting.images import png_size
from reporting.slides import PICTURE_INCHES, Deck, Progress, Slide, check_images, slide_images, status_colour
from reporting.tables import table_text

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
METHODS_MAX_LINES = 14  # beyond, the remaining lines go to the notes of the methods slide


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


def text_colour_on(fill: str) -> str:
    """``"FFFFFF"`` or ``"000000"``: the text colour with the higher WCAG contrast on ``fill``."""
    lum = _luminance(fill)
    return "FFFFFF" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "000000"


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


def _footer(slide: PptxSlide, text: str, number: int, total: int) -> None:
    _box(slide, (MARGIN, FOOTER_TOP, 11.3, 0.45), [_Run(text, 14, colour=MUTED)], name=FOOTER_NAME, anchor=MSO_ANCHOR.MIDDLE)
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


def _key_figures(slide: PptxSlide, key_figures: Sequence[tuple[str, str]], box: tuple[float, float, float, float], *, wide: bool) -> None:
    left, top, width, height = box
    if not wide:
        _box(slide, box, _key_figure_paragraphs(key_figures, width, height), name=KEY_FIGURES_NAME)
        return
    # no figure: a grid of up to three columns, each key figure in 48 pt
    columns = min(len(key_figures), 3)
    rows = math.ceil(len(key_figures) / columns)
    cell_width, cell_height = width / columns, min(height / rows, 2.2)
    for index, (label, value) in enumerate(key_figures):
        row, column = divmod(index, columns)
        cell = (left + column * cell_width, top + row * cell_height, cell_width - 0.2, cell_height)
        _box(slide, cell, [_Run(value, 48, bold=True), _Run(label, 24, colour=MUTED)], name=KEY_FIGURES_NAME)


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


def _view_slide(prs: PptxPresentation, view: Slide, picture: bytes | None, number: int, total: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    _title(slide, view.title, view.demo)
    if view.filters:
        _box(slide, FILTERS_BOX, [_Run(view.filters, 20, colour=MUTED)], name=FILTERS_NAME)
    if picture is not None:
        left, top, width, height = _fit(png_size(picture), PICTURE_BOX)
        shape = slide.shapes.add_picture(io.BytesIO(picture), Inches(left), Inches(top), Inches(width), Inches(height))
        shape.name = "Figure"
        shape._element.nvPicPr.cNvPr.set("descr", view.title)  # alternative text, read by screen readers
        panel = PANEL_BOX
    else:
        panel = (MARGIN, PICTURE_BOX[1], 12.45, PICTURE_BOX[3])
    left, top, width, height = panel
    if view.status:
        badge_width = width if picture is not None else 6.0
        per_line = _chars_per_line(24, badge_width - 0.3, bold=True)
        lines = sum(_lines(line, 24, badge_width - 0.3, bold=True) for line in badge_lines(view.status, per_line))
        badge_height = max(1.0, lines * 24 * 1.2 / 72 + 0.3)
        _badge(slide, (left, top, badge_width, badge_height), view.status, fill=status_colour(view.status), size=24, name=STATUS_NAME)
        top, height = top + badge_height + 0.25, height - badge_height - 0.25
    if view.key_figures:
        _key_figures(slide, view.key_figures, (left, top, width, height), wide=picture is None)
    _footer(slide, view.footer, number, total)
    slide.notes_slide.notes_text_frame.text = slide_text(notes_text(view))


def _methods_slide(prs: PptxPresentation, deck: Deck, number: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    _title(slide, METHODS_TITLE, deck.demo)
    lines = list(deck.methods) or ["Voir la page « Données et méthodes » de l'observatoire."]
    shown, rest = lines[:METHODS_MAX_LINES], lines[METHODS_MAX_LINES:]
    size = 24 if len(shown) <= 6 else 20 if len(shown) <= 9 else 16
    height = 5.05 if rest else 5.5  # leave room for the « suite » line
    _box(slide, (MARGIN + 0.1, 1.35, 12.3, height), [_Run(line, size, space_after=8, bullet=True) for line in shown], name="Méthodes")
    if rest:
        _box(slide, (MARGIN + 0.1, 6.45, 12.3, 0.4), [_Run(f"Suite dans les notes ({len(rest)} lignes).", 14, colour=MUTED)])
    _footer(slide, f"Observatoire PDALHPD · {deck.title} · {fr_long_date(deck.date)}", number, number)
    slide.notes_slide.notes_text_frame.text = slide_text("\n".join([METHODS_TITLE, *lines]))


def deck_pptx(deck: Deck, *, progress: Progress | None = None, images: Sequence[bytes | None] | None = None) -> bytes:
    """The deck as a 16:9 ``.pptx``: title page, one slide per view, « Méthodes et sources ».

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
        ``1 + len(deck.slides) + 1`` slides. Each view slide has exactly one picture when it has a
        figure; its footer shape is named ``FOOTER_NAME``; its notes hold the table (``table_text``).

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
    slide_count = len(deck.slides) + 2
    _title_slide(prs, deck)
    for number, (view, picture) in enumerate(zip(deck.slides, images, strict=True), start=2):
        _view_slide(prs, view, picture, number, slide_count)
    _methods_slide(prs, deck, slide_count)
    buffer = io.BytesIO()
    prs.save(buffer)
    if progress:
        progress(total, total, "Terminé")
    return buffer.getvalue()
