"""Tables as files a French spreadsheet opens correctly, safe against formula injection.

- :func:`csv_bytes`: UTF-8 with BOM, ``;``, decimal comma.
- :func:`xlsx_bytes`: one sheet per table, bold frozen header, column widths, ``# ##0`` and
  ``0,0 %`` number formats, a title, source and demo note above the table.
- :func:`formatted_table` and :func:`table_text`: the same tables as French text, for slides,
  speaker notes and the PDF.

Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel or LibreOffice when the file is opened (``=HYPERLINK(…)``
exfiltrates the neighbouring cells). Names of communes, file names and free text from imported
files reach our tables, so every export neutralises them; numbers are never touched.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from data_access.french import MISSING, MONTHS_LONG, NNBSP, fr_number
from data_access.vocabulary import DEMO_NOTICE

# a cell starting with one of these is read as a formula by Excel / LibreOffice
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Format codes are stored in Excel's invariant (US) syntax; a French Excel or LibreOffice shows
# them as « # ##0 » and « 0,0 % »: 1 529 and 12,5 %.
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.0 %"
DATE_FORMAT = "DD/MM/YYYY"
MONTH_FORMAT = "MMMM YYYY"  # « mars 2024 » in a French spreadsheet

SHEET_NAME_LENGTH = 31  # Excel's limit
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60  # column widths, in characters
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
DEMO_FONT = Font(bold=True, color="A63F00")


def _is_dangerous(value: object) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def _is_text_column(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column) or isinstance(column.dtype, pd.CategoricalDtype)


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells and column names starting with a formula character are prefixed with an apostrophe.

    Numbers are left as numbers (a negative number is not a formula); so are dates and booleans."""
    safe = frame.copy()
    for column in safe.columns:
        if _is_text_column(safe[column]):
            values = safe[column].astype(object) if isinstance(safe[column].dtype, pd.CategoricalDtype) else safe[column]
            safe[column] = values.map(lambda v: f"'{v}" if _is_dangerous(v) else v)
    if any(_is_dangerous(c) for c in safe.columns):
        safe.columns = pd.Index([f"'{c}" if _is_dangerous(c) else c for c in safe.columns])
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, ``;`` separator, decimal comma, CRLF line ends: what French Excel expects.

    CRLF (RFC 4180) also makes the writer quote a cell holding a lone carriage return: unquoted,
    Excel would end the row there and read the rest of the cell as a new row, formula included."""
    buffer = io.StringIO()
    neutralised(frame).to_csv(buffer, sep=";", decimal=",", index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def is_percent_column(name: Hashable) -> bool:
    """A column whose values are percentages (``12.5`` for 12,5 %): its name contains ``%``, e.g. « Taux (%) »."""
    return "%" in str(name)


def _is_whole(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce").dropna()
    return bool(((values % 1) == 0).all())


def _column_kind(column: pd.Series) -> str:
    """``bool``, ``percent``, ``count`` (whole numbers), ``decimal``, ``date``, ``month`` (dates on the 1st) or ``text``."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        if is_percent_column(column.name):
            return "percent"
        return "count" if _is_whole(column) else "decimal"
    present = column.dropna()
    if pd.api.types.is_datetime64_any_dtype(dtype) or (len(present) and all(isinstance(v, dt.date) for v in present)):
        days = [v.day for v in present]
        return "month" if days and all(d == 1 for d in days) else "date"
    return "text"


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


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
    if text.startswith(DANGEROUS_PREFIXES):
        cell.quotePrefix = True


def _cell_value(value: object, kind: str) -> Any:
    if _missing(value):
        return None
    if kind == "percent":
        return float(value) / 100  # type: ignore[arg-type]
    if kind in ("count", "decimal"):
        number = float(value)  # type: ignore[arg-type]
        return int(number) if kind == "count" and abs(number) < 2**53 else number
    if kind == "bool":
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    return value


def _shown_width(value: Any, kind: str) -> int:
    """About how many characters a number or date takes once formatted."""
    if kind in ("count", "decimal"):
        return len(fr_number(value, 0 if kind == "count" else 1))
    if kind == "percent":
        return len(fr_number(value * 100, 1)) + 2
    return 14 if kind == "month" else 10  # « septembre 2024 », JJ/MM/AAAA, VRAI / FAUX


NUMBER_FORMATS = {"count": COUNT_FORMAT, "decimal": DECIMAL_FORMAT, "percent": PERCENT_FORMAT, "date": DATE_FORMAT, "month": MONTH_FORMAT}


def _write_sheet(sheet: Worksheet, frame: pd.DataFrame, notes: list[tuple[str, Font]]) -> None:
    row = 1
    for text, font in notes:
        _set_text(sheet.cell(row=row, column=1), text)
        sheet.cell(row=row, column=1).font = font
        row += 1
    if notes:
        row += 1  # a blank row between the notes and the table
    header_row = row
    columns = list(frame.columns)
    kinds = [_column_kind(frame.iloc[:, i]) for i in range(len(columns))]
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
        An ``.xlsx`` file. In each sheet: the notes (title, source and date, demo notice), a blank
        row, the header (bold, frozen, with filters), the rows. Whole numbers are formatted
        ``# ##0``, other numbers ``# ##0,0``, dates ``JJ/MM/AAAA`` (``mars 2024`` when every date is
        the first of a month); a column whose name contains
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
    date = exported or dt.date.today()
    notes: list[tuple[str, Font]] = []
    if title:
        notes.append((title, Font(bold=True, size=14)))
    note = f"Exporté le {date:%d/%m/%Y}."
    if source:
        source = source.strip().rstrip(".")
        note = f"{source if source.casefold().startswith('source') else f'Source : {source}'}. {note}"
    notes.append((note, Font(italic=True, color="444444")))
    if demo:
        notes.append((DEMO_NOTICE, DEMO_FONT))
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


def _date_text(value: dt.date, kind: str) -> str:
    if kind == "month":
        return f"{MONTHS_LONG[value.month - 1]} {value.year}"
    return f"{value:%d/%m/%Y}"


def formatted_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as French text, column by column, for slides, notes and the PDF.

    Whole numbers ``1 529``, other numbers with one decimal ``6,5``, columns whose name contains
    ``%`` ``12,5`` (the name carries the unit), dates ``15/03/2024`` or, when every date is the
    first of a month, ``mars 2024``; booleans ``oui`` / ``non``; missing values ``–``. Column
    names are kept; the index is dropped.
    """
    out = {}
    for index in range(frame.shape[1]):
        column = frame.iloc[:, index]
        kind = _column_kind(column)
        texts = []
        for value in column:
            if _missing(value):
                texts.append(MISSING)
            elif kind == "bool":
                texts.append("oui" if value else "non")
            elif kind in ("count", "decimal", "percent"):
                texts.append(fr_number(float(value), 0 if kind == "count" else 1))
            elif kind in ("date", "month"):
                texts.append(_date_text(value, kind))
            else:
                texts.append(str(value))
        out[index] = texts
    result = pd.DataFrame(out, dtype=object)
    result.columns = pd.Index([str(c) for c in frame.columns])
    return result


def numeric_columns(frame: pd.DataFrame) -> list[bool]:
    """For each column, whether it holds numbers (right-aligned in printed tables)."""
    return [
        pd.api.types.is_numeric_dtype(frame.iloc[:, i].dtype) and not pd.api.types.is_bool_dtype(frame.iloc[:, i].dtype)
        for i in range(frame.shape[1])
    ]


def table_text(frame: pd.DataFrame, *, rows_per_block: int = 20, max_rows: int = 300) -> str:
    """The table as plain text in blocks of ``rows_per_block`` rows, each headed by the column
    names, for speaker notes (which have no table and no fixed-width font).

    Each row reads ``value | value | value``. Beyond ``max_rows`` rows, a last line says how many
    were left out. An empty table reads « Aucune donnée ».

    Examples
    --------
    >>> print(table_text(pd.DataFrame({"Territoire": ["Isère"], "Assignations": [2696]})))
    Tableau : 1 ligne
    Territoire | Assignations
    Isère | 2 696
    """
    if frame.empty:
        return "Tableau : aucune donnée"
    text = formatted_table(frame)
    total = len(text)
    shown = text.iloc[:max_rows]
    header = " | ".join(text.columns)
    lines = [f"Tableau : {fr_number(total)} ligne{'s' if total > 1 else ''}"]
    for start in range(0, len(shown), rows_per_block):
        block = shown.iloc[start : start + rows_per_block]
        if total > rows_per_block:
            lines.append("")
            lines.append(f"Lignes {fr_number(start + 1)} à {fr_number(start + len(block))} sur {fr_number(total)}")
        lines.append(header)
        lines.extend(" | ".join(row) for row in block.itertuples(index=False, name=None))
    if total > max_rows:
        lines.append("")
        lines.append(f"… et {fr_number(total - max_rows)} lignes de plus : voir l'export Excel ou CSV.")
    return "\n".join(lines).replace(NNBSP, "\u00a0")  # a plain no-break space: every notes font has it
