"""``python -m data_access progress …``: the fiches' follow-up from the command line (issue 14).

``progress set --plan P --action A --year Y [--state …] [--done …] [--comment …] [--lead …]
[--partners …] [--budget N]`` records what is given (an empty value, ``--comment ""``, clears it);
``progress show --plan P [--year Y]`` prints each fiche's state; ``progress history --plan P
[--action A]`` every change, newest first; ``progress undo --plan P --action A --year Y`` takes back
the last change; ``progress import FICHIER [--plan P] [--dry-run]`` imports a follow-up file (all or
nothing), ``progress import --template FICHIER.xlsx|.csv --plan P [--year Y]`` writes the file to
fill in; ``progress imports`` lists the imports, ``progress revert N`` undoes one whole.
The user recorded is the operating-system user.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from data_access import progress, progress_import
from data_access.auth import os_user
from data_access.errors import UserError
from data_access.french import fr_date, fr_number
from data_access.importers.store import local_time

SHOWN_TEXT = 70  # characters of a text shown per field in ``show``


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("progress", help="suivi des fiches-action par année : état d'avancement, réalisations, moyens…")
    actions = parser.add_subparsers(dest="progress_command", required=True, metavar="action")  # French errors: the parent's class
    record = actions.add_parser("set", help="enregistre le suivi d'une fiche pour une année (seuls les champs donnés changent)")
    _key(record)
    record.add_argument(
        "--state", metavar="ÉTAT", help='non engagée, engagée, réalisée ou abandonnée (accents et casse libres ; "" efface)'
    )
    record.add_argument("--done", metavar="TEXTE", help="les réalisations de l'année")
    record.add_argument("--comment", metavar="TEXTE", help="un commentaire")
    record.add_argument("--lead", metavar="TEXTE", help="le pilote de la fiche")
    record.add_argument("--partners", metavar="TEXTE", help="les partenaires")
    record.add_argument("--budget", metavar="EUROS", help='les moyens en euros, par exemple 12500 ou "12 500,50" ("" efface)')
    show = actions.add_parser("show", help="l'état de chaque fiche du plan, pour une année ou toutes celles du plan")
    show.add_argument("--plan", required=True, metavar="CODE", help="par exemple isere-palhdi-2014-2020")
    show.add_argument("--year", type=_year, metavar="AAAA", help="une année (défaut : toutes les années du plan)")
    history = actions.add_parser("history", help="les modifications du suivi, la plus récente d'abord")
    history.add_argument("--plan", required=True, metavar="CODE")
    history.add_argument("--action", metavar="FICHE", help="une seule fiche-action")
    undo = actions.add_parser("undo", help="annule la dernière modification du suivi d'une fiche pour une année")
    _key(undo)
    imp = actions.add_parser(
        "import",
        help="importe un fichier de suivi (CSV ou XLSX : fiche, annee, etat, realisations…), ou écrit le modèle (--template)",
        description="Lit et vérifie tout le fichier ; une seule erreur et rien n'est écrit. L'import s'annule en entier (progress revert).",
    )
    imp.add_argument("file", nargs="?", type=Path, metavar="FICHIER", help="le fichier à importer")
    imp.add_argument("--template", type=Path, metavar="MODÈLE.xlsx|.csv", help="écrit le modèle à remplir au lieu d'importer")
    imp.add_argument("--plan", metavar="CODE", help="le plan (défaut : la colonne « plan » du fichier, ou le seul plan chargé)")
    imp.add_argument("--year", type=_year, metavar="AAAA", help="modèle : l'année pré-remplie (défaut : la dernière du plan)")
    imp.add_argument("--sheet", metavar="NOM", help="feuille du classeur XLSX à lire")
    imp.add_argument("--dry-run", action="store_true", help="vérifie et affiche l'aperçu sans rien écrire")
    imports = actions.add_parser("imports", help="liste les imports de suivi (les plus récents d'abord)")
    imports.add_argument("--plan", metavar="CODE")
    revert = actions.add_parser("revert", help="annule un import de suivi en entier")
    revert.add_argument("import_id", type=int, metavar="N", help="numéro de l'import (voir « progress imports »)")


def _key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", required=True, metavar="CODE", help="par exemple isere-palhdi-2014-2020")
    parser.add_argument("--action", required=True, metavar="FICHE", help="la fiche-action, par exemple 1.1")
    parser.add_argument("--year", required=True, type=_year, metavar="AAAA", help="l'année du suivi")


def _year(text: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) != 4:
        raise argparse.ArgumentTypeError(f"année « {text[:20]} » invalide : AAAA attendu")
    return int(text)


def run(engine: Engine, args: argparse.Namespace) -> int:
    """Run a ``progress`` command; UserError for bad input (nothing written). Returns the exit code."""
    command = args.progress_command
    if command == "set":
        with engine.begin() as conn:
            changed = progress.set_progress(
                conn,
                plan=args.plan,
                action=args.action,
                year=args.year,
                user=os_user(),
                state=args.state,
                done=args.done,
                comment=args.comment,
                lead=args.lead,
                partners=args.partners,
                budget=args.budget,
            )
        if changed:
            print(f"Fiche {args.action}, {args.year} : {', '.join(progress.FIELD_LABELS[f] for f in changed)}. Enregistré.")
        else:
            print(f"Fiche {args.action}, {args.year} : rien ne change (valeurs déjà enregistrées, ou aucune donnée). Rien n'a été écrit.")
        return 0
    if command == "undo":
        with engine.begin() as conn:
            undone = progress.undo_last_change(conn, plan=args.plan, action=args.action, year=args.year, user=os_user())
        what = ", ".join(progress.FIELD_LABELS[f] for f in undone.fields) or "aucun champ"
        print(
            f"Fiche {args.action}, {args.year} : modification du {local_time(undone.undone_at):%d/%m/%Y à %H:%M} "
            f"({progress.CHANGE_KINDS[undone.undone_kind]}, par {undone.undone_by} ; {what}) annulée."
        )
        return 0
    if command == "show":
        _show(engine, args.plan, args.year)
        return 0
    if command == "history":
        _history(engine, args.plan, args.action)
        return 0
    if command == "import":
        return _import(engine, args)
    if command == "imports":
        _imports(engine, args.plan)
        return 0
    with engine.begin() as conn:  # revert
        print(progress_import.revert_progress_import(conn, args.import_id, user=os_user()).message)
    return 0


def _short(text: object) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= SHOWN_TEXT else value[: SHOWN_TEXT - 1] + "…"


def _show(engine: Engine, plan: str, year: int | None) -> None:
    with engine.connect() as conn:
        table = progress.progress_table(conn, plan, year)
    for each_year, rows in table.groupby("year", sort=True):
        counts = rows["state_label"].value_counts()
        summary = ", ".join(f"{label} : {counts[label]}" for label in counts.index)
        print(f"{each_year} — {len(rows)} fiches ({summary})")
        for row in rows.to_dict("records"):
            if row["recorded_by"] is None and year is None:
                continue  # all the plan's years: only the fiches with a record
            details = [f"{progress.FIELD_LABELS[f]} : {_short(row[f])}" for f in ("done", "comment", "lead", "partners") if row[f]]
            if pd.notna(row["budget"]):
                details.append(f"moyens : {fr_number(row['budget'], 0 if float(row['budget']).is_integer() else 2)} €")
            who = f" ({row['recorded_by']}, {fr_date(local_time(row['recorded_at']))})" if row["recorded_by"] else ""
            print(f"  {row['action_code']:<5} {row['state_label']:<14} {_short(row['title'])}{who}")
            for detail in details:
                print(f"        {detail}")


def _history(engine: Engine, plan: str, action: str | None) -> None:
    with engine.connect() as conn:
        history = progress.progress_history(conn, plan, action)
    if history.empty:
        print(f"Aucune modification du suivi enregistrée pour le plan « {plan} »" + (f", fiche {action}." if action else "."))
        return
    for row in history.to_dict("records"):
        origin = f", import n° {row['import_id']}" if pd.notna(row["import_id"]) else ""
        undoes = f", annule n° {row['reverts_id']}" if pd.notna(row["reverts_id"]) else ""
        print(
            f"n° {row['id']} {local_time(row['changed_at']):%d/%m/%Y %H:%M} {row['changed_by']} — fiche {row['action_code']}, "
            f"{row['year']} : {row['kind_label']}{origin}{undoes} ({row['fields'] or 'aucun champ'})"
        )


def _import(engine: Engine, args: argparse.Namespace) -> int:
    if args.template is not None:
        if args.file is not None:
            raise UserError("Donnez soit un fichier à importer, soit --template MODÈLE pour écrire le modèle, pas les deux.")
        fmt = args.template.suffix.lower().lstrip(".")
        if fmt not in progress_import.FORMATS:
            raise UserError(f"Le modèle s'écrit en .xlsx ou en .csv (reçu : « {args.template.name} »).")
        if args.plan is None:
            raise UserError("Le modèle est celui d'un plan : précisez --plan CODE.")
        with engine.connect() as conn:
            data = progress_import.progress_template(conn, plan=args.plan, fmt=fmt, year=args.year)
        try:
            args.template.write_bytes(data)
        except OSError as error:
            raise UserError(f"Impossible d'écrire {args.template} ({error.strerror or error}).") from error
        print(
            f"Modèle écrit : {args.template} (plan {args.plan}). Remplissez-le puis : python -m data_access progress import {args.template}"
        )
        return 0
    if args.file is None:
        raise UserError("Indiquez le fichier à importer (ou --template MODÈLE.xlsx pour écrire le modèle à remplir).")
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise UserError(f"Fichier illisible : {args.file} ({error.strerror or error}).") from error
    with engine.connect() as conn:
        preview = progress_import.prepare_progress_import(conn, data, args.file.name, plan=args.plan, sheet=args.sheet)
    print(preview.text())
    if preview.errors:
        print(preview.refusal(), file=sys.stderr)
        return 2
    if args.dry_run:
        print("Essai (--dry-run) : rien n'a été écrit.")
        return 0
    with engine.begin() as conn:
        outcome = progress_import.apply_progress_import(conn, preview, user=os_user())
    print(outcome.message)
    return 0


def _imports(engine: Engine, plan: str | None) -> None:
    with engine.connect() as conn:
        table = progress_import.progress_imports(conn, plan=plan)
    if table.empty:
        print("Aucun import de suivi pour l'instant.")
        return
    for row in table.to_dict("records"):
        reverted = f" ; annulé le {row['reverted_at']:%d/%m/%Y %H:%M} par {row['reverted_by']}" if row["reverted_at"] is not None else ""
        print(
            f"n° {row['id']} {row['imported_at']:%d/%m/%Y %H:%M} {row['imported_by']} — {row['plan_code']}, {row['file_name']} : "
            f"{row['rows']} ligne(s), {row['changes']} modification(s){reverted}"
        )
