"""A :class:`~reporting.slides.Deck` as a PDF: the same pages as the slides, on 16:9 pages (the
slides' size, 33,9 × 19,05 cm), each followed by the figure's table, printed by the system Chromium.

16:9 rather than A4 landscape: the figures are drawn once for both files, with the slides'
proportions, and fill a 16:9 page; printed on A4, the page is only scaled down.

The deck is written as one HTML page (inline CSS, figures as base64 PNG, nothing fetched from the
network) and printed with Playwright. Long tables flow over as many pages as needed: before printing,
the page's own layout is measured and each long table split into pages (:data:`PAGINATE_JS`), every
continued page titled « … (suite) » with the table's header, no row cut in two, and the source line
kept with the table's last rows (never alone on a page). A running footer on every page gives the
deck, the date, the demo notice when relevant and « page n / N ».
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence

import pandas as pd
from playwright.sync_api import PdfMargins, Route, sync_playwright

from data_access.french import fr_long_date, fr_number
from data_access.vocabulary import DEMO_NOTICE
from figures.theme import FONT_FAMILY
from reporting.images import ExportError, browser_path
from reporting.pptx import METHODS_TITLE, badge_lines, text_colour_on
from reporting.slides import Deck, Progress, Slide, check_images, slide_images, status_colour
from reporting.tables import formatted_table, numeric_columns

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_SIZE = ("13.333in", "7.5in")  # the slides' 16:9
PAGE_MARGINS: PdfMargins = {
    "top": "10mm",
    "right": "12mm",
    "bottom": "14mm",
    "left": "12mm",
}  # the running footer sits in the bottom margin
PRINT_TIMEOUT_MS = 120_000
# the printed area of a page in CSS pixels (96 per inch): 13,333 in wide less 24 mm of side margins
PRINT_WIDTH_PX = round(13.333 * 96 - 24 / 25.4 * 96)
PAGE_HEIGHT_PX = round(7.5 * 96 - 24 / 25.4 * 96)  # less the top and bottom margins

# Splits each table that flows over pages (the sections ``.flow`` and ``.table``) into sections of
# one page each, measured in the page's own layout at the printed width: each continued section
# starts with the title followed by « (suite) » (a paragraph, not a heading: no extra bookmark),
# the demo mark and the table's header; the section's last part (the source line, a note) stays
# with at least one row. Chromium's own repeated header remains the fallback if a measure is off.
PAGINATE_JS = """
(pageHeight) => {
  // what flows over pages: a table's rows (its header repeated), or a list's items
  const flowing = (section) => {
    const table = section.querySelector(':scope > table');
    if (table && table.tBodies[0]) return { block: table, items: Array.from(table.tBodies[0].rows) };
    const list = section.querySelector(':scope > ul');
    return list ? { block: list, items: Array.from(list.children) } : null;
  };
  const emptyCopy = (block) => {
    if (block.tagName !== 'TABLE') return [block.cloneNode(false), (copy) => copy];
    const copy = document.createElement('table');
    copy.appendChild(block.tHead.cloneNode(true));
    const body = document.createElement('tbody');
    copy.appendChild(body);
    return [copy, () => body];
  };
  const split = (section) => {
    const found = flowing(section);
    if (!found || section.getBoundingClientRect().height <= pageHeight) return null;
    const { block, items } = found;
    const top = section.getBoundingClientRect().top;
    const after = Array.from(section.children).filter((el) => el.compareDocumentPosition(block) & Node.DOCUMENT_POSITION_PRECEDING);
    const tail = after.reduce((h, el) => h + el.getBoundingClientRect().height, 0) + 16;
    let cut = items.findIndex((item) => item.getBoundingClientRect().bottom - top > pageHeight);
    if (cut === -1) {
      // every item fits, not the source line under them: the last items go over with it
      cut = items.findIndex((item) => item.getBoundingClientRect().bottom - top > pageHeight - tail);
      if (cut === -1) return null;
    }
    cut = Math.max(cut, 1);
    if (cut >= items.length) return null;
    const next = document.createElement('section');
    next.className = section.className;
    const heading = section.querySelector(':scope > .top');
    const head = document.createElement('div');
    head.className = 'top';
    const title = document.createElement('p');
    title.className = 'continued';
    const name = heading ? heading.querySelector('h1, h2, .continued') : null;
    title.textContent = (name ? name.textContent.replace(/ \\(suite\\)$/, '') : '') + ' (suite)';
    head.appendChild(title);
    const demo = heading ? heading.querySelector('.demo') : null;
    if (demo) head.appendChild(demo.cloneNode(true));
    next.appendChild(head);
    const [copy, holder] = emptyCopy(block);
    const target = holder(copy);
    items.slice(cut).forEach((item) => target.appendChild(item));
    next.appendChild(copy);
    after.forEach((el) => next.appendChild(el));
    section.after(next);
    return next;
  };
  let count = 0;
  for (const first of Array.from(document.querySelectorAll('section.flow, section.table, section.methods'))) {
    let section = first;
    while (section && count < 5000) { section = split(section); count += 1; }
  }
  return count;
}
"""
AUTHOR = "Observatoire PDALHPD"
MAX_TABLE_ROWS = 2_000  # beyond, the PDF says how many rows were left out (the XLSX has them all)

CSS = """
@page { size: 13.333in 7.5in; }
* { box-sizing: border-box; }
html { font-family: FONT; color: #1a1a1a; font-size: 12pt; }
body { margin: 0; }
section { break-after: page; }
section:last-child { break-after: auto; }
.page { height: 164mm; display: flex; flex-direction: column; overflow: hidden; }
.top { display: flex; align-items: flex-start; gap: 8mm; padding-top: 1.5mm; }  /* room for a capital accent (« É ») at the top of a page */
h1 { font-size: 24pt; margin: 0 0 2mm 0; flex: 1; line-height: 1.15; }
h2 { font-size: 18pt; margin: 0 0 2mm 0; }
.demo { background: #A63F00; color: #fff; font-weight: bold; font-size: 12pt; padding: 2mm 4mm; border-radius: 2mm; white-space: nowrap; }
.filters { font-size: 15pt; color: #404040; margin: 0 0 3mm 0; }
.body { flex: 1; display: flex; gap: 6mm; min-height: 0; }
.figure { flex: 1; min-width: 0; display: flex; align-items: center; justify-content: center; }
.figure img { max-width: 100%; max-height: 100%; object-fit: contain; }
aside { width: 82mm; display: flex; flex-direction: column; gap: 4mm; overflow: hidden; }
aside.wide { width: auto; flex: 1; }
aside.wide .keys { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8mm; }
aside.wide .status { align-self: flex-start; min-width: 100mm; }
aside.wide .key .value { font-size: 40pt; }
aside.wide .key .label { font-size: 18pt; }
.keys { display: flex; flex-direction: column; gap: 4mm; }
.keys.compact { gap: 2mm; }
.keys.compact .key { display: flex; align-items: baseline; gap: 3mm; }
.keys.compact .key .value { font-size: 22pt; }
.status { font-size: 18pt; font-weight: bold; padding: 3mm 4mm; border-radius: 2mm; text-align: center; }
.key .value { font-size: 28pt; font-weight: bold; line-height: 1.1; }
.key .label { font-size: 14pt; color: #404040; }
.footer { font-size: 10pt; color: #404040; border-top: 1px solid #bbb; padding-top: 2mm; margin-top: 3mm; }
.cover { justify-content: center; padding-left: 10mm; border-top: 3mm solid #0072B2; }
.cover .brand { font-size: 16pt; color: #404040; margin-bottom: 14mm; }
.cover h1 { font-size: 34pt; flex: none; margin-bottom: 6mm; }
.cover .subtitle { font-size: 20pt; color: #404040; margin-bottom: 4mm; }
.cover .date { font-size: 18pt; color: #404040; margin-bottom: 12mm; }
.cover .demo { align-self: flex-start; font-size: 18pt; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { text-align: left; background: #e8e8e8; border-bottom: 1px solid #808080; padding: 1.2mm 2mm; vertical-align: bottom; }
td { padding: 0.9mm 2mm; border-bottom: 1px solid #e0e0e0; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.short { white-space: nowrap; }
.note { font-size: 10pt; color: #404040; margin: 2mm 0; }
ul.methods { font-size: 14pt; line-height: 1.3; padding-left: 6mm; }
ul.methods li { margin-bottom: 2mm; }
.flow aside.wide { margin-bottom: 4mm; }
.flow aside.wide .key .value { font-size: 32pt; }
.flow aside.wide .key .label { font-size: 14pt; }
.flow .footer { break-inside: avoid; }
.continued { font-size: 20pt; font-weight: bold; margin: 0 0 2mm 0; flex: 1; }
""".replace("FONT", FONT_FAMILY)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _demo_mark(demo: bool) -> str:
    return f'<div class="demo">{_e(DEMO_NOTICE)}</div>' if demo else ""


def _cover(deck: Deck) -> str:
    subtitle = f'<div class="subtitle">{_e(deck.subtitle)}</div>' if deck.subtitle else ""
    return (
        '<section class="page cover"><div class="brand">Observatoire PDALHPD</div>'
        f'<h1>{_e(deck.title)}</h1>{subtitle}<div class="date">{_e(fr_long_date(deck.date))}</div>{_demo_mark(deck.demo)}</section>'
    )


def _view(slide: Slide, picture: bytes | None) -> str:
    panel = []
    if slide.status:
        fill = status_colour(slide.status)
        panel.append(
            f'<div class="status" style="background:{fill};color:#{text_colour_on(fill)}">{"<br>".join(map(_e, badge_lines(slide.status, 20 if picture is not None else 32)))}</div>'
        )
    keys = "".join(
        f'<div class="key"><div class="value">{_e(value)}</div><div class="label">{_e(label)}</div></div>'
        for label, value in slide.key_figures
    )
    if keys:
        # beside a figure, more than three key figures go one per line, value then label
        compact = picture is not None and len(slide.key_figures) > 3
        panel.append(f'<div class="keys{" compact" if compact else ""}">{keys}</div>')
    figure = ""
    if picture is not None:
        encoded = base64.b64encode(picture).decode("ascii")
        figure = f'<div class="figure"><img alt="{_e(slide.title)}" src="data:image/png;base64,{encoded}"></div>'
    aside = f'<aside class="{"" if picture is not None else "wide"}">{"".join(panel)}</aside>' if panel else ""
    filters = f'<p class="filters">{_e(slide.filters)}</p>' if slide.filters else ""
    footer = f'<div class="footer">{_e(slide.footer)}</div>' if slide.footer else ""
    top = f'<div class="top"><h1>{_e(slide.title)}</h1>{_demo_mark(slide.demo)}</div>'
    if picture is None and slide.notes_table is not None:
        # no figure: the key figures, then the table on the same page, continued (header repeated) on the next
        return f'<section class="view flow">{top}{filters}{aside}{_table_body(slide.notes_table)}{footer}</section>'
    return f'<section class="page view">{top}{filters}<div class="body">{figure}{aside}</div>{footer}</section>'


def _table_body(frame: pd.DataFrame) -> str:
    return table_html(frame) if not frame.empty else '<p class="note">Aucune donnée.</p>'


SHORT_CELL = 12  # characters: a value this short (« ✔ 1 324 », « 2018 ») is never broken over two lines


def _cell_class(numeric: str, value: str) -> str:
    if len(value) > SHORT_CELL:
        return numeric
    return 'class="num short"' if numeric else 'class="short"'


def table_html(frame: pd.DataFrame) -> str:
    """A ``<table>`` of the frame formatted the French way (numbers right-aligned), header in ``<thead>``;
    at most ``MAX_TABLE_ROWS`` rows, then a note of how many were left out."""
    shown = frame.iloc[:MAX_TABLE_ROWS]
    text = formatted_table(shown)
    numeric = numeric_columns(shown)
    cls = ['class="num"' if n else "" for n in numeric]
    head = "".join(f"<th {c}>{_e(name)}</th>" for name, c in zip(text.columns, cls, strict=True))
    rows = "".join(
        "<tr>" + "".join(f"<td {_cell_class(c, value)}>{_e(value)}</td>" for value, c in zip(row, cls, strict=True)) + "</tr>"
        for row in text.itertuples(index=False, name=None)
    )
    more = ""
    if len(frame) > MAX_TABLE_ROWS:
        more = f'<p class="note">… et {fr_number(len(frame) - MAX_TABLE_ROWS)} lignes de plus : voir l\'export Excel ou CSV.</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _table_section(slide: Slide) -> str:
    assert slide.notes_table is not None
    context = " · ".join(filter(None, [slide.filters, slide.footer]))
    body = _table_body(slide.notes_table)
    return (
        f'<section class="table"><div class="top"><h2>Données : {_e(slide.title)}</h2>{_demo_mark(slide.demo)}</div>'
        f'<p class="note">{_e(context)}</p>{body}</section>'
    )


def _methods(deck: Deck) -> str:
    items = "".join(f"<li>{_e(line)}</li>" for line in deck.methods) or "<li>Voir la page « Données et méthodes » de l'observatoire.</li>"
    return f'<section class="methods"><div class="top"><h1>{_e(METHODS_TITLE)}</h1>{_demo_mark(deck.demo)}</div><ul class="methods">{items}</ul></section>'


def deck_html(deck: Deck, images: Sequence[bytes | None]) -> str:
    """The whole deck as one self-contained HTML page (what :func:`deck_pdf` prints)."""
    check_images(deck, images)
    parts = [_cover(deck)]
    for slide, picture in zip(deck.slides, images, strict=True):
        parts.append(_view(slide, picture))
        if slide.notes_table is not None and picture is not None:  # without figure, the view's page holds its table
            parts.append(_table_section(slide))
    parts.append(_methods(deck))
    return f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{_e(deck.title)}</title><meta name="author" content="{_e(AUTHOR)}"><meta name="description" content="{_e(deck.subtitle)}"><style>{CSS}</style></head><body>{"".join(parts)}</body></html>'


def _footer_template(deck: Deck) -> str:
    # Chromium draws this in the bottom margin of every page; its default font size is tiny
    demo = f'<span style="color:#A63F00;font-weight:bold">{_e(DEMO_NOTICE)}</span>' if deck.demo else "<span></span>"
    return (
        f'<div style="font-family:{_e(FONT_FAMILY)};font-size:9pt;color:#404040;width:100%;padding:0 12mm;'
        'display:flex;justify-content:space-between;">'
        f"<span>{_e(deck.title)} · {_e(fr_long_date(deck.date))}</span>{demo}"
        '<span>page <span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )


def _pdf_text(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte-order mark, in hex (any French text, no escaping)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def document_info(pdf: bytes, *, title: str, author: str = AUTHOR, subject: str = "") -> bytes:
    """The PDF with its document information (title, author, subject; creator « Observatoire
    PDALHPD » instead of Chromium's « HeadlessChrome » user agent), by an incremental update:
    the new Info object and a one-entry cross-reference section appended after ``%%EOF``, the
    printed bytes left as they are. A PDF this cannot read (no classic trailer) is returned unchanged.
    """
    trailer = re.search(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", pdf, re.S)
    if trailer is None:
        return pdf
    root = re.search(rb"/Root\s+(\d+\s+\d+\s+R)", trailer.group(1))
    size = re.search(rb"/Size\s+(\d+)", trailer.group(1))
    if root is None or size is None:
        return pdf
    dates = b"".join(re.findall(rb"(/(?:CreationDate|ModDate)\s*\([^)]*\))", pdf[: trailer.start()])[-2:])
    number = int(size.group(1))
    info = (
        b"<</Title " + _pdf_text(title) + b"\n/Author " + _pdf_text(author)
        + (b"\n/Subject " + _pdf_text(subject) if subject else b"")
        + b"\n/Creator " + _pdf_text(author) + b"\n/Producer " + _pdf_text(f"{author} (Chromium)") + dates + b">>"
    )  # fmt: skip
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    offset = len(body)
    body += b"%d 0 obj\n%s\nendobj\n" % (number, info)
    xref = len(body)
    body += b"xref\n%d 1\n%010d 00000 n \n" % (number, offset)
    body += b"trailer\n<</Size %d\n/Root %s\n/Info %d 0 R\n/Prev %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        number + 1, root.group(1), number, trailer.group(2), xref,
    )  # fmt: skip
    return body


def _refuse_network(route: Route) -> None:
    route.abort()  # everything is inline: a request would mean a remote resource slipped in


def html_pdf(page_html: str, *, footer_template: str = "<span></span>", title: str = "", subject: str = "") -> bytes:
    """Print an HTML page to a 16:9 PDF with the system Chromium (no network access): tagged (its
    structure tree for screen readers, the page's ``lang``), its headings as bookmarks, and, given a
    ``title``, the document information (title, author « Observatoire PDALHPD », subject; see
    :func:`document_info`)."""
    path = browser_path()
    if not path.is_file():
        raise ExportError(f"Chromium est introuvable à « {path} » : installez le paquet chromium ou indiquez son chemin dans BROWSER_PATH.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": PAGE_HEIGHT_PX})
            page.route("**/*", _refuse_network)
            page.set_content(page_html, wait_until="load", timeout=PRINT_TIMEOUT_MS)
            page.emulate_media(media="print")
            page.evaluate(PAGINATE_JS, PAGE_HEIGHT_PX)
            pdf = page.pdf(
                width=PAGE_SIZE[0],
                height=PAGE_SIZE[1],
                print_background=True,
                margin=PAGE_MARGINS,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer_template,
                tagged=True,  # a structure tree (headings, tables, figures' alt text) for screen readers
                outline=True,  # the headings as bookmarks
            )
        finally:
            browser.close()
    return document_info(pdf, title=title, subject=subject) if title else pdf


def deck_pdf(deck: Deck, *, progress: Progress | None = None, images: Sequence[bytes | None] | None = None) -> bytes:
    """The deck as a 16:9 PDF: title page, each view then its table, « Méthodes et sources ».

    Parameters
    ----------
    deck
        What to show (see :class:`reporting.slides.Deck`).
    progress
        ``progress(done, total, label)`` before each figure is drawn and before printing, then
        ``(total, total, "Terminé")``.
    images
        The figures already drawn by :func:`reporting.slides.slide_images`; drawn here when None.

    Returns
    -------
    bytes
        A PDF of at least ``len(deck.slides) + 2`` pages: one per view, plus as many as each table needs.

    Raises
    ------
    reporting.images.ExportError
        Chromium is missing or a figure could not be drawn.
    """
    drawn = sum(slide.figure is not None for slide in deck.slides) if images is None else 0
    total = drawn + 1
    if images is None:
        images = slide_images(deck, progress=progress, job_steps=total)
    page_html = deck_html(deck, images)
    if progress:
        progress(drawn, total, "Impression du PDF")
    pdf = html_pdf(page_html, footer_template=_footer_template(deck), title=deck.title, subject=deck.subtitle)
    if progress:
        progress(total, total, "Terminé")
    return pdf
