"""Séances (issue 7, « mode réunion ») : created, filled, reordered and deleted on both backends; the Isère
example séance ships with the plan and reloading it changes nothing; a view's URL reopens it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import yaml
from alembic import command
from sqlalchemy import delete, func, inspect, select

from data_access import seances
from data_access.db import alembic_config, make_engine
from data_access.errors import UserError
from data_access.models import Seance, SeanceView
from data_access.plans import PLANS_DIR, load_plan
from data_access.vocabulary import PAGES
from tests.conftest import ROOT, empty_database_url

ISERE, SARTHE = "isere-palhdi-2014-2020", "sarthe-pdalpd-2008-2012"
EXAMPLE = "CCAPEX plénière — exemple"
USER = "gestionnaire"
BASE = {"plan": ISERE, "debut": "2021", "fin": "2025", "granularite": "annee", "niveau": "territoire", "territoire": "38"}


def _seance_with_views(conn, pages=("vue_ensemble", "tendances", "expulsions", "fsl")) -> tuple[int, list[int]]:
    seance_id = seances.create_seance(
        conn, plan=ISERE, name="CCAPEX plénière — décembre 2025", meeting_date=dt.date(2025, 12, 4), user=USER
    )
    views = [seances.add_view(conn, seance_id=seance_id, page=page, params=BASE, title=f"Vue {page}", user=USER) for page in pages]
    return seance_id, views


def _stored_order(conn, seance_id) -> list[tuple[int, int]]:
    """(position, view id) straight from the table, not through the query under test."""
    return [
        tuple(r)
        for r in conn.execute(
            select(SeanceView.position, SeanceView.id).where(SeanceView.seance_id == seance_id).order_by(SeanceView.position)
        )
    ]


def test_created_seance_is_listed_with_its_date_and_no_views(conn):
    seance_id = seances.create_seance(conn, plan=ISERE, name="  Réunion de printemps ", meeting_date=dt.date(2026, 4, 2), user=USER)
    listed = seances.seances(conn, plan=ISERE).set_index("id")
    assert list(listed.reset_index().columns) == list(seances.SEANCE_COLUMNS)
    row = listed.loc[seance_id]
    assert (row["name"], row["meeting_date"], row["n_views"]) == ("Réunion de printemps", dt.date(2026, 4, 2), 0)
    assert seances.seance_by_name(conn, name="Réunion de printemps", plan=ISERE) == seance_id
    assert seance_id not in set(seances.seances(conn, plan=SARTHE)["id"])


def test_views_are_appended_last_with_their_params_title_and_note(conn):
    seance_id, views = _seance_with_views(conn, pages=("tendances",))
    last = seances.add_view(
        conn,
        seance_id=seance_id,
        page="comparer",
        params={**BASE, "indicateur": "assignations", "presentation": "1"},
        title="Assignations par territoire",
        note="  Le département sert de repère. ",
        user=USER,
    )
    frame = seances.seance_views(conn, seance_id=seance_id)
    assert list(frame.columns) == list(seances.VIEW_COLUMNS)
    assert list(frame["id"]) == [*views, last] and list(frame["position"]) == [0, 1]
    added = frame.iloc[1]
    # « presentation » is how the séance is shown, not part of the view
    assert added["params"] == {**BASE, "indicateur": "assignations"}
    assert (added["page"], added["title"], added["note"]) == ("comparer", "Assignations par territoire", "Le département sert de repère.")
    assert pd.isna(frame.iloc[0]["note"])
    stored = conn.scalar(select(SeanceView.params).where(SeanceView.id == last))
    assert stored.startswith('{"debut":"2021","fin":"2025",')  # canonical JSON: sorted keys, no spaces
    assert seances.seances(conn, plan=ISERE).set_index("id").loc[seance_id, "n_views"] == 2


@pytest.mark.parametrize(
    ("moved", "new_position", "expected"),
    [
        (0, 3, [1, 2, 3, 0]),  # first to last
        (3, 0, [3, 0, 1, 2]),  # last to first
        (1, 2, [0, 2, 1, 3]),  # swap of neighbours: the case a naive « position + 1 » update breaks
        (2, 2, [0, 1, 2, 3]),  # to its own place: nothing changes
    ],
)
def test_moving_a_view_keeps_positions_zero_to_n_minus_one_and_unique(conn, moved, new_position, expected):
    seance_id, views = _seance_with_views(conn)
    seances.move_view(conn, seance_id=seance_id, view_id=views[moved], new_position=new_position, user=USER)
    assert _stored_order(conn, seance_id) == [(position, views[i]) for position, i in enumerate(expected)]
    assert list(seances.seance_views(conn, seance_id=seance_id)["id"]) == [views[i] for i in expected]


def test_moves_in_a_row_keep_the_order_consistent(conn):
    seance_id, views = _seance_with_views(conn)
    for view, position in [(views[0], 2), (views[3], 0), (views[2], 3), (views[1], 1)]:
        seances.move_view(conn, seance_id=seance_id, view_id=view, new_position=position, user=USER)
    # [0,1,2,3] → [1,2,0,3] → [3,1,2,0] → [3,1,0,2] → [3,1,0,2]
    assert [view for _, view in _stored_order(conn, seance_id)] == [views[3], views[1], views[0], views[2]]
    assert [position for position, _ in _stored_order(conn, seance_id)] == [0, 1, 2, 3]


def test_a_change_moves_updated_at_and_records_who(conn):
    seance_id, views = _seance_with_views(conn)
    long_ago = dt.datetime(2020, 1, 1)
    conn.execute(Seance.__table__.update().where(Seance.id == seance_id).values(updated_at=long_ago, updated_by="autre"))
    seances.move_view(conn, seance_id=seance_id, view_id=views[0], new_position=1, user=USER)
    updated_at, updated_by = conn.execute(select(Seance.updated_at, Seance.updated_by).where(Seance.id == seance_id)).one()
    assert updated_at > long_ago and updated_by == USER


@pytest.mark.parametrize("new_position", [-1, 4, 10])
def test_a_position_out_of_range_is_refused(conn, new_position):
    seance_id, views = _seance_with_views(conn)
    with pytest.raises(
        UserError,
        match=r"Position -?\d+ hors limites : la séance « CCAPEX plénière — décembre 2025 » compte 4 vue\(s\) \(positions 0 à 3\)",
    ):
        seances.move_view(conn, seance_id=seance_id, view_id=views[0], new_position=new_position, user=USER)


def test_deleting_a_view_closes_the_gap(conn):
    seance_id, views = _seance_with_views(conn)
    seances.delete_view(conn, seance_id=seance_id, view_id=views[1], user=USER)
    assert _stored_order(conn, seance_id) == [(0, views[0]), (1, views[2]), (2, views[3])]


def test_a_view_of_another_seance_is_neither_moved_nor_deleted(conn):
    seance_id, views = _seance_with_views(conn)
    other = seances.create_seance(conn, plan=ISERE, name="Autre séance", user=USER)
    with pytest.raises(UserError, match="Vue n° .* introuvable dans la séance « Autre séance »"):
        seances.delete_view(conn, seance_id=other, view_id=views[0], user=USER)
    with pytest.raises(UserError, match="introuvable dans la séance"):
        seances.move_view(conn, seance_id=other, view_id=views[0], new_position=0, user=USER)


def test_deleting_a_seance_deletes_its_views(conn):
    seance_id, _ = _seance_with_views(conn)
    seances.delete_seance(conn, seance_id=seance_id, user=USER)
    assert conn.scalar(select(func.count()).select_from(SeanceView).where(SeanceView.seance_id == seance_id)) == 0
    assert seance_id not in set(seances.seances(conn)["id"])
    with pytest.raises(UserError, match=f"Séance n° {seance_id} introuvable"):
        seances.seance_views(conn, seance_id=seance_id)


def test_the_schema_cascades_a_seance_deletion_to_its_views(conn):
    # what a BI tool or psql sees when deleting a row by hand: ON DELETE CASCADE, not only our function
    seance_id, _ = _seance_with_views(conn)
    conn.execute(delete(Seance).where(Seance.id == seance_id))
    assert conn.scalar(select(func.count()).select_from(SeanceView).where(SeanceView.seance_id == seance_id)) == 0


def test_a_duplicate_name_in_the_same_plan_is_refused_but_allowed_in_another(conn):
    seances.create_seance(conn, plan=ISERE, name="Bilan annuel", user=USER)
    with pytest.raises(
        UserError, match="Une séance « Bilan annuel » existe déjà pour le plan isere-palhdi-2014-2020 : choisissez un autre nom"
    ):
        seances.create_seance(conn, plan=ISERE, name="Bilan annuel ", user=USER)
    assert seances.create_seance(conn, plan=SARTHE, name="Bilan annuel", user=USER) > 0
    with pytest.raises(UserError, match="Plusieurs plans ont une séance « Bilan annuel » .* précisez le plan"):
        seances.seance_by_name(conn, name="Bilan annuel")


def test_renaming_to_a_free_name_works_and_to_a_taken_one_is_refused(conn):
    first = seances.create_seance(conn, plan=ISERE, name="Première", user=USER)
    seances.create_seance(conn, plan=ISERE, name="Seconde", user=USER)
    seances.rename_seance(conn, seance_id=first, name="Première bis", user=USER)
    assert seances.seance_by_name(conn, name="Première bis", plan=ISERE) == first
    seances.rename_seance(conn, seance_id=first, name="Première bis", user=USER)  # its own name is not « taken »
    with pytest.raises(UserError, match="« Seconde » existe déjà"):
        seances.rename_seance(conn, seance_id=first, name="Seconde", user=USER)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c, s: seances.add_view(c, seance_id=s, page="accueil", params=BASE, title="t", user=USER),
            "Page « accueil » inconnue \\(attendu : vue_ensemble, tendances",
        ),
        (
            lambda c, s: seances.add_view(c, seance_id=s, page="import_donnees", params=BASE, title="t", user=USER),
            "Page « import_donnees » inconnue",
        ),
        (
            lambda c, s: seances.add_view(c, seance_id=s, page="fsl", params={"debut": 2021}, title="t", user=USER),
            "Paramètres d'adresse invalides",
        ),
        (lambda c, s: seances.add_view(c, seance_id=s, page="fsl", params=BASE, title="  ", user=USER), "Le titre de la vue est vide"),
        (lambda c, s: seances.add_view(c, seance_id=s + 1000, page="fsl", params=BASE, title="t", user=USER), "Séance n° \\d+ introuvable"),
        (
            lambda c, s: seances.create_seance(c, plan="isere-2050", name="x", user=USER),
            "Plan « isere-2050 » inconnu \\(plans chargés : .*isere-palhdi-2014-2020",
        ),
        (lambda c, s: seances.create_seance(c, plan=ISERE, name=" ", user=USER), "Le nom de la séance est vide"),
        (lambda c, s: seances.create_seance(c, plan=ISERE, name="x" * 201, user=USER), "trop long \\(201 caractères ; 200 au plus\\)"),
        (
            lambda c, s: seances.create_seance(c, plan=ISERE, name="x", meeting_date="04/12/2025", user=USER),
            "Date de séance « 04/12/2025 » invalide",
        ),
        (
            lambda c, s: seances.seance_by_name(c, name="Inconnue", plan=ISERE),
            "Séance « Inconnue » introuvable pour le plan .* Séances enregistrées : .*« CCAPEX plénière — exemple »",
        ),
        (lambda c, s: seances.view_url("accueil", {}), "Page « accueil » inconnue"),
    ],
    ids=[
        "unknown-page",
        "data-management-page",
        "non-text-param",
        "blank-title",
        "unknown-seance",
        "unknown-plan",
        "blank-name",
        "long-name",
        "date-as-text",
        "unknown-name",
        "url-of-unknown-page",
    ],
)
def test_bad_input_is_refused_with_a_french_message(conn, call, message):
    seance_id, _ = _seance_with_views(conn, pages=())
    with pytest.raises(UserError, match=message):
        call(conn, seance_id)


def test_pages_are_the_dashboard_pages_a_seance_can_show():
    # the data-management page is not shown in a meeting; a new dashboard page must be added to PAGES
    assert set(seances.PAGES) == {info.page.value for info in PAGES if info.in_seance}
    assert {info.script for info in PAGES} == {f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py")}


def test_the_isere_example_seance_covers_the_four_families(conn):
    seance_id = seances.seance_by_name(conn, name=EXAMPLE, plan=ISERE)
    views = seances.seance_views(conn, seance_id=seance_id)
    assert len(views) >= 5 and list(views["position"]) == list(range(len(views)))
    assert {"vue_ensemble", "tendances", "expulsions", "fsl", "mal_logement"} <= set(views["page"])
    assert all(params["plan"] == ISERE for params in views["params"])
    by_page = views.set_index("page")
    trend = by_page.loc["tendances", "params"]
    assert [trend[k] for k in ("indicateur", "territoire", "debut", "fin", "granularite")] == [
        "assignations",
        "38",
        "2021",
        "2025",
        "annee",
    ]
    assert (by_page.loc["expulsions", "params"]["debut"], by_page.loc["expulsions", "params"]["fin"]) == ("2025", "2025")
    listed = seances.seances(conn, plan=ISERE).set_index("id").loc[seance_id]
    assert pd.isna(listed["meeting_date"]) and listed["n_views"] == len(views)


def _seance_rows(conn) -> dict[str, list]:
    return {model.__tablename__: sorted(map(tuple, conn.execute(select(model)).all()), key=repr) for model in (Seance, SeanceView)}


def test_loading_the_plan_twice_leaves_the_seance_rows_identical(conn):
    before = _seance_rows(conn)
    load_plan(conn, PLANS_DIR / ISERE)
    load_plan(conn, PLANS_DIR / ISERE)
    assert _seance_rows(conn) == before


def _write(tmp_path: Path, content: dict) -> Path:
    path = tmp_path / "seances.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def test_the_loader_creates_missing_seances_and_keeps_edited_ones(conn, tmp_path):
    mine = seances.create_seance(conn, plan=ISERE, name="Ma séance", user=USER)
    seances.add_view(conn, seance_id=mine, page="fsl", params=BASE, title="FSL", user=USER)
    view = {"page": "tendances", "titre": "Assignations", "parametres": {**BASE, "debut": 2021, "indicateur": "assignations"}}
    path = _write(tmp_path, {"seances": [{"nom": "Nouvelle", "date": "2025-12-04", "vues": [view, {**view, "page": "comparer"}]}]})

    assert seances.load_seances_file(conn, ISERE, path) == 1
    created = seances.seance_by_name(conn, name="Nouvelle", plan=ISERE)
    views = seances.seance_views(conn, seance_id=created)
    assert list(views["page"]) == ["tendances", "comparer"]
    assert views.iloc[0]["params"]["debut"] == "2021"  # YAML's int read as the URL's text
    assert seances.seances(conn, plan=ISERE).set_index("id").loc[created, "meeting_date"] == dt.date(2025, 12, 4)

    # the shipped example, edited in the dashboard, is not reset by the next load
    example = seances.seance_by_name(conn, name=EXAMPLE, plan=ISERE)
    first_view = int(seances.seance_views(conn, seance_id=example).iloc[0]["id"])
    seances.delete_view(conn, seance_id=example, view_id=first_view, user=USER)
    after_edit = _seance_rows(conn)
    load_plan(conn, PLANS_DIR / ISERE)
    assert seances.load_seances_file(conn, ISERE, path) == 0
    assert _seance_rows(conn) == after_edit


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"autre": []}, "la rubrique « seances » \\(une liste de séances\\) manque"),
        ({"seances": [{"nom": "A", "vues": [{"page": "accueil", "titre": "t"}]}]}, "séance 1 : Page « accueil » inconnue"),
        ({"seances": [{"nom": "A", "vues": [{"page": "fsl"}]}]}, "séance 1 : chaque vue a une « page », un « titre »"),
        (
            {"seances": [{"nom": "A", "vues": [{"page": "fsl", "titre": "t", "parametres": {"plan": SARTHE}}]}]},
            "le paramètre plan vaut « sarthe",
        ),
        ({"seances": [{"nom": "A", "date": "décembre", "vues": []}]}, "Date de séance « décembre » invalide"),
        (
            {"seances": [{"nom": "A", "vues": []}, {"nom": "A", "vues": []}]},
            "séance 2 : le nom « A » est déjà celui d'une autre séance du fichier",
        ),
    ],
)
def test_a_bad_seances_file_is_refused_before_anything_is_written(conn, tmp_path, content, message):
    before = _seance_rows(conn)
    with pytest.raises(UserError, match=message):
        seances.load_seances_file(conn, ISERE, _write(tmp_path, content))
    assert _seance_rows(conn) == before


@pytest.mark.parametrize(
    ("page", "params", "presentation", "path"),
    [
        ("vue_ensemble", BASE, False, "/"),
        ("tendances", {**BASE, "indicateur": "assignations,cql"}, False, "/tendances"),
        ("comparer", {**BASE, "indicateur": "assignations"}, True, "/comparer"),
        ("mal_logement", {"territoire": "agglo-grenobloise", "note": "é & = ?"}, True, "/mal_logement"),  # characters to encode
        ("fsl", {"presentation": "1"}, False, "/fsl"),  # the keyword decides, not a stored parameter
    ],
)
def test_view_url_reopens_the_view(page, params, presentation, path):
    url = seances.view_url(page, params, presentation=presentation)
    parts = urlsplit(url)
    assert parts.path == path
    parsed = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)).items()}
    expected = {k: v for k, v in params.items() if k != "presentation"} | ({"presentation": "1"} if presentation else {})
    assert parsed == expected


def test_view_url_without_params_is_the_bare_page():
    assert seances.view_url("vue_ensemble", {}) == "/"
    assert seances.view_url("fsl", {}, presentation=True) == "/fsl?presentation=1"


@pytest.fixture
def empty_url(backend, tmp_path_factory):
    yield from empty_database_url(backend, tmp_path_factory, "seances")


def test_migration_0003_adds_and_removes_the_seance_tables(empty_url):
    config = alembic_config(empty_url)
    engine = make_engine(empty_url)
    command.upgrade(config, "0002")
    assert {"seance", "seance_view"}.isdisjoint(inspect(engine).get_table_names())
    command.upgrade(config, "0003")
    inspector = inspect(engine)
    assert {"seance", "seance_view"} <= set(inspector.get_table_names())
    [foreign_key] = inspector.get_foreign_keys("seance_view")
    assert (foreign_key["referred_table"], foreign_key["options"].get("ondelete")) == ("seance", "CASCADE")
    command.downgrade(config, "0002")
    assert {"seance", "seance_view"}.isdisjoint(inspect(engine).get_table_names())
    engine.dispose()
