"""Demo or real, per indicator and département, as the import page says it (issue 16), on SQLite and
PostgreSQL: before an import (the preview's « avant → après »), after it, and after its revert."""

from __future__ import annotations

from data_access import demo, series_kinds
from data_access.importers import ImportOptions, apply_import, prepare_import, revert_batch

LONG = b"indicateur;territoire;periode;valeur\nassignations;38185;2025-01;54\nassignations;38151;2025-02;12\n"


def _kind(conn, indicator: str, departement: str) -> str:  # type: ignore[no-untyped-def]
    table = series_kinds.kinds_table(conn, departement)
    chosen = table.loc[table["Code"] == indicator, "Données en base"]
    return str(chosen.iloc[0]) if len(chosen) else series_kinds.NONE


def test_the_words_of_each_kind():
    assert series_kinds.kind_label(3, 0) == "données réelles"
    assert series_kinds.kind_label(0, 3) == "données de démonstration"
    assert series_kinds.kind_label(1, 1) == "données réelles et de démonstration"
    assert series_kinds.kind_label(0, 0) == "aucune donnée"
    assert series_kinds.kind_label(0, 0, reference=2) == "données réelles"  # INSEE's households
    assert series_kinds.kind_label(0, 5, reference=1) == "données de démonstration"  # a published point beside a demo series


def test_the_preview_says_demo_before_and_real_after_then_the_database_says_it_until_the_revert(conn):
    assert _kind(conn, "assignations", "38") == series_kinds.DEMO
    table = series_kinds.kinds_table(conn, "38")
    assert set(table.columns) == {"Indicateur", "Code", "Données en base", "Valeurs réelles", "Valeurs de démonstration"}
    assert (table["Valeurs de démonstration"] > 0).any() and table["Indicateur"].str.len().gt(0).all()

    preview = prepare_import(conn, LONG, "assignations.csv", ImportOptions())
    assert preview.series.to_dict("records") == [
        {
            "Indicateur": preview.series["Indicateur"].iloc[0],
            "Code": "assignations",
            "Département": "38",
            "Avant l'import": "données de démonstration",
            "Après l'import": "données réelles",
            "Valeurs de démonstration retirées": preview.demo_removed[("assignations", "38")],
        }
    ]
    assert preview.demo_removed[("assignations", "38")] > 0
    assert "  assignations (38) : données de démonstration → données réelles" in preview.text()

    outcome = apply_import(conn, preview, user_name="test")
    assert _kind(conn, "assignations", "38") == series_kinds.REAL
    assert _kind(conn, "assignations", "72") == series_kinds.DEMO  # the Sarthe's series is not touched
    assert not demo.count_demo(conn, {("assignations", "38")})

    again = prepare_import(conn, LONG.replace(b";54", b";55"), "assignations-2.csv", ImportOptions())
    assert again.series[["Avant l'import", "Après l'import"]].values.tolist() == [["données réelles", "données réelles"]]
    assert again.series["Valeurs de démonstration retirées"].tolist() == [0]

    assert outcome.batch_id is not None
    revert_batch(conn, outcome.batch_id)
    assert _kind(conn, "assignations", "38") == series_kinds.DEMO
