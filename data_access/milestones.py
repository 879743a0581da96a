"""Milestones recorded by data managers: « réalisé le … », « abandonné », or back to « à renseigner ».

Every record is a new ``milestone_record`` row (who, when, what): the latest one counts, the others
are the milestone's history. Functions run on the caller's connection, inside its transaction; who
may write is the caller's business (the UI checks the data-manager role, the CLI runs on the server).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, func, insert, select

from data_access.errors import UserError
from data_access.models import MilestoneRecord, Objective
from data_access.vocabulary import MILESTONE_STATE_LABELS, MilestoneState
from data_access.write_lock import take_write_lock

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


@dataclass(frozen=True)
class MilestoneEntry:
    """A milestone of a fiche as it stands, as :func:`fiche_milestones` gives it.

    ``state``, ``achieved_on`` and ``comment`` come from its latest record; without record, from the
    plan's own « atteint_le » (« réalisé » at that date), else « à renseigner »: what the objective
    status reads (``data_access.objectives``). ``record_id`` is the latest record's id, None when none.
    """

    position: int
    label: str
    state: MilestoneState
    achieved_on: dt.date | None
    comment: str | None
    record_id: int | None


def fiche_milestones(conn: Connection, *, plan: str, action: str) -> list[MilestoneEntry]:
    """The milestones of a fiche-action, in the plan's order, each with its current state
    (see :class:`MilestoneEntry`); empty for a fiche without milestone or an unknown fiche."""
    m = MilestoneRecord
    latest: dict[int, tuple[int, str, dt.date | None, str | None]] = {}
    for record_id, position, state, day, comment in conn.execute(
        select(m.id, m.position, m.state, m.achieved_on, m.comment).where(m.plan_code == plan, m.action_code == action).order_by(m.id)
    ):
        latest[int(position)] = (int(record_id), str(state), day, comment)  # ordered by id: the last one stays
    entries = []
    for position, label, planned in conn.execute(
        select(Objective.position, Objective.label, Objective.achieved_on)
        .where(Objective.plan_code == plan, Objective.action_code == action, Objective.kind == "milestone")
        .order_by(Objective.position)
    ):
        if position in latest:
            record_id, state, day, comment = latest[position]
            entries.append(MilestoneEntry(int(position), str(label), MilestoneState(state), day, comment, record_id))
        elif planned is not None:
            entries.append(MilestoneEntry(int(position), str(label), MilestoneState.REALISE, planned, None, None))
        else:
            entries.append(MilestoneEntry(int(position), str(label), MilestoneState.A_RENSEIGNER, None, None, None))
    return entries


def milestone_version(conn: Connection, *, plan: str, action: str) -> int:
    """The id of the fiche's latest ``milestone_record`` (0 when none): changes with every record
    of its milestones, wherever it was made (form, import, command line), so that a form can tell
    that its values are stale."""
    m = MilestoneRecord
    return int(conn.scalar(select(func.max(m.id)).where(m.plan_code == plan, m.action_code == action)) or 0)


def stored_comment(comment: str | None) -> str | None:
    """A milestone comment as :func:`set_milestone` stores it: stripped, cut to COMMENT_MAX, None when empty."""
    return (comment or "").strip()[:COMMENT_MAX] or None


def milestone_changed(entry: MilestoneEntry, state: MilestoneState, achieved_on: dt.date | None, comment: str | None) -> bool:
    """Whether recording ``state`` (with ``achieved_on`` and ``comment``) changes ``entry``: another
    state, another date for « réalisé » (the date of any other state is not stored), or another
    comment once stored (stripped; empty and None are the same).

    >>> entry = MilestoneEntry(0, "Charte adoptée", MilestoneState.A_RENSEIGNER, None, None, None)
    >>> milestone_changed(entry, MilestoneState.A_RENSEIGNER, dt.date(2016, 3, 1), "  ")
    False
    """
    day = achieved_on if state == MilestoneState.REALISE else None
    return (state, day, stored_comment(comment)) != (entry.state, entry.achieved_on, stored_comment(entry.comment))


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
    take_write_lock(conn)
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
            comment=stored_comment(comment),
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
