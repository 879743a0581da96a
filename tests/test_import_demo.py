"""Real replaces demo (issue 16, point 8), on SQLite and PostgreSQL.

When real values arrive for an indicator in a département, that indicator's demo values for that
département are removed in the same transaction, kept in ``observation_history`` and restored by
revert; ``python -m data_access demo remove`` removes demo values on demand.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access import demo
from data_access.cli import main
from data_access.french import fr_number
from data_access.importers import ImportOptions, apply_import, prepare_import, revert_batch
from data_access.models import ImportBatch, Observation, ObservationRollup, Territory
from data_access.periods import Period
from data_access.queries import indicator_series
from tests.test_import_histologe import ECHIROLLES, FULL_2026, GRENOBLE, export

HISTOLOGE = [
    "signalements_deposes",
    "signalements_clotures",
    "signalements_insalubrite",
    "signalements_non_decence",
    "signalements_precarite_energetique",
]


def _demo_values(conn, indicators, departement):  # type: ignore[no-untyped-def]
    """(count, sum) of the demo values of ``indicators`` in ``departement``."""
    return tuple(
        conn.execute(
            select(func.count(), func.coalesce(func.sum(Observation.value), 0))
            .join(ImportBatch, ImportBatch.id == Observation.import_batch_id)
            .join(Territory, Territory.code == Observation.territory_code)
            .where(ImportBatch.kind == "demo", Observation.indicator_code.in_(indicators), Territory.departement_code == departement)
        ).one()
    )


def _rollup_demo(conn, indicators, territory):  # type: ignore[no-untyped-def]
    r = ObservationRollup
    return conn.execute(
        select(func.coalesce(func.sum(r.n_demo), 0)).where(r.indicator_code.in_(indicators), r.territory_code == territory)
    ).scalar_one()


def _histologe_isere() -> bytes:
    rows = [
        {"deposited": "03/02/2025", "closed": "20/03/2025", "motif": "Travaux faits ou en cours", **GRENOBLE},
        {"deposited": "10/02/2025", "conclusion": "NON_DECENCE", **GRENOBLE},
        {"deposited": "02/03/2025", "situations": "Chauffage / confort", **ECHIROLLES},
    ]
    return export(FULL_2026, rows)


def test_a_complete_histologe_import_for_isere_replaces_its_demo_values_and_revert_brings_them_back(conn):
    before = _demo_values(conn, HISTOLOGE, "38")
    sarthe = _demo_values(conn, HISTOLOGE, "72")
    other = _demo_values(conn, ["assignations"], "38")
    assert before[0] > 1000 and sarthe[0] > 0 and _rollup_demo(conn, HISTOLOGE, "38") > 0
    series = indicator_series(conn, indicators=["signalements_deposes"], territories=["38"], period=Period.years(2024), granularity="year")
    assert series.attrs["demo"] is True

    preview = prepare_import(conn, _histologe_isere(), "export.csv", ImportOptions())
    removed = sum(preview.demo_removed.values())
    assert set(preview.demo_removed) == {(i, "38") for i in HISTOLOGE}  # the closure groups have no demo values
    assert "valeur(s) fictive(s) des mêmes indicateurs et départements seront remplacées ou retirées" in preview.text()
    outcome = apply_import(conn, preview, user_name="test")
    assert outcome.batch_id is not None and outcome.removed_demo + outcome.replaced_demo == removed
    assert "fictive(s) des mêmes indicateurs et départements retirées" in outcome.message

    assert _demo_values(conn, HISTOLOGE, "38") == (0, 0)  # no demo value of the imported indicators remains for Isère
    assert _demo_values(conn, HISTOLOGE, "72") == sarthe and _demo_values(conn, ["assignations"], "38") == other
    assert _rollup_demo(conn, HISTOLOGE, "38") == 0
    for years in (Period.years(2024), Period.years(2025)):
        series = indicator_series(conn, indicators=["signalements_deposes"], territories=["38", "38185"], period=years, granularity="year")
        assert series.attrs["demo"] is False  # « données réelles »: the demo notice no longer shows
    series = indicator_series(conn, indicators=["signalements_deposes"], territories=["72"], period=Period.years(2024), granularity="year")
    assert series.attrs["demo"] is True

    result = revert_batch(conn, outcome.batch_id)
    assert result.restored_demo == result.restored and result.not_restored == 0
    assert _demo_values(conn, HISTOLOGE, "38") == before
    assert _rollup_demo(conn, HISTOLOGE, "38") > 0
    series = indicator_series(conn, indicators=["signalements_deposes"], territories=["38"], period=Period.years(2024), granularity="year")
    assert series.attrs["demo"] is True


def test_reverting_an_earlier_import_brings_no_demo_value_back_while_a_later_import_holds_real_values(conn):
    """Import A (real, removes the demo series), import B (same indicator), revert A: no demo value
    reappears while B's values stand — neither on B's keys nor beside them; revert B: the demo
    series comes back whole, as it was before A."""
    before = _demo_values(conn, ["assignations"], "38")
    sarthe = _demo_values(conn, ["assignations"], "72")
    long = b"indicateur;territoire;periode;valeur\nassignations;38185;2024-01;40\n"
    first = apply_import(conn, prepare_import(conn, long, "a.csv", ImportOptions()), user_name="test")
    assert _demo_values(conn, ["assignations"], "38") == (0, 0)
    later = b"indicateur;territoire;periode;valeur\nassignations;38151;2024-01;7\n"  # its demo value went with the first import
    second = apply_import(conn, prepare_import(conn, later, "b.csv", ImportOptions()), user_name="test")
    assert first.batch_id is not None and second.batch_id is not None
    assert second.new == 1 and second.removed_demo == 0

    result = revert_batch(conn, first.batch_id)
    assert _demo_values(conn, ["assignations"], "38") == (0, 0)  # no demo value beside B's real one
    assert result.restored_demo == 0 and result.not_restored == 0 and result.handed_over == {second.batch_id: before[0]}
    assert f"{fr_number(before[0])} valeur(s) de démonstration ne sont pas rétablies" in result.message()
    assert f"lot(s) n° {second.batch_id}" in result.message()
    stored = conn.execute(
        select(Observation.territory_code, Observation.value, Observation.import_batch_id).where(
            Observation.indicator_code == "assignations", Observation.granularity == "month", Observation.period_start == date(2024, 1, 1)
        )
    ).all()
    rows = {str(t): (v, b) for t, v, b in stored if str(t).startswith("38")}
    assert rows == {"38151": (7.0, second.batch_id)}  # B's value stands, A's is gone, no demo value
    assert _rollup_demo(conn, ["assignations"], "38") == 0
    assert _demo_values(conn, ["assignations"], "72") == sarthe

    result = revert_batch(conn, second.batch_id)
    assert result.restored_demo == before[0] and not result.handed_over
    assert _demo_values(conn, ["assignations"], "38") == before  # the whole demo series is back, values included
    assert _rollup_demo(conn, ["assignations"], "38") > 0


def test_reverting_the_later_import_first_keeps_the_earlier_one_real(conn):
    """The other order: revert B first (the series still holds A's values: nothing comes back), then A."""
    before = _demo_values(conn, ["assignations"], "38")
    first = apply_import(
        conn, prepare_import(conn, b"indicateur;territoire;periode;valeur\nassignations;38185;2024-01;40\n", "a.csv"), user_name="test"
    )
    second = apply_import(
        conn, prepare_import(conn, b"indicateur;territoire;periode;valeur\nassignations;38151;2024-01;7\n", "b.csv"), user_name="test"
    )
    assert first.batch_id is not None and second.batch_id is not None
    revert_batch(conn, second.batch_id)
    assert _demo_values(conn, ["assignations"], "38") == (0, 0)
    revert_batch(conn, first.batch_id)
    assert _demo_values(conn, ["assignations"], "38") == before


def test_remove_demo_by_indicator_and_departement(conn):
    sarthe = _demo_values(conn, ["assignations"], "72")
    removed = demo.remove_demo(conn, indicators=["assignations"], departements=["38"])
    assert set(removed) == {("assignations", "38")} and removed["assignations", "38"] > 0
    assert _demo_values(conn, ["assignations"], "38") == (0, 0) and _demo_values(conn, ["assignations"], "72") == sarthe
    assert _rollup_demo(conn, ["assignations"], "38") == 0


@pytest.fixture
def demo_url(small_database_template: Path, tmp_path: Path) -> str:
    copy = tmp_path / "demo.db"
    shutil.copy(small_database_template, copy)
    url = f"sqlite:///{copy}"
    from data_access.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        demo.seed_demo(conn)
    engine.dispose()
    return url


def test_the_demo_remove_command(demo_url, capsys):
    assert main(["--database-url", demo_url, "demo", "remove", "--indicator", "assignations", "--departement", "38"]) == 0
    out = capsys.readouterr().out
    assert "valeur(s) retirée(s) : assignations (38 : " in out and "seed-demo --replace" in out
    assert main(["--database-url", demo_url, "demo", "remove", "--indicator", "assignations", "--departement", "38"]) == 0
    assert "rien n'a été retiré" in capsys.readouterr().out
    assert main(["--database-url", demo_url, "demo", "remove", "--indicator", "inconnu"]) == 2
    assert "Indicateur(s) inconnu(s) : inconnu" in capsys.readouterr().err
    assert main(["--database-url", demo_url, "demo", "remove"]) == 0
    assert "valeur(s) retirée(s)" in capsys.readouterr().out
    from data_access.db import make_engine

    engine = make_engine(demo_url)
    with engine.connect() as conn:
        assert _demo_values(conn, HISTOLOGE, "38") == (0, 0)
    engine.dispose()


def test_seeding_the_demo_again_leaves_out_the_series_that_hold_imported_values(demo_url):
    from data_access.db import make_engine

    engine = make_engine(demo_url)
    with engine.begin() as conn:
        long = b"indicateur;territoire;periode;valeur\nassignations;38185;2024-01;40\n"
        apply_import(conn, prepare_import(conn, long, "a.csv", ImportOptions()), user_name="test")
        demo.delete_demo(conn)
        assert demo.seed_demo(conn) > 0
        assert _demo_values(conn, ["assignations"], "38") == (0, 0)
        assert _demo_values(conn, ["assignations"], "72")[0] > 0
    engine.dispose()
