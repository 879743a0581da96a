"""Serialised writes: concurrent imports and reverts on committed databases, each scenario ending
with ``check`` clean; the write lock's wait and its French refusal; ``check`` and ``--repair``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select, text, update

from data_access import demo, milestones, progress, progress_import, seances, write_lock
from data_access.check import check_database, repair
from data_access.db import make_engine
from data_access.errors import UserError
from data_access.importers import apply_import, prepare_import, revert_batch
from data_access.models import Observation, ObservationRollup, Plan, Territory
from data_access.vocabulary import MilestoneState
from tests.conftest import committed_small_database

INDICATOR = "assignations"


@pytest.fixture(scope="module")
def writer_url(backend: str, small_database_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A committed database (catalogue, plans, reference, no demo) shared by this module's scenarios."""
    yield from committed_small_database(backend, small_database_template, tmp_path_factory, "writers")


@pytest.fixture(scope="module")
def writer_engine(writer_url: str) -> Iterator[Engine]:
    engine = make_engine(writer_url)
    yield engine
    engine.dispose()


def communes(engine: Engine, count: int) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(Territory.code)
                .where(Territory.level == "commune", Territory.departement_code == "38")
                .order_by(Territory.code)
                .limit(count)
            )
        )


def long_file(territories: list[str], months: list[str], value: Callable[[int], int], indicator: str = INDICATOR) -> bytes:
    """A long table: every territory × month, the i-th row's value ``value(i)``."""
    rows = [f"{indicator};{t};{m};{value(i)}" for i, (t, m) in enumerate((t, m) for t in territories for m in months)]
    return ("indicateur;territoire;periode;valeur\n" + "\n".join(rows) + "\n").encode()


def months(first_year: int, last_year: int) -> list[str]:
    return [f"{y}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]


def import_file(engine: Engine, data: bytes, name: str) -> int:
    with engine.connect() as conn:
        preview = prepare_import(conn, data, name)
    with engine.begin() as conn:
        outcome = apply_import(conn, preview, user_name="test")
    assert outcome.batch_id is not None, outcome.message
    return outcome.batch_id


def at_once(*actions: Callable[[], object]) -> list[object]:
    """Run ``actions`` in threads started together; each one's result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except Exception as error:  # noqa: BLE001 - the scenario asserts on what each writer got
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def assert_clean(engine: Engine) -> None:
    with engine.connect() as conn:
        report = check_database(conn)
    assert report.clean, report.text()


def stored(engine: Engine, territories: list[str], years: range) -> dict[tuple[str, str], float]:
    """The values of INDICATOR in ``territories`` over ``years`` (the reference data has some of its own)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Observation.territory_code, Observation.period_start, Observation.value).where(
                Observation.indicator_code == INDICATOR, Observation.territory_code.in_(territories)
            )
        ).all()
    return {(t, f"{p:%Y-%m}"): v for t, p, v in rows if p.year in years}


def apply_preview(engine: Engine, preview) -> int | None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        return apply_import(conn, preview, user_name="test").batch_id


def test_two_imports_replacing_the_same_values_at_once_keep_the_sums_right_and_both_revert(writer_engine):
    # failed before the write lock: on SQLite the second import's rollup change was computed against
    # the values before the first one (sums counted twice); on PostgreSQL the history lost a batch
    places = communes(writer_engine, 300)
    base = import_file(writer_engine, long_file(places, months(2020, 2021), lambda i: 10 + i % 7), "base.csv")
    first = long_file(places, months(2020, 2021), lambda i: 100 + i % 5)
    second = long_file(places, months(2021, 2022), lambda i: 1000 + i % 3)
    with writer_engine.connect() as conn:  # both previews compare with the base: the write compares again
        previews = [prepare_import(conn, first, "premier.csv"), prepare_import(conn, second, "second.csv")]
    batches = at_once(*(lambda p=p: apply_preview(writer_engine, p) for p in previews))
    assert all(isinstance(b, int) for b in batches), batches
    assert_clean(writer_engine)
    values = stored(writer_engine, places, range(2020, 2023))
    later = max(batches)  # type: ignore[type-var]  # batch numbers are given under the lock: the later one wrote last
    overlap = {v for (_, month), v in values.items() if month.startswith("2021")}
    assert overlap <= (set(range(1000, 1003)) if later == batches[1] else set(range(100, 105)))
    for batch in sorted(batches, reverse=True):  # type: ignore[type-var]
        with writer_engine.begin() as conn:
            revert_batch(conn, batch)
    assert_clean(writer_engine)
    assert set(stored(writer_engine, places, range(2020, 2023)).values()) == set(range(10, 17))
    with writer_engine.begin() as conn:
        revert_batch(conn, base)
    assert_clean(writer_engine)


def test_an_import_and_a_revert_at_once_leave_a_consistent_database(writer_engine):
    places = communes(writer_engine, 200)
    batch = import_file(writer_engine, long_file(places, months(2017, 2018), lambda i: 5), "a-annuler.csv")
    with writer_engine.connect() as conn:
        preview = prepare_import(conn, long_file(places, months(2018, 2019), lambda i: 7), "pendant.csv")

    def revert() -> object:
        with writer_engine.begin() as conn:
            return revert_batch(conn, batch)

    reverted, imported = at_once(revert, lambda: apply_preview(writer_engine, preview))
    assert isinstance(imported, int), imported
    if isinstance(reverted, UserError):  # the import went first and replaced the batch's 2018 values
        assert "annulez d'abord" in str(reverted)
        for b in (imported, batch):
            with writer_engine.begin() as conn:
                revert_batch(conn, b)
    else:
        with writer_engine.begin() as conn:
            revert_batch(conn, imported)
    assert_clean(writer_engine)
    assert stored(writer_engine, places, range(2017, 2020)) == {}


def test_two_reverts_of_the_same_batch_at_once_revert_it_once(writer_engine):
    places = communes(writer_engine, 100)
    batch = import_file(writer_engine, long_file(places, months(2015, 2016), lambda i: 3), "deux-fois.csv")

    def revert() -> object:
        with writer_engine.begin() as conn:
            return revert_batch(conn, batch)

    results = at_once(revert, revert)
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(refused) == 1 and "déjà été annulé" in str(refused[0]), results
    assert_clean(writer_engine)


def test_a_second_writer_waits_then_is_told_in_french_to_retry(writer_engine, monkeypatch):
    monkeypatch.setattr(write_lock, "WAIT_SECONDS", 0.3)
    with writer_engine.begin() as holder:
        write_lock.take_write_lock(holder)
        write_lock.take_write_lock(holder)  # again in the same transaction: already held
        with writer_engine.connect() as other, pytest.raises(UserError) as refused, other.begin():
            write_lock.take_write_lock(other)
    assert str(refused.value) == "Un autre import ou une autre modification est en cours ; réessayez dans un instant."
    with writer_engine.begin() as conn:  # released with the holder's transaction
        write_lock.take_write_lock(conn)


def test_every_writer_takes_the_lock(writer_engine, monkeypatch):
    monkeypatch.setattr(write_lock, "WAIT_SECONDS", 0.3)
    with writer_engine.connect() as conn:
        plan = conn.scalar(select(Plan.code).order_by(Plan.code))
    writers: dict[str, Callable[[Connection], object]] = {
        "import annulé": lambda c: revert_batch(c, 1),
        "démonstration générée": demo.seed_demo,
        "démonstration supprimée": demo.delete_demo,
        "démonstration retirée": lambda c: demo.remove_demo(c, indicators=[INDICATOR]),
        "suivi d'une fiche": lambda c: progress.lock_plan(c, plan),
        "jalon": lambda c: milestones.set_milestone(c, plan=plan, action="1", state=MilestoneState.REALISE, user="test"),
        "import de suivi annulé": lambda c: progress_import.revert_progress_import(c, 1, user="test"),
        "séance créée": lambda c: seances.create_seance(c, plan=plan, name="Verrou", user="test"),
        "séance modifiée": lambda c: seances.rename_seance(c, seance_id=1, name="Verrou", user="test"),
        "vue ajoutée": lambda c: seances.add_view(c, seance_id=1, page="accueil", params={}, title="Verrou", user="test"),
    }
    refused = []
    with writer_engine.begin() as holder:
        write_lock.take_write_lock(holder)
        for name, write in writers.items():
            with writer_engine.connect() as other:
                try:
                    with other.begin():
                        write(other)
                except UserError as error:
                    if str(error) == write_lock.BUSY_MESSAGE:
                        refused.append(name)
    assert refused == list(writers)


def test_check_finds_wrong_sums_and_coverage_and_repair_rebuilds_them(writer_engine):
    places = communes(writer_engine, 20)
    batch = import_file(writer_engine, long_file(places, months(2014, 2014), lambda i: 2), "abime.csv")
    with writer_engine.begin() as conn:
        conn.execute(
            update(ObservationRollup)
            .where(ObservationRollup.indicator_code == INDICATOR, ObservationRollup.territory_code == "38")
            .values(value=ObservationRollup.value + 1)
        )
        conn.execute(text("DELETE FROM series_coverage WHERE indicator_code = :code"), {"code": INDICATOR})
    with writer_engine.connect() as conn:
        report = check_database(conn)
    assert not report.clean
    assert "observation_rollup : 12 somme(s) par regroupement ne correspondent pas" in report.text()
    assert "series_coverage : " in report.text() and "check --repair" in report.text()
    with writer_engine.begin() as conn:
        assert repair(conn) >= 1
    assert_clean(writer_engine)
    with writer_engine.begin() as conn:
        revert_batch(conn, batch)
        assert conn.scalar(select(func.count()).select_from(Observation).where(Observation.import_batch_id == batch)) == 0
    assert_clean(writer_engine)
