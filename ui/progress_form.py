"""The follow-up form of one fiche-action and year (issue 14): état d'avancement, réalisations,
commentaire, pilote, partenaires, moyens, and the state of each of the fiche's milestones (jalons);
« Enregistrer » and « Annuler la dernière modification » (the last change of the fiche for that year,
of its follow-up or of one of its milestones).

For data managers only: the caller shows it to them, and :func:`progress_form` checks the role
again itself (``ui.auth.data_manager``), so that no page writes without it. Writes go through
``data_access.progress`` in one transaction each; the widgets are keyed by the record's version,
so that after a save or an undo they show the stored values again. A save writes the follow-up
values and the changed milestones in one transaction (``progress.set_progress`` and
``progress.set_milestones``); an undo is ``progress.undo_last_change(..., milestones=True)``.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import Connection

from data_access import milestones, progress
from data_access.errors import UserError
from data_access.importers.store import local_time
from data_access.vocabulary import MILESTONE_STATE_LABELS, PROGRESS_NOT_RECORDED, PROGRESS_STATE_LABELS, MilestoneState, ProgressState
from figures.inputs import shorten
from ui import auth, cache
from ui.accessibility import PLACEHOLDER
from views.wording import escape_markdown

REFUSED = (
    "Renseigner le suivi des fiches-action demande le rôle de **gestionnaire de données** (connexion sur la page « Importer des données »)."
)
STATES: list[ProgressState | None] = [None, *ProgressState]
MILESTONE_STATES = [MilestoneState.A_RENSEIGNER, MilestoneState.REALISE, MilestoneState.ABANDONNE]
MILESTONE_LABEL_WIDTH = 110  # characters of a milestone's label shown; the whole label is in the help
EARLIEST = dt.date(1990, 1, 1)  # the loi Besson (31 May 1990) created the departmental plans: no milestone before
CHANGED = (
    "Le suivi de cette fiche a été modifié entre-temps (dans une autre session) : rien n'a été enregistré. "
    "Le formulaire montre maintenant les valeurs enregistrées ; refaites vos changements."
)


def progress_form(plan: str, action: str, year: int, *, user: str) -> None:
    """The form for ``action`` of ``plan`` in ``year``, pre-filled with what is stored.

    ``user`` is the signed-in data manager (``ui.auth.data_manager()``): the form is refused, and
    nothing can be written, when this session has no data manager or another one. An emptied
    field is cleared; the message after a save or an undo says what changed, in French.
    """
    manager = auth.data_manager()
    if manager is None or manager != user:
        st.info(REFUSED, icon=":material/lock:")
        return
    key = f"suivi-{plan}-{action}-{year}"
    message = st.session_state.pop(f"{key}-message", None)
    if message is not None:
        {"success": st.success, "info": st.info, "error": st.error}[message[0]](message[1])
    with cache.engine().connect() as conn:
        record = progress.progress_record(conn, plan=plan, action=action, year=year) or {}
        version = _version(conn, plan, action, year)
        jalons = milestones.fiche_milestones(conn, plan=plan, action=action)
    # widgets keyed by a generation bumped after each change: they then show the stored values again
    widget = f"{key}-{st.session_state.get(f'{key}-generation', 0)}"
    seen = st.session_state.setdefault(f"{widget}-version", version)  # the version the widgets were filled from
    stored = ProgressState(record["state"]) if record.get("state") else None
    with st.form(f"{widget}-form", enter_to_submit=False):
        state = st.selectbox(
            "État d'avancement",
            STATES,
            index=STATES.index(stored),
            format_func=lambda s: PROGRESS_STATE_LABELS[s] if s else PROGRESS_NOT_RECORDED,
            key=f"{widget}-state",
            placeholder=PLACEHOLDER,
        )
        done = st.text_area("Réalisations", record.get("done") or "", max_chars=progress.TEXT_MAX, key=f"{widget}-done")
        comment = st.text_area("Commentaire", record.get("comment") or "", max_chars=progress.TEXT_MAX, key=f"{widget}-comment")
        lead = st.text_input("Pilote", record.get("lead") or "", max_chars=progress.LEAD_MAX, key=f"{widget}-lead")
        partners = st.text_area("Partenaires", record.get("partners") or "", max_chars=progress.TEXT_MAX, key=f"{widget}-partners")
        budget = st.number_input(
            "Moyens (euros)",
            min_value=0.0,
            max_value=progress.BUDGET_MAX,
            value=record.get("budget"),
            step=100.0,
            format="%.2f",
            placeholder="non renseignés",
            key=f"{widget}-budget",
        )
        chosen = _milestone_widgets(jalons, widget)
        submitted = st.form_submit_button("Enregistrer", type="primary")
    if submitted:
        values = dict(state=state, done=done, comment=comment, lead=lead, partners=partners, budget=budget)
        _save(plan, action, year, manager, seen, key, chosen, **values)
    elif seen != version:  # changed elsewhere since the widgets were filled: show the stored values
        _refresh(key)
    if st.button("Annuler la dernière modification", key=f"{key}-undo", disabled=version[0] == 0):
        _undo(plan, action, year, manager, key, {j.position: j.label for j in jalons})


def _version(conn: Connection, plan: str, action: str, year: int) -> tuple[int, int]:
    """What the widgets were filled from: the follow-up's version and the fiche's latest milestone
    record (a milestone may be recorded elsewhere: command line, the form of another year)."""
    return (
        progress.progress_version(conn, plan=plan, action=action, year=year),
        milestones.milestone_version(conn, plan=plan, action=action),
    )


def _milestone_widgets(jalons: list[milestones.MilestoneEntry], widget: str) -> dict[int, progress.MilestoneChoice]:
    """A state, a date and a comment per milestone, filled from what stands; position → choice."""
    if not jalons:
        return {}
    st.markdown("**Jalons de la fiche**")
    chosen: dict[int, progress.MilestoneChoice] = {}
    for jalon in jalons:
        name = f"{widget}-jalon-{jalon.position}"
        short = shorten(jalon.label, MILESTONE_LABEL_WIDTH)
        state = st.radio(
            f"Jalon n° {jalon.position} : {escape_markdown(short)}",
            MILESTONE_STATES,
            index=MILESTONE_STATES.index(jalon.state),
            format_func=MILESTONE_STATE_LABELS.__getitem__,
            horizontal=True,
            help=escape_markdown(jalon.label) if short != " ".join(jalon.label.split()) else None,
            key=f"{name}-state",
        )
        when, note = st.columns([1, 2])
        # no max_value: Streamlit would silently empty a later date, whereas set_milestone refuses it and says why
        day = when.date_input(
            "Réalisé le (si réalisé)",
            value=jalon.achieved_on,
            min_value=min(EARLIEST, jalon.achieved_on or EARLIEST),
            format="DD/MM/YYYY",
            key=f"{name}-date",
        )
        comment = note.text_input("Commentaire du jalon", jalon.comment or "", max_chars=milestones.COMMENT_MAX, key=f"{name}-comment")
        chosen[jalon.position] = (MilestoneState(state), day, comment)
    return chosen


def _refresh(key: str, message: tuple[str, str] | None = None) -> None:
    """Rerun with new widgets (filled from the database) and ``message`` shown above them."""
    st.session_state[f"{key}-generation"] = st.session_state.get(f"{key}-generation", 0) + 1
    if message is not None:
        st.session_state[f"{key}-message"] = message
    st.rerun()


def _save(
    plan: str,
    action: str,
    year: int,
    user: str,
    version: tuple[int, int],
    key: str,
    chosen: dict[int, progress.MilestoneChoice],
    **values: object,
) -> None:
    budget = values.pop("budget")
    try:
        with cache.engine().begin() as conn:
            progress.lock_plan(conn, plan)
            if _version(conn, plan, action, year) != version:
                raise _Changed()
            changed = progress.set_progress(
                conn,
                plan=plan,
                action=action,
                year=year,
                user=user,
                state=values["state"] or "",  # type: ignore[arg-type]
                done=str(values["done"]),
                comment=str(values["comment"]),
                lead=str(values["lead"]),
                partners=str(values["partners"]),
                budget="" if budget is None else float(budget),  # type: ignore[arg-type]
            )
            recorded = progress.set_milestones(conn, plan=plan, action=action, year=year, user=user, chosen=chosen)
    except _Changed:
        _refresh(key, ("error", CHANGED))
        return
    except UserError as error:
        st.error(str(error), icon=":material/error:")
        return
    if not changed and not recorded:
        st.info("Rien n'a changé : rien n'a été enregistré.")
        return
    cache.clear()
    done = ", ".join([*(progress.FIELD_LABELS[f] for f in changed), *(f"jalon n° {n}" for n in recorded)])
    _refresh(key, ("success", f"Suivi de la fiche {action} en {year} enregistré ({done})."))


class _Changed(Exception):
    """The record changed since the form was filled (another session saved it)."""


def _undo(plan: str, action: str, year: int, user: str, key: str, labels: dict[int, str]) -> None:
    try:
        with cache.engine().begin() as conn:
            undone = progress.undo_last_change(conn, plan=plan, action=action, year=year, user=user, milestones=True)
    except UserError as error:
        st.error(str(error), icon=":material/error:")
        return
    cache.clear()
    when = f"{local_time(undone.undone_at):%d/%m/%Y à %H:%M}"
    if undone.milestone_position is None:
        what = "les valeurs d'avant sont rétablies"
    else:
        label = shorten(labels.get(undone.milestone_position, ""), 60)
        what = f"le jalon n° {undone.milestone_position} « {label} » retrouve son état d'avant"
    _refresh(key, ("success", f"Modification du {when} (par {undone.undone_by}) annulée : {what}."))
