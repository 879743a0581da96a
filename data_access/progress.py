"""The follow-up of the fiches-action, year by year (issue 14): état d'avancement, réalisations,
commentaire, pilote, partenaires, moyens.

One ``action_progress`` row per (plan, fiche, year) holds the current values; every change is also an
``action_progress_history`` row with the values before and after, so that :func:`undo_last_change`
(and the revert of an imported file, ``data_access.progress_import``) restores them exactly. The
milestones of a fiche stay in ``milestone_record`` (``data_access.milestones``): this module only
records, for a change made by the form or an imported file, which milestone records it wrote (a
history row with ``milestone_position``), so that the form's undo and an import's revert can take
it back.

Functions run on the caller's connection, inside its transaction (``engine.begin()``); who may write
is the caller's business (the UI checks the data-manager role, the CLI runs on the server). Writes
first lock the plan's row: two data managers saving the same fiche at once are serialised, so each
history row's « before » is what the other one left. Nothing here logs a value: the texts and the
pilote's name stay in the database.

>>> with engine.begin() as conn:                                                   # doctest: +SKIP
...     set_progress(conn, plan="isere-palhdi-2014-2020", action="1.1", year=2020, user="alice",
...                  state="engagée", budget="12 500")
('state', 'budget')
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, exists, insert, select, update
from sqlalchemy.orm import aliased

from data_access.errors import UserError
from data_access.french import fr_number
from data_access.milestones import fiche_milestones, milestone_changed, set_milestone
from data_access.models import ActionProgress, ActionProgressHistory, MilestoneRecord, Objective, Plan, PlanAction, PlanAxis
from data_access.vocabulary import PROGRESS_NOT_RECORDED, PROGRESS_STATE_LABELS, MilestoneState, ProgressState
from data_access.write_lock import take_write_lock

FIELDS = ("state", "done", "comment", "lead", "partners", "budget")
FIELD_LABELS = {
    "state": "état d'avancement",
    "done": "réalisations",
    "comment": "commentaire",
    "lead": "pilote",
    "partners": "partenaires",
    "budget": "moyens",
}
TEXT_MAX = 4000  # réalisations, commentaire, partenaires
LEAD_MAX = 200  # pilote (the column's length)
USER_MAX = 200
BUDGET_MAX = 1e12  # euros: more is a typing error
YEAR_MARGIN = 2  # a follow-up may be recorded this many years before the plan's start or after its end

# what made a change (action_progress_history.kind)
SAISIE, IMPORT, UNDO, REVERT = "saisie", "import", "annulation", "annulation_import"
CHANGE_KINDS = {SAISIE: "saisie", IMPORT: "import", UNDO: "annulation", REVERT: "annulation d'import"}

PROGRESS_COLUMNS = (
    "axis_code",
    "action_code",
    "title",
    "year",
    "state",
    "state_label",
    "done",
    "comment",
    "lead",
    "partners",
    "budget",
    "recorded_by",
    "recorded_at",
)
HISTORY_COLUMNS = (
    "id",
    "action_code",
    "year",
    "kind",
    "kind_label",
    "fields",
    "changed_by",
    "changed_at",
    "import_id",
    "reverts_id",
    "milestone_position",
    *(f"{age}_{field}" for field in FIELDS for age in ("old", "new")),
)

_STEMS = {
    "non_engage": ProgressState.NON_ENGAGEE,
    "engage": ProgressState.ENGAGEE,
    "realise": ProgressState.REALISEE,
    "abandonne": ProgressState.ABANDONNEE,
}


def parse_progress_state(text: str) -> ProgressState:
    """A state as people write it, with or without accents, in any case, masculine or feminine,
    singular or plural: « Engagée », « engage », « NON ENGAGÉ », « non-engagée », « réalisés »…

    Raises
    ------
    UserError
        Anything else (« en cours », « fini », empty), with the expected words.

    >>> parse_progress_state("Non engagé")
    <ProgressState.NON_ENGAGEE: 'non_engagee'>
    """
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold().strip()
    plain = re.sub(r"[\s_\-]+", "_", plain).removesuffix("s")
    plain = plain.removesuffix("e") if plain.endswith("ee") else plain  # the feminine: « engagée » → « engage »
    state = _STEMS.get(plain)
    if state is None:
        expected = ", ".join(PROGRESS_STATE_LABELS.values())
        raise UserError(f"État d'avancement « {str(text)[:40]} » inconnu (attendu : {expected}).")
    return state


def budget_value(value: str | float | int) -> tuple[float | None, str]:
    """Euros read from a number or French text: (value rounded to the cent, "") or (None, why not),
    the reason a phrase after the quoted value (« est négatif : … »). See :func:`parse_budget`."""
    from data_access.importers.text import parse_numbers

    if isinstance(value, bool):
        return None, "n'est pas un montant en euros"
    if isinstance(value, int | float):
        number = float(value)
    else:
        parsed = parse_numbers(pd.Series([str(value)]))
        if parsed.missing[0]:
            return None, "est vide (attendu : un montant en euros, par exemple 12 500 ou 12500,50)"
        if parsed.problem[0] or parsed.percent[0]:
            return None, "n'est pas un montant en euros (attendu par exemple : 12 500 ou 12500,50)"
        number = float(parsed.value[0])
    if not math.isfinite(number):
        return None, "n'est pas un montant en euros (attendu par exemple : 12 500 ou 12500,50)"
    if number < 0:
        return None, "est négatif : un montant ne peut pas être négatif"
    if number > BUDGET_MAX:
        return None, "est invraisemblable (plus de mille milliards d'euros) : vérifiez la saisie"
    return round(number, 2), ""


def parse_budget(value: str | float | int) -> float:
    """Euros as a non-negative number, rounded to the cent: ``12500``, « 12 500 », « 12500,50 »,
    « 1 250 € », « 12.500,50 ».

    Raises
    ------
    UserError
        Empty, not a number, a percentage, negative, or more than a thousand billion euros.

    >>> parse_budget("12 500,50")
    12500.5
    """
    number, problem = budget_value(value)
    if number is None:
        shown = str(value).strip()[:40]
        raise UserError(
            f"Moyens : « {shown} » {problem}." if shown else "Moyens vides : indiquez un montant en euros (par exemple 12 500)."
        )
    return number


def text_problem(text: str, field: str) -> str:
    """Why a text is refused for ``field`` (too long: LEAD_MAX for the pilote, TEXT_MAX for the
    others), or "". Never quotes the text (it may name people)."""
    limit = LEAD_MAX if field == "lead" else TEXT_MAX
    length = len(str(text).strip())
    if length > limit:
        return f"est trop long : {fr_number(length)} caractères pour {fr_number(limit)} au plus (raccourcissez le texte)"
    return ""


def checked_text(value: str, field: str) -> str | None:
    """A text field as stored: stripped, None when empty; UserError when longer than its bound
    (LEAD_MAX for the pilote, TEXT_MAX for the others)."""
    text = str(value).strip()
    problem = text_problem(text, field)
    if problem:
        raise UserError(f"Texte « {FIELD_LABELS[field]} » {problem}.")
    return text or None


def normalised_values(
    *,
    state: ProgressState | str | None = None,
    done: str | None = None,
    comment: str | None = None,
    lead: str | None = None,
    partners: str | None = None,
    budget: float | int | str | None = None,
) -> dict[str, Any]:
    """The given fields as stored (None: not given, left out; an empty string: cleared, stored as None).

    Raises UserError for a bad state, budget or a too-long text (see the parsers)."""
    given: dict[str, Any] = {}
    if state is not None:
        given["state"] = None if str(state).strip() == "" else str(parse_progress_state(str(state)))
    for field, text in (("done", done), ("comment", comment), ("lead", lead), ("partners", partners)):
        if text is not None:
            given[field] = checked_text(text, field)
    if budget is not None:
        given["budget"] = None if isinstance(budget, str) and budget.strip() == "" else parse_budget(budget)
    return given


# --- checks and lock ---------------------------------------------------------------------------


def lock_plan(conn: Connection, plan: str) -> None:
    """Serialise the follow-up writes of ``plan`` until the caller's transaction ends.

    Takes the write lock every writer takes (``data_access.write_lock``: a second writer waits,
    or is told to retry), so that what is read next is what is replaced: a follow-up write reads a
    record and then rewrites it with its « before » in the history. UserError for an unknown plan.
    """
    take_write_lock(conn)
    if conn.scalar(select(Plan.code).where(Plan.code == plan)) is None:
        raise _unknown_plan(conn, plan)


def _unknown_plan(conn: Connection, plan: str) -> UserError:
    known = ", ".join(conn.scalars(select(Plan.code).order_by(Plan.code))) or "aucun : chargez-en un avec « load-plan »"
    return UserError(f"Plan « {plan[:60]} » inconnu (plans chargés : {known}).")


def plan_period_years(conn: Connection, plan: str) -> tuple[int, int]:
    """(first year, last year) of the plan, inclusive; UserError for an unknown plan."""
    row = conn.execute(select(Plan.period_start, Plan.period_end).where(Plan.code == plan)).one_or_none()
    if row is None:
        raise _unknown_plan(conn, plan)
    return row.period_start.year, row.period_end.year


def plan_fiches(conn: Connection, plan: str) -> list[str]:
    """The fiche codes of the plan in its order (axis, then fiche); UserError for an unknown plan."""
    codes = list(
        conn.scalars(
            select(PlanAction.code)
            .join(PlanAxis, (PlanAxis.plan_code == PlanAction.plan_code) & (PlanAxis.code == PlanAction.axis_code))
            .where(PlanAction.plan_code == plan)
            .order_by(PlanAxis.position, PlanAction.position)
        )
    )
    if not codes:
        plan_period_years(conn, plan)  # raises for an unknown plan
    return codes


def year_problem(year: int, first: int, last: int) -> str:
    """Why ``year`` is refused for a plan running ``first``–``last`` (empty when accepted)."""
    low, high = first - YEAR_MARGIN, last + YEAR_MARGIN
    if low <= year <= high:
        return ""
    return f"hors de la période du plan ({first}–{last}) : attendu une année entre {low} et {high}"


def check_fiche_year(conn: Connection, plan: str, action: str, year: int) -> None:
    """UserError (French) for an unknown plan or fiche, or a year too far from the plan's period."""
    first, last = plan_period_years(conn, plan)
    if conn.scalar(select(PlanAction.code).where(PlanAction.plan_code == plan, PlanAction.code == action)) is None:
        codes = plan_fiches(conn, plan)
        raise UserError(f"Fiche-action « {action[:20]} » inconnue dans le plan « {plan} » (fiches : {', '.join(codes)}).")
    problem = year_problem(year, first, last)
    if problem:
        raise UserError(f"Année {year} {problem}.")


# --- writing -----------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def current_values(conn: Connection, *, plan: str, action: str, year: int) -> dict[str, Any] | None:
    """The stored values of FIELDS for a fiche and year, or None when nothing is recorded."""
    p = ActionProgress
    row = conn.execute(
        select(*(getattr(p, f) for f in FIELDS)).where(p.plan_code == plan, p.action_code == action, p.year == year)
    ).one_or_none()
    return dict(zip(FIELDS, row, strict=True)) if row is not None else None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return round(a, 2) == round(b, 2)
    return bool(a == b)


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The FIELDS whose value differs between two records (None: no record, every field empty)."""
    old, new = old or {}, new or {}
    return tuple(f for f in FIELDS if not _same(old.get(f), new.get(f)))


def merged_values(old: Mapping[str, Any] | None, given: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record after giving ``given`` fields to ``old``; None when neither records anything
    (nothing to write). A record whose fields were all cleared stays a record."""
    if old is None and all(v is None for v in given.values()):
        return None
    return {**{f: None for f in FIELDS}, **(old or {}), **given}


def write_change(
    conn: Connection,
    *,
    plan: str,
    action: str,
    year: int,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    user: str,
    kind: str,
    now: dt.datetime | None = None,
    import_id: int | None = None,
    reverts_id: int | None = None,
) -> int:
    """Store ``new`` (None: delete the record) over ``old`` and one history row; returns its id.

    Low level: no check, no lock (``set_progress``, ``undo_last_change`` and the import call it
    after theirs). ``old`` must be what is stored."""
    moment = now or _now()
    user = user.strip()[:USER_MAX] or "inconnu"
    p = ActionProgress
    key = (p.plan_code == plan) & (p.action_code == action) & (p.year == year)
    if new is None:
        conn.execute(delete(p).where(key))
    elif old is None:
        conn.execute(insert(p).values(plan_code=plan, action_code=action, year=year, recorded_by=user, recorded_at=moment, **dict(new)))
    else:
        conn.execute(update(p).where(key).values(recorded_by=user, recorded_at=moment, **dict(new)))
    history = {f"old_{f}": (old or {}).get(f) for f in FIELDS} | {f"new_{f}": (new or {}).get(f) for f in FIELDS}
    result = conn.execute(
        insert(ActionProgressHistory).values(
            plan_code=plan,
            action_code=action,
            year=year,
            kind=kind,
            import_id=import_id,
            reverts_id=reverts_id,
            old_exists=old is not None,
            new_exists=new is not None,
            changed_by=user,
            changed_at=moment,
            **history,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def set_progress(
    conn: Connection,
    *,
    plan: str,
    action: str,
    year: int,
    user: str,
    state: ProgressState | str | None = None,
    done: str | None = None,
    comment: str | None = None,
    lead: str | None = None,
    partners: str | None = None,
    budget: float | int | str | None = None,
    now: dt.datetime | None = None,
) -> tuple[str, ...]:
    """Record the follow-up of a fiche-action for a year; returns the FIELDS that changed.

    Only the given fields change: None leaves a field as it is, an empty string clears it.
    ``state`` is a ProgressState or a word :func:`parse_progress_state` reads; ``budget`` is euros,
    a number or French text (« 12 500 », « 12500,50 »). Texts are stripped. Nothing changed (the
    values are already stored, or nothing is given for a fiche without record): nothing is
    written and ``()`` is returned. Otherwise one history row (kind « saisie ») keeps the values
    before and after. ``now`` (naive UTC) defaults to the current time.

    Raises
    ------
    UserError
        Unknown plan or fiche; a year more than YEAR_MARGIN years outside the plan's period; an
        unknown state; a budget that is not a non-negative amount; a text longer than TEXT_MAX
        characters (LEAD_MAX for the pilote). Nothing is written then.
    """
    given = normalised_values(state=state, done=done, comment=comment, lead=lead, partners=partners, budget=budget)
    lock_plan(conn, plan)
    check_fiche_year(conn, plan, action, year)
    old = current_values(conn, plan=plan, action=action, year=year)
    new = merged_values(old, given)
    changed = changed_fields(old, new)
    if new is None or (old is not None and not changed):
        return ()
    write_change(conn, plan=plan, action=action, year=year, old=old, new=new, user=user, kind=SAISIE, now=now)
    return changed


@dataclass(frozen=True)
class Undone:
    """What :func:`undo_last_change` took back: the change (its id, kind, author, time, fields)
    and the history row recording the undo. For a milestone's change, ``milestone_position`` is
    the milestone's number and ``fields`` is empty."""

    history_id: int
    undone_id: int
    undone_kind: str
    undone_by: str
    undone_at: dt.datetime
    fields: tuple[str, ...]
    milestone_position: int | None = None


def _reverted() -> Any:
    """Whether a history row has been taken back by a later one (SQL condition on ActionProgressHistory)."""
    later = aliased(ActionProgressHistory)
    return exists().where(later.reverts_id == ActionProgressHistory.id)


def last_change(conn: Connection, *, plan: str, action: str, year: int, milestones: bool = False) -> Any:
    """The newest change of a fiche's record that is not an undo and was not undone (a Row of
    ActionProgressHistory columns), or None: the one :func:`undo_last_change` takes back.

    With ``milestones``, a change of one of the fiche's milestones recorded for that year (by the
    form or an import: ``milestone_position`` set) counts too."""
    h = ActionProgressHistory
    stmt = select(h).where(h.plan_code == plan, h.action_code == action, h.year == year, h.reverts_id.is_(None), ~_reverted())
    if not milestones:
        stmt = stmt.where(h.milestone_position.is_(None))
    return conn.execute(stmt.order_by(h.id.desc()).limit(1)).first()


def restore_change(conn: Connection, change: Any, *, user: str, kind: str, now: dt.datetime | None = None) -> int:
    """Put back the values a history row replaced (the caller checked it is the last change);
    returns the id of the history row recording it. UserError when the stored values are no longer
    the ones that change left (edited outside the observatory)."""
    current = current_values(conn, plan=change.plan_code, action=change.action_code, year=change.year)
    left = {f: getattr(change, f"new_{f}") for f in FIELDS} if change.new_exists else None
    if (current is None) != (left is None) or changed_fields(current, left):
        raise UserError(
            f"Fiche {change.action_code} en {change.year} : les valeurs enregistrées ne sont plus celles de la modification "
            f"n° {change.id} (modifiées hors de l'observatoire ?) : rien n'a été annulé."
        )
    before = {f: getattr(change, f"old_{f}") for f in FIELDS} if change.old_exists else None
    return write_change(
        conn,
        plan=change.plan_code,
        action=change.action_code,
        year=change.year,
        old=current,
        new=before,
        user=user,
        kind=kind,
        now=now,
        reverts_id=change.id,
    )


def undo_last_change(
    conn: Connection, *, plan: str, action: str, year: int, user: str, now: dt.datetime | None = None, milestones: bool = False
) -> Undone:
    """Take back the last change of a fiche's follow-up for a year: its values before that change
    come back (a first record is removed: the fiche is « sans suivi » again).

    The undo is itself a history row (kind « annulation »). Undoing again takes back the change
    before, and so on: changes are undone newest first, a change made by an import included.
    Without ``milestones`` (the command line), milestones are not undone here (a milestone's record
    is replaced by recording its state again). With ``milestones`` (the form, issue 14), the last
    change may also be a milestone's, recorded for that year by :func:`set_milestones` or an import:
    it is taken back by a new ``milestone_record`` with the state the change replaced (see
    :func:`restore_milestone`), so that the milestone's history stays complete.

    Raises
    ------
    UserError
        Unknown plan or fiche, or nothing left to undo for that fiche and year; a milestone
        recorded again since its last change (see :func:`restore_milestone`).
    """
    lock_plan(conn, plan)
    check_fiche_year(conn, plan, action, year)
    change = last_change(conn, plan=plan, action=action, year=year, milestones=milestones)
    if change is None:
        raise UserError(f"Aucune modification à annuler pour la fiche {action} en {year}.")
    if change.milestone_position is not None:
        history_id = restore_milestone(conn, change, user=user, kind=UNDO, now=now)
        return Undone(history_id, change.id, change.kind, change.changed_by, change.changed_at, (), int(change.milestone_position))
    history_id = restore_change(conn, change, user=user, kind=UNDO, now=now)
    fields = changed_fields(
        {f: getattr(change, f"old_{f}") for f in FIELDS} if change.old_exists else None,
        {f: getattr(change, f"new_{f}") for f in FIELDS} if change.new_exists else None,
    )
    return Undone(history_id, change.id, change.kind, change.changed_by, change.changed_at, fields)


def latest_milestone_record(conn: Connection, *, plan: str, action: str, position: int) -> Any:
    """The milestone's latest ``milestone_record`` row (id, state, achieved_on, comment), or None."""
    m = MilestoneRecord
    return conn.execute(
        select(m.id, m.state, m.achieved_on, m.comment)
        .where(m.plan_code == plan, m.action_code == action, m.position == position)
        .order_by(m.id.desc())
        .limit(1)
    ).first()


def record_milestone(
    conn: Connection,
    *,
    plan: str,
    action: str,
    year: int,
    position: int,
    state: MilestoneState,
    achieved_on: dt.date | None,
    comment: str | None,
    user: str,
    kind: str,
    now: dt.datetime | None = None,
    import_id: int | None = None,
    reverts_id: int | None = None,
) -> int:
    """Record a milestone's state with :func:`data_access.milestones.set_milestone` and keep, in
    the follow-up history, which record it wrote and which one it replaced (for an import's revert).
    Returns the history row's id. Same errors as ``set_milestone``."""
    moment = now or _now()
    user = user.strip()[:USER_MAX] or "inconnu"
    previous = latest_milestone_record(conn, plan=plan, action=action, position=position)
    set_milestone(
        conn, plan=plan, action=action, state=state, user=user, achieved_on=achieved_on, position=position, comment=comment, now=moment
    )
    written = latest_milestone_record(conn, plan=plan, action=action, position=position)
    result = conn.execute(
        insert(ActionProgressHistory).values(
            plan_code=plan,
            action_code=action,
            year=year,
            kind=kind,
            import_id=import_id,
            reverts_id=reverts_id,
            milestone_position=position,
            milestone_record_id=written.id,
            previous_record_id=previous.id if previous is not None else None,
            old_exists=False,
            new_exists=False,
            changed_by=user,
            changed_at=moment,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


MilestoneChoice = tuple[MilestoneState, dt.date | None, str | None]  # state, date (« réalisé »), comment


def set_milestones(
    conn: Connection,
    *,
    plan: str,
    action: str,
    year: int,
    user: str,
    chosen: Mapping[int, MilestoneChoice],
    now: dt.datetime | None = None,
) -> tuple[int, ...]:
    """Record the milestones of a fiche from its follow-up for ``year`` (the form); returns the
    positions recorded, in order.

    ``chosen`` maps a milestone's position (as ``milestones.fiche_milestones`` lists them) to its
    (state, date, comment); the date counts for « réalisé » only. Only a milestone whose state,
    date or comment differs from what stands (:func:`data_access.milestones.milestone_changed`)
    gets a new record, through ``set_milestone``, with a history row of kind « saisie » for
    ``year`` (:func:`record_milestone`): ``undo_last_change(..., milestones=True)`` takes it back.

    Raises
    ------
    UserError
        Unknown plan or fiche, or a year too far from the plan's period; a position that is not a
        milestone of the fiche; a « réalisé » without date or dated in the future (the message names
        the milestone). Some milestones may have been written by then: the caller's transaction
        must be rolled back (``engine.begin()`` does).
    """
    lock_plan(conn, plan)
    check_fiche_year(conn, plan, action, year)
    entries = {entry.position: entry for entry in fiche_milestones(conn, plan=plan, action=action)}
    unknown = sorted(set(chosen) - set(entries))
    if unknown:
        numbers = ", ".join(str(n) for n in entries) or "aucun"
        raise UserError(f"La fiche-action {action} n'a pas de jalon n° {unknown[0]} (jalons : {numbers}).")
    changed = [p for p in sorted(chosen) if milestone_changed(entries[p], *chosen[p])]
    for position in changed:
        state, day, _ = chosen[position]
        if state == MilestoneState.REALISE and day is None:  # set_milestone's own message names the command line's option
            raise UserError(f"Jalon n° {position} « {entries[position].label[:60]} » : un jalon réalisé demande sa date de réalisation.")
    for position in changed:
        state, day, comment = chosen[position]
        try:
            record_milestone(
                conn,
                plan=plan,
                action=action,
                year=year,
                position=position,
                state=state,
                achieved_on=day,
                comment=comment,
                user=user,
                kind=SAISIE,
                now=now,
            )
        except UserError as error:  # « Date de réalisation … dans le futur. », after a colon: lower case
            why = str(error)
            raise UserError(f"Jalon n° {position} « {entries[position].label[:60]} » : {why[:1].lower()}{why[1:]}") from error
    return tuple(changed)


def milestone_before(conn: Connection, change: Any) -> MilestoneChoice:
    """The state a milestone's change (a history row with ``milestone_position``) replaced: the
    record it found (``previous_record_id``); without one, what stood then, the plan's own
    « atteint_le » (« réalisé » at that date) or « à renseigner »."""
    m = MilestoneRecord
    if change.previous_record_id is not None:
        row = conn.execute(select(m.state, m.achieved_on, m.comment).where(m.id == change.previous_record_id)).one()
        return MilestoneState(row.state), row.achieved_on, row.comment
    planned = conn.scalar(
        select(Objective.achieved_on).where(
            Objective.plan_code == change.plan_code,
            Objective.action_code == change.action_code,
            Objective.position == change.milestone_position,
        )
    )
    return (MilestoneState.REALISE, planned, None) if planned is not None else (MilestoneState.A_RENSEIGNER, None, None)


def restore_milestone(conn: Connection, change: Any, *, user: str, kind: str, now: dt.datetime | None = None) -> int:
    """Put back the state a milestone's change replaced (:func:`milestone_before`), as a new
    ``milestone_record`` and a history row taking the change back (``reverts_id``); returns that
    row's id.

    The caller checked that the change is the fiche's last one. As :func:`restore_change` compares
    values, the milestone must still stand as the change left it (state, date, comment): its latest
    record is the one the change wrote, or one that restored those values (the undo of a later
    change). UserError otherwise (recorded again since by the command line, an import of another
    year's follow-up or the form of another year): nothing is written then."""
    position = int(change.milestone_position)
    latest = latest_milestone_record(conn, plan=change.plan_code, action=change.action_code, position=position)
    m = MilestoneRecord
    left = conn.execute(select(m.id, m.state, m.achieved_on, m.comment).where(m.id == change.milestone_record_id)).one()
    if latest is None or (latest.state, latest.achieved_on, latest.comment) != (left.state, left.achieved_on, left.comment):
        raise UserError(
            f"Jalon n° {position} de la fiche {change.action_code} : enregistré autrement depuis la modification n° {change.id} "
            "(ailleurs que dans ce suivi) : rien n'a été annulé. Enregistrez l'état voulu du jalon."
        )
    state, day, comment = milestone_before(conn, change)
    return record_milestone(
        conn,
        plan=change.plan_code,
        action=change.action_code,
        year=change.year,
        position=position,
        state=state,
        achieved_on=day,
        comment=comment,
        user=user,
        kind=kind,
        now=now,
        reverts_id=change.id,
    )


# --- reading -----------------------------------------------------------------------------------


def progress_record(conn: Connection, *, plan: str, action: str, year: int) -> dict[str, Any] | None:
    """The stored follow-up of one fiche and year: FIELDS plus ``recorded_by``, ``recorded_at``
    and ``version`` (the id of its last history row: changes whenever the record does), or None."""
    p, h = ActionProgress, ActionProgressHistory
    row = conn.execute(
        select(*(getattr(p, f) for f in FIELDS), p.recorded_by, p.recorded_at).where(
            p.plan_code == plan, p.action_code == action, p.year == year
        )
    ).one_or_none()
    if row is None:
        return None
    version = conn.scalar(select(h.id).where(h.plan_code == plan, h.action_code == action, h.year == year).order_by(h.id.desc()).limit(1))
    return dict(zip((*FIELDS, "recorded_by", "recorded_at"), row, strict=True)) | {"version": version}


def progress_version(conn: Connection, *, plan: str, action: str, year: int) -> int:
    """The id of the last history row of a fiche and year (0 when none): changes with every write,
    undo included, so that a form can tell its values are stale."""
    h = ActionProgressHistory
    return int(
        conn.scalar(select(h.id).where(h.plan_code == plan, h.action_code == action, h.year == year).order_by(h.id.desc()).limit(1)) or 0
    )


def progress_table(conn: Connection, plan: str, year: int | None = None) -> pd.DataFrame:
    """One row per fiche of the plan and year, in the plan's order: what is recorded, or nothing.

    With ``year``, one row per fiche for that year; without, one per fiche and year of the plan's
    period, and of any other year that has a record. A fiche and year without record has ``state``
    None, ``state_label`` « sans suivi » (PROGRESS_NOT_RECORDED) and empty fields, so that
    callers count them; a record whose state was cleared reads the same. ``budget`` is euros
    (NaN when none); ``recorded_at`` naive UTC. Columns: PROGRESS_COLUMNS. UserError for an
    unknown plan.
    """
    first, last = plan_period_years(conn, plan)
    fiches = pd.DataFrame(
        conn.execute(
            select(PlanAction.axis_code, PlanAction.code, PlanAction.title)
            .join(PlanAxis, (PlanAxis.plan_code == PlanAction.plan_code) & (PlanAxis.code == PlanAction.axis_code))
            .where(PlanAction.plan_code == plan)
            .order_by(PlanAxis.position, PlanAction.position)
        ).all(),
        columns=["axis_code", "action_code", "title"],
    )
    p = ActionProgress
    stmt = select(p.action_code, p.year, *(getattr(p, f) for f in FIELDS), p.recorded_by, p.recorded_at).where(p.plan_code == plan)
    if year is not None:
        stmt = stmt.where(p.year == year)
    records = pd.DataFrame(conn.execute(stmt).all(), columns=["action_code", "year", *FIELDS, "recorded_by", "recorded_at"])
    years = [year] if year is not None else sorted(set(range(first, last + 1)) | {int(y) for y in records["year"]})
    grid = pd.DataFrame({"year": years}).merge(fiches, how="cross")  # year by year, fiches in the plan's order
    table = grid.merge(records.astype({"year": int}), on=["action_code", "year"], how="left")  # keeps the grid's order
    table["budget"] = table["budget"].astype(float)
    table = table.astype(object).where(table.notna(), None).astype({"year": int, "budget": float})
    table["state_label"] = [PROGRESS_STATE_LABELS[ProgressState(s)] if s else PROGRESS_NOT_RECORDED for s in table["state"]]
    return table[list(PROGRESS_COLUMNS)].reset_index(drop=True)


def progress_history(conn: Connection, plan: str, action: str | None = None) -> pd.DataFrame:
    """Every change of the plan's follow-up (of one fiche with ``action``), newest first.

    ``kind`` is a CHANGE_KINDS key (``kind_label`` its French word); ``fields`` says in French what
    changed (« état d'avancement, moyens », or « jalon n° 2 » for an import's milestone change);
    ``reverts_id`` the change an undo took back; ``import_id`` the import a change came from;
    old_*/new_* the values before and after. Columns: HISTORY_COLUMNS. UserError for an unknown plan.
    """
    plan_period_years(conn, plan)
    h = ActionProgressHistory
    values = [getattr(h, f"{age}_{field}") for field in FIELDS for age in ("old", "new")]
    stmt = select(
        h.id,
        h.action_code,
        h.year,
        h.kind,
        h.changed_by,
        h.changed_at,
        h.import_id,
        h.reverts_id,
        h.milestone_position,
        h.old_exists,
        h.new_exists,
        *values,
    ).where(h.plan_code == plan)
    if action is not None:
        stmt = stmt.where(h.action_code == action)
    rows = conn.execute(stmt.order_by(h.id.desc())).all()
    base = ["id", "action_code", "year", "kind", "changed_by", "changed_at", "import_id", "reverts_id", "milestone_position"]
    names = [*base, "old_exists", "new_exists", *(f"{age}_{field}" for field in FIELDS for age in ("old", "new"))]
    frame = pd.DataFrame(rows, columns=names)
    frame["kind_label"] = frame["kind"].map(CHANGE_KINDS)
    frame["fields"] = [_fields_text(row) for row in frame.to_dict("records")]
    for column in ("import_id", "reverts_id", "milestone_position"):
        frame[column] = frame[column].astype("Int64")
    texts = [f"{age}_{field}" for field in FIELDS if field != "budget" for age in ("old", "new")]
    frame[texts] = frame[texts].astype(object).where(frame[texts].notna(), None)  # None, not NaN, where empty
    return frame[list(HISTORY_COLUMNS)]


def _fields_text(row: Mapping[Any, Any]) -> str:
    if row["milestone_position"] is not None and not pd.isna(row["milestone_position"]):
        return f"jalon n° {int(row['milestone_position'])}"
    old = {f: row[f"old_{f}"] for f in FIELDS} if row["old_exists"] else None
    new = {f: row[f"new_{f}"] for f in FIELDS} if row["new_exists"] else None
    fields = changed_fields(_plain(old), _plain(new))
    return ", ".join(FIELD_LABELS[f] for f in fields)


def _plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """NaN (pandas' missing float) read as None, so that two empty budgets compare equal."""
    if values is None:
        return None
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in values.items()}
