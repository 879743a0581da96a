"""``python -m data_access``: set up, load and inspect the observatory database.

Errors the user can fix are printed in French with a non-zero exit code, never as a traceback;
an unexpected error goes to the log with its traceback and a reference (``data_access.logs``),
and the user reads one French line with that reference (exit code 1).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from data_access import check, demo, demo_cli, failures, fetch_reference, followup_cli, progress_cli, reference
from data_access.auth import hash_password, os_user
from data_access.catalogue import load_catalogue
from data_access.db import make_engine, run_migrations
from data_access.errors import UserError
from data_access.importers import FORMATS, ImportOptions, apply_import, list_batches, prepare_import, revert_batch
from data_access.importers.histologe import load_classification
from data_access.logs import configure_logging, unexpected_error
from data_access.plans import load_plan, plan_directories
from data_access.report import database_status
from data_access.settings import load_settings

logger = logging.getLogger(__name__)

ARGPARSE_FRENCH = {
    "invalid choice": "choix invalide",
    "the following arguments are required": "arguments obligatoires manquants",
    "unrecognized arguments": "arguments non reconnus",
    "expected one argument": "une valeur est attendue",
    "argument commande: ": "",
    "choose from": "choisir parmi",
    "not allowed with argument": "incompatible avec l'argument",
    "one of the arguments": "l'un des arguments",
    "is required": "est obligatoire",
    "invalid int value": "nombre entier invalide",
    "invalid choice:": "choix invalide :",
}


class _FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An argument parser whose help and errors are French (argparse writes « usage: »,
    « positional arguments », « show this help message and exit » and English errors)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        add_help = kwargs.get("add_help", True)
        kwargs.setdefault("formatter_class", _FrenchHelpFormatter)
        kwargs["add_help"] = False  # argparse's own -h is English: ours is added below
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="affiche cette aide et quitte")

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, french in ARGPARSE_FRENCH.items():
            message = message.replace(english, french)
        program = " ".join(self.prog.split()[:3])  # « python -m <package> », also for sub-commands
        self.exit(2, f"Erreur : {message}.\nVoir « {program} --help » pour la liste des commandes.\n")


def _parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="python -m data_access", description="Base de l'observatoire PDALHPD : installation, chargements, état."
    )
    parser.add_argument("--database-url", help="URL de la base (défaut : OBSERVATOIRE_DATABASE_URL ou sqlite:///data/observatoire.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="commande", parser_class=FrenchArgumentParser)
    commands.add_parser("init", help="crée ou met à jour le schéma (migrations) et charge le catalogue des indicateurs")
    load = commands.add_parser("load-plan", help="charge un plan (dossier de plans/) et les territoires de son département")
    load.add_argument("plans", nargs="+", type=Path, metavar="DOSSIER", help="par exemple plans/isere-palhdi-2014-2020")
    commands.add_parser(
        "load-reference",
        help="charge les données de référence réelles (séries nationales, INSEE ; les repères publiés viennent avec leur plan)",
    )
    seed = commands.add_parser("seed-demo", help="génère les données fictives de démonstration si la base n'en a pas")
    seed.add_argument("--replace", action="store_true", help="remplace les données de démonstration existantes")
    commands.add_parser("setup", help="tout en une fois : init, les deux plans, la référence, la démonstration si absente")
    commands.add_parser("status", help="nombre de lignes par table, plans chargés, périodes couvertes, part de démonstration")
    checking = commands.add_parser(
        "check",
        help="vérifie que les sommes par regroupement, la couverture et l'historique des imports concordent avec les valeurs",
        description="Code de sortie 0 quand la base est cohérente, 1 sinon.",
    )
    checking.add_argument("--repair", action="store_true", help="recalcule ce qui est dérivé des valeurs (sommes, couverture), en une fois")
    fetch = commands.add_parser(
        "fetch-reference",
        help="télécharge les données de référence manquantes depuis leurs sources officielles (empreintes sha256 vérifiées)",
        description="Sans base de données : complète le dossier des données de référence ; dit ce qui ne peut pas être téléchargé.",
    )
    fetch_reference.add_arguments(fetch)
    _import_parsers(commands)
    followup_cli.add_parsers(commands)
    progress_cli.add_parsers(commands)
    demo_cli.add_parsers(commands)
    return parser


def _import_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``import``, ``batches``, ``revert`` and ``hash-password`` (see the README, « Importer des données réelles »)."""
    imp = commands.add_parser(
        "import",
        help="importe un fichier de partenaire (CSV ou XLSX ; table longue, table large ou export Histologe)",
        description="Lit et vérifie tout le fichier, affiche l'aperçu et le rapport, puis écrit tout ou rien.",
    )
    imp.add_argument("file", type=Path, metavar="FICHIER")
    imp.add_argument("--format", choices=FORMATS, help="long, wide ou histologe (défaut : reconnu d'après l'en-tête)")
    imp.add_argument("--sheet", metavar="NOM", help="feuille du classeur XLSX à lire")
    imp.add_argument("--dry-run", action="store_true", help="vérifie et affiche l'aperçu sans rien écrire")
    imp.add_argument("--source", metavar="NOM", help="source des valeurs (ex. « Préfecture (EXPLOC) »), enregistrée avec l'import")
    imp.add_argument("--status", choices=("provisoire", "définitif"), help="statut des valeurs sans colonne statut (défaut : définitif)")
    imp.add_argument("--indicator", metavar="CODE", help="table large : l'indicateur de tout le tableau")
    imp.add_argument("--indicator-column", metavar="NOM", help="table large : la colonne qui contient les indicateurs")
    imp.add_argument("--territory", metavar="CODE", help="table large : le territoire de tout le tableau")
    imp.add_argument("--territory-column", metavar="NOM", help="table large : la colonne qui contient les territoires")
    imp.add_argument(
        "--classification", type=Path, metavar="FICHIER.yaml", help="Histologe : règles de classement (défaut : histologe.yaml)"
    )
    imp.add_argument(
        "--blank-is-secret",
        action="store_true",
        help="les cellules de valeur vides sont du secret statistique (source qui ne diffuse pas les petits effectifs)",
    )
    imp.add_argument(
        "--complete",
        action="store_true",
        help="fichier complet : un export Histologe non filtré (les communes sans signalement reçoivent zéro) ou un tableau "
        "qui liste, pour chaque période, tous les territoires de son niveau (une valeur enregistrée absente passe à zéro)",
    )
    imp.add_argument("--exclude-errors", action="store_true", help="importe les lignes valides et exclut les lignes en erreur")
    imp.add_argument("--report", type=Path, metavar="RAPPORT.csv", help="écrit le rapport des erreurs et avertissements (CSV ; UTF-8)")
    batches = commands.add_parser("batches", help="liste les chargements et imports (les plus récents d'abord)")
    batches.add_argument("--all", action="store_true", help="inclut la démonstration et la référence")
    revert = commands.add_parser("revert", help="annule un import et restaure les valeurs qu'il avait remplacées")
    revert.add_argument("batch_id", type=int, metavar="LOT", help="numéro du lot (voir « batches »)")
    commands.add_parser("hash-password", help="calcule l'empreinte argon2 d'un mot de passe pour OBSERVATOIRE_ADMIN_PASSWORD_HASH")


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


def _import(engine: Engine, args: argparse.Namespace) -> int:
    """Preview and report, then write all or nothing; exit code 2 when the file is refused."""
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise UserError(f"Fichier illisible : {args.file} ({error.strerror or error}).") from error
    options = ImportOptions(
        format=args.format,
        sheet=args.sheet,
        source=args.source,
        status=args.status,
        indicator=args.indicator,
        indicator_column=args.indicator_column,
        territory=args.territory,
        territory_column=args.territory_column,
        blank_is_secret=args.blank_is_secret,
        complete=args.complete,
    )
    classification = load_classification(args.classification) if args.classification else None
    with engine.connect() as conn:
        preview = prepare_import(conn, data, args.file.name, options, classification=classification)
    print(preview.text())
    if args.report:
        args.report.write_bytes(preview.report_csv())
        print(f"Rapport écrit : {args.report} ({len(preview.issues)} ligne(s)).")
    if preview.errors and not args.exclude_errors:
        print(preview.refusal(), file=sys.stderr)
        return 2
    if preview.already is not None:
        return 0
    if args.dry_run:
        print("Essai (--dry-run) : rien n'a été écrit.")
        return 0
    with engine.begin() as conn:
        outcome = apply_import(conn, preview, user_name=os_user(), exclude_errors=args.exclude_errors)
    _say_committed(outcome.message)
    return 0


def _say_committed(message: str) -> None:
    """Print what a committed write did. When standard output was closed meanwhile (``| head -1``),
    say it on standard error instead: it was written, whatever the pipe."""
    try:
        print(message, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # else the interpreter's last flush fails again
        with contextlib.suppress(BrokenPipeError):
            print(f"Sortie fermée avant la fin de la commande. Écrit en base : {message}", file=sys.stderr, flush=True)


def _check(engine: Engine, repair: bool) -> int:
    """``check`` and ``check --repair``: exit code 0 when the database is (or was made) consistent, 1 otherwise."""
    with engine.connect() as conn:
        report = check.check_database(conn)
    print(report.text())
    if report.clean or not repair:
        return 0 if report.clean else 1
    with engine.begin() as conn:
        rebuilt = check.repair(conn)
    with engine.connect() as conn:
        after = check.check_database(conn)
    print(f"Réparation : sommes par regroupement et couverture recalculées pour {rebuilt} indicateur(s).")
    print(f"Après réparation : {after.text()}")
    return 0 if after.clean else 1


def _batches(engine: Engine, show_all: bool) -> None:
    with engine.connect() as conn:
        table = list_batches(conn, kind=None if show_all else "import")
    if table.empty:
        print("Aucun import pour l'instant." + ("" if show_all else " (--all montre aussi la démonstration et la référence)"))
        return
    shown = table.drop(columns=["Indicateurs"]).astype(object).where(table.drop(columns=["Indicateurs"]).notna(), "")
    for column in ("Importé le", "Annulé le"):
        shown[column] = [f"{v:%d/%m/%Y %H:%M}" if v != "" else "" for v in shown[column]]
    print(shown.to_string(index=False))


def _hash_password() -> None:
    import getpass

    if sys.stdin.isatty():
        password = getpass.getpass("Mot de passe (non affiché) : ")
        if getpass.getpass("Le même, pour confirmer : ") != password:
            raise UserError("Les deux saisies diffèrent : rien n'a été calculé.")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    print(hash_password(password))


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except Exception:  # a bug or an unforeseen state: the traceback goes to the log, not to the user
        return unexpected_error(logger, "la commande s'est arrêtée.")


def _run(args: argparse.Namespace) -> int:
    if args.command == "hash-password":
        try:
            _hash_password()
        except UserError as error:
            print(f"Erreur : {error}", file=sys.stderr)
            return 2
        return 0
    if args.command == "fetch-reference":  # no database involved
        return fetch_reference.run(args)
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
        elif args.command == "check":
            return _check(engine, args.repair)
        elif args.command == "status":
            with engine.connect() as conn:
                print(database_status(conn))
        elif args.command == "import":
            return _import(engine, args)
        elif args.command == "batches":
            _batches(engine, args.all)
        elif args.command == "milestone":
            followup_cli.run(engine, args)
        elif args.command == "demo":
            demo_cli.run(engine, args)
        elif args.command == "progress":
            return progress_cli.run(engine, args)
        elif args.command == "revert":
            with engine.begin() as conn:
                reverted = revert_batch(conn, args.batch_id)
            _say_committed(reverted.message())
    except UserError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except Exception as error:  # an import must never end in a traceback; the transaction was rolled back
        problem = failures.classify(error) if isinstance(error, DBAPIError) else failures.Problem.UNEXPECTED
        if problem is not failures.Problem.UNEXPECTED:  # what to do, in French; the driver's text with OBSERVATOIRE_LOG_LEVEL=DEBUG
            logger.debug("database problem (%s) running %s", problem.value, args.command, exc_info=error)
            written = " Rien n'a été écrit." if args.command in ("import", "revert") else ""
            base = engine.url.render_as_string(hide_password=True)
            print(f"Erreur : {failures.CLI_MESSAGES[problem]}{written} (base : {base})", file=sys.stderr)
            return 2
        if args.command not in ("import", "revert"):
            raise
        return unexpected_error(logger, "rien n'a été écrit. Signalez-la avec le fichier en cause.")
    finally:
        engine.dispose()
    return 0
