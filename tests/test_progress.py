"""The fiches' follow-up per year (issue 14): records, partial updates, history and undo; parsing of
states and amounts; imports checked whole, refused whole, reverted whole; the template; the CLI;
the form for data managers only. Database tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select

from data_access import cli
from data_access.catalogue import load_catalogue
from data_access.db import make_engine, run_migrations
from data_access.errors import UserError
from data_access.milestones import MilestoneEntry, fiche_milestones, milestone_changed, milestone_history, set_milestone
from data_access.models import ActionProgress, ActionProgressHistory, ActionProgressImport, MilestoneRecord, Objective
from data_access.objectives import objective_status_table
from data_access.plans import load_plan, plan_directories
from data_access.progress import (
    HISTORY_COLUMNS,
    PROGRESS_COLUMNS,
    parse_budget,
    parse_progress_state,
    progress_history,
    progress_record,
    progress_table,
    set_milestones,
    set_progress,
    undo_last_change,
)
from data_access.progress_import import (
    TEMPLATE_COLUMNS,
    apply_progress_import,
    prepare_progress_import,
    progress_imports,
    progress_template,
    revert_progress_import,
)
from data_access.vocabulary import MilestoneState, ProgressState
from tests.conftest import empty_database_url

ISERE = "isere-palhdi-2014-2020"
ISERE_FICHES = 16
NOW = dt.datetime(2026, 12, 1, 10, 0)


@pytest.fixture(scope="module")
def progress_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database built by the migrations with the catalogue and both plans (no reference, no demo)."""
    for url in empty_database_url(backend, tmp_path_factory, "progress"):
        run_migrations(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            load_catalogue(conn)
            for directory in plan_directories():
                load_plan(conn, directory)
        yield engine
        engine.dispose()


@pytest.fixture
def db(progress_engine: Engine) -> Iterator[Connection]:
    """A connection whose changes are rolled back after the test."""
    with progress_engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def _count(conn: Connection, model: type) -> int:
    return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def _counts(conn: Connection) -> tuple[int, int, int, int]:
    return (
        _count(conn, ActionProgress),
        _count(conn, ActionProgressHistory),
        _count(conn, ActionProgressImport),
        _count(conn, MilestoneRecord),
    )


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- records, history, undo --------------------------------------------------------------------


def test_a_record_then_a_partial_update_changes_only_the_given_fields(db):
    assert set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="Engagée", lead="DDCS", budget="12 500", now=NOW) == (
        "state",
        "lead",
        "budget",
    )
    assert set_progress(db, plan=ISERE, action="1.1", year=2020, user="bruno", comment="  Réunions trimestrielles  ") == ("comment",)
    record = progress_record(db, plan=ISERE, action="1.1", year=2020)
    assert record is not None
    assert {k: record[k] for k in ("state", "done", "comment", "lead", "partners", "budget", "recorded_by")} == {
        "state": "engagee",
        "done": None,
        "comment": "Réunions trimestrielles",  # stripped
        "lead": "DDCS",
        "partners": None,
        "budget": 12500.0,
        "recorded_by": "bruno",
    }


def test_the_same_values_again_write_nothing(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state=ProgressState.ENGAGEE, budget=100)
    before = _counts(db)
    assert set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="engage", budget="100,00") == ()
    assert set_progress(db, plan=ISERE, action="1.2", year=2020, user="alice", comment="") == ()  # nothing to clear: no record
    assert _counts(db) == before


def test_an_empty_string_clears_a_field(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="engagée", comment="à revoir", budget=50)
    assert set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="", comment="", budget="") == (
        "state",
        "comment",
        "budget",
    )
    row = progress_table(db, ISERE, 2020).set_index("action_code").loc["1.1"]
    assert row["state"] is None and row["state_label"] == "sans suivi" and row["comment"] is None and row["budget"] != row["budget"]


def test_every_change_is_a_history_row_with_the_values_before_and_after(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="engagée", now=NOW)
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="bruno", state="réalisée", budget=10, now=NOW + dt.timedelta(hours=1))
    set_progress(db, plan=ISERE, action="2.1", year=2019, user="alice", done="Plaquette diffusée")
    history = progress_history(db, ISERE)
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert list(history["action_code"]) == ["2.1", "1.1", "1.1"]  # newest first
    second = history.iloc[1]
    assert (second["old_state"], second["new_state"], second["changed_by"], second["kind"]) == ("engagee", "realisee", "bruno", "saisie")
    assert second["fields"] == "état d'avancement, moyens"
    assert list(progress_history(db, ISERE, "1.1")["id"]) == list(history["id"][1:])


def test_undo_walks_back_one_change_at_a_time_and_is_itself_recorded(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="engagée", lead="DDCS")
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="réalisée")
    undone = undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="bruno")
    assert undone.fields == ("state",) and undone.undone_by == "alice"
    assert progress_record(db, plan=ISERE, action="1.1", year=2020)["state"] == "engagee"  # type: ignore[index]
    undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="bruno")
    assert progress_record(db, plan=ISERE, action="1.1", year=2020) is None  # the first record is removed
    history = progress_history(db, ISERE, "1.1")
    assert list(history["kind"]) == ["annulation", "annulation", "saisie", "saisie"]
    assert list(history["reverts_id"][:2]) == list(history["id"][2:])[::-1]  # the first undo took back the last change
    with pytest.raises(UserError, match="Aucune modification à annuler pour la fiche 1.1 en 2020"):
        undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="bruno")


def test_a_change_after_an_undo_is_undone_before_the_older_ones(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="a", state="non engagée")
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="a", state="engagée")
    undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="a")
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="a", state="abandonnée")
    undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="a")
    assert progress_record(db, plan=ISERE, action="1.1", year=2020)["state"] == "non_engagee"  # type: ignore[index]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (dict(plan="inconnu"), "Plan « inconnu » inconnu"),
        (dict(action="9.9"), "Fiche-action « 9.9 » inconnue dans le plan"),
        (dict(action="1A"), "Fiche-action « 1A » inconnue"),  # a Sarthe fiche, not an Isère one
        (dict(year=2011), "Année 2011 hors de la période du plan"),  # 2014–2020, two years' margin
        (dict(year=2023), "attendu une année entre 2012 et 2022"),
        (dict(state="en cours"), "État d'avancement « en cours » inconnu"),
        (dict(budget="-1"), "négatif"),
        (dict(budget="douze"), "n'est pas un montant en euros"),
        (dict(done="x" * 4001), "réalisations » est trop long : 4\u202f001 caractères pour 4\u202f000"),  # French thousands
        (dict(lead="x" * 201), "pilote » est trop long : 201 caractères pour 200"),
    ],
)
def test_bad_input_is_refused_in_french_and_writes_nothing(db, call, message):
    arguments = dict(plan=ISERE, action="1.1", year=2020, user="alice", state="engagée") | call
    with pytest.raises(UserError, match=message):
        set_progress(db, **arguments)
    assert _counts(db)[:2] == (0, 0)


@pytest.mark.parametrize("year", [2012, 2014, 2020, 2022])
def test_a_year_within_two_years_of_the_plan_is_accepted(db, year):
    assert set_progress(db, plan=ISERE, action="1.1", year=year, user="alice", state="engagée") == ("state",)


def test_the_table_has_one_row_per_fiche_and_year_with_the_unrecorded_ones(db):
    set_progress(db, plan=ISERE, action="1.2", year=2020, user="alice", state="réalisée", budget="1 000")
    set_progress(db, plan=ISERE, action="5.4", year=2021, user="alice", state="engagée")  # after the plan: its own year appears
    year = progress_table(db, ISERE, 2020)
    assert list(year.columns) == list(PROGRESS_COLUMNS)
    assert len(year) == ISERE_FICHES and year["action_code"].iloc[0] == "1.1"
    assert year["state_label"].value_counts().to_dict() == {"sans suivi": ISERE_FICHES - 1, "réalisée": 1}
    assert year["state"].isna().sum() == ISERE_FICHES - 1
    assert year.set_index("action_code").loc["1.2", "budget"] == 1000
    every = progress_table(db, ISERE)
    assert sorted(every["year"].unique()) == list(range(2014, 2022)) and len(every) == ISERE_FICHES * 8
    with pytest.raises(UserError, match="inconnu"):
        progress_table(db, "inconnu")


# --- milestones recorded with the follow-up (the form) -----------------------------------------

CHARTE = dt.date(2016, 6, 30)
REALISE, ABANDONNE, A_RENSEIGNER = MilestoneState.REALISE, MilestoneState.ABANDONNE, MilestoneState.A_RENSEIGNER


def _milestone_status(conn: Connection, action: str, position: int, year: int = 2020) -> str:
    labels = [entry.label for entry in fiche_milestones(conn, plan=ISERE, action=action)]
    table = objective_status_table(conn, plan=ISERE, year=year)
    row = table[(table["action_code"] == action) & (table["kind"] == "milestone") & (table["label"] == labels[position])]
    assert len(row) == 1
    return str(row["status"].iloc[0])


def test_the_fiche_s_milestones_stand_as_recorded_else_as_the_plan_says(db):
    assert [(e.position, e.state, e.record_id) for e in fiche_milestones(db, plan=ISERE, action="1.1")] == [
        (0, A_RENSEIGNER, None),
        (1, A_RENSEIGNER, None),
    ]
    db.execute(  # a date the plan gives (« atteint_le »)
        Objective.__table__.update()
        .where(Objective.plan_code == ISERE, Objective.action_code == "1.1", Objective.position == 1)
        .values(achieved_on=dt.date(2015, 1, 1))
    )
    set_milestone(db, plan=ISERE, action="1.1", position=0, state=ABANDONNE, user="a", comment=" trop tôt ")
    first, second = fiche_milestones(db, plan=ISERE, action="1.1")
    assert (first.state, first.achieved_on, first.comment) == (ABANDONNE, None, "trop tôt") and first.record_id is not None
    assert (second.state, second.achieved_on, second.record_id) == (REALISE, dt.date(2015, 1, 1), None)
    assert fiche_milestones(db, plan=ISERE, action="2.2") == []  # a fiche without milestone


@pytest.mark.parametrize(
    ("choice", "changed"),
    [
        ((A_RENSEIGNER, None, None), False),
        ((A_RENSEIGNER, CHARTE, ""), False),  # a date without « réalisé » is not stored; empty comment = none
        ((A_RENSEIGNER, None, "  "), False),  # stripped as stored
        ((A_RENSEIGNER, None, "vu en comité"), True),  # a comment alone is a change
        ((REALISE, CHARTE, None), True),
        ((ABANDONNE, None, None), True),
    ],
)
def test_a_milestone_changes_when_its_state_date_or_comment_does(choice, changed):
    entry = MilestoneEntry(0, "Charte adoptée", A_RENSEIGNER, None, None, None)
    assert milestone_changed(entry, *choice) is changed


def test_a_realised_milestone_date_change_is_a_change():
    entry = MilestoneEntry(0, "Charte adoptée", REALISE, CHARTE, "ok", 7)
    assert not milestone_changed(entry, REALISE, CHARTE, " ok ")
    assert milestone_changed(entry, REALISE, CHARTE + dt.timedelta(days=1), "ok")


def test_the_form_s_milestones_are_recorded_only_when_changed_and_make_the_objective_atteint(db):
    assert _milestone_status(db, "1.1", 0) == "en retard"  # due by the end of 2020, nothing recorded
    chosen = {0: (REALISE, CHARTE, "Feuille de route adoptée"), 1: (A_RENSEIGNER, None, "")}
    assert set_milestones(db, plan=ISERE, action="1.1", year=2020, user="alice", chosen=chosen, now=NOW) == (0,)
    record = milestone_history(db, plan=ISERE)
    assert len(record) == 1 and (record["position"].iloc[0], record["state"].iloc[0]) == (0, "realise")
    assert (record["achieved_on"].iloc[0], record["comment"].iloc[0], record["recorded_by"].iloc[0]) == (
        CHARTE,
        "Feuille de route adoptée",
        "alice",
    )
    history = progress_history(db, ISERE, "1.1")
    assert (history["kind"].iloc[0], history["fields"].iloc[0], history["year"].iloc[0]) == ("saisie", "jalon n° 0", 2020)
    assert _milestone_status(db, "1.1", 0) == "atteint"
    before = _counts(db)
    assert set_milestones(db, plan=ISERE, action="1.1", year=2020, user="alice", chosen=chosen) == ()  # nothing changed
    assert _counts(db) == before


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (
            {0: (REALISE, dt.date(2999, 1, 1), None)},
            "Jalon n° 0 « Disposer d'une feuille de route doctrinale » : date de réalisation 01/01/2999 dans le futur",
        ),
        ({0: (REALISE, None, None)}, "Jalon n° 0 « Disposer d'une feuille de route doctrinale » : un jalon réalisé demande sa date"),
        ({9: (ABANDONNE, None, None)}, r"La fiche-action 1.1 n'a pas de jalon n° 9 \(jalons : 0, 1\)"),
    ],
)
def test_a_bad_milestone_is_refused_in_french_and_writes_nothing(db, chosen, message):
    # the valid milestone 1 comes first in the dict but is refused with the others: checked before writing
    with pytest.raises(UserError, match=message):
        set_milestones(db, plan=ISERE, action="1.1", year=2020, user="alice", chosen={1: (ABANDONNE, None, None), **chosen})
    assert _counts(db) == (0, 0, 0, 0)


def test_undo_with_milestones_takes_back_the_newest_change_of_the_fiche_whatever_it_is(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="engagée")
    set_milestones(db, plan=ISERE, action="1.1", year=2020, user="alice", chosen={0: (REALISE, CHARTE, "adoptée")})
    set_milestones(db, plan=ISERE, action="1.1", year=2020, user="bruno", chosen={0: (ABANDONNE, None, None)})
    undone = undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="carla", milestones=True)
    assert (undone.milestone_position, undone.fields, undone.undone_by) == (0, (), "bruno")
    latest = milestone_history(db, plan=ISERE).iloc[0]  # a new record restores the state before, date and comment too
    assert (latest["state"], latest["achieved_on"], latest["comment"], latest["recorded_by"]) == ("realise", CHARTE, "adoptée", "carla")
    assert _milestone_status(db, "1.1", 0) == "atteint"
    undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="carla", milestones=True)
    assert milestone_history(db, plan=ISERE).iloc[0]["state"] == "a_renseigner"  # no record before the first one
    assert _milestone_status(db, "1.1", 0) == "en retard"
    follow_up = undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="carla", milestones=True)
    assert follow_up.milestone_position is None and follow_up.fields == ("state",)
    assert progress_record(db, plan=ISERE, action="1.1", year=2020) is None
    assert len(milestone_history(db, plan=ISERE)) == 4  # every record kept: the history stays complete
    history = progress_history(db, ISERE, "1.1")
    assert list(history["kind"]) == ["annulation"] * 3 + ["saisie"] * 3
    assert list(history["fields"]) == ["état d'avancement", "jalon n° 0", "jalon n° 0", "jalon n° 0", "jalon n° 0", "état d'avancement"]
    with pytest.raises(UserError, match="Aucune modification à annuler pour la fiche 1.1 en 2020"):
        undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="carla", milestones=True)


def test_undo_without_milestones_still_skips_them(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="alice", state="engagée")
    set_milestones(db, plan=ISERE, action="1.1", year=2020, user="alice", chosen={0: (REALISE, CHARTE, None)})
    assert undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="alice").fields == ("state",)  # the command line's undo
    assert milestone_history(db, plan=ISERE).iloc[0]["state"] == "realise"
    with pytest.raises(UserError, match="Aucune modification à annuler pour la fiche 1.1 en 2019"):
        undo_last_change(db, plan=ISERE, action="1.1", year=2019, user="alice", milestones=True)  # recorded for 2020, not 2019


def test_undoing_a_milestone_recorded_again_since_is_refused(db):
    set_milestones(db, plan=ISERE, action="1.1", year=2020, user="alice", chosen={0: (REALISE, CHARTE, None)})
    set_milestone(db, plan=ISERE, action="1.1", position=0, state=ABANDONNE, user="bruno")  # the command line: no follow-up history
    before = _counts(db)
    with pytest.raises(
        UserError, match="Jalon n° 0 de la fiche 1.1 : enregistré autrement depuis la modification n° .* rien n'a été annulé"
    ):
        undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="carla", milestones=True)
    assert _counts(db) == before


def test_undoing_a_first_record_gives_back_the_plan_s_own_date(db):
    db.execute(
        Objective.__table__.update()
        .where(Objective.plan_code == ISERE, Objective.action_code == "1.1", Objective.position == 0)
        .values(achieved_on=dt.date(2015, 1, 1))
    )
    assert _milestone_status(db, "1.1", 0) == "atteint"
    set_milestones(db, plan=ISERE, action="1.1", year=2020, user="alice", chosen={0: (ABANDONNE, None, None)})
    assert _milestone_status(db, "1.1", 0) == "abandonné"
    undo_last_change(db, plan=ISERE, action="1.1", year=2020, user="alice", milestones=True)
    latest = milestone_history(db, plan=ISERE).iloc[0]
    assert (latest["state"], latest["achieved_on"]) == ("realise", dt.date(2015, 1, 1))  # not « à renseigner »: the status stays
    assert _milestone_status(db, "1.1", 0) == "atteint"


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("non engagée", "non_engagee"),
        ("Non engagé", "non_engagee"),  # masculine
        ("NON-ENGAGEE", "non_engagee"),
        ("non_engagee", "non_engagee"),  # the stored word
        ("engagée", "engagee"),
        ("Engage", "engagee"),
        ("  ENGAGÉES ", "engagee"),  # plural, spaces
        ("réalisée", "realisee"),
        ("Réalisé", "realisee"),
        ("REALISE", "realisee"),
        ("abandonnée", "abandonnee"),
        ("abandonne", "abandonnee"),
        ("Abandonnés", "abandonnee"),
    ],
)
def test_states_are_read_with_or_without_accents_in_any_case_and_gender(text, state):
    assert parse_progress_state(text) == state


@pytest.mark.parametrize("text", ["", "en cours", "fini", "réalis", "engagement", "non"])
def test_an_unknown_state_is_refused_with_the_expected_words(text):
    with pytest.raises(UserError, match="attendu : non engagée, engagée, réalisée, abandonnée"):
        parse_progress_state(text)


@pytest.mark.parametrize(
    ("value", "euros"),
    [
        ("12 500", 12500.0),
        ("12\u00a0500", 12500.0),  # a no-break space, as Excel writes thousands
        ("12500,50", 12500.5),
        ("12 500,50 €", 12500.5),
        ("12.500,50", 12500.5),
        ("0", 0.0),
        (1234.567, 1234.57),  # rounded to the cent
        (40, 40.0),
    ],
)
def test_amounts_are_read_as_french_people_write_them(value, euros):
    assert parse_budget(value) == euros


@pytest.mark.parametrize(
    ("value", "message"),
    [("-5", "négatif"), ("douze", "pas un montant"), ("12 %", "pas un montant"), ("1e13", "invraisemblable"), ("", "vides")],
)
def test_a_bad_amount_is_refused(value, message):
    with pytest.raises(UserError, match=message):
        parse_budget(value)


# --- import ------------------------------------------------------------------------------------

HEADER = "Fiche;Année;État;Réalisations;Commentaire;Pilote;Partenaires;Moyens;Jalon;Date"
GOOD = _csv(
    HEADER,
    "1.1;2020;réalisée;Doctrine adoptée;;DDCS;CAF, Département;12 500;;",
    "1.2;2020;NON ENGAGEE;;;;;;;",
    "1.3;2020;Réalisé;;Outil livré;;;;0;30/06/2016",
    "1.4;2019;engagée;;;;;1000,50;;",
    "2.1;2020;;;;;;;;",  # nothing to record: skipped
)


def _import(conn: Connection, data: bytes, **options):  # type: ignore[no-untyped-def]
    preview = prepare_progress_import(conn, data, "suivi.csv", plan=options.pop("plan", ISERE), **options)
    return preview, apply_progress_import(conn, preview, user="alice", now=NOW)


def test_an_import_records_the_fiches_and_the_milestones(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="bruno", state="engagée", comment="gardé")
    preview, outcome = _import(db, GOOD)
    assert not preview.errors and preview.empty_rows == 1
    assert preview.counts == {"nouvelles": 2, "modifiées": 1, "inchangées": 0, "jalons": 1, "jalons inchangés": 0}
    assert outcome.import_id is not None and (outcome.fiches, outcome.milestones) == (3, 1)
    table = progress_table(db, ISERE, 2020).set_index("action_code")
    assert table.loc["1.1", "state"] == "realisee" and table.loc["1.1", "comment"] == "gardé"  # an empty cell leaves the value
    assert table.loc["1.1", "partners"] == "CAF, Département" and table.loc["1.1", "budget"] == 12500
    assert table.loc["1.2", "state"] == "non_engagee" and table.loc["2.1", "state"] is None
    assert progress_table(db, ISERE, 2019).set_index("action_code").loc["1.4", "budget"] == 1000.5
    milestone = milestone_history(db, plan=ISERE).iloc[0]
    assert (milestone["action_code"], milestone["position"], milestone["state"]) == ("1.3", 0, "realise")
    assert milestone["achieved_on"] == dt.date(2016, 6, 30) and milestone["comment"] == "Outil livré"
    history = progress_history(db, ISERE)
    assert (history["import_id"] == outcome.import_id).sum() == 4
    again, second = _import(db, GOOD)
    assert second.import_id is None and again.counts["inchangées"] == 3 and again.counts["jalons inchangés"] == 1


def test_a_file_with_one_bad_line_is_refused_whole_and_names_the_line(db):
    data = GOOD + b"3.1;2020;en cours;;;;;;;\n"
    before = _counts(db)
    preview = prepare_progress_import(db, data, "suivi.csv", plan=ISERE)
    assert preview.errors == 1 and preview.error_lines == 1
    assert preview.issues["message"].tolist() == [
        "ligne 7, colonne « État » : « en cours » n'est pas un état d'avancement (attendu : non engagée, engagée, réalisée ou abandonnée)"
    ]
    with pytest.raises(UserError, match="Fichier refusé : 1 erreur"):
        apply_progress_import(db, preview, user="alice")
    assert _counts(db) == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("9.9;2020;engagée;;;;;;;", "colonne « Fiche » : « 9.9 » n'est pas une fiche-action du plan"),
        (";2020;engagée;;;;;;;", "colonne « Fiche » : est vide"),
        ("1.1;2030;engagée;;;;;;;", "colonne « Année » : « 2030 » hors de la période du plan (2014–2020)"),
        ("1.1;deux mille;engagée;;;;;;;", "n'est pas une année"),
        ("1.1;2020;fini;;;;;;;", "« fini » n'est pas un état d'avancement"),
        ("1.1;2020;;;;;;-12;;", "colonne « Moyens » : « -12 » est négatif"),
        ("1.1;2020;;;;;;12 k€;;", "« 12 k€ » n'est pas un montant en euros"),
        (f"1.1;2020;;;;{'x' * 201};;;;", "colonne « Pilote » : est trop long : 201 caractères pour 200"),
        ("1.1;2020;;;;;;;;01/01/2020", "colonne « Date » : « 01/01/2020 » ne sert qu'à un jalon"),
        ("1.3;2020;réalisé;;;;;;0;", "colonne « Date » : est vide : un jalon réalisé demande sa date"),
        ("1.3;2020;réalisé;;;;;;0;31/02/2016", "n'est pas une date valide"),
        ("1.3;2020;réalisé;;;;;;0;01/01/2999", "est dans le futur"),
        ("1.3;2020;engagée;;;;;;0;", "« engagée » n'est pas un état de jalon (attendu : réalisé, abandonné ou à renseigner)"),
        ("1.3;2020;abandonné;;;;;;9;", "colonne « Jalon » : « 9 » n'est pas un jalon de la fiche (jalons : 0, 1, 2, 3)"),
        ("2.2;2020;abandonné;;;;;;0;", "la fiche n'a aucun jalon"),
        ("1.3;2020;abandonné;;;;;;rien de tel;", "n'est le libellé d'aucun jalon"),
        ("1.3;2020;abandonné;;;CCAS;;;0;", "colonne « Pilote » : ne s'applique pas à un jalon"),
        ("1.3;2020;abandonné;;;;;;1;15/01/2016", "ne s'indique que pour un jalon réalisé"),
        ("1.1;2020;engagée;;;;;;;", "ligne 7 : même fiche et même année qu'à la ligne 2"),
        ("1.3;2019;abandonné;;;;;;0;", "colonne « Jalon » : « 0 » est le même jalon qu'à la ligne 4"),
    ],
)
def test_each_bad_cell_is_reported_with_its_line_and_column(db, line, message):
    preview = prepare_progress_import(db, GOOD + (line + "\n").encode(), "suivi.csv", plan=ISERE)
    assert preview.errors == 1, preview.issues["message"].tolist()
    assert message in preview.issues["message"].iloc[0]
    assert preview.issues["message"].iloc[0].startswith("ligne 7")


def test_a_milestone_is_found_by_its_label_too(db):
    data = _csv("fiche;annee;jalon;etat;date", "1.4;2020;Charte adoptée par le PALHDI;réalisé;2016-03-01")
    _, outcome = _import(db, data)
    assert outcome.milestones == 1
    assert milestone_history(db, plan=ISERE).iloc[0]["position"] == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_csv("code;valeur", "1.1;3"), "l'en-tête doit nommer au moins « fiche » et « annee »"),
        (_csv("plan;fiche;annee;etat", "sarthe-pdalpd-2008-2012;1A;2010;engagée", f"{ISERE};1.1;2020;engagée"), "Précisez le plan"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(db, data, message):
    with pytest.raises(UserError, match=message):
        prepare_progress_import(db, data, "suivi.csv")


def test_the_plan_column_names_the_plan_and_must_not_change(db):
    data = _csv("plan;fiche;annee;etat", f"{ISERE};1.1;2020;engagée", "sarthe-pdalpd-2008-2012;1.2;2020;engagée")
    preview = prepare_progress_import(db, data, "suivi.csv", plan=ISERE)
    assert preview.issues["message"].tolist() == [
        f"ligne 3, colonne « plan » : « sarthe-pdalpd-2008-2012 » n'est pas le plan importé (« {ISERE} ») : un fichier suit un seul plan"
    ]
    assert prepare_progress_import(db, data[: data.index(b"sarthe")], "suivi.csv").plan == ISERE  # no --plan: the file's


def test_reverting_an_import_restores_everything_it_replaced(db):
    set_progress(db, plan=ISERE, action="1.1", year=2020, user="bruno", state="engagée", lead="Préfecture")
    before = progress_table(db, ISERE)
    _, outcome = _import(db, GOOD)
    assert outcome.import_id is not None
    reverted = revert_progress_import(db, outcome.import_id, user="carla")
    assert (reverted.restored, reverted.milestones, reverted.kept_milestones) == (3, 1, 0)
    after = progress_table(db, ISERE)
    columns = ["action_code", "year", "state", "done", "comment", "lead", "partners", "budget"]
    assert after[columns].equals(before[columns])
    assert milestone_history(db, plan=ISERE).iloc[0]["state"] == "a_renseigner"  # the milestone had no record before
    imports = progress_imports(db, plan=ISERE)
    assert imports.loc[0, "reverted_by"] == "carla" and imports.loc[0, "changes"] == 4
    with pytest.raises(UserError, match="déjà été annulé"):
        revert_progress_import(db, outcome.import_id, user="carla")


def test_an_import_changed_since_is_reverted_only_after_that_change_is_undone(db):
    _, outcome = _import(db, GOOD)
    assert outcome.import_id is not None
    set_progress(db, plan=ISERE, action="1.2", year=2020, user="bruno", state="engagée")
    before = _counts(db)
    with pytest.raises(UserError, match=r"fiche 1.2 en 2020 \(modifiée le .* par bruno ; python -m data_access progress undo"):
        revert_progress_import(db, outcome.import_id, user="carla")
    assert _counts(db) == before
    undo_last_change(db, plan=ISERE, action="1.2", year=2020, user="bruno")
    revert_progress_import(db, outcome.import_id, user="carla")
    assert progress_table(db, ISERE, 2020)["state"].isna().all()


def test_a_milestone_recorded_again_since_the_import_keeps_its_later_state(db):
    from data_access.milestones import set_milestone
    from data_access.vocabulary import MilestoneState

    _, outcome = _import(db, GOOD)
    assert outcome.import_id is not None
    set_milestone(db, plan=ISERE, action="1.3", position=0, state=MilestoneState.ABANDONNE, user="bruno")
    reverted = revert_progress_import(db, outcome.import_id, user="carla")
    assert reverted.kept_milestones == 1 and "garde(nt) leur état le plus récent" in reverted.message
    assert milestone_history(db, plan=ISERE).iloc[0]["state"] == "abandonne"


def test_an_unknown_import_cannot_be_reverted(db):
    with pytest.raises(UserError, match="Aucun import de suivi n° 999"):
        revert_progress_import(db, 999, user="carla")


# --- template ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_imports_cleanly_and_changes_nothing(db, fmt):
    data = progress_template(db, plan=ISERE, fmt=fmt)
    preview = prepare_progress_import(db, data, f"modele.{fmt}")  # its plan column names the plan
    assert preview.plan == ISERE and not preview.errors and not preview.ignored_columns
    milestones = 24  # the Isère plan's milestone objectives
    assert preview.file_rows == preview.empty_rows == ISERE_FICHES + milestones
    assert apply_progress_import(db, preview, user="alice").import_id is None


def test_a_filled_in_template_imports_its_values(db):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(progress_template(db, plan=ISERE, fmt="xlsx", year=2019)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header == list(TEMPLATE_COLUMNS)
    rows = {(r[1].value, r[4].value): r for r in sheet.iter_rows(min_row=2)}
    assert rows[("1.1", None)][3].value == 2019  # the year asked for
    fiche, milestone = rows[("1.1", None)], rows[("1.1", "0")]
    fiche[header.index("etat")].value = "Engagée"
    fiche[header.index("moyens")].value = 2500  # a number cell, as Excel stores it
    milestone[header.index("etat")].value = "réalisé"
    milestone[header.index("date")].value = dt.datetime(2015, 3, 1)  # a date cell
    out = io.BytesIO()
    book.save(out)
    preview = prepare_progress_import(db, out.getvalue(), "modele.xlsx")
    assert not preview.errors, preview.issues["message"].tolist()
    outcome = apply_progress_import(db, preview, user="alice")
    assert (outcome.fiches, outcome.milestones) == (1, 1)
    row = progress_table(db, ISERE, 2019).set_index("action_code").loc["1.1"]
    assert row["state"] == "engagee" and row["budget"] == 2500
    assert milestone_history(db, plan=ISERE).iloc[0]["achieved_on"] == dt.date(2015, 3, 1)


def test_the_template_defaults_to_the_plan_s_last_year(db):
    text = progress_template(db, plan=ISERE, fmt="csv").decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(TEMPLATE_COLUMNS)
    assert text.splitlines()[1].startswith(f"{ISERE};1.1;Rénover la CCAPEX plénière;2020;")


# --- command line ------------------------------------------------------------------------------


@pytest.fixture
def cli_url(small_database_template: Path, tmp_path: Path) -> str:
    shutil.copy(small_database_template, tmp_path / "suivi.db")
    return f"sqlite:///{tmp_path / 'suivi.db'}"


def _run(url: str, *args: str) -> int:
    return cli.main(["--database-url", url, "progress", *args])


def test_the_progress_commands_record_show_undo_in_french(cli_url, capsys):
    key = ["--plan", ISERE, "--action", "1.1", "--year", "2020"]
    assert _run(cli_url, "set", *key, "--state", "Engagé", "--budget", "12 500", "--lead", "DDCS") == 0
    assert capsys.readouterr().out == "Fiche 1.1, 2020 : état d'avancement, pilote, moyens. Enregistré.\n"
    assert _run(cli_url, "set", *key, "--comment", "Réunions trimestrielles") == 0
    capsys.readouterr()
    assert _run(cli_url, "show", "--plan", ISERE, "--year", "2020") == 0
    out = capsys.readouterr().out
    assert out.startswith("2020 — 16 fiches (sans suivi : 15, engagée : 1)\n")
    assert "1.1   engagée" in out and "moyens : 12\u202f500 €" in out and "pilote : DDCS" in out
    assert _run(cli_url, "history", "--plan", ISERE) == 0
    assert "fiche 1.1, 2020 : saisie (commentaire)" in capsys.readouterr().out
    assert _run(cli_url, "undo", *key) == 0
    assert "(saisie, par" in capsys.readouterr().out
    assert _run(cli_url, "set", *key, "--state", "fini") == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : État d'avancement « fini » inconnu") and "Traceback" not in err
    assert _run(cli_url, "undo", "--plan", ISERE, "--action", "9.9", "--year", "2020") == 2
    assert "Fiche-action « 9.9 » inconnue" in capsys.readouterr().err


def test_the_import_commands_write_the_template_import_and_revert(cli_url, tmp_path, capsys):
    template = tmp_path / "modele.csv"
    assert _run(cli_url, "import", "--template", str(template), "--plan", ISERE) == 0
    assert "Modèle écrit" in capsys.readouterr().out
    assert _run(cli_url, "import", str(template)) == 0
    assert "Le fichier ne change rien au suivi enregistré : rien n'a été écrit." in capsys.readouterr().out
    bad = tmp_path / "erreurs.csv"
    bad.write_bytes(GOOD + b"3.1;2020;en cours;;;;;;;\n")
    assert _run(cli_url, "import", str(bad), "--plan", ISERE) == 2
    captured = capsys.readouterr()
    assert "ligne 7, colonne « État » : « en cours »" in captured.out and "Fichier refusé : 1 erreur(s)" in captured.err
    good = tmp_path / "suivi.csv"
    good.write_bytes(GOOD)
    assert _run(cli_url, "import", str(good), "--plan", ISERE, "--dry-run") == 0
    assert "rien n'a été écrit" in capsys.readouterr().out
    assert _run(cli_url, "import", str(good), "--plan", ISERE) == 0
    assert "Suivi importé : import n° 1 ; 3 fiche(s) et année(s) enregistrée(s), 1 jalon(s)." in capsys.readouterr().out
    assert _run(cli_url, "imports") == 0
    assert "suivi.csv : 5 ligne(s), 4 modification(s)" in capsys.readouterr().out
    assert _run(cli_url, "revert", "1") == 0
    assert capsys.readouterr().out == "Import de suivi n° 1 annulé : 3 fiche(s) et année(s) rétablie(s), 1 jalon(s) rétabli(s).\n"
    assert _run(cli_url, "revert", "1") == 2
    assert "déjà été annulé" in capsys.readouterr().err
    assert _run(cli_url, "import", "--template", str(tmp_path / "modele.ods"), "--plan", ISERE) == 2
    assert "en .xlsx ou en .csv" in capsys.readouterr().err


def test_the_progress_command_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["progress", "--help"])
    out = capsys.readouterr().out
    for action in ("set", "show", "history", "undo", "import", "imports", "revert"):
        assert action in out


# --- the form ----------------------------------------------------------------------------------

FORM_SCRIPT = """
from ui.progress_form import progress_form
progress_form("isere-palhdi-2014-2020", "1.1", 2020, user="gestion")
"""


@pytest.fixture
def form(cli_url, monkeypatch):  # type: ignore[no-untyped-def]
    """The form alone, in an AppTest script, on a fresh copy of a small database."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", cli_url)
    st.cache_data.clear()
    st.cache_resource.clear()  # the engine
    return AppTest.from_string(FORM_SCRIPT, default_timeout=60)


def _records(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = _count(conn, ActionProgress) + _count(conn, ActionProgressHistory)
    engine.dispose()
    return count


@pytest.mark.parametrize("session_user", [None, "quelqu'un d'autre"])
def test_the_form_is_refused_without_the_data_manager_role(form, cli_url, session_user):
    from ui.auth import SESSION_USER

    if session_user is not None:
        form.session_state[SESSION_USER] = session_user  # signed in, but not as the user the page names
    form.run()
    assert not form.exception
    assert "gestionnaire de données" in form.info[0].value
    assert not form.selectbox and not form.text_area and not form.button and not form.number_input
    assert not form.radio and not form.date_input and not form.text_input, "no milestone widget either"
    assert _records(cli_url) == 0


def test_a_data_manager_saves_then_undoes(form, cli_url):
    from ui.auth import SESSION_USER

    form.session_state[SESSION_USER] = "gestion"
    form.run()
    assert not form.exception
    form.selectbox[0].select(ProgressState.ENGAGEE)
    form.text_area[0].input("Feuille de route rédigée")
    form.text_input[0].input("DDCS")
    form.number_input[0].set_value(12500.5)
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert not form.exception and not form.error
    assert form.success[0].value == "Suivi de la fiche 1.1 en 2020 enregistré (état d'avancement, réalisations, pilote, moyens)."
    assert form.text_input[0].value == "DDCS" and form.number_input[0].value == 12500.5  # the stored values, shown again
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert form.info[0].value == "Rien n'a changé : rien n'a été enregistré."
    assert _records(cli_url) == 2  # the record and one history row
    next(b for b in form.button if b.label == "Annuler la dernière modification").click().run()
    assert not form.exception and "annulée" in form.success[0].value
    assert form.selectbox[0].value is None and form.text_input[0].value == ""
    engine = make_engine(cli_url)
    with engine.connect() as conn:
        assert progress_record(conn, plan=ISERE, action="1.1", year=2020) is None
        assert list(progress_history(conn, ISERE)["kind"]) == ["annulation", "saisie"]
    engine.dispose()


def test_the_form_refuses_to_overwrite_a_change_made_meanwhile(form, cli_url):
    from ui.auth import SESSION_USER

    form.session_state[SESSION_USER] = "gestion"
    form.run()
    engine = make_engine(cli_url)
    with engine.begin() as conn:  # another data manager saves the same fiche
        set_progress(conn, plan=ISERE, action="1.1", year=2020, user="autre", state="réalisée")
    engine.dispose()
    form.text_input[0].input("DDCS")
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert not form.exception
    assert "modifié entre-temps (dans une autre session) : rien n'a été enregistré" in form.error[0].value
    assert form.selectbox[0].value == ProgressState.REALISEE and form.text_input[0].value == ""  # what is stored now


def _milestone_records(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = _count(conn, MilestoneRecord)
    engine.dispose()
    return count


def test_the_form_shows_each_milestone_of_the_fiche_with_its_state(form, cli_url):
    from ui.auth import SESSION_USER

    engine = make_engine(cli_url)
    with engine.begin() as conn:
        set_milestone(conn, plan=ISERE, action="1.1", position=1, state=ABANDONNE, user="autre", comment="Hors champ")
    engine.dispose()
    form.session_state[SESSION_USER] = "gestion"
    form.run()
    assert not form.exception
    assert [r.label for r in form.radio] == [
        "Jalon n° 0 : Disposer d'une feuille de route doctrinale",
        "Jalon n° 1 : Faculté de la CCAPEX plénière à piloter la politique de la prévention des expulsions et à édicter une …",
    ]  # a long label shortened, whole in the help
    assert form.radio[1].help.startswith("Faculté de la CCAPEX") and form.radio[1].help.endswith("doctrine départementale")
    assert [r.value for r in form.radio] == [A_RENSEIGNER, ABANDONNE]  # the latest records, pre-selected
    assert [r.options for r in form.radio][0] == ["à renseigner", "réalisé", "abandonné"]
    assert form.text_input[2].value == "Hors champ" and form.date_input[0].value is None


def test_a_data_manager_records_a_milestone_realise_then_undoes_it(form, cli_url):
    from ui.auth import SESSION_USER

    form.session_state[SESSION_USER] = "gestion"
    form.run()
    form.radio[0].set_value(REALISE)
    form.date_input[0].set_value(CHARTE)
    form.text_input[1].input("Adoptée en CCAPEX plénière")  # text_input[0] is the pilote
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert not form.exception and not form.error
    assert form.success[0].value == "Suivi de la fiche 1.1 en 2020 enregistré (jalon n° 0)."
    assert form.radio[0].value == REALISE and form.date_input[0].value == CHARTE  # the stored values, shown again
    assert form.date_input[0].proto.format == "DD/MM/YYYY"
    engine = make_engine(cli_url)
    with engine.connect() as conn:
        latest = milestone_history(conn, plan=ISERE)
        assert len(latest) == 1 and (latest["state"].iloc[0], latest["achieved_on"].iloc[0]) == ("realise", CHARTE)
        assert latest["comment"].iloc[0] == "Adoptée en CCAPEX plénière" and latest["recorded_by"].iloc[0] == "gestion"
        assert _milestone_status(conn, "1.1", 0) == "atteint"
        assert progress_record(conn, plan=ISERE, action="1.1", year=2020) is None  # no follow-up value given: none written
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert form.info[0].value == "Rien n'a changé : rien n'a été enregistré."
    next(b for b in form.button if b.label == "Annuler la dernière modification").click().run()
    assert not form.exception and not form.error
    assert form.success[0].value.endswith(
        "(par gestion) annulée : le jalon n° 0 « Disposer d'une feuille de route doctrinale » retrouve son état d'avant."
    )
    assert form.radio[0].value == A_RENSEIGNER and form.date_input[0].value is None and form.text_input[1].value == ""
    with engine.connect() as conn:
        assert list(milestone_history(conn, plan=ISERE)["state"]) == ["a_renseigner", "realise"]  # a new record, the old one kept
        assert _milestone_status(conn, "1.1", 0) == "en retard"
    engine.dispose()


def test_the_form_refuses_a_future_date_and_writes_nothing(form, cli_url):
    from ui.auth import SESSION_USER

    form.session_state[SESSION_USER] = "gestion"
    form.run()
    form.selectbox[0].select(ProgressState.REALISEE)  # a follow-up value too: one transaction, refused whole
    form.radio[0].set_value(REALISE)
    form.date_input[0].set_value(dt.date.today() + dt.timedelta(days=1))
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert not form.exception and not form.success
    assert form.error[0].value.startswith("Jalon n° 0 « Disposer d'une feuille de route doctrinale » : date de réalisation ")
    assert form.error[0].value.endswith(" dans le futur.")
    assert _records(cli_url) == 0 and _milestone_records(cli_url) == 0
    form.date_input[0].set_value(None)
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert form.error[0].value.endswith("un jalon réalisé demande sa date de réalisation.")
    assert _records(cli_url) == 0 and _milestone_records(cli_url) == 0


def test_the_form_undoes_the_follow_up_and_the_milestones_newest_first(form, cli_url):
    from ui.auth import SESSION_USER

    form.session_state[SESSION_USER] = "gestion"
    form.run()
    form.selectbox[0].select(ProgressState.ENGAGEE)
    form.radio[1].set_value(ABANDONNE)
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert form.success[0].value == "Suivi de la fiche 1.1 en 2020 enregistré (état d'avancement, jalon n° 1)."
    undo = "Annuler la dernière modification"
    next(b for b in form.button if b.label == undo).click().run()
    assert "le jalon n° 1 « Faculté de la CCAPEX plénière à piloter la politique de la … » retrouve son état" in form.success[0].value
    assert form.radio[1].value == A_RENSEIGNER and form.selectbox[0].value == ProgressState.ENGAGEE
    next(b for b in form.button if b.label == undo).click().run()
    assert form.success[0].value.endswith("annulée : les valeurs d'avant sont rétablies.") and form.selectbox[0].value is None
    next(b for b in form.button if b.label == undo).click().run()
    assert form.error[0].value == "Aucune modification à annuler pour la fiche 1.1 en 2020."


def test_the_form_shows_a_milestone_recorded_meanwhile_and_writes_nothing(form, cli_url):
    from ui.auth import SESSION_USER

    form.session_state[SESSION_USER] = "gestion"
    form.run()
    engine = make_engine(cli_url)
    with engine.begin() as conn:  # the command line records the milestone (no follow-up history row)
        set_milestone(conn, plan=ISERE, action="1.1", position=0, state=ABANDONNE, user="autre")
    engine.dispose()
    form.radio[0].set_value(REALISE)
    form.date_input[0].set_value(CHARTE)
    next(b for b in form.button if b.label == "Enregistrer").click().run()
    assert "modifié entre-temps (dans une autre session) : rien n'a été enregistré" in form.error[0].value
    assert form.radio[0].value == ABANDONNE and _milestone_records(cli_url) == 1
