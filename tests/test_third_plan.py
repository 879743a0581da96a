"""A third plan, for another département, needs data only: no code change.

A small fictitious plan for the Drôme (26) is written in a temporary folder with its own shared
data (referential CSVs, a national file and its published reference points), loaded into a fresh
SQLite database by the real migrations and loaders, and every page of the app is opened on it.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Connection, Engine, func, select

from data_access import demo, reference
from data_access.catalogue import load_catalogue
from data_access.db import make_engine, run_migrations
from data_access.models import ImportBatch, Observation, Plan, Territory
from data_access.plans import default_plan, load_plan
from data_access.vocabulary import PAGES
from tests.conftest import new_app
from tests.test_app import run_page

DROME = "drome-plan-fictif-2021-2025"
# fictitious communes: Drôme codes run up to 26383, so 269xx are free
COMMUNES = [
    # code, name, territoire, EPCI (SIREN, name), population, households, arrondissement
    ("26901", "Valbonne-sur-Rhône", "vallee-du-rhone", "200099901", "CA Fictive Rhône", 52000, 24000, "263"),
    ("26902", "Saint-Fictif", "vallee-du-rhone", "200099901", "CA Fictive Rhône", 9000, 4100, "263"),
    ("26903", "Montclar-les-Bois", "diois", "200099902", "CC Fictive du Diois", 4200, 1900, "261"),
    ("26904", "Les Essarts-Hauts", "diois", "200099902", "CC Fictive du Diois", 1300, 600, "261"),
    ("26905", "Lachaud", "diois", "200099902", "CC Fictive du Diois", 450, 210, "261"),
]
TERRITOIRES = {"vallee-du-rhone": "Vallée du Rhône", "diois": "Diois"}
ARRONDISSEMENTS = {"261": "Die", "263": "Valence"}


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_shared_data(shared: Path) -> None:
    """The referential CSVs of the plan (same columns as ../shared/data/referentiel), a national
    file and the plan's published reference points."""
    _write_csv(
        shared / "referentiel" / "drome-communes.csv",
        [
            "code_commune",
            "nom_commune",
            "code_territoire",
            "nom_territoire",
            "code_epci",
            "nom_epci",
            "population",
            "code_commune_2026",
            "nom_commune_2026",
            "note",
        ],
        [[c, n, t, TERRITOIRES[t], e, en, p, c, n, ""] for c, n, t, e, en, p, _, _ in COMMUNES],
    )
    _write_csv(
        shared / "referentiel" / "drome-territoires.csv",
        ["code_territoire", "nom_territoire", "n_communes", "population"],
        [[t, name, sum(c[2] == t for c in COMMUNES), sum(c[5] for c in COMMUNES if c[2] == t)] for t, name in TERRITOIRES.items()],
    )
    _write_csv(
        shared / "referentiel" / "drome-menages.csv",
        [
            "code_commune",
            "nom_commune",
            "code_arrondissement",
            "nom_arrondissement",
            "menages_2021",
            "logements_2021",
            "residences_principales_2021",
            "logements_vacants_2021",
            "note",
        ],
        [[c, n, a, ARRONDISSEMENTS[a], h, round(h * 1.15, 1), h, round(h * 0.08, 1), ""] for c, n, _, _, _, _, h, a in COMMUNES],
    )
    _write_csv(
        shared / "reference" / "france-procedure-expulsion.csv",
        ["annee", "indicateur", "valeur", "precision", "source"],
        [[2019, "assignations", 130000, "approx", "Source fictive de test"], [2022, "expulsions_effectives", 17500, "exact", "idem"]],
    )
    _write_csv(
        shared / "reference" / "drome-reperes-publies.csv",
        ["annee", "indicateur", "valeur", "precision", "source"],
        [[2022, "assignations", 260, "approx", "Repère fictif de test"]],
    )


def _objective(kind: str, label: str, indicator: str | None = None, target: float | None = None, territory: str | None = None) -> dict:
    return {"kind": kind, "label": label, "indicateur": indicator, "territoire": territory, "cible": target}


def plan_document(code: str = DROME, default: bool = False) -> dict[str, Any]:
    """A small plan: 2 orientations, 3 fiches, objectives on catalogue indicators and a milestone."""
    return {
        "code": code,
        "nom": "Plan fictif d'action pour le logement et l'hébergement des personnes défavorisées de la Drôme 2021-2025",
        "nom_court": "Drôme — plan fictif 2021–2025",
        "sigle": "PFDL",
        "departement": {"code": "26", "nom": "Drôme"},
        "debut": "2021-01-01",
        "fin": "2025-12-31",
        "type_axe": "orientation",
        "defaut": default,
        "source": "Plan fictif écrit pour les tests",
        "referentiel": {
            "communes": "referentiel/drome-communes.csv",
            "territoires": "referentiel/drome-territoires.csv",
            "menages": "referentiel/drome-menages.csv",
        },
        "reperes_publies": ["reference/drome-reperes-publies.csv"],
        "axes": [
            {
                "code": "1",
                "titre": "Prévenir les expulsions",
                "actions": [
                    {
                        "code": "1A",
                        "titre": "Aller vers les ménages assignés",
                        "indicateurs": ["assignations", "cql", "expulsions_effectives"],
                        "objectifs": [_objective("max_per_year", "Pas plus de 300 assignations par an", "assignations", 300)],
                    },
                    {
                        "code": "1B",
                        "titre": "Mettre en place une charte de prévention",
                        "objectifs": [_objective("milestone", "Signer la charte départementale de prévention")],
                    },
                ],
            },
            {
                "code": "2",
                "titre": "Développer l'habitat adapté",
                "actions": [
                    {
                        "code": "2A",
                        "titre": "Monter des projets d'habitat adapté",
                        "indicateurs": ["projets_habitat_adapte"],
                        "objectifs": [
                            _objective(
                                "min_cumulative", "6 projets dans la vallée du Rhône", "projets_habitat_adapte", 6, "vallee-du-rhone"
                            ),
                            _objective("min_cumulative", "2 projets dans le Diois", "projets_habitat_adapte", 2, "diois"),
                        ],
                    }
                ],
            },
        ],
    }


def write_plan(directory: Path, document: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "plan.yaml").write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def third(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders of the third plan: its plan directory, its shared data and its database file."""
    root = tmp_path_factory.mktemp("third-plan")
    write_shared_data(root / "shared")
    write_plan(root / "plans" / DROME, plan_document())
    return {"root": root, "plan": root / "plans" / DROME, "shared": root / "shared", "database": root / "observatoire.db"}


@pytest.fixture(scope="module")
def third_url(third: dict[str, Path]) -> str:
    """A database built as ``setup`` builds one, with the third plan only."""
    url = f"sqlite:///{third['database']}"
    run_migrations(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        load_catalogue(conn)
        load_plan(conn, third["plan"], shared_data=third["shared"])
        reference.load_reference(conn, third["shared"])
        demo.seed_demo(conn)
    engine.dispose()
    return url


@pytest.fixture
def third_conn(third_url: str) -> Iterator[Connection]:
    engine: Engine = make_engine(third_url)
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()
    engine.dispose()


def test_the_third_plan_and_its_territories_are_loaded(third_conn):
    plan = third_conn.execute(select(Plan.code, Plan.departement_code, Plan.axis_kind)).all()
    assert plan == [(DROME, "26", "orientation")]
    levels = dict(
        third_conn.execute(select(Territory.level, func.count()).where(Territory.departement_code == "26").group_by(Territory.level)).all()
    )
    assert levels == {"commune": 5, "epci": 2, "arrondissement": 2, "territoire": 2, "departement": 1}


def test_its_published_points_are_a_reference_batch_of_the_departement(third_conn):
    batch = third_conn.execute(
        select(ImportBatch.id, ImportBatch.source).where(
            ImportBatch.kind == "reference", ImportBatch.file_name == "drome-reperes-publies.csv"
        )
    ).one()
    assert batch.source == "Repères publiés, Drôme"
    points = third_conn.execute(select(Observation.territory_code, Observation.value).where(Observation.import_batch_id == batch.id)).all()
    assert points == [("26", 260.0)]


def test_its_departement_gets_demo_data_labelled_demo(third_conn):
    (batch,) = demo.demo_batch_ids(third_conn)
    by_indicator = dict(
        third_conn.execute(
            select(Observation.indicator_code, func.count())
            .where(Observation.import_batch_id == batch)
            .group_by(Observation.indicator_code)
        ).all()
    )
    assert by_indicator["assignations"] > 0 and by_indicator["fsl_demandes_energie"] > 0
    # the pilotage indicator of fiche 2A is counted where its objectives are set, 6 : 2
    projects = dict(
        third_conn.execute(
            select(Observation.territory_code, func.sum(Observation.value))
            .where(Observation.import_batch_id == batch, Observation.indicator_code == "projets_habitat_adapte")
            .group_by(Observation.territory_code)
        ).all()
    )
    assert set(projects) == {"vallee-du-rhone", "diois"} and projects["vallee-du-rhone"] > projects["diois"] > 0
    assert third_conn.scalar(select(ImportBatch.source).where(ImportBatch.id == batch)) == "Données fictives de démonstration"


def test_default_plan_is_the_flagged_plan_else_the_first_by_code(third, third_conn, tmp_path):
    assert default_plan(third_conn) == DROME  # the only plan
    other = write_plan(tmp_path / "autre", plan_document(code="aaa-autre-plan-fictif"))
    load_plan(third_conn, other, shared_data=third["shared"])
    assert default_plan(third_conn) == "aaa-autre-plan-fictif"  # none flagged: the first by code
    flagged = write_plan(tmp_path / "drome", plan_document(default=True))
    load_plan(third_conn, flagged, shared_data=third["shared"])
    assert default_plan(third_conn) == DROME
    assert third_conn.scalars(select(Plan.code).where(Plan.is_default)).all() == [DROME]


def test_default_plan_is_none_without_plans(tmp_path):
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    run_migrations(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert default_plan(conn) is None
    engine.dispose()


@pytest.fixture
def app(third, third_url, tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_DATABASE_URL", third_url)
    monkeypatch.setenv("OBSERVATOIRE_SHARED_DATA", str(third["shared"]))
    for name in ("OBSERVATOIRE_GEO_SOURCE", "OBSERVATOIRE_GEO_CACHE"):  # no boundaries exist for this plan
        (tmp_path / name).mkdir()
        monkeypatch.setenv(name, str(tmp_path / name))
    return new_app()


@pytest.mark.parametrize("page", [info.script for info in PAGES])
def test_every_page_runs_on_the_third_plan(app, page, caplog):
    with caplog.at_level(logging.ERROR, logger="ui.boundary"):
        run_page(app, page, plan=DROME)
    # the app's error boundary turns an exception into a French message: its log has the traceback
    caught = [record for record in caplog.records if record.name == "ui.boundary"]
    assert not caught, "\n".join(logging.Formatter().formatException(r.exc_info) for r in caught if r.exc_info)
    assert not [e.value for e in app.error if "Référence de l'erreur" in e.value]
    assert app.title, "no title"
    assert not [w.value for w in app.sidebar.warning if "plan" in w.value.lower()], "the plan was not accepted"
