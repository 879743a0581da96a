"""Cell and file parsing of the importers: periods, numbers, codes, names, encodings, separators."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import Workbook

from data_access.errors import UserError
from data_access.importers import ImportOptions, prepare_import
from data_access.importers.histologe import masked_file_name
from data_access.importers.reading import decode, read_table, sniff_separator
from data_access.importers.text import clean_code, fold, parse_numbers, parse_period


@pytest.mark.parametrize(
    ("text", "granularity", "start"),
    [
        ("2024", "year", dt.date(2024, 1, 1)),
        ("2024-T1", "quarter", dt.date(2024, 1, 1)),
        ("2024-Q3", "quarter", dt.date(2024, 7, 1)),
        ("T4 2024", "quarter", dt.date(2024, 10, 1)),
        ("2024t2", "quarter", dt.date(2024, 4, 1)),
        ("2024-03", "month", dt.date(2024, 3, 1)),
        ("2024/3", "month", dt.date(2024, 3, 1)),
        ("03/2024", "month", dt.date(2024, 3, 1)),
        ("3-2024", "month", dt.date(2024, 3, 1)),
        ("mars 2024", "month", dt.date(2024, 3, 1)),
        ("Mars-24", "month", dt.date(2024, 3, 1)),  # what Excel shows for a date formatted mmm-yy
        ("janv. 2024", "month", dt.date(2024, 1, 1)),
        ("Février 2025", "month", dt.date(2025, 2, 1)),
        ("AOÛT 2023", "month", dt.date(2023, 8, 1)),
        ("15/03/2024", "month", dt.date(2024, 3, 1)),  # a date stands for its month
        ("2024-03-15", "month", dt.date(2024, 3, 1)),
        ("2024-03-01 00:00:00", "month", dt.date(2024, 3, 1)),  # a date cell read from Excel
        (" 2024 ", "year", dt.date(2024, 1, 1)),
    ],
)
def test_period_formats_are_recognised(text, granularity, start):
    parsed = parse_period(text)
    assert (parsed.granularity, parsed.start, parsed.problem) == (granularity, start, "")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2024-13", "n'est pas un mois valide (attendu : 2024-03, 03/2024, 2024-T1 ou 2024)"),
        ("2024-T5", "n'est pas un trimestre valide"),
        ("31/02/2024", "n'est pas une date valide"),
        ("brumaire 2024", "n'est pas un mois reconnu"),
        ("1850", "n'est pas une année plausible"),
        ("hier", "n'est pas une période reconnue"),
        ("", "est vide"),
    ],
)
def test_bad_periods_say_what_was_expected(text, problem):
    assert parse_period(text).problem.startswith(problem)


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [
        ("1 529", 1529.0, False),
        ("1\u00a0529", 1529.0, False),  # no-break space, as Excel writes thousands in French
        ("1\u202f529", 1529.0, False),  # narrow no-break space
        ("12,5", 12.5, False),
        ("12,5 %", 12.5, True),
        ("1.529,5", 1529.5, False),  # the last separator is the decimal one
        ("1,529.5", 1529.5, False),
        ("1 250 €", 1250.0, False),
        ("-3", -3.0, False),
        ("\u22123", -3.0, False),  # the typographic minus sign
        ("0", 0.0, False),
    ],
)
def test_french_numbers_are_parsed(text, value, percent):
    numbers = parse_numbers(pd.Series([text]))
    assert (numbers.value[0], bool(numbers.percent[0]), numbers.problem[0]) == (value, percent, "")


@pytest.mark.parametrize(("text", "missing"), [("abc", False), ("12 abc", False), ("", True), ("nd", True), ("-", True), ("1e999", False)])
def test_non_numbers_are_problems(text, missing):
    numbers = parse_numbers(pd.Series([text]))
    assert numbers.problem[0] != "" and bool(numbers.missing[0]) == missing


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1053", "01053"),  # a commune code that lost its leading zero in Excel
        ("38185", "38185"),
        ("38185.0", "38185"),
        ("200 040 715", "200040715"),
        ("1", "01"),
        ("2a004", "2A004"),
        ("fr", "FR"),
        ("agglo-grenobloise", "agglo-grenobloise"),
    ],
)
def test_codes_get_back_their_leading_zero_and_case(raw, code):
    assert clean_code(raw) == code


def test_names_fold_accents_case_punctuation_and_saint():
    assert fold("Saint-Martin-d'Hères") == fold("ST MARTIN D HERES") == "saint martin d heres"
    assert fold("Bièvre-Valloire") == fold("bievre valloire")


@pytest.mark.parametrize(
    ("lines", "separator"),
    [
        (["a;b;c", "1;2,5;3"], ";"),  # decimal commas do not make a comma file
        (["a,b,c", '1,"2,5",3'], ","),
        (["a\tb", "1\t2"], "\t"),
        (["Titre du tableau", "a;b", "1;2", "3;4"], ";"),
        (['"a","b","c"', '"1","x;y","3"'], ","),
    ],
)
def test_separator_is_sniffed(lines, separator):
    assert sniff_separator(lines) == separator


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Période;Échirolles".encode(), "UTF-8"),
        (b"\xef\xbb\xbf" + "Période".encode(), "UTF-8 (avec BOM)"),
        ("Période;Échirolles".encode("cp1252"), "Windows-1252"),
    ],
)
def test_encodings_are_recognised(data, encoding):
    text, found = decode(data)
    assert found == encoding and text.startswith("Période")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "vide.csv", "Le fichier est vide"),
        (b"\n\n  \n", "blanc.csv", "Le fichier est vide"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ancien.xls", r"Format Excel 97-2003 \(.xls\) non pris en charge"),
        (b"PK\x03\x04 pas un classeur", "faux.xlsx", "n'a pas pu être ouvert"),
        (b"\x00\x01\x02\x03binaire", "image.csv", "pas un fichier texte"),
    ],
)
def test_unreadable_files_get_a_french_message(data, name, message):
    with pytest.raises(UserError, match=message):
        read_table(data, name)


def test_a_row_with_too_many_fields_names_its_line(conn):
    data = b"Titre\n\nindicateur;territoire;periode;valeur\nassignations;38185;2024;1\nassignations;38185;2025;1;x\n"
    preview = prepare_import(conn, data, "t.csv")
    assert preview.issues["message"].tolist() == [
        "ligne 5 : 5 champs au lieu de 4 (séparateur « ; » ; point-virgule) : ligne non lue. Une cellule contient sans "
        "doute le séparateur sans guillemets, ou l'en-tête a moins de colonnes que les données."
    ]
    assert (preview.errors, preview.error_lines, preview.observations["line"].tolist()) == (1, 1, [4])


def test_too_large_file_is_refused_before_reading(conn):
    with pytest.raises(UserError, match=r"Fichier trop volumineux : 2,0 Mo pour 1 Mo au plus"):
        prepare_import(conn, b"x" * 2 * 1048576, "gros.csv", max_bytes=1048576)


def test_unknown_format_explains_the_wide_options(conn):
    with pytest.raises(UserError, match="--territory-column NOM"):
        prepare_import(conn, b"Commune;2024\n38185;3\n", "t.csv")


def test_wide_header_period_typo_is_an_error_on_the_header_line(conn):
    data = b"Code;2024-01;2024-13;Total\n38185;1;2;3\n"
    options = ImportOptions(format="wide", indicator="assignations", territory_column="Code")
    preview = prepare_import(conn, data, "t.csv", options)
    errors = preview.issues[preview.issues["gravite"] == "erreur"]["message"].tolist()
    assert errors == [
        "ligne 1, colonne « 2024-13 » : « 2024-13 » (en-tête de colonne) n'est pas un mois valide (attendu : 2024-03, 03/2024, 2024-T1 ou 2024)"
    ]
    assert preview.ignored_columns == ["Total"]


def test_wide_table_needs_to_know_where_the_indicator_is(conn):
    with pytest.raises(UserError, match="Format large : dites où sont l'indicateur et le territoire"):
        prepare_import(conn, b"Code;2024\n38185;3\n", "t.csv", ImportOptions(format="wide", territory_column="Code"))


def test_numeric_commune_codes_in_xlsx_lose_no_zero(conn):
    book = Workbook()
    book.active.append(["indicateur", "territoire", "periode", "valeur"])
    book.active.append(["assignations", 38185.0, dt.datetime(2024, 2, 1), 3.0])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = prepare_import(conn, buffer.getvalue(), "t.xlsx")
    assert preview.errors == 0 and preview.observations["territory_code"].tolist() == ["38185"]


def test_histologe_file_names_are_masked():
    assert masked_file_name("export-histologe-jdupont-20260501-101500-1a2b.csv") == (
        "export-histologe-(utilisateur masqué)-20260501-101500-1a2b.csv"
    )
    assert masked_file_name("assignations.csv") == "assignations.csv"


def test_report_csv_is_utf8_with_bom_and_semicolons(conn):
    preview = prepare_import(conn, b"indicateur;territoire;periode;valeur\nassignations;38185;2024-13;5\n", "t.csv")
    report = preview.report_csv()
    assert report.startswith(b"\xef\xbb\xbf")
    lines = report.decode("utf-8-sig").splitlines()
    assert lines[0] == "ligne;colonne;valeur;gravité;message"
    assert lines[1].startswith("2;periode;2024-13;erreur;ligne 2, colonne « periode » : « 2024-13 » n'est pas un mois valide")
