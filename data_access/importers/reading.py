"""Bytes of an uploaded file → a table of text cells under its header row.

What real files contain is tolerated: UTF-8 with or without BOM, UTF-16 (with or without BOM),
Windows-1252; ``;``, ``,`` or tab separators (sniffed); a title line above the header; empty
trailing rows and columns; XLSX workbooks with several sheets (one is chosen). The bytes are read
in memory and never written to disk. Unreadable input raises :class:`~data_access.errors.UserError`
with a French message, and so does input beyond the bounds of :data:`LIMITS`: a file's cost in
memory and time is bounded before it is parsed (zip bombs, forged sheet dimensions, huge tables).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from data_access.errors import UserError
from data_access.french import fr_number
from data_access.importers.text import clean_cell, quoted_value

HEADER_SCAN = 30  # the header is looked for in the first lines: a title or notes may stand above it
HEAD_CHARS = 1 << 20  # the first lines are looked for in the first million characters only
SEPARATORS = (";", "\t", ",")  # preference order on a tie: French files use ;
SEPARATOR_NAMES = {";": "point-virgule", "\t": "tabulation", ",": "virgule"}
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other Office 97 files
XLS_REFUSAL = "Format Excel 97-2003 (.xls) non pris en charge : enregistrez le classeur en .xlsx ou en CSV."
_PHYSICAL_LINE = re.compile(r"\r\n|\r|\n")  # what the csv module ends a line on (not str.splitlines' \x0c, \u2028…)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")

HeaderTest = Callable[[Sequence[str]], bool]
"""Tells whether a row of cells is the header the format expects."""


@dataclass(frozen=True)
class Limits:
    """What one file may cost to read; beyond any bound it is refused, naming the bound.

    ``rows``: lines of a CSV file or rows of a sheet, header and blank ones included. Excel's own
    sheet limit (1 048 576 rows): a larger file could not be opened in a spreadsheet to be
    corrected, and a 1 000 000-row long table fits. The XLSX bounds are checked on the zip
    directory before any XML is parsed (``zip_members``, ``uncompressed_bytes``, ``ratio`` for a
    member over ``ratio_floor`` bytes: office files compress 5 to 20 times, a zip bomb hundreds of
    times), then while reading (``shared_strings``, ``sheets``, ``cells``: every cell the reader
    yields, empty ones included, so that a forged dimension or a cell in column XFD costs no more
    than the bound).
    """

    rows: int = 1_048_576
    zip_members: int = 1_000
    uncompressed_bytes: int = 512 * 1024 * 1024
    ratio: int = 100
    ratio_floor: int = 1024 * 1024
    shared_strings: int = 1_000_000
    sheets: int = 100
    cells: int = 12_000_000


LIMITS = Limits()


@dataclass
class Table:
    """A file's data rows as text under its header.

    ``frame`` has one column per header cell (labels stripped, made unique; empty trailing columns
    dropped) and one row per non-empty data row, cells as ``str`` ("" when empty). ``lines`` gives
    each row's line in the file (CSV: the physical line where the row starts, a quoted cell may
    span lines) or row number (XLSX), counting from 1 as a spreadsheet does. ``too_wide``: the
    CSV rows left out of ``frame`` because they have more (non-empty) fields than the header, as
    (line, French problem): their cells cannot be matched to the columns.
    """

    frame: pd.DataFrame
    lines: np.ndarray
    header_line: int
    description: str
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    too_wide: list[tuple[int, str]] = field(default_factory=list)


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def check_kind(data: bytes, file_name: str = "") -> None:
    """UserError (French) for the files no format can read: empty, Excel 97-2003, OpenDocument."""
    if not data.strip():
        raise UserError("Le fichier est vide.")
    if data.startswith(OLE2_SIGNATURE) or file_name.lower().endswith(".xls"):
        raise UserError(XLS_REFUSAL)
    if file_name.lower().endswith(".ods"):
        raise UserError("Format OpenDocument (.ods) non pris en charge : enregistrez le classeur en .xlsx ou en CSV.")


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name, decided for the whole file and never by a silent replacement.

    UTF-8 (BOM stripped) when the file decodes as UTF-8; UTF-16 when it has a UTF-16 BOM or the
    pattern of NUL bytes of UTF-16 text without one; Windows-1252 only when no valid multibyte
    UTF-8 sequence is found (a file saved by old Excel). A mostly UTF-8 file with a few bad bytes
    is refused, naming the first undecodable line (never its content): read as Windows-1252 its
    accents would be stored as mojibake (« Ã© »).
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", data[:3]), "UTF-8 (avec BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "UTF-16"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16), "UTF-16 (sans BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        if _UTF8_MULTIBYTE.search(data):
            raise UserError(_undecodable(data, error.start, "utf-8")) from error
    return _strict(data, "cp1252"), "Windows-1252"


def _strict(data: bytes, encoding: str, prefix: bytes = b"") -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UserError(_undecodable(prefix + data, len(prefix) + error.start, encoding)) from error


def _undecodable(data: bytes, position: int, encoding: str) -> str:
    name = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(encoding, "UTF-16")
    line = data[:position].decode(encoding, errors="replace").count("\n") + 1  # the bytes before the error decode
    return (
        f"ligne {line} : caractère illisible en {name}, l'encodage du reste du fichier ; rien n'a été lu. "
        "Le fichier a sans doute été modifié avec un autre encodage : ouvrez-le dans un tableur et "
        "enregistrez-le à nouveau en « CSV UTF-8 »."
    )


def _utf16_without_bom(data: bytes) -> str | None:
    """« utf-16-le » or « utf-16-be » when the first bytes have a NUL in every other byte (ASCII
    letters, digits and separators in UTF-16), else None."""
    head = data[:4096]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    share_even, share_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if share_odd >= 0.7 and share_even <= 0.1:
        return "utf-16-le"
    if share_even >= 0.7 and share_odd <= 0.1:
        return "utf-16-be"
    return None


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


def _finish(frame: pd.DataFrame, header_cells: Sequence[str], lines: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Name the columns, drop empty trailing columns and empty rows; ``lines`` (one per row of
    ``frame``) of the kept rows."""
    frame = frame.fillna("").astype(str)
    width = frame.shape[1]
    cells = list(header_cells) + [""] * max(0, width - len(header_cells))
    frame.columns = _labels(cells[:width])
    keep = [c for c, h in zip(frame.columns, cells, strict=False) if str(h).strip() or frame[c].str.strip().ne("").any()]
    frame = frame[keep]
    nonempty = frame.apply(lambda col: col.str.strip().ne("")).any(axis=1).to_numpy() if len(keep) else np.zeros(len(frame), bool)
    return frame[nonempty].reset_index(drop=True), lines[nonempty]


def head_lines(text: str) -> list[str]:
    """The first physical lines of a text, split where the csv module splits them."""
    return _PHYSICAL_LINE.split(text[:HEAD_CHARS], maxsplit=HEADER_SCAN * 2)[: HEADER_SCAN * 2]


def read_csv_bytes(data: bytes, is_header: HeaderTest | None = None, limits: Limits = LIMITS) -> Table:
    """A CSV (or TSV) file as a :class:`Table`, every cell read as text.

    A row shorter than the header gets empty cells; a row with more non-empty fields than the
    header is left out of ``frame`` and listed in ``Table.too_wide``: its cells cannot be matched
    to the columns (a separator inside an unquoted cell shifts them).
    """
    text, encoding = _text(data)
    physical = head_lines(text)
    head = [line for line in physical if line.strip()]
    if not head:
        raise UserError("Le fichier est vide : aucune ligne d'en-tête ni de données n'a été trouvée.")
    sep = sniff_separator(head)
    candidates = [(number, row) for number, row in enumerate(_split(physical, sep), start=1) if any(c.strip() for c in row)]
    index = _find_header([row for _, row in candidates], is_header)
    header_line, header_cells = candidates[index]
    width = max(len(header_cells), 1)
    fast = _unquoted_frame(text, sep, header_line, width, limits)
    if fast is not None:
        no_line: list[tuple[int, str]] = []
        frame, lines, too_wide = fast, np.arange(header_line + 1, header_line + 1 + len(fast)), no_line
    else:
        frame, lines, too_wide = _records_frame(text, sep, header_line, width, limits)
    frame, kept = _finish(frame, header_cells, lines)
    description = f"CSV, {encoding}, séparateur « {sep if sep != chr(9) else 'tab'} » ({SEPARATOR_NAMES[sep]})"
    return Table(frame, kept, header_line, description, too_wide=too_wide)


def _unquoted_frame(text: str, sep: str, header_line: int, width: int, limits: Limits) -> pd.DataFrame | None:
    """The rows under the header by pandas' C parser, five times faster than :func:`_records`;
    None when that one must read the file: a quote (a cell may then span lines, and rows are no
    longer lines) or a row wider than the header (which pandas would drop or shift)."""
    if '"' in text:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # a wider first row: « loss of data »
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=None,
                skiprows=header_line,
                names=range(width),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                quoting=csv.QUOTE_NONE,
                engine="c",
            )
        except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
            return None
    if header_line + len(frame) > limits.rows:
        raise UserError(too_many_rows(limits))
    longest = frame.apply(lambda column: column.str.len()).max(axis=1).to_numpy() if len(frame) else np.zeros(0)
    over = np.flatnonzero(longest > csv.field_size_limit())  # the bound the csv module holds the other files to
    if len(over):
        raise UserError(f"ligne {header_line + 1 + over[0]} : le fichier CSV n'a pas pu être lu : {_cell_too_long()}.")
    return frame


def _records_frame(
    text: str, sep: str, header_line: int, width: int, limits: Limits
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, str]]]:
    """The rows under the header read record by record (:func:`_records`): frame, lines, too_wide."""
    rows: list[list[str]] = []
    lines: list[int] = []
    too_wide: list[tuple[int, str]] = []
    for line, row in _records(text, sep, limits):
        if line <= header_line or not row:
            continue
        if len(row) > width:
            if any(c.strip() for c in row[width:]):
                too_wide.append((line, _too_wide(len(row), width, sep)))
                continue
            row = row[:width]
        elif len(row) < width:
            row += [""] * (width - len(row))
        rows.append(row)
        lines.append(line)
    frame = pd.DataFrame(rows, columns=range(width)) if rows else pd.DataFrame(columns=range(width))
    return frame, np.array(lines, dtype=np.int64), too_wide


def _too_wide(fields: int, width: int, sep: str) -> str:
    return (
        f"{fields} champs au lieu de {width} (séparateur « {sep if sep != chr(9) else 'tab'} » ; {SEPARATOR_NAMES[sep]}) : "
        "ligne non lue. Une cellule contient sans doute le séparateur sans guillemets, ou l'en-tête a moins de colonnes que les données."
    )


def _records(text: str, sep: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the physical line it starts on (a quoted cell may span lines).

    UserError naming the line for a quote left open or misplaced, a cell over the csv module's
    field size limit (131 072 characters), and beyond ``limits.rows`` lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    line = 1
    try:
        for row in reader:
            if reader.line_num > limits.rows:
                raise UserError(too_many_rows(limits))
            yield line, row
            line = reader.line_num + 1
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            problem = _cell_too_long()
        else:
            problem = "guillemet non fermé ou mal placé (une cellule entre guillemets se termine par un guillemet suivi du séparateur ou de la fin de ligne)"
        raise UserError(f"ligne {line} : le fichier CSV n'a pas pu être lu : {problem}.") from error


def _cell_too_long() -> str:
    return f"une cellule dépasse {fr_number(csv.field_size_limit())} caractères"


def too_many_rows(limits: Limits = LIMITS) -> str:
    """The refusal of a file over ``limits.rows`` lines or rows."""
    return (
        f"Fichier trop long : plus de {fr_number(limits.rows)} lignes (limite du nombre de lignes d'un fichier importé, "
        "celle d'une feuille Excel). Découpez-le, par année ou par indicateur."
    )


def _text(data: bytes) -> tuple[str, str]:
    """:func:`decode`, refusing binary files (NUL characters are no text)."""
    text, encoding = decode(data)
    if "\x00" in text:
        raise UserError("Ce fichier n'est pas un fichier texte (CSV) ni un classeur Excel (.xlsx) : enregistrez-le au format CSV ou XLSX.")
    return text, encoding


def _refused_workbook(reason: str) -> UserError:
    return UserError(
        f"Classeur Excel refusé : {reason}. Un classeur de données ordinaire reste loin de cette limite : "
        "enregistrez la feuille en CSV, ou découpez le classeur."
    )


def check_archive(data: bytes, limits: Limits = LIMITS) -> None:
    """Refuse (UserError) a workbook whose zip directory announces more than ``limits`` allow.

    Nothing is decompressed except the shared strings, counted by streaming their XML (openpyxl
    would hold them all). The sizes announced bound what can be read: Python's zip reader stops at
    a member's announced size.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _damaged() from error
    if len(members) > limits.zip_members:
        raise _refused_workbook(f"il contient {fr_number(len(members))} fichiers internes (au plus {fr_number(limits.zip_members)})")
    total = sum(m.file_size for m in members)
    if total > limits.uncompressed_bytes:
        raise _refused_workbook(
            f"une fois décompressé, il occuperait {fr_number(total / 1048576)} Mo (au plus {fr_number(limits.uncompressed_bytes / 1048576)} Mo)"
        )
    for member in members:
        if member.file_size > limits.ratio_floor and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise _refused_workbook(
                f"une de ses parties se décompresse {fr_number(member.file_size / max(member.compress_size, 1))} fois "
                f"(au plus {fr_number(limits.ratio)} fois), la marque d'une « bombe de décompression »"
            )
    shared = [m for m in members if m.filename.lower().rsplit("/", 1)[-1] == "sharedstrings.xml"]
    if shared and _shared_strings(data, shared[0]) > limits.shared_strings:
        raise _refused_workbook(f"il contient plus de {fr_number(limits.shared_strings)} textes distincts")


def _shared_strings(data: bytes, member: zipfile.ZipInfo) -> int:
    """The number of ``<si>`` entries of the shared strings, read by 1 MB chunks."""
    count, tail = 0, b""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk  # a tag cut by the chunk boundary is whole here; one whole in the tail was counted already
            count += len(_SHARED_STRING.findall(block)) - len(_SHARED_STRING.findall(tail))
            tail = block[-32:]
    return count


def _damaged() -> UserError:
    return UserError(
        "Ce classeur Excel n'a pas pu être ouvert (fichier abîmé, protégé par mot de passe ou pas au format .xlsx). "
        "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau en .xlsx, ou exportez la feuille en CSV."
    )


@contextmanager
def _open_book(data: bytes, limits: Limits = LIMITS) -> Iterator[Any]:
    """:func:`_workbook`, closed afterwards; an error while reading it (a damaged workbook fails
    anywhere in zip, XML or openpyxl code) becomes a French UserError."""
    book = _workbook(data, limits)
    try:
        yield book
    except UserError:
        raise
    except Exception as error:
        raise UserError("Ce classeur Excel n'a pas pu être lu : enregistrez-le à nouveau en .xlsx, ou exportez-le en CSV.") from error
    finally:
        book.close()


def sheet_names(data: bytes) -> list[str]:
    """The sheet names of an XLSX workbook (UserError when it cannot be opened or is over the limits)."""
    book = _workbook(data)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _workbook(data: bytes, limits: Limits = LIMITS):  # type: ignore[no-untyped-def]
    """The workbook, opened read-only after :func:`check_archive`; refused over ``limits.sheets`` sheets."""
    from openpyxl import load_workbook

    check_archive(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UserError:
        raise
    except Exception as error:  # a damaged workbook fails anywhere in zip, XML or openpyxl code
        raise _damaged() from error
    if len(book.sheetnames) > limits.sheets:
        book.close()
        raise _refused_workbook(f"il contient {fr_number(len(book.sheetnames))} feuilles (au plus {fr_number(limits.sheets)})")
    return book


def _rows(worksheet: Any, limits: Limits = LIMITS, max_row: int | None = None) -> Iterator[list[str]]:
    """A sheet's rows as text cells, within ``limits.rows`` and ``limits.cells`` (UserError beyond)."""
    worksheet.reset_dimensions()  # the stored <dimension> is not trusted: a forged one pads every row to 16 384 cells
    cells = 0
    for number, row in enumerate(worksheet.iter_rows(values_only=True, max_row=max_row), start=1):
        cells += len(row)
        if cells > limits.cells:
            raise _refused_workbook(
                f"la feuille « {quoted_value(worksheet.title)} » a plus de {fr_number(limits.cells)} cellules, vides comprises"
            )
        if number > limits.rows:
            raise UserError(too_many_rows(limits))
        end = len(row)
        while end and row[end - 1] is None:  # a styled empty cell far right pads the row with None
            end -= 1
        yield [clean_cell(c) for c in row[:end]]


def chosen_sheet(book: Any, sheet: str | None) -> str:
    """The sheet to read: ``sheet`` when the workbook has it, else the only sheet with data.

    UserError (French) for an unknown sheet, or when several sheets hold data and none was named."""
    names = list(book.sheetnames)
    if sheet is None:
        with_data = [n for n in names if _has_data(book[n])]
        if len(with_data) > 1:
            raise UserError(
                f"Le classeur contient plusieurs feuilles avec des données ({_sheet_list(with_data)}) : "
                "choisissez-en une (option --sheet NOM, ou la liste « Feuille » dans la page)."
            )
        return with_data[0] if with_data else names[0]
    if sheet not in names:
        raise UserError(f"Le classeur n'a pas de feuille « {quoted_value(sheet)} » (feuilles : {_sheet_list(names)}).")
    return sheet


def _sheet_list(names: Sequence[str]) -> str:
    return ", ".join(f"« {quoted_value(n)} »" for n in names)


def read_xlsx_bytes(data: bytes, sheet: str | None = None, is_header: HeaderTest | None = None, limits: Limits = LIMITS) -> Table:
    """One sheet of an XLSX workbook as a :class:`Table`.

    With several sheets, ``sheet`` must name one, unless only one has data. Dates become ISO text,
    integral numbers lose their « .0 » (codes typed as numbers).
    """
    book = _workbook(data, limits)
    try:
        names = list(book.sheetnames)
        sheet = chosen_sheet(book, sheet)
        try:
            rows = list(_rows(book[sheet], limits))
        except UserError:
            raise
        except Exception as error:  # a damaged workbook fails anywhere in zip, XML or openpyxl code
            raise UserError(
                f"La feuille « {quoted_value(sheet)} » n'a pas pu être lue : enregistrez le classeur à nouveau en .xlsx."
            ) from error
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise UserError(f"La feuille « {quoted_value(sheet)} » est vide.")
    header_index = _find_header(rows, is_header)
    width = max(len(r) for r in rows)
    body = [r + [""] * (width - len(r)) for r in rows[header_index + 1 :]]
    frame = pd.DataFrame(body, columns=range(width), dtype=object) if body else pd.DataFrame(columns=range(width))
    frame, lines = _finish(frame, rows[header_index], np.arange(header_index + 2, header_index + 2 + len(body)))
    return Table(frame, lines, header_index + 1, f"classeur Excel, feuille « {quoted_value(sheet)} »", sheet=sheet, sheets=names)


def _has_data(worksheet: Any) -> bool:
    return any(any(c != "" for c in row) for row in _rows(worksheet, max_row=HEADER_SCAN))


def read_table(
    data: bytes, file_name: str, sheet: str | None = None, is_header: HeaderTest | None = None, limits: Limits = LIMITS
) -> Table:
    """A CSV or XLSX file's table; refuses other formats, and files over ``limits``, with a French message."""
    check_kind(data, file_name)
    if is_xlsx(data):
        return read_xlsx_bytes(data, sheet, is_header, limits)
    return read_csv_bytes(data, is_header, limits)


def head_rows(data: bytes, sheet: str | None) -> list[list[str]]:
    """The first rows of a file (at most HEADER_SCAN, blank lines skipped in CSV), to recognise its
    format; nothing else is parsed. UserError as :func:`read_table` for an unreadable file."""
    check_kind(data)
    if is_xlsx(data):
        with _open_book(data) as book:
            return list(_rows(book[chosen_sheet(book, sheet)], max_row=HEADER_SCAN))
    text, _ = _text(data)
    lines = [line for line in head_lines(text)[:HEADER_SCAN] if line.strip()]
    return _split(lines, sniff_separator(lines)) if lines else []


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
    data: bytes,
    sheet: str | None,
    is_header: HeaderTest,
    keep: Callable[[str], bool],
    describe: CellsDescriber | None = None,
    limits: Limits = LIMITS,
) -> SelectedRows:
    """Row by row reading for exports holding personal data (Histologe).

    Only the header cells for which ``keep(label)`` is true are kept from each row: other cells are
    dropped as the row is read and never reach a DataFrame. ``describe``, when given, sees the whole
    of the first rows and returns what may be kept of them (see :class:`SelectedRows`). The bounds
    of ``limits`` hold as in :func:`read_table`.
    """
    check_kind(data)
    if is_xlsx(data):
        with _open_book(data, limits) as book:
            names = list(book.sheetnames)
            if sheet is not None and sheet not in names:
                raise UserError(f"Le classeur n'a pas de feuille « {quoted_value(sheet)} » (feuilles : {_sheet_list(names)}).")
            name = sheet or names[0]
            rows = _rows(book[name], limits)
            return _select(enumerate(rows, start=1), is_header, keep, f"classeur Excel, feuille « {quoted_value(name)} »", False, describe)
    text, encoding = _text(data)
    head = [line for line in head_lines(text) if line.strip()]
    if not head:
        raise UserError("Le fichier est vide : aucune ligne d'en-tête ni de données n'a été trouvée.")
    sep = sniff_separator(head)
    description = f"CSV, {encoding}, séparateur « {sep if sep != chr(9) else 'tab'} » ({SEPARATOR_NAMES[sep]})"
    return _select(_records(text, sep, limits), is_header, keep, description, True, describe)


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
