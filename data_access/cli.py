"""``python -m data_access``: set up, load and inspect the observatory database.

Errors the user can fix are printed in French with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from data_access import demo, reference
from data_access.catalogue import load_catalogue
from data_access.db import make_engine, run_migrations
from data_access.errors import UserError
from data_access.plans import load_plan, plan_directories
from data_access.report import database_status
from data_access.settings import load_settings

ARGPARSE_FRENCH = {
    "invalid choice": "choix invalide",
    "the following arguments are required": "arguments obligatoires manquants",
    "unrecognized arguments": "arguments non reconnus",
    "expected one argument": "une valeur est attendue",
    "argument commande: ": "",
    "choose from": "choisir parmi",
}


class FrenchArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        for english, french in ARGPARSE_FRENCH.items():
            message = message.replace(english, french)
        self.exit(2, f"Erreur : {message}.\nVoir « python -m data_access --help » pour la liste des commandes.\n")


def _parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="python -m data_access", description="Base de l'observatoire PDALHPD : installation, chargements, état."
    )
    parser.add_argument("--database-url", help="URL de la base (défaut : OBSERVATOIRE_DATABASE_URL ou sqlite:///data/observatoire.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="commande", parser_class=FrenchArgumentParser)
    commands.add_parser("init", help="crée ou met à jour le schéma (migrations) et charge le catalogue des indicateurs")
    load = commands.add_parser("load-plan", help="charge un plan (dossier de plans/) et les territoires de son département")
    load.add_argument("plans", nargs="+", type=Path, metavar="DOSSIER", help="par exemple plans/isere-palhdi-2014-2020")
    commands.add_parser("load-reference", help="charge les données de référence réelles (France, repères publiés, INSEE)")
    seed = commands.add_parser("seed-demo", help="génère les données fictives de démonstration si la base n'en a pas")
    seed.add_argument("--replace", action="store_true", help="remplace les données de démonstration existantes")
    commands.add_parser("setup", help="tout en une fois : init, les deux plans, la référence, la démonstration si absente")
    commands.add_parser("status", help="nombre de lignes par table, plans chargés, périodes couvertes, part de démonstration")
    return parser


def _report(label: str, result: object, start: float) -> None:
    print(f"{label} : {result} ({time.perf_counter() - start:.1f} s)", flush=True)


def _init(engine: Engine, url: str) -> None:
    start = time.perf_counter()
    run_migrations(url)
    with engine.begin() as conn:
        _report("Schéma à jour, indicateurs au catalogue", load_catalogue(conn), start)


def _load_plans(engine: Engine, directories: Sequence[Path]) -> None:
    for directory in directories:
        start = time.perf_counter()
        with engine.begin() as conn:
            _report(f"Plan {directory.name}", load_plan(conn, directory), start)


def _load_reference(engine: Engine) -> None:
    start = time.perf_counter()
    with engine.begin() as conn:
        _report(
            "Données de référence (lignes écrites par fichier ; 0 : déjà chargé)",
            reference.load_reference(conn, load_settings().shared_data),
            start,
        )


def _seed(conn: Connection, replace: bool) -> None:
    if replace:
        demo.delete_demo(conn)
    rows = demo.seed_demo(conn)
    print(
        "Données de démonstration déjà présentes : rien à faire."
        if rows == 0 and not replace
        else f"Données de démonstration : {rows} valeurs générées."
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = args.database_url or load_settings().database_url
    engine = make_engine(url)
    try:
        if args.command == "init":
            _init(engine, url)
        elif args.command == "load-plan":
            _load_plans(engine, args.plans)
        elif args.command == "load-reference":
            _load_reference(engine)
        elif args.command == "seed-demo":
            with engine.begin() as conn:
                _seed(conn, args.replace)
        elif args.command == "setup":
            _init(engine, url)
            _load_plans(engine, plan_directories())
            _load_reference(engine)
            start = time.perf_counter()
            with engine.begin() as conn:
                _report("Données de démonstration (valeurs générées ; 0 : déjà présentes)", demo.seed_demo(conn), start)
        elif args.command == "status":
            with engine.connect() as conn:
                print(database_status(conn))
    except UserError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except OperationalError as error:
        print(f"Erreur : impossible d'utiliser la base {engine.url.render_as_string(hide_password=True)} ({error.orig}).", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0
