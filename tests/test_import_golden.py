"""Golden files: each hand-made fixture of tests/golden/ gives exactly the values and messages written
beside it (``<name>.expected.csv``, ``<name>.expected-errors.txt``), on SQLite and PostgreSQL.

The expected values were worked out by hand from the fixtures (see tests/golden/make_golden.py for
the Histologe rows and their classification); a change in them must be a deliberate change of rules.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from data_access.errors import UserError
from data_access.importers import ImportOptions, apply_import, prepare_import, revert_batch
from data_access.importers.compare import CHANGE_CHANGED, CHANGE_NEW
from data_access.models import Observation
from tests.golden import make_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
KEY = ["indicator_code", "territory_code", "granularity", "period_start"]

CASES = [
    # canonical long table, codes and names with and without accents or case, every period format
    ("long-utf8.csv", ImportOptions()),
    # Windows-1252, a title line above the header, 1 529 with a no-break space, decimal commas, 12,5 %, empty trailing rows and columns
    ("long-windows1252-titre.csv", ImportOptions()),
    # UTF-8 with BOM, comma separator, quoted French decimals
    ("long-bom-virgule.csv", ImportOptions()),
    ("long-tab.tsv", ImportOptions()),
    # two sheets: the data one is chosen; codes typed as numbers, periods as date cells, a title above the header
    ("long-classeur.xlsx", ImportOptions(sheet="Données")),
    # wide, one row per commune: a title line, empty and « - » cells skipped, « Commune » and « Total » ignored
    ("large-territoires.csv", ImportOptions(format="wide", indicator="assignations", territory_column="Code commune")),
    # wide, one row per indicator (labels or codes), years as numbers, for one territory
    ("large-indicateurs.xlsx", ImportOptions(format="wide", sheet="Pilotage", indicator_column="Indicateur", territory="38")),
    # Histologe, three generations of headers and separators, CSV and XLSX
    # (complete: each export covers its départements whole, so every commune gets its zeros)
    ("histologe-2026-complet.csv", ImportOptions(complete=True)),
    ("histologe-2025-virgule.csv", ImportOptions(complete=True)),
    ("histologe-2023-ancien.csv", ImportOptions(complete=True)),
    ("histologe-2026.xlsx", ImportOptions(complete=True)),
    # default export without « Code INSEE »: communes from postal code + name; two unresolved, one bad date
    ("histologe-2026-defaut.csv", ImportOptions(complete=True)),
    ("long-erreurs.csv", ImportOptions()),
]


def _expected(name: str) -> pd.DataFrame:
    stem = name.rsplit(".", 1)[0]
    if stem in make_golden.HISTOLOGE_COVERAGE:  # an export is a snapshot: its counts and the zeros of what it covers
        frame = pd.DataFrame(make_golden.histologe_expected_rows(stem), columns=make_golden.EXPECTED_HEADER)
        return frame.assign(value=frame["value"].astype(float)).astype({c: object for c in frame.columns if c != "value"})
    path = GOLDEN / f"{stem}.expected.csv"
    if not path.exists():
        return pd.DataFrame(columns=[*KEY, "value", "status", "source"])
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    return frame.assign(value=frame["value"].astype(float)).astype({c: object for c in frame.columns if c != "value"})


def _expected_errors(name: str) -> list[str]:
    path = GOLDEN / f"{name.rsplit('.', 1)[0]}.expected-errors.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _observed(preview) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = preview.observations.sort_values(KEY).reset_index(drop=True)
    return pd.DataFrame(
        {
            "indicator_code": frame["indicator_code"],
            "territory_code": frame["territory_code"],
            "granularity": frame["granularity"],
            "period_start": frame["period_start"].dt.strftime("%Y-%m-%d"),
            "value": frame["value"].astype(float),
            "status": frame["status"],
            "source": frame["source"].fillna(""),  # the expected files write no source as an empty cell
        }
    ).astype({c: object for c in [*KEY, "status", "source"]})


@pytest.mark.parametrize(("name", "options"), CASES, ids=[c[0] for c in CASES])
def test_golden_file_gives_the_expected_values_and_errors(conn, name, options):
    preview = prepare_import(conn, (GOLDEN / name).read_bytes(), name, options)
    expected = _expected(name).sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(_observed(preview), expected, check_dtype=False)
    errors = preview.issues.loc[preview.issues["gravite"] == "erreur", "message"].tolist()
    assert errors == _expected_errors(name)


VALID = [c for c in CASES if not _expected_errors(c[0])]


@pytest.mark.parametrize(("name", "options"), VALID, ids=[c[0] for c in VALID])
def test_golden_file_imports_then_reverts_to_the_same_values(conn, name, options):
    preview = prepare_import(conn, (GOLDEN / name).read_bytes(), name, options)
    codes = sorted(preview.observations["indicator_code"].unique())

    def values() -> list[tuple]:
        stmt = select(Observation).where(Observation.indicator_code.in_(codes)).order_by(*Observation.__table__.primary_key.columns)
        return [tuple(row) for row in conn.execute(stmt)]

    before = values()
    outcome = apply_import(conn, preview, user_name="test")
    changed = preview.observations["change"].isin([CHANGE_NEW, CHANGE_CHANGED]).sum()
    assert outcome.batch_id is not None and outcome.new + outcome.changed == changed
    revert_batch(conn, outcome.batch_id)
    assert values() == before


def test_several_sheets_must_be_chosen(conn):
    with pytest.raises(UserError, match="plusieurs feuilles.*« Notes ».*« Données »"):
        prepare_import(conn, (GOLDEN / "long-classeur.xlsx").read_bytes(), "long-classeur.xlsx", ImportOptions())


def test_histologe_xlsx_keeps_only_counts_and_masks_the_agent_in_the_file_name(conn):
    name = "export-histologe-jdupont-20260501-101500-1a2b.xlsx"
    preview = prepare_import(conn, (GOLDEN / "histologe-2026.xlsx").read_bytes(), name, ImportOptions())
    assert preview.format == "histologe" and "jdupont" not in preview.file_name
    assert set(preview.observations.columns) >= {"indicator_code", "territory_code", "value"}
    assert "DUPONT" not in preview.observations.to_csv() + preview.issues.to_csv() + " ".join(preview.notes)
