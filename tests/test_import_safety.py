"""An import writes all or nothing, keeps no personal data, and reverts exactly.

- random and mutated files (hypothesis) never raise anything but UserError, and a refused file
  leaves the database exactly as it was (every table; on SQLite, the file's bytes too);
- an exception after half the rows, or a killed process, writes nothing;
- re-importing the same file is a no-op; reverting restores the replaced values, demo ones included;
- no personal value of a Histologe export reaches the database file, the report or the output.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Engine, select, text

from data_access import writes
from data_access.catalogue import load_catalogue
from data_access.cli import main
from data_access.db import make_engine, run_migrations
from data_access.errors import UserError
from data_access.importers import ImportOptions, apply_import, prepare_import, revert_batch
from data_access.models import Base, Observation
from data_access.plans import load_plan, plan_directories
from tests.conftest import empty_database_url

GOLDEN = Path(__file__).resolve().parent / "golden"
PERSONAL_VALUES = [
    "DUPONT",
    "0612345678",
    "0698765432",
    "jean.dupont@example.org",
    "rue des Lilas",
    "Les Tilleuls",
    "7654321X",
    "BAILLEUR-FICTIF",
    "bailleur.fictif@example.org",
    "0476000000",
    "TIERS-FICTIF",
    "tiers.fictif@example.org",
    "MAT-998877",
    "45.1885",
    "jdupont",
]
HISTOLOGE_FILES = [
    "histologe-2026-complet.csv",
    "histologe-2025-virgule.csv",
    "histologe-2023-ancien.csv",
    "histologe-2026-defaut.csv",
    "histologe-2026.xlsx",
]


def _seed_small_database(engine: Engine) -> None:
    """Catalogue, both plans and a small demo batch (so that imports replace demo values)."""
    with engine.begin() as conn:
        load_catalogue(conn)
        for directory in plan_directories():
            load_plan(conn, directory)
        batch = writes.create_batch(conn, kind="demo", file_name="démo", sha256="0" * 64, rows=0, user_name="test")
        months = pd.date_range("2024-01-01", "2024-06-01", freq="MS")
        rows = [
            (indicator, "month", month, territory, float(value))
            for indicator, value in (("assignations", 20), ("cfp_demandes", 6), ("cfp_accordes", 4), ("signalements_deposes", 2))
            for territory in ("38185", "38151")
            for month in months
        ]
        frame = pd.DataFrame(rows, columns=["indicator_code", "granularity", "period_start", "territory_code", "value"])
        writes.bulk_insert_observations(conn, frame, batch)
        writes.refresh_coverage(conn, frame["indicator_code"])


@pytest.fixture(scope="module")
def small_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for url in empty_database_url(backend, tmp_path_factory, "small"):
        run_migrations(url)
        engine = make_engine(url)
        _seed_small_database(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def small(small_url: str) -> Iterator[Engine]:
    engine = make_engine(small_url)
    yield engine
    engine.dispose()


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal dumps mean an unchanged database."""
    with engine.connect() as conn:
        return {table.name: sorted((tuple(r) for r in conn.execute(select(table))), key=repr) for table in Base.metadata.sorted_tables}


def observations(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(Observation)))


def sqlite_bytes(engine: Engine) -> bytes | None:
    """The SQLite file after a checkpoint (None on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(engine.url.database or "").read_bytes()


def attempt(engine: Engine, data: bytes, name: str, options: ImportOptions) -> None:
    """What the CLI does: preview, refuse a file with errors, else write then revert.

    Asserts the two promises: a refusal changes nothing at all, an import then its revert leave the
    values as they were.
    """
    before, before_bytes = dump(engine), sqlite_bytes(engine)
    try:
        with engine.connect() as conn:
            preview = prepare_import(conn, data, name, options)
    except UserError:
        assert dump(engine) == before and sqlite_bytes(engine) == before_bytes
        return
    if preview.errors:
        with pytest.raises(UserError, match="Fichier refusé"), engine.begin() as conn:
            apply_import(conn, preview, user_name="hypothesis")
        assert dump(engine) == before and sqlite_bytes(engine) == before_bytes
        return
    with engine.begin() as conn:
        outcome = apply_import(conn, preview, user_name="hypothesis")
    if outcome.batch_id is not None:
        with engine.begin() as conn:
            revert_batch(conn, outcome.batch_id)
    assert dump(engine)["observation"] == before["observation"]


# --- property-based: random and mutated files ---------------------------------------------------

CELLS = {
    "indicateur": ["assignations", "cql", "Commandements de quitter les lieux (CQL)", "taux_cfp_accordes", "inconnu", "", "ASSIGNATIONS"],
    "territoire": ["38185", "38151", "Grenoble", "agglo-grenobloise", "38", "99999", "", "1053", "Échirolles"],
    "periode": ["2024-01", "2024-13", "mars 2024", "2024-T2", "2024", "03/2024", "", "2024-03-15", "T9"],
    "valeur": ["1", "1 529", "12,5", "12,5 %", "-3", "abc", "", "0", "1e308", "nd"],
    "statut": ["", "provisoire", "définitif", "peut-être"],
}
OPTIONS = [
    ImportOptions(),
    ImportOptions(format="long"),
    ImportOptions(format="wide", indicator="assignations", territory_column="territoire"),
    ImportOptions(format="wide", indicator_column="indicateur", territory="38185"),
    ImportOptions(format="histologe"),
]


@st.composite
def long_files(draw: st.DrawFn) -> bytes:
    columns = draw(st.lists(st.sampled_from(list(CELLS)), min_size=1, max_size=6, unique=True))
    cell = st.one_of(*(st.sampled_from(v) for v in CELLS.values()), st.text(max_size=12))
    rows = draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns) + 1), max_size=12))
    sep = draw(st.sampled_from([";", ",", "\t"]))
    lines = ([draw(st.text(max_size=20))] if draw(st.booleans()) else []) + [sep.join(columns)] + [sep.join(r) for r in rows]
    text_ = "\r\n".join(lines) if draw(st.booleans()) else "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text_.encode(encoding, errors="replace")


@st.composite
def mutated_golden(draw: st.DrawFn) -> tuple[bytes, str]:
    name = draw(
        st.sampled_from(sorted(p.name for p in GOLDEN.iterdir() if p.suffix in (".csv", ".tsv", ".xlsx") and "expected" not in p.name))
    )
    data = bytearray((GOLDEN / name).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "duplicate_line", "swap_separator"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "delete":
            del data[position : position + draw(st.integers(1, 20))]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=10))
        elif kind == "replace" and data:
            data[position] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[position:]
        elif kind == "duplicate_line":
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(0, len(lines) - 1))
            data = bytearray(b"\n".join(lines[: index + 1] + lines[index:]))
        elif kind == "swap_separator":
            data = bytearray(bytes(data).replace(b";", b","))
    return bytes(data), name


FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(data=st.binary(max_size=3000), options=st.sampled_from(OPTIONS))
def test_random_bytes_are_refused_in_french_or_imported_never_crash(small, data, options):
    attempt(small, data, "hasard.csv", options)


@FUZZ
@given(data=long_files(), options=st.sampled_from(OPTIONS))
def test_random_tables_are_refused_in_french_or_imported_never_crash(small, data, options):
    attempt(small, data, "table.csv", options)


@FUZZ
@given(mutated=mutated_golden(), options=st.sampled_from(OPTIONS))
def test_mutated_golden_files_are_refused_in_french_or_imported_never_crash(small, mutated, options):
    data, name = mutated
    attempt(small, data, name, options)


# --- all or nothing -----------------------------------------------------------------------------


def _big_file(rows: int = 2000) -> bytes:
    """Values for communes and months of the small database: half replace demo values, half are new."""
    this_month = pd.Timestamp.today().normalize().replace(day=1)  # a later period is refused
    communes = ("38185", "38151", "38421", "38544", "38169", "38229", "38563", "38382")
    months = pd.date_range(end=this_month, periods=rows // len(communes), freq="MS").strftime("%Y-%m")
    lines = ["indicateur;territoire;periode;valeur"]
    lines += [f"assignations;{t};{m};{i % 7 + 1}" for i, m in enumerate(months) for t in communes]
    return ("\n".join(lines) + "\n").encode()


def test_an_exception_after_half_the_rows_writes_nothing(small, monkeypatch):
    data = _big_file()
    with small.connect() as conn:
        preview = prepare_import(conn, data, "grand.csv", ImportOptions())
    assert preview.counts["modifiées"] > 0 and preview.counts["nouvelles"] > 1000
    real_insert = writes.bulk_insert_observations

    def insert_half_then_fail(conn, frame, batch_id):  # type: ignore[no-untyped-def]
        real_insert(conn, frame.iloc[: len(frame) // 2], batch_id)
        raise RuntimeError("panne simulée au milieu de l'import")

    monkeypatch.setattr(writes, "bulk_insert_observations", insert_half_then_fail)
    before, before_bytes = dump(small), sqlite_bytes(small)
    with pytest.raises(RuntimeError, match="panne simulée"), small.begin() as conn:
        apply_import(conn, preview, user_name="test")
    assert dump(small) == before and sqlite_bytes(small) == before_bytes


KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from data_access import writes
from data_access.db import make_engine
from data_access.importers import apply_import, prepare_import

engine = make_engine(sys.argv[1])
with engine.connect() as conn:
    preview = prepare_import(conn, Path(sys.argv[2]).read_bytes(), "grand.csv")
real_insert = writes.bulk_insert_observations

def insert_half_then_die(conn, frame, batch_id):
    real_insert(conn, frame.iloc[: len(frame) // 2], batch_id)
    conn.connection.driver_connection.cursor().execute("SELECT 1")
    os.kill(os.getpid(), signal.SIGKILL)

writes.bulk_insert_observations = insert_half_then_die
with engine.begin() as conn:
    apply_import(conn, preview, user_name="test")
"""


def test_a_process_killed_midway_leaves_the_database_as_it_was(small, small_url, tmp_path):
    source = tmp_path / "grand.csv"
    source.write_bytes(_big_file())
    url = small_url
    if small.dialect.name == "sqlite":  # a copy, so that the module's database is not at risk
        with small.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = tmp_path / "copie.db"
        shutil.copy(small.url.database or "", copy)
        url = f"sqlite:///{copy}"
    engine = make_engine(url)
    before = dump(engine)
    result = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, url, str(source)], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    engine.dispose()
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert dump(engine) == before
    engine.dispose()


# --- no-op, revert ------------------------------------------------------------------------------


def _import(engine: Engine, data: bytes, name: str = "f.csv", options: ImportOptions | None = None, **kwargs):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        preview = prepare_import(conn, data, name, options)
    with engine.begin() as conn:
        return apply_import(conn, preview, user_name="test", **kwargs)


def _revert(engine: Engine, batch_id: int):  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        return revert_batch(conn, batch_id)


def test_reimporting_the_same_file_is_a_noop_that_says_so(small):
    data = b"indicateur;territoire;periode;valeur\nassignations;38185;2024-01;33\n"
    first = _import(small, data)
    again = _import(small, data, "renomme.csv")
    assert first.batch_id is not None and again.batch_id is None
    assert f"déjà été importé de la même façon (lot n° {first.batch_id}" in again.message
    _revert(small, first.batch_id)
    third = _import(small, data)  # after a revert, the same file may be imported again
    assert third.batch_id is not None
    _revert(small, third.batch_id)


def test_another_sheet_of_the_same_workbook_is_a_new_import(small):
    book = Workbook()
    for title, value in (("Janvier", 31), ("Février", 32)):
        sheet = book.create_sheet(title)
        sheet.append(["indicateur", "territoire", "periode", "valeur"])
        sheet.append(["cql", "38185", "2024-01" if value == 31 else "2024-02", value])
    book.remove(book["Sheet"])
    buffer = io.BytesIO()
    book.save(buffer)
    first = _import(small, buffer.getvalue(), "classeur.xlsx", ImportOptions(sheet="Janvier"))
    second = _import(small, buffer.getvalue(), "classeur.xlsx", ImportOptions(sheet="Février"))
    assert first.batch_id and second.batch_id and first.batch_id != second.batch_id
    _revert(small, second.batch_id)
    _revert(small, first.batch_id)


def test_revert_restores_replaced_demo_values_exactly_and_in_order(small):
    initial = observations(small)
    a = _import(small, b"indicateur;territoire;periode;valeur\nassignations;38185;2024-01;40\nassignations;38185;2024-02;41\n")
    b = _import(small, b"indicateur;territoire;periode;valeur\nassignations;38185;2024-02;50\nassignations;38185;2024-07;9\n")
    assert a.replaced_demo == 2 and b.changed == 1 and b.replaced_demo == 0
    with pytest.raises(UserError, match=rf"remplacées depuis par le\(s\) lot\(s\) n° {b.batch_id} \(1 valeur\(s\)\) : annulez d'abord"):
        _revert(small, a.batch_id)
    result = _revert(small, b.batch_id)
    assert (result.removed, result.restored, result.restored_demo) == (2, 1, 0)
    with small.connect() as conn:
        value = conn.execute(
            text(
                "SELECT value FROM observation WHERE indicator_code='assignations' AND territory_code='38185' AND period_start='2024-02-01'"
            )
        ).scalar()
    assert value == 41  # the value of import A, not the demo one
    result = _revert(small, a.batch_id)
    # the 2 demo values A replaced, and every other demo value of assignations in Isère, which A removed
    assert result.removed == 2 and result.restored == result.restored_demo > 2 and result.not_restored == 0
    assert observations(small) == initial
    with pytest.raises(UserError, match="déjà été annulé"):
        _revert(small, a.batch_id)


def test_texts_and_decimals_come_back_exactly_from_both_write_paths(small):
    # the bulk writes serialise rows (CSV for PostgreSQL's COPY): a separator, quotes, a literal \N
    # (COPY's NULL in text format) and decimals must be stored as read, for a new value and for a
    # replaced demo value (written through the temporary table); an empty source stays NULL
    source = 'Préfecture; bureau "B", \\N'
    quoted = '"' + source.replace('"', '""') + '"'
    outcome = _import(
        small,
        (
            "indicateur;territoire;periode;valeur;source\n"
            f"fsl_acces_montant;38185;2024-01;0,1;{quoted}\n"
            "fsl_acces_montant;38185;2024-02;795 250,5;\n"
            "assignations;38185;2024-02;21;\\N\n"
        ).encode(),
    )
    assert (outcome.new, outcome.replaced_demo) == (2, 1)
    with small.connect() as conn:
        stored = conn.execute(
            select(Observation.indicator_code, Observation.period_start, Observation.value, Observation.source).where(
                Observation.import_batch_id == outcome.batch_id
            )
        ).all()
    assert sorted(tuple(row) for row in stored) == [
        ("assignations", dt.date(2024, 2, 1), 21.0, "\\N"),
        ("fsl_acces_montant", dt.date(2024, 1, 1), 0.1, source),
        ("fsl_acces_montant", dt.date(2024, 2, 1), 795250.5, None),
    ]
    _revert(small, outcome.batch_id)


@pytest.mark.parametrize(("batch", "message"), [(999_999, "Aucun lot n° 999999"), (1, "pas un import")])
def test_only_existing_imports_can_be_reverted(small, batch, message):
    with pytest.raises(UserError, match=message):
        _revert(small, batch)


def test_excluding_the_faulty_rows_imports_the_others(small):
    data = b"indicateur;territoire;periode;valeur\nassignations;38185;2024-03;7\nassignations;38185;2024-13;7\n"
    with pytest.raises(UserError, match="Fichier refusé : 1 erreur"):
        _import(small, data)
    outcome = _import(small, data, exclude_errors=True)
    assert outcome.changed == 1 and "1 ligne(s) en erreur exclue(s)" in outcome.message
    _revert(small, outcome.batch_id)


# --- personal data ------------------------------------------------------------------------------


def test_no_personal_value_of_a_histologe_export_reaches_the_database_file(tmp_path, capsys, caplog):
    path = tmp_path / "perso.db"
    url = f"sqlite:///{path}"
    run_migrations(url)
    engine = make_engine(url)
    _seed_small_database(engine)
    for name in HISTOLOGE_FILES:
        exported = tmp_path / f"export-histologe-jdupont-20260501-101500-{name}"
        exported.write_bytes((GOLDEN / name).read_bytes())
        assert main(["--database-url", url, "import", str(exported), "--exclude-errors"]) == 0
        with engine.connect() as conn:
            preview = prepare_import(conn, exported.read_bytes(), exported.name)
        shown = preview.text() + preview.report_csv().decode("utf-8-sig") + preview.observations.to_csv()
        assert not [v for v in PERSONAL_VALUES if v in shown], name
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM import_batch WHERE kind = 'import'")).scalar() == len(HISTOLOGE_FILES)
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("perso.db*"))
    output = capsys.readouterr()
    for value in PERSONAL_VALUES:
        assert value.encode() not in stored, value
        assert value not in output.out + output.err + caplog.text, value


def test_import_batches_record_user_file_and_time(small):
    outcome = _import(small, b"indicateur;territoire;periode;valeur\ncql;38185;2024-05;3\n", "cql.csv")
    with small.connect() as conn:
        row = conn.execute(
            text("SELECT kind, file_name, rows, user_name, created_at, sha256 FROM import_batch WHERE id = :id"), {"id": outcome.batch_id}
        ).one()
    assert row[:4] == ("import", "cql.csv", 1, "test") and len(row[5]) == 64
    created = row[4] if isinstance(row[4], dt.datetime) else dt.datetime.fromisoformat(str(row[4]))
    assert abs((dt.datetime.now(dt.UTC).replace(tzinfo=None) - created).total_seconds()) < 120
    _revert(small, outcome.batch_id)
