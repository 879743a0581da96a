"""Tables as Excel workbooks (:func:`xlsx_bytes`): one sheet per table, bold frozen header, column
widths, ``# ##0`` and ``0,0 %`` number formats, the notes of :func:`reporting.tables.export_notes`
above the table, the values of :func:`reporting.tables.as_shown`, text cells never formulas.

A module of its own so that openpyxl (0,15 s of imports) is loaded only when a workbook is made.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from data_access.formulas import is_dangerous
from data_access.french import fr_bool, fr_number
from reporting.tables import as_shown, column_kind, export_notes, is_missing

COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.0 %"
DATE_FORMAT = "DD/MM/YYYY"
MONTH_FORMAT = "YYYY-MM"  # « 2024-03 »: the views' tables write months so, and the importers read them back
YEAR_FORMAT = "0"  # « 2024 », never « 2 024 »

SHEET_NAME_LENGTH = 31  # Excel's limit
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths, in characters
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
DEMO_FONT = Font(bold=True, color="A63F00")
NOTE_FONTS = {
    "title": Font(bold=True, size=14),
    "filters": Font(color="222222"),
    "unit": Font(color="222222"),
    "source": Font(italic=True, color="444444"),
    "demo": DEMO_FONT,
}


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``, unique regardless of case."""
    base = SHEET_NAME_FORBIDDEN.sub("-", str(name)).strip("'").strip() or "Feuille"
    base = base[:SHEET_NAME_LENGTH]
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix, number + 1
    taken.add(candidate.casefold())
    return candidate


def _set_text(cell: Cell, text: str) -> None:
    """A text cell that can never become a formula, shown exactly as written.

    openpyxl would store a string starting with ``=`` as a formula: the cell is forced to the
    string type, and a dangerous one also gets Excel's « quote prefix » (the hidden apostrophe of
    a cell typed as ``'=…``), so that editing it in Excel or LibreOffice keeps it text."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    cell.data_type = "s"
    if is_dangerous(text):
        cell.quotePrefix = True


def _cell_value(value: object, kind: str) -> Any:
    if is_missing(value):
        return None
    if kind == "percent":
        return float(value) / 100  # type: ignore[arg-type]
    if kind in ("count", "year", "decimal"):
        number = float(value)  # type: ignore[arg-type]
        return int(number) if kind != "decimal" and abs(number) < 2**53 else number
    if kind == "bool":
        return fr_bool(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    return value


def _shown_width(value: Any, kind: str) -> int:
    """About how many characters a number or date takes once formatted."""
    if kind in ("count", "decimal"):
        return len(fr_number(value, 0 if kind == "count" else 1))
    if kind == "percent":
        return len(fr_number(value * 100, 1)) + 2
    return {"year": 4, "month": 7}.get(kind, 10)  # 2024, 2024-03, JJ/MM/AAAA


NUMBER_FORMATS = {
    "count": COUNT_FORMAT,
    "year": YEAR_FORMAT,
    "decimal": DECIMAL_FORMAT,
    "percent": PERCENT_FORMAT,
    "date": DATE_FORMAT,
    "month": MONTH_FORMAT,
}


def _write_sheet(sheet: Worksheet, frame: pd.DataFrame, notes: list[tuple[str, Font]]) -> None:
    frame = as_shown(frame)
    row = 1
    for text, font in notes:
        _set_text(sheet.cell(row=row, column=1), text)
        sheet.cell(row=row, column=1).font = font
        row += 1
    if notes:
        row += 1  # a blank row between the notes and the table
    header_row = row
    columns = list(frame.columns)
    kinds = [column_kind(frame.iloc[:, i]) for i in range(len(columns))]
    widths = [len(str(c)) for c in columns]
    bottom = Border(bottom=Side(style="thin", color="808080"))
    for index, name in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index)
        _set_text(cell, " – ".join(map(str, name)) if isinstance(name, tuple) else str(name))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = bottom
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for index, (value, kind) in enumerate(zip(values, kinds, strict=True), start=1):
            cell = sheet.cell(row=header_row + offset, column=index)
            converted = _cell_value(value, kind)
            if isinstance(converted, str):
                _set_text(cell, converted)
                widths[index - 1] = max(widths[index - 1], len(converted))
            elif converted is not None:
                cell.value = converted
                if kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[kind]
                widths[index - 1] = max(widths[index - 1], _shown_width(converted, kind))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)  # the header stays visible when scrolling
    if columns:
        last = f"{get_column_letter(len(columns))}{header_row + len(frame)}"
        sheet.auto_filter.ref = f"A{header_row}:{last}"


def xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame],
    *,
    title: str | None = None,
    filters: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    demo: bool = False,
    exported: dt.date | None = None,
) -> bytes:
    """An Excel workbook with one sheet per table, ready for a French Excel or LibreOffice.

    Parameters
    ----------
    sheets
        Sheet name → table, in order. Names are made valid for Excel (31 characters, no
        ``[]:*?/\\``, unique). The index is not written: ``reset_index()`` first to keep it.
    title
        Written in bold above each table.
    filters, unit
        The view's filters in words and « Unité : … », each on its line under the title.
    source
        « Source : … » (the prefix is added unless the text starts with « Source »), followed by
        the export date, above each table.
    demo
        Adds « Données fictives de démonstration » in bold above each table.
    exported
        The export date written in the note (default: today).

    Returns
    -------
    bytes
        An ``.xlsx`` file. In each sheet: the notes (:func:`export_notes`), a blank row, the
        header (bold, frozen, with filters), the rows, with the values of :func:`as_shown`. Whole
        numbers are formatted ``# ##0`` (years, under a header naming one, ``0``), other numbers
        ``# ##0,0``, dates ``JJ/MM/AAAA`` (``2024-03`` when every date is the first of a month);
        booleans are « Oui » / « Non »; a column whose name contains
        ``%`` holds percentages (``12.5``) and is written as a true spreadsheet percentage
        (``0.125``, shown ``12,5 %``). Missing values are empty cells. Text cells are always text:
        one that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return keeps its
        content but is stored as a string with a quote prefix, never as a formula.

    Examples
    --------
    >>> data = xlsx_bytes({"Assignations": pd.DataFrame({"Territoire": ["Isère"], "Assignations": [2696]})}, demo=True)
    >>> data[:2]
    b'PK'
    """
    if not sheets:
        raise ValueError("xlsx_bytes : au moins une feuille est attendue, reçu un dictionnaire vide")
    notes = [
        (text, NOTE_FONTS[kind])
        for kind, text in export_notes(title=title, filters=filters, unit=unit, source=source, demo=demo, exported=exported)
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    for name, frame in sheets.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"xlsx_bytes : la feuille « {name} » doit être un DataFrame, reçu {type(frame).__name__}")
        _write_sheet(workbook.create_sheet(_sheet_name(name, taken)), frame, notes)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
