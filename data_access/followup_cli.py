"""``python -m data_access milestone …``: record and show the plan's milestones from the command line.

``milestone set --plan P --action A --state realise --date 2016-06-30 [--objectif N] [--comment …]``
records a state (« realise », « abandonne », « a_renseigner »; accents and case are accepted);
``milestone show --plan P`` prints each milestone's history, newest first.
"""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy import Engine

from data_access.auth import os_user
from data_access.errors import UserError
from data_access.french import fr_date
from data_access.milestones import milestone_history, parse_state, set_milestone
from data_access.vocabulary import MILESTONE_STATE_LABELS, MilestoneState


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    milestone = commands.add_parser("milestone", help="enregistre ou montre l'état des jalons (objectifs qualitatifs) d'un plan")
    actions = milestone.add_subparsers(
        dest="milestone_command", required=True, metavar="action"
    )  # French errors: the parent parser's class
    record = actions.add_parser("set", help="enregistre l'état d'un jalon : réalisé (avec sa date), abandonné, à renseigner")
    record.add_argument("--plan", required=True, metavar="CODE", help="par exemple isere-palhdi-2014-2020")
    record.add_argument("--action", required=True, metavar="FICHE", help="la fiche-action, par exemple 1.1")
    record.add_argument("--state", required=True, metavar="ÉTAT", help="realise, abandonne ou a_renseigner (accents acceptés)")
    record.add_argument("--date", type=_date, metavar="AAAA-MM-JJ", help="date de réalisation (obligatoire pour « réalisé »)")
    record.add_argument("--objectif", type=int, metavar="N", help="le numéro du jalon quand la fiche en a plusieurs")
    record.add_argument("--comment", metavar="TEXTE", help="un commentaire enregistré avec l'état")
    show = actions.add_parser("show", help="l'historique des jalons d'un plan, le plus récent d'abord")
    show.add_argument("--plan", required=True, metavar="CODE")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"date « {text[:20]} » invalide : AAAA-MM-JJ attendu") from error


def run(engine: Engine, args: argparse.Namespace) -> None:
    """Run a ``milestone`` command; UserError for bad input (nothing written)."""
    if args.milestone_command == "set":
        state = parse_state(args.state)
        with engine.begin() as conn:
            _, label = set_milestone(
                conn,
                plan=args.plan,
                action=args.action,
                state=state,
                user=os_user(),
                achieved_on=args.date,
                position=args.objectif,
                comment=args.comment,
            )
        when = f" le {fr_date(args.date)}" if state == MilestoneState.REALISE else ""
        print(f"Jalon « {label[:80]} » (fiche {args.action}) : {MILESTONE_STATE_LABELS[state]}{when}. Enregistré.")
        return
    with engine.connect() as conn:
        history = milestone_history(conn, plan=args.plan)
    if history.empty:
        raise UserError(f"Aucun jalon enregistré pour le plan « {args.plan} ».")
    for row in history.to_dict("records"):
        day, recorded = row["achieved_on"], row["recorded_at"]
        when = f" le {fr_date(day)}" if isinstance(day, dt.date) else ""
        comment = f" — {row['comment']}" if isinstance(row["comment"], str) else ""
        shown = MILESTONE_STATE_LABELS[MilestoneState(str(row["state"]))]
        print(
            f"{row['action_code']} n° {row['position']} « {str(row['label'])[:60]} » : {shown}{when}{comment} "
            f"({row['recorded_by']}, {fr_date(recorded) if isinstance(recorded, dt.date) else ''})"
        )
