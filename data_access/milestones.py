"""Milestones recorded by data managers: « réalisé le … », « abandonné », or back to « à renseigner ».

Every record is a new ``milestone_record`` row (who, when, what): the latest one counts, the others
are the milestone's history. Functions run on the caller's connection, inside its transaction; who
may write is the caller's business (the UI checks the data-manager role, the CLI runs on the server).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
from sqlalchemy import Connection, insert, select

from data_access.errors import UserError
from data_access.models import MilestoneRecord, Objective
from data_access.vocabulary import MILESTONE_STATE_LABELS, MilestoneState

HISTORY_COLUMNS = ("action_code", "position", "label", "state", "achieved_on", "comment", "recorded_by", "recorded_at")
COMMENT_MAX = 2000


def parse_state(text: str) -> MilestoneState:
    """A state as people write it: « réalisé », « realise », « Réalisée », « abandonné », « à renseigner »…"""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold().strip().replace(" ", "_")
    plain = plain.removesuffix("e") if plain in ("realisee", "abandonnee") else plain
    for state in MilestoneState:
        if plain == state.value:
            return state
    expected = ", ".join(MILESTONE_STATE_LABELS.values())
    raise UserError(f"État de jalon « {text[:40]} » inconnu : {expected}.")


def milestone_objectives(conn: Connection, *, plan: str, action: str) -> list[tuple[int, str]]:
    """(position, label) of the milestones of a fiche-action, in the plan's order."""
    return [
        (int(position), str(label))
        for position, label in conn.execute(
            select(Objective.position, Objective.label)
            .where(Objective.plan_code == plan, Objective.action_code == action, Objective.kind == "milestone")
            .order_by(Objective.position)
        )
    ]


def set_milestone(
    conn: Connection,
    *,
    plan: str,
    action: str,
    state: MilestoneState,
    user: str,
    achieved_on: dt.date | None = None,
    position: int | None = None,
    comment: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[int, str]:
    """Record a milestone's state; returns its (position, label).

    ``position`` picks the milestone when the fiche has several (the numbers ``milestone_objectives``
    lists); « réalisé » needs its date, which cannot be in the future.

    Raises
    ------
    UserError
        Unknown plan or fiche, no milestone in the fiche, an ambiguous or unknown ``position``, a
        « réalisé » without date or dated in the future.
    """
    milestones = milestone_objectives(conn, plan=plan, action=action)
    if not milestones:
        raise UserError(f"La fiche-action « {action} » du plan « {plan} » n'a aucun jalon (objectif qualitatif).")
    if position is None:
        if len(milestones) > 1:
            choices = " ; ".join(f"{number} : {label[:60]}" for number, label in milestones)
            raise UserError(f"La fiche-action {action} a plusieurs jalons : précisez lequel avec --objectif ({choices}).")
        position = milestones[0][0]
    chosen = dict(milestones).get(position)
    if chosen is None:
        raise UserError(f"La fiche-action {action} n'a pas de jalon n° {position} (jalons : {', '.join(str(n) for n, _ in milestones)}).")
    if state == MilestoneState.REALISE:
        if achieved_on is None:
            raise UserError("Un jalon réalisé demande sa date de réalisation (--date AAAA-MM-JJ).")
        if achieved_on > dt.date.today():
            raise UserError(f"Date de réalisation {achieved_on:%d/%m/%Y} dans le futur.")
    conn.execute(
        insert(MilestoneRecord).values(
            plan_code=plan,
            action_code=action,
            position=position,
            state=state.value,
            achieved_on=achieved_on if state == MilestoneState.REALISE else None,
            comment=(comment or "").strip()[:COMMENT_MAX] or None,
            recorded_by=user,
            recorded_at=now or dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    )
    return position, chosen


def milestone_history(conn: Connection, *, plan: str) -> pd.DataFrame:
    """Every record of the plan's milestones, newest first. Columns: HISTORY_COLUMNS."""
    rows = conn.execute(
        select(
            MilestoneRecord.action_code,
            MilestoneRecord.position,
            Objective.label,
            MilestoneRecord.state,
            MilestoneRecord.achieved_on,
            MilestoneRecord.comment,
            MilestoneRecord.recorded_by,
            MilestoneRecord.recorded_at,
        )
        .join(
            Objective,
            (Objective.plan_code == MilestoneRecord.plan_code)
            & (Objective.action_code == MilestoneRecord.action_code)
            & (Objective.position == MilestoneRecord.position),
        )
        .where(MilestoneRecord.plan_code == plan)
        .order_by(MilestoneRecord.id.desc())
    ).all()
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
