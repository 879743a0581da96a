"""Reading a file safely (issue 18): bounded cost, one decoding per file, rows where they are.

- an XLSX zip bomb, a forged sheet dimension, too many cells, shared strings, sheets or zip
  members are refused (or read within bounds) before openpyxl holds them in memory;
- a row limit holds for CSV and XLSX, and the upload size limit names itself in French;
- a file is decoded one way, never with replacement characters: a few bad bytes in a UTF-8 file
  are refused naming the line; UTF-16 without BOM is read; empty and .xls files say what they are;
- line numbers are the physical line a row starts on, rows with extra fields are errors;
- wide headers « Année 2024 », « An 2024 », « 2024 (provisoire) » are periods;
- 300 seeded random files read, and 40 imported, never raise anything but UserError, in French.
"""

from __future__ import annotations

import codecs
import io
import random
import re
import zipfile

import pytest
from openpyxl import Workbook

from data_access.errors import UserError
from data_access.importers import ImportOptions, prepare_import
from data_access.importers.formats import is_histologe_header, is_long_header, long_candidates, wide_candidates
from data_access.importers.reading import Limits, decode, read_rows, read_table
from data_access.importers.service import _wide_header, detect_format
from data_access.importers.text import period_header, quoted_value

LONG_HEADER = "indicateur;territoire;periode;valeur"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(sheet_xml: bytes | None = None, sheets: int = 1, parts: dict[str, bytes] | None = None) -> bytes:
    """A real openpyxl workbook (long format, one data row), its first sheet's XML replaced by
    ``sheet_xml`` and the zip members of ``parts`` replaced or added."""
    book = Workbook()
    book.active.append(["indicateur", "territoire", "periode", "valeur"])
    book.active.append(["assignations", "38185", "2024", 3])
    for number in range(1, sheets):
        book.create_sheet(f"Feuille {number}")
    buffer = io.BytesIO()
    book.save(buffer)
    parts = dict(parts or {})
    if sheet_xml is not None:
        parts["xl/worksheets/sheet1.xml"] = sheet_xml
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, parts.pop(info.filename, None) or source.read(info))
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _sheet(rows: str, dimension: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dimension}<sheetData>{rows}</sheetData></worksheet>'.encode()


def _row(number: int, *cells: str, first_column: str = "A") -> str:
    columns = [chr(ord(first_column) + i) for i in range(len(cells))]
    inline = "".join(f'<c r="{c}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in zip(columns, cells, strict=True))
    return f'<row r="{number}">{inline}</row>'


def _shared_strings(count: int) -> bytes:
    strings = "".join(f"<si><t>texte {n}</t></si>" for n in range(count))
    return f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{strings}</sst>'.encode()


HEADER_ROWS = _row(1, "indicateur", "territoire", "periode", "valeur") + _row(2, "assignations", "38185", "2024", "3")


# --- XLSX bounds -------------------------------------------------------------------------------


def test_a_zip_bomb_workbook_is_refused_before_its_xml_is_parsed():
    # 8 MB of identical cells deflate to a few kilobytes: a ratio of about a thousand
    bomb = _workbook(_sheet(HEADER_ROWS + '<row><c t="n"><v>1</v></c></row>' * 250_000))
    assert len(bomb) < 60_000
    with pytest.raises(UserError, match="bombe de décompression") as refused:
        read_table(bomb, "bombe.xlsx")
    assert str(refused.value).startswith("Classeur Excel refusé : une de ses parties se décompresse ")


def test_a_forged_dimension_does_not_pad_the_sheet():
    # the <dimension> announces 1 048 576 × 16 384 cells: trusted, it cost gigabytes; the cells are read as they are
    forged = _workbook(_sheet(HEADER_ROWS, dimension='<dimension ref="A1:XFD1048576"/>'))
    table = read_table(forged, "dimension.xlsx")
    assert table.frame.to_dict("records") == [{"indicateur": "assignations", "territoire": "38185", "periode": "2024", "valeur": "3"}]


def test_cells_far_right_count_against_the_cell_limit():
    # one cell in column XFD per row: each row is 16 384 cells wide; 1 000 rows are 16 million cells
    far = "".join(f'<row r="{n}"><c r="XFD{n}" t="n"><v>1</v></c></row>' for n in range(3, 1_003))
    with pytest.raises(UserError, match=r"la feuille « Sheet » a plus de 12\u202f000\u202f000 cellules, vides comprises"):
        read_table(_workbook(_sheet(HEADER_ROWS + far)), "large.xlsx")


@pytest.mark.parametrize(
    ("limits", "parts", "sheets", "message"),
    [
        (Limits(zip_members=5), {f"xl/media/image{n}.png": b"x" for n in range(10)}, 1, r"il contient \d+ fichiers internes \(au plus 5\)"),
        (Limits(uncompressed_bytes=2_000), {}, 1, r"une fois décompressé, il occuperait \d+ Mo \(au plus 0 Mo\)"),
        (Limits(shared_strings=2), {"xl/sharedStrings.xml": _shared_strings(3)}, 1, "il contient plus de 2 textes distincts"),
        (Limits(sheets=2), {}, 3, r"il contient 3 feuilles \(au plus 2\)"),
        (Limits(cells=5), {}, 1, "a plus de 5 cellules"),
    ],
)
def test_workbook_bounds_are_named_in_french(limits, parts, sheets, message):
    with pytest.raises(UserError, match=message):
        read_table(_workbook(sheets=sheets, parts=parts), "classeur.xlsx", sheet="Sheet", limits=limits)


def test_the_shared_strings_are_counted_across_chunks():
    data = _workbook(parts={"xl/sharedStrings.xml": _shared_strings(120_000)})  # about 3 MB: several 1 MB chunks
    read_table(data, "textes.xlsx", limits=Limits(shared_strings=120_000, ratio=1_000))
    with pytest.raises(UserError, match="plus de 119\u202f999 textes distincts"):
        read_table(data, "textes.xlsx", limits=Limits(shared_strings=119_999, ratio=1_000))


# --- rows and size ------------------------------------------------------------------------------


def test_row_limit_holds_for_csv_xlsx_and_row_by_row_reading():
    limits = Limits(rows=10)
    fine = (LONG_HEADER + "\n" + "assignations;38185;2024;1\n" * 9).encode()
    assert len(read_table(fine, "t.csv", limits=limits).frame) == 9
    message = r"Fichier trop long : plus de 10 lignes \(limite du nombre de lignes d'un fichier importé"
    with pytest.raises(UserError, match=message):
        read_table(fine + b"assignations;38185;2024;1\n", "t.csv", limits=limits)
    with pytest.raises(UserError, match=message):
        read_rows(fine + b"assignations;38185;2024;1\n", None, lambda cells: "indicateur" in cells, lambda label: True, limits=limits)
    gap = _workbook(_sheet(HEADER_ROWS + _row(11, "assignations", "38185", "2025", "1")))
    with pytest.raises(UserError, match=message):
        read_table(gap, "t.xlsx", limits=limits)


def test_too_large_upload_names_the_limit_in_french(conn):
    with pytest.raises(UserError, match=r"^Fichier trop volumineux : 1,5 Mo pour 1 Mo au plus\."):
        prepare_import(conn, b"x" * (3 * 1024 * 512), "gros.csv", max_bytes=1024 * 1024)


# --- decoding -----------------------------------------------------------------------------------

TEXT = "indicateur;territoire;periode;valeur\nassignations;Échirolles;2024;1\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode(), "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode(), "UTF-8 (avec BOM)"),
        (TEXT.encode("utf-16"), "UTF-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16"),
        (TEXT.encode("utf-16-le"), "UTF-16 (sans BOM)"),
        (TEXT.encode("utf-16-be"), "UTF-16 (sans BOM)"),
        (TEXT.encode("cp1252"), "Windows-1252"),
    ],
)
def test_each_file_is_decoded_one_way(data, encoding):
    assert decode(data) == (TEXT, encoding)


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_few_bad_bytes_in_a_utf8_file_are_refused_naming_the_line(bom):
    data = bom + TEXT.encode() + "assignations;Saint-Égrève;2023;2\n".encode() + b"assignations;Gr\xe9sivaudan;2023;2\n"
    with pytest.raises(UserError) as refused:
        read_table(data, "t.csv")
    message = str(refused.value)
    assert message.startswith("ligne 4 : caractère illisible en UTF-8, l'encodage du reste du fichier ; rien n'a été lu.")
    assert "Gr" not in message and "\ufffd" not in message


def test_utf16_without_bom_imports_and_a_bad_byte_is_never_stored_as_mojibake(conn):
    preview = prepare_import(conn, "indicateur;territoire;periode;valeur\nassignations;38185;2024;7\n".encode("utf-16-le"), "u.csv")
    assert (preview.errors, preview.observations["value"].tolist()) == (0, [7.0])
    mixed = "indicateur;territoire;periode;valeur;source\nassignations;38185;2024;7;Préfecture\n".encode() + b"\x92\n"
    with pytest.raises(UserError, match="^ligne 3 : caractère illisible en UTF-8"):
        prepare_import(conn, mixed, "m.csv")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "vide.csv", "Le fichier est vide."),
        (b"  \r\n\n", "vide.csv", "Le fichier est vide."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
            "ancien.xls",
            "Format Excel 97-2003 (.xls) non pris en charge : enregistrez le classeur en .xlsx ou en CSV.",
        ),
    ],
)
def test_empty_and_old_excel_files_say_what_they_are(conn, data, name, message):
    with pytest.raises(UserError) as refused:
        prepare_import(conn, data, name)
    assert str(refused.value) == message


# --- rows and messages --------------------------------------------------------------------------


def test_line_numbers_stay_right_after_a_quoted_multiline_cell(conn):
    data = (
        "indicateur;territoire;periode;valeur;source\n"
        'assignations;38185;2024;1;"Préfecture,\nservice logement\n(DDETS)"\n'
        "assignations;38185;2023;douze;Préfecture\n"
    ).encode()
    preview = prepare_import(conn, data, "t.csv")
    assert preview.issues["message"].tolist() == [
        "ligne 5, colonne « valeur » : « douze » n'est pas un nombre (attendu par exemple : 12, 1 529 ou 12,5)"
    ]
    assert preview.observations["line"].tolist() == [2]


def test_quoted_and_unquoted_files_are_read_alike():
    # files without quotes are read by pandas' C parser, others record by record: the same table and lines
    plain = LONG_HEADER + "\r\n\r\nassignations;38185;2024;1\r\nassignations;38185;2023\r\n"
    quoted = plain.replace("2023", '"2023"')
    tables = [read_table(text.encode(), "t.csv", is_header=is_long_header) for text in (plain, quoted)]
    assert tables[0].frame.equals(tables[1].frame) and tables[0].lines.tolist() == tables[1].lines.tolist() == [3, 4]


def test_extra_fields_on_the_first_data_row_are_an_error_not_an_index():
    data = (LONG_HEADER + "\nassignations;38185;2024;1;9\nassignations;38185;2023;2\n").encode()
    table = read_table(data, "t.csv", is_header=is_long_header)
    assert list(table.frame.columns) == ["indicateur", "territoire", "periode", "valeur"]
    assert (table.frame["periode"].tolist(), table.lines.tolist()) == (["2023"], [3])
    assert table.too_wide == [(2, table.too_wide[0][1])] and table.too_wide[0][1].startswith("5 champs au lieu de 4")


def test_trailing_empty_fields_are_not_extra_fields():
    table = read_table((LONG_HEADER + "\nassignations;38185;2024;1;;\n").encode(), "t.csv")
    assert (len(table.frame), table.too_wide) == (1, [])


def test_an_unclosed_quote_names_the_line_where_it_opens():
    with pytest.raises(UserError, match=r"^ligne 3 : le fichier CSV n'a pas pu être lu : guillemet non fermé"):
        read_table((LONG_HEADER + '\nassignations;38185;2024;1\nassignations;"38185;2023;1\n').encode(), "t.csv")


def test_a_huge_cell_is_never_echoed(conn):
    huge = "x" * 1_000_000
    with pytest.raises(UserError) as refused:
        prepare_import(conn, f"{LONG_HEADER}\nassignations;38185;2024;{huge}\n".encode(), "t.csv")
    assert len(str(refused.value)) < 300 and str(refused.value).startswith("ligne 2 : ")


def test_quoted_values_are_short_single_line_and_escaped():
    assert quoted_value("[clic](http://x.fr) *gras*\n`code`") == r"\[clic\](http://x.fr) \*gras\* \`code\`"
    cut = quoted_value("é" * 1_000)
    assert len(cut) == 80 and cut.endswith("…")


def test_header_labels_in_messages_are_quoted_short_and_escaped():
    data = ("indicateur;territoire;**valeur**;[lien](http://x.fr);" + "y" * 500 + "\nassignations;38185;1;2;3\n").encode()
    with pytest.raises(UserError) as refused:
        long_candidates(read_table(data, "t.csv"), ImportOptions())
    message = str(refused.value)
    assert "« \\*\\*valeur\\*\\* », « \\[lien\\](http://x.fr) », « " + "y" * 79 + "… »" in message
    assert "y" * 80 not in message


# --- wide headers and fuzzing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "period"), [("Année 2024", "2024"), ("année 2024", "2024"), ("An 2024", "2024"), ("2024 (provisoire)", "2024")]
)
def test_wide_headers_with_a_word_or_a_note_are_periods(header, period):
    assert period_header(header) == period


def test_a_wide_table_with_year_words_imports(conn):
    data = "territoire;Année 2022;année 2023;An 2024;2025 (provisoire)\n38185;1;2;3;4\n".encode()
    preview = prepare_import(conn, data, "large.csv", ImportOptions(indicator="assignations", territory_column="territoire"))
    assert preview.errors == 0
    assert sorted(preview.observations["period_start"].dt.year) == [2022, 2023, 2024, 2025]


ENGLISH = re.compile(r"(?i)\b(error|expected|unexpected|field|line|invalid|traceback|the|not found)\b")
HEADERS = [
    LONG_HEADER,
    "indicateur;territoire;periode;valeur;source;statut",
    "territoire;Année 2024;An 2025;2024 (provisoire);2024-T1;mars 2024;Total",
    "Référence;Déposé le;Commune;Code postal",
    "",
    "titre du tableau",
]
CELLS = [
    "assignations",
    "38185",
    "2024",
    "1",
    "",
    "s",
    "< 5",
    "1e308",
    "-3",
    "2099-12",
    "Année 2024",
    '"',
    '"a\nb"',
    "é",
    "\t",
    "=1+1",
    "x" * 300,
]


def _random_file(rng: random.Random) -> tuple[bytes, ImportOptions]:
    sep = rng.choice([";", ",", "\t", "|"])
    lines = [rng.choice(HEADERS).replace(";", sep)]
    for _ in range(rng.randrange(0, 6)):
        lines.append(sep.join(rng.choice(CELLS) for _ in range(rng.randrange(1, 8))))
    text = rng.choice(["\n", "\r\n", "\r"]).join(lines)
    data = text.encode(rng.choice(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]), errors="replace")
    if rng.random() < 0.3:  # a few bytes overwritten: bad UTF-8, NUL, a zip or OLE2 signature
        for _ in range(rng.randrange(1, 4)):
            position = rng.randrange(0, len(data) + 1)
            data = data[:position] + rng.choice([b"\xff", b"\x00", b"\xc3", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"]) + data[position + 1 :]
    wide = ImportOptions(indicator="assignations", territory_column="territoire")
    return data, rng.choice([ImportOptions(), wide, ImportOptions(format="long"), ImportOptions(format="wide", indicator="assignations")])


def _read(data: bytes, options: ImportOptions) -> int:
    """What prepare_import reads of a file before comparing it with the database: its candidate rows."""
    format_used = detect_format(data, options)
    if format_used == "histologe":
        return len(read_rows(data, None, is_histologe_header, lambda label: True).rows)
    if format_used == "long":
        return len(long_candidates(read_table(data, "f.csv", None, is_long_header), options).frame)
    return len(wide_candidates(read_table(data, "f.csv", None, _wide_header(options)), options).frame)


def _french(message: str) -> bool:
    return not ENGLISH.search(message)


def test_random_files_are_read_or_refused_in_french():
    rng = random.Random(18)
    outcomes = {"lu": 0, "refusé": 0}
    for number in range(300):
        data, options = _random_file(rng)
        try:
            _read(data, options)
        except UserError as error:
            outcomes["refusé"] += 1
            assert _french(str(error)), (number, str(error))
        else:
            outcomes["lu"] += 1
    assert outcomes["lu"] > 30 and outcomes["refusé"] > 30, outcomes


def test_random_files_raise_only_french_user_errors_through_prepare_import(conn):
    rng = random.Random(1818)
    for number in range(40):  # each one read, checked and compared with the database: about a second
        data, options = _random_file(rng)
        try:
            preview = prepare_import(conn, data, f"aleatoire{number}.csv", options)
        except UserError as error:
            assert _french(str(error)), (number, str(error))
        else:
            assert all(_french(m) for m in preview.issues["message"]), number
