"""Exports from the command line, with the dashboard stopped and no network.

python -m reporting seance "CCAPEX plénière — exemple" [--plan CODE] --out dossier.pptx|.pdf
python -m reporting bilan --plan isere-palhdi-2014-2020 --annee 2024 --out bilan.xlsx|.pptx|.pdf
python -m reporting bilan --plan isere-palhdi-2014-2020 --periode plan --out bilan.xlsx|.pptx|.pdf
python -m reporting view "http://127.0.0.1:8501/tendances?indicateur=assignations&debut=2014&fin=2020" --out vue.png|.svg|.csv|.xlsx|.pptx|.pdf

Bad input is a French message (exit code 2); an unexpected error goes to the log with its
traceback and a reference, and the user reads one French line with that reference (exit code 1).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from data_access.cli import FrenchArgumentParser
from data_access.db import make_engine
from data_access.errors import UserError
from data_access.french import fr_number
from data_access.logs import configure_logging, unexpected_error
from reporting import images
from reporting.bilan import bilan_deck, bilan_xlsx
from reporting.dossier import seance_deck
from reporting.pdf import deck_pdf
from reporting.pptx import deck_pptx
from reporting.slides import Deck
from reporting.view_export import FORMATS as VIEW_FORMATS
from reporting.view_export import view_file

logger = logging.getLogger("reporting.__main__")  # also under ``python -m``, where __name__ is "__main__"
FORMATS = {"seance": (".pptx", ".pdf"), "bilan": (".xlsx", ".pptx", ".pdf"), "view": VIEW_FORMATS}
BAR_WIDTH = 30


def _parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="python -m reporting", description="Exporter le dossier d'une séance, le bilan annuel d'un plan ou une vue du tableau de bord."
    )
    parser.add_argument("--database-url", help="base de données (par défaut : le réglage de l'observatoire)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{seance,bilan,view}", parser_class=FrenchArgumentParser)
    seance = commands.add_parser("seance", help="dossier d'une séance enregistrée (PPTX ou PDF)")
    seance.add_argument("name", help="nom de la séance, entre guillemets")
    seance.add_argument("--plan", help="code du plan, si plusieurs plans ont une séance de ce nom")
    seance.add_argument("--out", required=True, type=Path, help="fichier à écrire : .pptx ou .pdf")
    seance.add_argument("--database-url", dest="database_url_sub", help=argparse.SUPPRESS)
    bilan = commands.add_parser("bilan", help="bilan annuel d'un plan, ou de toute sa période (XLSX, PPTX ou PDF)")
    bilan.add_argument("--plan", required=True, help="code du plan, par exemple isere-palhdi-2014-2020")
    when = bilan.add_mutually_exclusive_group(required=True)
    when.add_argument("--annee", type=int, help="année du bilan, par exemple 2024")
    when.add_argument(
        "--periode",
        choices=["plan"],
        help="« plan » : bilan de toute la période du plan (évaluation année par année, dernier suivi de chaque fiche)",
    )
    bilan.add_argument("--out", required=True, type=Path, help="fichier à écrire : .xlsx, .pptx ou .pdf")
    bilan.add_argument("--database-url", dest="database_url_sub", help=argparse.SUPPRESS)
    view = commands.add_parser(
        "view",
        help="une vue du tableau de bord, donnée par son adresse (PNG, SVG, CSV, XLSX, PPTX ou PDF)",
        description="PNG, SVG : le graphique principal de la vue, avec son titre, ses filtres, sa source et la mention "
        "démonstration ; CSV, XLSX : ses données (ou le premier tableau de la vue) ; PPTX, PDF : une diapositive par graphique, avec ses données.",
    )
    view.add_argument("url", help="adresse de la vue copiée du navigateur, ou « page?paramètres » (entre guillemets)")
    view.add_argument("--out", required=True, type=Path, help=f"fichier à écrire : {', '.join(VIEW_FORMATS)}")
    view.add_argument("--database-url", dest="database_url_sub", help=argparse.SUPPRESS)
    return parser


class ProgressBar:
    """A text bar on stderr, redrawn in place: ``[#######-----] 3/8 Figure 2 sur 5 : …``."""

    def __init__(self, stream=None, stage: str = "") -> None:  # type: ignore[no-untyped-def]
        self.stream = stream or sys.stderr
        self.stage = stage

    def __call__(self, done: int, total: int, label: str) -> None:
        filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
        line = f"\r{self.stage}[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{total} {label}"
        self.stream.write(line[:119].ljust(119))
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _render(deck: Deck, suffix: str, progress: ProgressBar) -> bytes:
    progress.stage = "Rendu "
    return deck_pptx(deck, progress=progress) if suffix == ".pptx" else deck_pdf(deck, progress=progress)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0, 2 for bad input: unknown séance, plan, format…, 1 for
    a failed rendering or an unexpected error)."""
    configure_logging()
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except Exception:  # a bug or an unforeseen state: the traceback goes to the log, not to the user
        return unexpected_error(logger, "l'export n'a pas été produit.")


def _run(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in FORMATS[args.command]:
        print(
            f"Erreur : format « {suffix or args.out.name} » non pris en charge pour « {args.command} » : "
            f"choisissez un fichier {' ou '.join(FORMATS[args.command])}.",
            file=sys.stderr,
        )
        return 2
    if not args.out.parent.exists():
        print(f"Erreur : le dossier « {args.out.parent} » n'existe pas : créez-le ou choisissez un autre chemin.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    engine = make_engine(args.database_url_sub or args.database_url)
    progress = ProgressBar()
    try:
        with engine.connect() as conn:
            progress.stage = "Préparation "
            if args.command == "view":
                progress.stage = "Rendu "
                data, shown = view_file(conn, args.url, suffix, progress=progress if suffix in (".pptx", ".pdf") else None)
                for notice in shown.notices:  # a value of the URL replaced by its default: said, not fatal
                    print(f"Attention : {notice}", file=sys.stderr)
            elif args.command == "seance":
                data = _render(seance_deck(conn, args.name, plan=args.plan, progress=progress), suffix, progress)
            elif suffix == ".xlsx":
                data = bilan_xlsx(conn, args.plan, args.annee)  # --periode plan: annee None, the whole plan
            else:
                data = _render(bilan_deck(conn, args.plan, args.annee, progress=progress), suffix, progress)
    except UserError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    except images.ExportError as error:
        print(f"Erreur pendant le rendu des figures : {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
        images.shutdown()
    args.out.write_bytes(data)
    elapsed = time.perf_counter() - started
    print(f"{args.out} · {fr_number(len(data) / 1024)} Ko · {fr_number(elapsed, 1)} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
