"""Validation that protects the pages (issue 18), on SQLite and PostgreSQL.

- a value must be finite and at most the plausible maximum of its unit (catalogue):
  ``1e308``, ``inf``, ``nan``, ``1e20`` are errors;
- a period after the current month is an error; the latest complete year ignores a stray future
  value already stored;
- a quarterly value over a monthly series (stored, or in the same file) is refused with an
  explanation;
- a source longer than its column is cut, with a warning, and the import goes through;
- unknown codes get « vouliez-vous dire … » once per distinct value, at most SUGGESTIONS_MAX times.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import writes
from data_access.catalogue import unit_maxima
from data_access.errors import UserError
from data_access.importers import ImportOptions, apply_import, prepare_import
from data_access.importers.referential import SUGGESTIONS_MAX, load_referential
from data_access.importers.validation import ERROR, SOURCE_MAX, WARNING
from data_access.models import ImportBatch, Observation
from data_access.objectives import latest_complete_year
from data_access.periods import last_ended_year

HEADER = "indicateur;territoire;periode;valeur"
ISERE = "isere-palhdi-2014-2020"


def _long(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


@pytest.mark.parametrize("cell", ["1e308", "1E308", "inf", "-inf", "nan", "NaN", "1e20", "1e400", "100000001"])
def test_a_value_must_be_finite_and_plausible(conn, cell):
    preview = prepare_import(conn, _long(f"assignations;38185;2001-01;{cell}", "assignations;38185;2001-02;12"), "t.csv")
    errors = preview.issues[preview.issues["gravite"] == ERROR]
    assert len(errors) == 1 and errors["colonne"].iloc[0] == "valeur", preview.issues
    assert len(preview.observations) == 1
    assert any(word in errors["message"].iloc[0] for word in ("nombre fini", "n'est pas un nombre", "maximum plausible", "est vide"))


def test_the_maximum_depends_on_the_unit(conn):
    maxima = unit_maxima()
    assert maxima["€"] > maxima["défaut"]
    amount = prepare_import(conn, _long(f"fsl_acces_montant;38185;2001-01;{maxima['défaut'] * 10:.0f}"), "t.csv")
    assert amount.errors == 0
    too_much = prepare_import(conn, _long(f"fsl_acces_montant;38185;2001-01;{maxima['€'] * 10:.0f}"), "t.csv")
    assert too_much.errors == 1 and "maximum plausible pour un montant" in too_much.issues["message"].iloc[0]
    households = prepare_import(conn, _long(f"fsl_acces_menages;38185;2001-01;{maxima['défaut'] * 10:.0f}"), "t.csv")
    assert households.errors == 1 and "nombre de ménages" in households.issues["message"].iloc[0]


def test_a_period_after_the_current_month_is_an_error(conn):
    today = dt.date.today()
    preview = prepare_import(
        conn,
        _long("assignations;38185;2099-12;5", f"assignations;38185;{today:%Y-%m};5", f"assignations;38185;{today.year + 1};5"),
        "t.csv",
    )
    errors = preview.issues[preview.issues["gravite"] == ERROR]
    assert sorted(errors["valeur"]) == sorted(["2099-12", str(today.year + 1)])
    assert errors["message"].str.contains("après le mois en cours").all()
    assert len(preview.observations) == 1


def test_the_latest_complete_year_ignores_a_stray_future_value(conn):
    before = latest_complete_year(conn, plan=ISERE)
    assert before is not None and before <= last_ended_year()
    batch = writes.create_batch(conn, kind="import", file_name="futur.csv", sha256="f" * 64, rows=1, user_name="test")
    stray = pd.DataFrame(
        [("assignations", "month", dt.date(2099, 12, 1), "38185", 5.0), ("assignations", "month", dt.date(2099, 12, 1), "38", 5.0)],
        columns=["indicator_code", "granularity", "period_start", "territory_code", "value"],
    )
    writes.bulk_insert_observations(conn, stray, batch)
    writes.refresh_coverage(conn, ["assignations"])
    assert latest_complete_year(conn, plan=ISERE) == before


def test_last_ended_year():
    assert last_ended_year(dt.date(2026, 12, 1)) == 2025
    assert last_ended_year(dt.date(2026, 12, 31)) == 2025
    assert last_ended_year(dt.date(2027, 1, 1)) == 2026


def test_a_quarterly_value_over_a_stored_monthly_series_is_refused(conn):
    monthly = prepare_import(conn, _long("assignations;38185;2001-01;5", "assignations;38185;2001-02;6"), "mois.csv")
    assert apply_import(conn, monthly, user_name="test").batch_id is not None
    quarterly = prepare_import(conn, _long("assignations;38185;2001-T2;15", "assignations;38151;2001-T2;4"), "trimestre.csv")
    errors = quarterly.issues[quarterly.issues["gravite"] == ERROR]
    assert len(errors) == 1 and errors["ligne"].iloc[0] == 2
    message = errors["message"].iloc[0]
    assert "des valeurs mensuelles de cet indicateur et de ce territoire sont déjà enregistrées" in message
    assert "ignoreraient ces 1 valeur(s) trimestrielles, refusées" in message
    assert quarterly.error_lines == 1 and list(quarterly.observations["territory_code"]) == ["38151"]
    outcome = apply_import(conn, quarterly, user_name="test", exclude_errors=True)
    o = Observation
    stored = conn.execute(select(o.granularity).where(o.import_batch_id == outcome.batch_id)).scalars().all()
    assert stored == ["quarter"]


def test_monthly_and_quarterly_values_of_one_series_in_one_file(conn):
    preview = prepare_import(
        conn, _long("assignations;38185;2001-01;5", "assignations;38185;2001-T1;15", "assignations;38185;2001-T2;9"), "mêlé.csv"
    )
    errors = preview.issues[preview.issues["gravite"] == ERROR]
    assert len(errors) == 1 and errors["ligne"].iloc[0] == 3
    assert "sont dans ce fichier" in errors["message"].iloc[0] and "ces 2 valeur(s) trimestrielles" in errors["message"].iloc[0]
    assert preview.error_lines == 2 and list(preview.observations["granularity"]) == ["month"]


def test_demo_values_of_another_granularity_do_not_conflict(conn):
    preview = prepare_import(conn, _long("assignations;38185;2024;150"), "année.csv")  # the demo series is monthly
    assert preview.errors == 0


def test_a_long_source_is_cut_with_a_warning(conn):
    long_source = "Préfecture " * 60
    preview = prepare_import(
        conn,
        _long(f"assignations;38185;2001-01;5;{long_source}", header=HEADER + ";source"),
        "source.csv",
        ImportOptions(source="Option " * 80),
    )
    warnings = preview.issues[preview.issues["gravite"] == WARNING]
    assert preview.errors == 0 and warnings["message"].str.contains(f"coupée à {SOURCE_MAX} caractères").sum() == 2
    outcome = apply_import(conn, preview, user_name="test")
    stored = conn.execute(select(Observation.source).where(Observation.import_batch_id == outcome.batch_id)).scalar_one()
    assert stored == long_source.strip()[:SOURCE_MAX]
    batch_source = conn.execute(select(ImportBatch.source).where(ImportBatch.id == outcome.batch_id)).scalar_one()
    assert len(batch_source) == SOURCE_MAX


def test_suggestions_are_computed_once_per_distinct_code_and_capped(conn):
    ref = load_referential(conn)
    rows = [f"assignationz{i};38185;2001-01;1" for i in range(SUGGESTIONS_MAX * 3)] * 2
    preview = prepare_import(conn, _long(*rows), "inconnus.csv")
    hints = preview.issues["message"].str.contains("vouliez-vous dire")
    assert preview.errors == len(rows) and hints.sum() == 2 * SUGGESTIONS_MAX
    ref.indicator("assignationz")
    assert ref.suggestions == 1
    for i in range(SUGGESTIONS_MAX + 5):
        ref.indicator(f"assignationz{i}")
    assert ref.suggestions == SUGGESTIONS_MAX


@pytest.mark.parametrize("data", [b"indicateur;territoire;periode;valeur\nassignations;38185;2024-01;5\n", b"Code commune;2024\n38185;5\n"])
def test_a_file_past_its_time_budget_is_refused_in_french_and_nothing_is_written(conn, data):
    options = (
        ImportOptions()
        if data.startswith(b"indicateur")
        else ImportOptions(format="wide", indicator="cql", territory_column="Code commune")
    )
    with pytest.raises(UserError, match=r"La vérification du fichier dépasse 0 minute\(s\) : rien n'a été écrit\. Découpez-le"):
        prepare_import(conn, data, "lent.csv", options, time_budget=0)
    assert prepare_import(conn, data, "lent.csv", options).errors == 0  # the default budget: read and checked
