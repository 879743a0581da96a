"""Citations kept (issue 16, point 9), on SQLite and PostgreSQL.

The long and the wide formats read a « source » column where there is one; a value re-imported
from a table that does not cite it keeps its stored source and is counted « inchangée ».
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data_access.importers import ImportOptions, apply_import, prepare_import
from data_access.models import Observation

LONG = (
    "indicateur;territoire;periode;valeur;statut;source\n"
    "assignations;38185;2001-01;54;définitif;Préfecture (EXPLOC)\n"
    "assignations;38151;2001-01;17;définitif;Préfecture (EXPLOC)\n"
).encode()
WIDE_OPTIONS = ImportOptions(format="wide", indicator="assignations", territory_column="Code commune")


def _source(conn, territory: str) -> str | None:  # type: ignore[no-untyped-def]
    o = Observation
    return conn.execute(
        select(o.source).where(
            o.indicator_code == "assignations",
            o.territory_code == territory,
            o.granularity == "month",
            o.period_start == pd.Timestamp("2001-01-01").date(),
        )
    ).scalar_one()


def _counts(conn, data: bytes, options: ImportOptions, name: str = "t.csv") -> dict[str, int]:  # type: ignore[no-untyped-def]
    return prepare_import(conn, data, name, options).counts


def test_a_wide_reimport_of_unchanged_values_keeps_their_source_and_counts_them_unchanged(conn):
    first = apply_import(conn, prepare_import(conn, LONG, "long.csv", ImportOptions()), user_name="test")
    assert first.batch_id is not None and _source(conn, "38185") == "Préfecture (EXPLOC)"
    wide = "Code commune;Commune;janv. 2001\n38185;Grenoble;54\n38151;Échirolles;17\n".encode()
    preview = prepare_import(conn, wide, "large.csv", WIDE_OPTIONS)
    assert preview.counts["inchangées"] == 2 and preview.counts["modifiées"] == 0
    outcome = apply_import(conn, preview, user_name="test")
    assert outcome.batch_id is None and "à l'identique" in outcome.message
    assert _source(conn, "38185") == "Préfecture (EXPLOC)"


def test_a_wide_table_reads_its_source_column(conn):
    wide = (
        "Code commune;Commune;Source;janv. 2001;févr. 2001\n38185;Grenoble;Préfecture (EXPLOC);54;50\n38151;Échirolles;ADIL 38;17;\n"
    ).encode()
    preview = prepare_import(conn, wide, "large.csv", WIDE_OPTIONS)
    assert "Source" not in preview.ignored_columns and "Commune" in preview.ignored_columns
    obs = preview.observations.set_index("territory_code")
    assert obs.loc["38151", "source"] == "ADIL 38"
    assert set(obs.loc["38185", "source"]) == {"Préfecture (EXPLOC)"}
    apply_import(conn, preview, user_name="test")
    assert _source(conn, "38151") == "ADIL 38"
    # the same table again: every value unchanged, the same sources
    assert _counts(conn, wide, WIDE_OPTIONS) == {"nouvelles": 0, "modifiées": 0, "inchangées": 3, "remplacent la démo": 0}


def test_a_new_source_is_a_change_and_a_changed_value_without_source_does_not_inherit_one(conn):
    apply_import(conn, prepare_import(conn, LONG, "long.csv", ImportOptions()), user_name="test")
    cited = LONG.replace(b"Pr\xc3\xa9fecture (EXPLOC)\n", b"ADIL 38\n", 1)
    assert _counts(conn, cited, ImportOptions()) == {"nouvelles": 0, "modifiées": 1, "inchangées": 1, "remplacent la démo": 0}
    uncited = "indicateur;territoire;periode;valeur;statut;source\nassignations;38185;2001-01;55;définitif;\n".encode()
    preview = prepare_import(conn, uncited, "u.csv", ImportOptions())
    assert preview.counts["modifiées"] == 1
    apply_import(conn, preview, user_name="test")
    assert _source(conn, "38185") is None  # the old citation does not cite the new figure


def test_a_long_row_without_source_keeps_the_stored_one(conn):
    apply_import(conn, prepare_import(conn, LONG, "long.csv", ImportOptions()), user_name="test")
    bare = b"indicateur;territoire;periode;valeur\nassignations;38185;2001-01;54\nassignations;38151;2001-01;17\n"
    assert _counts(conn, bare, ImportOptions()) == {"nouvelles": 0, "modifiées": 0, "inchangées": 2, "remplacent la démo": 0}
    # a status change keeps the citation of the same figure
    final = b"indicateur;territoire;periode;valeur;statut\nassignations;38185;2001-01;54;provisoire\n"
    apply_import(conn, prepare_import(conn, final, "p.csv", ImportOptions()), user_name="test")
    assert _source(conn, "38185") == "Préfecture (EXPLOC)"


def test_a_too_long_source_cell_is_reported_on_its_column(conn):
    data = f"indicateur;territoire;periode;valeur;source\nassignations;38185;2001-01;54;{'x' * 301}\n".encode()
    preview = prepare_import(conn, data, "l.csv", ImportOptions())
    assert preview.issues["message"].str.startswith("ligne 2, colonne « source » : ").any()
