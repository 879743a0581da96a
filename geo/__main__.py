"""``python -m geo build``: build (or check) the map layers of every loaded plan's département.

``python -m geo prepare`` is ``make run``'s one set-up process: ``python -m data_access setup``
then ``build --hors-ligne``, in the same interpreter (the imports, most of each step's time when
there is nothing to do, are paid once).

The composition root of ``geo``: the only place in the package that reads the database, to get
each département's membership table. Missing boundaries are a supported degraded mode (pages show
a French message instead of maps), so they are reported with exit code 0 unless ``--strict``. An
unexpected error goes to the log with its traceback and a reference; the user reads one French
line with that reference (exit code 1).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence

from data_access import queries
from data_access.cli import FrenchArgumentParser
from data_access.db import make_engine
from data_access.errors import UserError
from data_access.french import fr_number
from data_access.logs import configure_logging, unexpected_error
from data_access.settings import load_settings
from geo import download
from geo.cache import LevelSet, load_levels

logger = logging.getLogger("geo.__main__")  # also under ``python -m``, where __name__ is "__main__"
LEVEL_NAMES = {"territoire": "territoires", "epci": "EPCI", "arrondissement": "arrondissements", "commune": "communes"}


def _parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="python -m geo", description="Couches cartographiques de l'observatoire : contours des communes regroupés par niveau."
    )
    parser.add_argument("--database-url", help="URL de la base (défaut : OBSERVATOIRE_DATABASE_URL ou sqlite:///data/observatoire.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="commande", parser_class=FrenchArgumentParser)
    build = commands.add_parser(
        "build", help="construit les couches des départements des plans chargés (lues depuis le cache si rien n'a changé)"
    )
    build.add_argument("--departement", action="append", metavar="CODE", help="seulement ce département (répétable), par exemple 38")
    build.add_argument("--reconstruire", action="store_true", help="reconstruit même si le cache est à jour")
    build.add_argument("--hors-ligne", action="store_true", help="ne tente pas de télécharger les contours Etalab")
    build.add_argument(
        "--strict",
        action="store_true",
        help="code de sortie 2 si des contours manquent ou si des codes ne concordent pas (pour l'intégration continue)",
    )
    prepare = commands.add_parser(
        "prepare", help="tout en une fois : « python -m data_access setup » puis « build --hors-ligne » (ce que fait make run)"
    )
    prepare.set_defaults(departement=None, reconstruire=False, hors_ligne=True, strict=False)
    return parser


def _counts(levels: LevelSet) -> str:
    return ", ".join(f"{fr_number(len(levels[level]))} {name}" for level, name in LEVEL_NAMES.items() if level in levels.layers)


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    args = _parser().parse_args(argv)
    if args.command == "prepare":
        from data_access import cli

        status = cli.main(["--database-url", args.database_url, "setup"] if args.database_url else ["setup"])
        if status != 0:
            return status
    try:
        return _run(args)
    except Exception:  # a bug or an unforeseen state: the traceback goes to the log, not to the user
        return unexpected_error(logger, "la construction des couches s'est arrêtée.")


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine = make_engine(args.database_url or settings.database_url)
    try:
        with engine.connect() as conn:
            plans = queries.plans(conn)
            wanted = sorted(set(plans["departement_code"])) if not args.departement else sorted(set(args.departement))
            work = [
                (
                    code,
                    queries.memberships(conn, departement=code),
                    queries.territories(conn, departement=code, level="departement")["name"].tolist(),
                )
                for code in wanted
            ]
    except Exception as error:  # no database yet: say what to run first, no traceback
        logger.debug("database unreadable", exc_info=True)  # the traceback with OBSERVATOIRE_LOG_LEVEL=DEBUG
        print(f"Erreur : base illisible ({error.__class__.__name__}). Lancez d'abord « python -m data_access setup ».", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if not work:
        print("Erreur : aucun plan chargé. Lancez d'abord « python -m data_access setup ».", file=sys.stderr)
        return 2
    if not args.hors_ligne:
        download.forget_failure(settings.geo_cache)  # someone is waiting on this command: always retry
    ready, problems = 0, 0
    for code, memberships, names in work:
        label = f"{names[0]} ({code})" if names else f"Département {code}"
        if memberships.empty:
            print(f"{label} : aucune commune dans la table des territoires ; chargez le plan du département.")
            problems += 1
            continue
        print(f"{label} : préparation des couches…", flush=True)
        started = time.perf_counter()
        try:
            levels = load_levels(code, memberships, settings, allow_download=not args.hors_ligne, rebuild=args.reconstruire)
        except UserError as error:
            print(f"  Attention : {error}\n  L'application fonctionne sans cartes : ce message s'affichera à leur place.")
            problems += 1
            continue
        how = "lues depuis le cache" if levels.from_cache else f"construites en {fr_number(time.perf_counter() - started, 1)} s"
        print(f"  source : {levels.source}\n  couches {how} : {_counts(levels)}")
        print("  " + levels.reconciliation.summary().replace("\n", "\n  "))
        ready += 1
        problems += 0 if levels.reconciliation.ok else 1
    print(f"Résumé : {ready} département(s) sur {len(work)} avec cartes ; {problems} point(s) à vérifier ; cache : {settings.geo_cache}")
    return 2 if args.strict and problems else 0


if __name__ == "__main__":
    sys.exit(main())
