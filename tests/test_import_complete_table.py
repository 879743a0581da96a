"""A long or wide table declared complete (issue 16, snapshot rule), on SQLite and PostgreSQL.

For each indicator, time step and period it holds, a complete table lists every territory of its
level in its département: a stored real value of a territory it leaves out falls to zero (what a
newer table corrects), and revert brings it back. Without the option nothing else changes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data_access.importers import ImportOptions, apply_import, prepare_import, revert_batch
from data_access.models import Observation

COMPLETE = ImportOptions(complete=True)
FIRST = (
    b"indicateur;territoire;periode;valeur\n"
    b"cql;38185;2001-01;5\ncql;38151;2001-01;3\ncql;38169;2001-02;2\n"
    b"cql;200040715;2001-01;9\n"  # an EPCI's own value: another level, another declaration
)
NEWER = b"indicateur;territoire;periode;valeur\ncql;38185;2001-01;4\n"


def _values(conn) -> dict[tuple[str, int], float]:  # type: ignore[no-untyped-def]
    o = Observation
    rows = conn.execute(
        select(o.territory_code, o.period_start, o.value).where(
            o.indicator_code == "cql", o.period_start >= dt.date(2001, 1, 1), o.period_start < dt.date(2002, 1, 1)
        )
    )
    return {(t, p.month): float(v) for t, p, v in rows}


def _import(conn, data: bytes, options: ImportOptions | None = None, name: str = "t.csv"):  # type: ignore[no-untyped-def]
    preview = prepare_import(conn, data, name, options or ImportOptions())
    assert preview.errors == 0, preview.issues["message"].tolist()
    return preview, apply_import(conn, preview, user_name="test")


def test_a_complete_long_table_sets_the_values_it_leaves_out_to_zero_and_revert_restores_them(conn):
    _import(conn, FIRST)
    partial, _ = _import(conn, NEWER, name="partiel.csv")
    assert partial.decreases == (1, 0)  # only Grenoble's 5 → 4: Échirolles keeps its 3 without the option
    assert _values(conn)[("38151", 1)] == 3.0
    preview = prepare_import(conn, NEWER.replace(b";4", b";1"), "complet.csv", COMPLETE)
    assert preview.decreases == (2, 1)  # Grenoble 4 → 1, Échirolles 3 → 0
    assert any("1 valeur enregistrée absente du fichier passe à zéro" in n for n in preview.notes)
    outcome = apply_import(conn, preview, user_name="test")
    after = _values(conn)
    assert after[("38151", 1)] == 0.0 and after[("38185", 1)] == 1.0
    # another period (February), another level (the EPCI's own value): not declared by the file
    assert after[("38169", 2)] == 2.0 and after[("200040715", 1)] == 9.0
    revert_batch(conn, outcome.batch_id)
    assert _values(conn)[("38151", 1)] == 3.0 and _values(conn)[("38185", 1)] == 4.0


def test_a_complete_wide_table_does_the_same(conn):
    _import(conn, FIRST)
    wide = b"Code commune;2001-01\n38185;5\n"
    options = ImportOptions(format="wide", indicator="cql", territory_column="Code commune", complete=True)
    preview, _ = _import(conn, wide, options, "large.csv")
    assert preview.decreases == (1, 1)
    assert _values(conn)[("38151", 1)] == 0.0 and _values(conn)[("38185", 1)] == 5.0


def test_a_complete_table_with_nothing_left_out_says_so_and_writes_no_zero(conn):
    _import(conn, FIRST)
    preview = prepare_import(conn, FIRST.replace(b";5\n", b";6\n"), "complet.csv", COMPLETE)
    assert any("aucune valeur enregistrée ne manque au fichier" in n for n in preview.notes)
    assert preview.decreases == (0, 0) and len(preview.observations) == 4
