"""Tables as files a French spreadsheet opens correctly, safe against formula injection.

- :func:`csv_bytes`: UTF-8 with BOM, ``;``, decimal comma; the notes (title, filters, unit,
  source and dates, demo notice) as the first lines when given, a blank line, then the table.
- :func:`reporting.xlsx.xlsx_bytes` (its own module: openpyxl is imported only when a workbook is
  made): one sheet per table, with the same notes above the table.
- Both write the values as the screen shows them (:func:`as_shown`): whole numbers without
  decimals (``2732``, never ``2732,0``), other numbers rounded to one decimal, years ``2021``,
  months ``2021-03``, booleans « Oui » / « Non ».
- :func:`formatted_table` and :func:`table_text`: the same tables as French text, for slides,
  speaker notes and the PDF.

Formula injection: every export neutralises text cells that a spreadsheet would run as a formula,
with the rule of :mod:`data_access.formulas` (the import reports follow the same one); numbers are
never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Hashable

import pandas as pd

from data_access.formulas import is_dangerous, neutralised
from data_access.french import MISSING, MONTHS_LONG, NNBSP, fr_bool, fr_date, fr_number, fr_year
from data_access.vocabulary import DEMO_NOTICE

# Format codes are stored in Excel's invariant (US) syntax; a French Excel or LibreOffice shows
# them as « # ##0 » and « 0,0 % »: 1 529 and 12,5 %.
DECIMALS = 1  # a number that is not whole, as the screen prints it (data_access.french.fr_auto)

# a header naming a year: its whole numbers are years (« 2024 »), not counts (« 2 024 »)
YEAR_HEADER = re.compile(r"\b(année|annee|exercice|year)\b", re.IGNORECASE)


def export_notes(
    *,
    title: str | None = None,
    filters: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    demo: bool = False,
    exported: dt.date | None = None,
) -> list[tuple[str, str]]:
    """What an exported table says about itself, as (kind, text) lines in order: ``title``, the
    view's ``filters`` in words, « Unité : … », « Source : … · Mise à jour : …. Exporté le
    JJ/MM/AAAA. » (the date is today's unless ``exported``), and the demo notice when ``demo``.

    A missing title, filters, unit or source leaves its line out; the export date is always there.

    Examples
    --------
    >>> export_notes(title="Assignations", source="Préfecture", demo=True, exported=dt.date(2026, 1, 5))
    [('title', 'Assignations'), ('source', 'Source : Préfecture. Exporté le 05/01/2026.'), ('demo', 'Données fictives de démonstration')]
    """
    notes: list[tuple[str, str]] = []
    if title and title.strip():
        notes.append(("title", title.strip()))
    if filters and filters.strip():
        notes.append(("filters", filters.strip()))
    if unit and unit.strip():
        notes.append(("unit", f"Unité : {unit.strip()}"))
    note = f"Exporté le {fr_date(exported or dt.date.today())}."
    if source and source.strip():
        cited = source.strip().rstrip(".")
        note = f"{cited if cited.casefold().startswith('source') else f'Source : {cited}'}. {note}"
    notes.append(("source", note))
    if demo:
        notes.append(("demo", DEMO_NOTICE))
    return notes


def csv_bytes(
    frame: pd.DataFrame,
    *,
    title: str | None = None,
    filters: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    demo: bool = False,
    exported: dt.date | None = None,
) -> bytes:
    """UTF-8 with BOM, ``;`` separator, decimal comma, CRLF line ends: what French Excel expects.

    Parameters
    ----------
    frame
        The table; its values are written as :func:`as_shown` gives them, dates as ``JJ/MM/AAAA``
        and months (dates on the 1st) as ``2024-03``. The index is not written.
    title, filters, unit, source, demo, exported
        The notes of :func:`export_notes`: when any of title, filters, unit, source or demo is
        given, they are the first lines of the file (one cell each), then a blank line, then the
        header and the rows, as in the Excel export. Without any, the file is the bare table.

    Notes
    -----
    CRLF (RFC 4180) also makes the writer quote a cell holding a lone carriage return: unquoted,
    Excel would end the row there and read the rest of the cell as a new row, formula included.

    Examples
    --------
    >>> csv_bytes(pd.DataFrame({"Année": ["2024"], "Valeur": [2696.0]})).decode("utf-8-sig").splitlines()
    ['Année;Valeur', '2024;2696']
    """
    buffer = io.StringIO()
    if title or filters or unit or source or demo:
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        for _, text in export_notes(title=title, filters=filters, unit=unit, source=source, demo=demo, exported=exported):
            writer.writerow([f"'{text}" if is_dangerous(text) else text])
        writer.writerow([])  # a blank line between the notes and the table
    _csv_texts(neutralised(as_shown(frame))).to_csv(buffer, sep=";", index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def as_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with its values as the screen shows them, for a file: whole numbers as
    integers (``2732``, not ``2732.0``), other numbers rounded to one decimal (``536.6``; a
    percentage column ``12.5``), booleans « Oui » / « Non ». Text, dates, missing values, the
    column names and their order are kept.

    Examples
    --------
    >>> as_shown(pd.DataFrame({"Valeur": [2732.0, None], "Taux": [46.400000000000006, 1.0], "Complet": [True, False]})).values.tolist()
    [[2732, 46.4, 'Oui'], [<NA>, 1.0, 'Non']]
    """
    shown = frame.copy()
    for index in range(shown.shape[1]):
        column = shown.iloc[:, index]
        kind = column_kind(column)
        if kind == "bool":
            shown.isetitem(index, column.map(lambda v: None if is_missing(v) else fr_bool(v)).astype(object).array)
        elif kind in ("count", "year") and not pd.api.types.is_integer_dtype(column.dtype):
            shown.isetitem(index, pd.to_numeric(column).round().astype("Int64").array)
        elif kind in ("decimal", "percent"):
            shown.isetitem(index, pd.to_numeric(column).astype(float).round(DECIMALS).array)
    return shown


def _csv_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers that are not whole and dates as the text a French spreadsheet reads back: ``6,5``
    (a whole value of such a column ``7``, as the screen prints it), ``15/03/2024``, ``2024-03``
    for a month. Whole numbers stay integers; text is already neutralised."""
    texts = frame.copy()
    for index in range(texts.shape[1]):
        column = texts.iloc[:, index]
        kind = column_kind(column)
        if kind in ("decimal", "percent"):
            texts.isetitem(index, column.map(lambda v: None if is_missing(v) else _decimal_text(float(v))).astype(object).array)
        elif kind in ("date", "month"):
            texts.isetitem(index, column.map(lambda v, kind=kind: None if is_missing(v) else _date_text(v, kind)).astype(object).array)
    return texts


def _decimal_text(value: float) -> str:
    """``6.5`` → ``6,5``, ``7.0`` → ``7``, ``-1234.5`` → ``-1234,5``: no thousands separator, a spreadsheet reads it as a number."""
    return str(int(value)) if value.is_integer() else f"{value:.{DECIMALS}f}".replace(".", ",")


def is_percent_column(name: Hashable) -> bool:
    """A column whose values are percentages (``12.5`` for 12,5 %): its name contains ``%``, e.g. « Taux (%) »."""
    return "%" in str(name)


def _is_whole(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce").dropna()
    return bool(((values % 1) == 0).all())


def column_kind(column: pd.Series) -> str:
    """``bool``, ``percent``, ``year`` (whole numbers under a header naming a year), ``count``
    (whole numbers), ``decimal``, ``date``, ``month`` (dates on the 1st) or ``text``."""
    dtype = column.dtype
    present = column.dropna()
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_object_dtype(dtype) and len(present) and all(isinstance(v, bool) for v in present)
    ):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        if is_percent_column(column.name):
            return "percent"
        if not _is_whole(column):
            return "decimal"
        return "year" if YEAR_HEADER.search(str(column.name)) and ((present >= 1000) & (present <= 2999)).all() else "count"
    if pd.api.types.is_datetime64_any_dtype(dtype) or (len(present) and all(isinstance(v, dt.date) for v in present)):
        days = [v.day for v in present]
        return "month" if days and all(d == 1 for d in days) else "date"
    return "text"


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _date_text(value: dt.date, kind: str) -> str:
    """A date in a file: ``2024-03`` for a month, ``15/03/2024`` otherwise."""
    return f"{fr_year(value)}-{value.month:02d}" if kind == "month" else fr_date(value)


def _slide_date_text(value: dt.date, kind: str) -> str:
    """A date on a slide or in the PDF, to be read aloud: ``mars 2024``, ``15/03/2024``."""
    return f"{MONTHS_LONG[value.month - 1]} {value.year}" if kind == "month" else fr_date(value)


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
        kind = column_kind(column)
        texts = []
        for value in column:
            if is_missing(value):
                texts.append(MISSING)
            elif kind == "bool":
                texts.append("oui" if value else "non")
            elif kind == "year":
                texts.append(fr_year(int(value)))
            elif kind in ("count", "decimal", "percent"):
                texts.append(fr_number(float(value), 0 if kind == "count" else 1))
            elif kind in ("date", "month"):
                texts.append(_slide_date_text(value, kind))
            else:
                texts.append(str(value))
        out[index] = texts
    result = pd.DataFrame(out, dtype=object)
    result.columns = pd.Index([str(c) for c in frame.columns])
    return result


# a number already printed the French way: « 1 529 », « −12,5 % », « 1 529 € », or « – » (missing)
_PRINTED_NUMBER = re.compile(r"^(?:[−-]?\d[\d\u202f\u00a0 ]*(?:,\d+)?(?:[\u202f\u00a0 ]?[%€])?|–)$")


def numeric_columns(frame: pd.DataFrame) -> list[bool]:
    """For each column, whether it holds numbers (right-aligned in printed tables): a numeric
    column, or a text column of numbers already printed (each row in its own unit)."""

    def numeric(column: pd.Series) -> bool:
        if pd.api.types.is_bool_dtype(column.dtype):
            return False
        if pd.api.types.is_numeric_dtype(column.dtype):
            return True
        texts = column.dropna()
        return len(texts) > 0 and all(isinstance(v, str) and _PRINTED_NUMBER.match(v) for v in texts) and any(v != MISSING for v in texts)

    return [numeric(frame.iloc[:, i]) for i in range(frame.shape[1])]


def table_text(frame: pd.DataFrame, *, rows_per_block: int = 20, max_rows: int = 300) -> str:
    """The table as plain text in blocks of ``rows_per_block`` rows, each headed by the column
    names, for speaker notes (which have no table and no fixed-width font).

    Each row reads ``value | value | value``. Beyond ``max_rows`` rows, a last line says how many
    were left out. An empty table reads « Aucune donnée ».

    Examples
    --------
    >>> print(table_text(pd.DataFrame({"Territoire": ["Isère"], "Assignations": [2696]})).replace("\u00a0", " "))
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
