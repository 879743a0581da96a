"""Bytes of an uploaded file → a table of text cells under its header row.

What real files contain is tolerated: UTF-8 with or without BOM, Windows-1252; ``;``, ``,`` or tab
separators (sniffed); a title line above the header; empty trailing rows and columns; XLSX
workbooks with several sheets (one is chosen). The bytes are read in memory and never written to
disk. Unreadable input raises :class:`~data_access.errors.UserError` with a French message.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from data_access.errors import UserError
from data_access.importers.text import clean_cell

HEADER_SCAN = 30  # the header is looked for in the first lines: a title or notes may stand above it
SEPARATORS = (";", "\t", ",")  # preference order on a tie: French files use ;
SEPARATOR_NAMES = {";": "point-virgule", "\t": "tabulation", ",": "virgule"}

HeaderTest = Callable[[Sequence[str]], bool]
"""Tells whether a row of cells is the header the format expects."""


@dataclass
class Table:
    """A file's data rows as text under its header.

    ``frame`` has one column per header cell (labels stripped, made unique; empty trailing columns
    dropped) and one row per non-empty data row, cells as ``str`` ("" when empty). ``lines`` gives
    each row's line in the file (CSV) or row number (XLSX), counting from 1 as a spreadsheet does.
    """

    frame: pd.DataFrame
    lines: np.ndarray
    header_line: int
    description: str
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM stripped) when valid, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (avec BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def sniff_separator(lines: Sequence[str]) -> str:
    """The separator that splits the most lines into the same number (> 1) of fields.

    Ties go to the larger field count, then to ``;``, tab, ``,``: a ``;`` file with decimal commas
    splits consistently on ``;`` into more fields than on ``,``.
    """
    best: tuple[float, int, int] = (0.0, 0, 0)
    chosen = ";"
    for rank, sep in enumerate(SEPARATORS):
        counts = [len(row) for row in _split(lines, sep)]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        modal, _ = Counter(multi).most_common(1)[0]
        score = (sum(c == modal for c in counts) / len(counts), modal, -rank)
        if score > best:
            best, chosen = score, sep
    return chosen


def _split(lines: Sequence[str], sep: str) -> list[list[str]]:
    rows = []
    for line in lines:
        try:
            rows.append(next(csv.reader([line], delimiter=sep), []))
        except csv.Error:
            rows.append([line])
    return rows


def _find_header(rows: Sequence[Sequence[str]], is_header: HeaderTest | None) -> int:
    """Index of the header row: the first that passes ``is_header``, else the first with the most cells."""
    if is_header is not None:
        for index, row in enumerate(rows[:HEADER_SCAN]):
            if is_header([str(c) for c in row]):
                return index
    filled = [sum(bool(str(c).strip()) for c in row) for row in rows[:HEADER_SCAN]]
    if not filled or max(filled) == 0:
        raise UserError("Le fichier est vide : aucune ligne d'en-tête ni de données n'a été trouvée.")
    return filled.index(max(filled))


def _labels(cells: Sequence[str]) -> list[str]:
    """Header labels stripped and made unique (« valeur », « valeur (2) »); empty ones named by position."""
    seen: Counter[str] = Counter()
    labels = []
    for position, cell in enumerate(cells, start=1):
        label = re.sub(r"\s+", " ", str(cell)).strip() or f"colonne {position}"
        seen[label] += 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def _finish(frame: pd.DataFrame, header_cells: Sequence[str], first_line: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Name the columns, drop empty trailing columns and empty rows; the line of each kept row."""
    frame = frame.fillna("").astype(str)
    width = frame.shape[1]
    cells = list(header_cells) + [""] * max(0, width - len(header_cells))
    frame.columns = _labels(cells[:width])
    keep = [c for c, h in zip(frame.columns, cells, strict=False) if str(h).strip() or frame[c].str.strip().ne("").any()]
    frame = frame[keep]
    lines = np.arange(first_line, first_line + len(frame))
    nonempty = frame.apply(lambda col: col.str.strip().ne("")).any(axis=1).to_numpy() if len(keep) else np.zeros(len(frame), bool)
    return frame[nonempty].reset_index(drop=True), lines[nonempty]


def read_csv_bytes(data: bytes, is_header: HeaderTest | None = None) -> Table:
    """A CSV (or TSV) file as a :class:`Table` (fast C parser; every cell read as text)."""
    text, encoding = decode(data)
    if "\x00" in text:
        raise UserError("Ce fichier n'est pas un fichier texte (CSV) ni un classeur Excel (.xlsx) : enregistrez-le au format CSV ou XLSX.")
    physical = text.splitlines()[: HEADER_SCAN * 2]
    head = [line for line in physical if line.strip()]
    if not head:
        raise UserError("Le fichier est vide : aucune ligne d'en-tête ni de données n'a été trouvée.")
    sep = sniff_separator(head)
    candidates = [(number, row) for number, row in enumerate(_split(physical, sep)) if any(c.strip() for c in row)]
    index = _find_header([row for _, row in candidates], is_header)
    header_index, header_cells = candidates[index]
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            skiprows=header_index + 1,
            names=range(max(len(header_cells), 1)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as error:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if match:
            line = int(match[2])  # pandas counts the skipped lines too: this is the file's line
            raise UserError(
                f"ligne {line} : {match[3]} champs au lieu de {match[1]} (séparateur « {sep} » ; {SEPARATOR_NAMES[sep]}). "
                "Une cellule contient sans doute le séparateur sans guillemets, ou l'en-tête a moins de colonnes que les données."
            ) from error
        raise UserError(f"Le fichier CSV n'a pas pu être lu (guillemets non fermés ?) : {_plain(error)}") from error
    except (ValueError, csv.Error) as error:
        raise UserError(f"Le fichier CSV n'a pas pu être lu : {_plain(error)}") from error
    frame, lines = _finish(frame, header_cells, header_index + 2)
    description = f"CSV, {encoding}, séparateur « {sep if sep != chr(9) else 'tab'} » ({SEPARATOR_NAMES[sep]})"
    return Table(frame, lines, header_index + 1, description)


def _plain(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def sheet_names(data: bytes) -> list[str]:
    """The sheet names of an XLSX workbook (UserError when it cannot be opened)."""
    return list(_workbook(data).sheetnames)


def _workbook(data: bytes):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UserError:
        raise
    except Exception as error:  # a damaged workbook fails anywhere in zip, XML or openpyxl code
        raise UserError(
            "Ce classeur Excel n'a pas pu être ouvert (fichier abîmé, protégé par mot de passe ou pas au format .xlsx). "
            "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau en .xlsx, ou exportez la feuille en CSV."
        ) from error


def chosen_sheet(book: Any, sheet: str | None) -> str:
    """The sheet to read: ``sheet`` when the workbook has it, else the only sheet with data.

    UserError (French) for an unknown sheet, or when several sheets hold data and none was named."""
    names = list(book.sheetnames)
    if sheet is None:
        with_data = [n for n in names if _has_data(book[n])]
        if len(with_data) > 1:
            raise UserError(
                f"Le classeur contient plusieurs feuilles avec des données ({', '.join(f'« {n} »' for n in with_data)}) : "
                "choisissez-en une (option --sheet NOM, ou la liste « Feuille » dans la page)."
            )
        return with_data[0] if with_data else names[0]
    if sheet not in names:
        raise UserError(f"Le classeur n'a pas de feuille « {sheet} » (feuilles : {', '.join(f'« {n} »' for n in names)}).")
    return sheet


def read_xlsx_bytes(data: bytes, sheet: str | None = None, is_header: HeaderTest | None = None) -> Table:
    """One sheet of an XLSX workbook as a :class:`Table`.

    With several sheets, ``sheet`` must name one, unless only one has data. Dates become ISO text,
    integral numbers lose their « .0 » (codes typed as numbers).
    """
    book = _workbook(data)
    try:
        names = list(book.sheetnames)
        sheet = chosen_sheet(book, sheet)
        try:
            rows = [[clean_cell(c) for c in row] for row in book[sheet].iter_rows(values_only=True)]
        except UserError:
            raise
        except Exception as error:  # a damaged workbook fails anywhere in zip, XML or openpyxl code
            raise UserError(f"La feuille « {sheet} » n'a pas pu être lue : enregistrez le classeur à nouveau en .xlsx.") from error
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise UserError(f"La feuille « {sheet} » est vide.")
    header_index = _find_header(rows, is_header)
    width = max(len(r) for r in rows)
    body = [r + [""] * (width - len(r)) for r in rows[header_index + 1 :]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object) if body else pd.DataFrame(columns=range(width))
    frame, lines = _finish(frame, rows[header_index], header_index + 2)
    return Table(frame, lines, header_index + 1, f"classeur Excel, feuille « {sheet} »", sheet=sheet, sheets=names)


def _has_data(worksheet) -> bool:  # type: ignore[no-untyped-def]
    return any(any(c not in (None, "") for c in row) for row in worksheet.iter_rows(values_only=True, max_row=HEADER_SCAN))


def read_table(data: bytes, file_name: str, sheet: str | None = None, is_header: HeaderTest | None = None) -> Table:
    """A CSV or XLSX file's table; refuses other formats with a French message."""
    if not data:
        raise UserError("Le fichier est vide (0 octet).")
    if is_xlsx(data):
        return read_xlsx_bytes(data, sheet, is_header)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or file_name.lower().endswith((".xls", ".ods")):
        raise UserError(
            "Les classeurs .xls (Excel 97-2003) et .ods ne sont pas lus : enregistrez le fichier au format .xlsx ou exportez la feuille en CSV."
        )
    return read_csv_bytes(data, is_header)


@dataclass
class SelectedRows:
    """What :func:`read_rows` keeps of a file holding personal data.

    ``labels``: the kept header labels; ``header``: every header label (made unique, empty trailing
    cells dropped), to name columns in messages; ``rows``: each data row's line and its kept cells,
    or ``None`` when it has not as many fields as the header; ``samples``: for the first
    ``SAMPLE_ROWS`` data rows, ``describe`` applied to *all* their fields (a shape per cell, never
    the cells), to check that the header and the data are aligned.
    """

    labels: list[str]
    header: list[str]
    rows: list[tuple[int, list[str] | None]]
    description: str
    samples: list[list[str]] = field(default_factory=list)


SAMPLE_ROWS = 200
CellsDescriber = Callable[[Sequence[str]], list[str]]
"""Turns a row's cells into non-identifying descriptions (one short word per cell)."""


def read_rows(
    data: bytes, sheet: str | None, is_header: HeaderTest, keep: Callable[[str], bool], describe: CellsDescriber | None = None
) -> SelectedRows:
    """Row by row reading for exports holding personal data (Histologe).

    Only the header cells for which ``keep(label)`` is true are kept from each row: other cells are
    dropped as the row is read and never reach a DataFrame. ``describe``, when given, sees the whole
    of the first rows and returns what may be kept of them (see :class:`SelectedRows`).
    """
    if is_xlsx(data):
        book = _workbook(data)
        try:
            names = list(book.sheetnames)
            if sheet is not None and sheet not in names:
                raise UserError(f"Le classeur n'a pas de feuille « {sheet} » (feuilles : {', '.join(f'« {n} »' for n in names)}).")
            name = sheet or names[0]
            rows = ([clean_cell(c) for c in row] for row in book[name].iter_rows(values_only=True))
            return _select(enumerate(rows, start=1), is_header, keep, f"classeur Excel, feuille « {name} »", False, describe)
        except UserError:
            raise
        except Exception as error:  # a damaged workbook fails anywhere in zip, XML or openpyxl code
            raise UserError("Ce classeur Excel n'a pas pu être lu : enregistrez-le à nouveau en .xlsx, ou exportez-le en CSV.") from error
        finally:
            book.close()
    text, encoding = decode(data)
    head = [line for line in text.splitlines()[: HEADER_SCAN * 2] if line.strip()]
    if not head:
        raise UserError("Le fichier est vide : aucune ligne d'en-tête ni de données n'a été trouvée.")
    sep = sniff_separator(head)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        line = 1
        try:
            for row in reader:
                yield line, row
                line = reader.line_num + 1
        except csv.Error as error:
            raise UserError(f"ligne {line} : le fichier CSV n'a pas pu être lu ({_plain(error)}).") from error

    description = f"CSV, {encoding}, séparateur « {sep if sep != chr(9) else 'tab'} » ({SEPARATOR_NAMES[sep]})"
    return _select(numbered(), is_header, keep, description, True, describe)


def _select(
    rows: Iterable[tuple[int, list[str]]],
    is_header: HeaderTest,
    keep: Callable[[str], bool],
    description: str,
    strict_width: bool,
    describe: CellsDescriber | None,
) -> SelectedRows:
    iterator = iter(rows)
    for scanned, (_, row) in enumerate(iterator):
        if is_header(row):
            header = row
            break
        if scanned >= HEADER_SCAN:
            raise UserError("En-tête introuvable dans les 30 premières lignes.")
    else:
        raise UserError("En-tête introuvable : le fichier ne contient pas la ligne d'en-tête attendue.")
    width = len(header)
    while width and not str(header[width - 1]).strip():
        width -= 1
    labels = _labels(header[:width])
    indices = [i for i, label in enumerate(labels) if keep(label)]
    out: list[tuple[int, list[str] | None]] = []
    samples: list[list[str]] = []
    for line, row in iterator:
        if not any(str(c).strip() for c in row):
            continue
        if describe is not None and len(samples) < SAMPLE_ROWS:
            samples.append(describe([str(c) for c in row]))
        extra = row[width:]
        if (strict_width and len(row) != len(header) and (len(row) < width or any(str(c).strip() for c in extra))) or (
            not strict_width and any(str(c).strip() for c in extra)
        ):
            out.append((line, None))
            continue
        out.append((line, [str(row[i]).strip() if i < len(row) else "" for i in indices]))
    return SelectedRows([labels[i] for i in indices], labels, out, description, samples)
