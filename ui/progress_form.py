"""The follow-up form of one fiche-action and year (issue 14): état d'avancement, réalisations,
commentaire, pilote, partenaires, moyens; « Enregistrer » and « Annuler la dernière modification ».

For data managers only: the caller shows it to them, and :func:`progress_form` checks the role
again itself (``ui.auth.data_manager``), so that no page writes without it. Writes go through
``data_access.progress`` in one transaction each; the widgets are keyed by the record's version,
so that after a save or an undo they show the stored values again.
"""

from __future__ import annotations

import streamlit as st

from data_access import progress
from data_access.errors import UserError
from data_access.importers.store import local_time
from data_access.vocabulary import PROGRESS_NOT_RECORDED, PROGRESS_STATE_LABELS, ProgressState
from ui import auth, cache

REFUSED = (
    "Renseigner le suivi des fiches-action demande le rôle de **gestionnaire de données** (connexion sur la page « Importer des données »)."
)
STATES: list[ProgressState | None] = [None, *ProgressState]
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
        version = progress.progress_version(conn, plan=plan, action=action, year=year)
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
        submitted = st.form_submit_button("Enregistrer", type="primary")
    if submitted:
        _save(plan, action, year, manager, seen, key, state=state, done=done, comment=comment, lead=lead, partners=partners, budget=budget)
    elif seen != version:  # changed elsewhere since the widgets were filled: show the stored values
        _refresh(key)
    if st.button("Annuler la dernière modification", key=f"{key}-undo", disabled=version == 0):
        _undo(plan, action, year, manager, key)


def _refresh(key: str, message: tuple[str, str] | None = None) -> None:
    """Rerun with new widgets (filled from the database) and ``message`` shown above them."""
    st.session_state[f"{key}-generation"] = st.session_state.get(f"{key}-generation", 0) + 1
    if message is not None:
        st.session_state[f"{key}-message"] = message
    st.rerun()


def _save(plan: str, action: str, year: int, user: str, version: int, key: str, **values: object) -> None:
    budget = values.pop("budget")
    try:
        with cache.engine().begin() as conn:
            progress.lock_plan(conn, plan)
            if progress.progress_version(conn, plan=plan, action=action, year=year) != version:
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
    except _Changed:
        _refresh(key, ("error", CHANGED))
        return
    except UserError as error:
        st.error(str(error), icon=":material/error:")
        return
    if not changed:
        st.info("Rien n'a changé : rien n'a été enregistré.")
        return
    cache.clear()
    done = ", ".join(progress.FIELD_LABELS[f] for f in changed)
    _refresh(key, ("success", f"Suivi de la fiche {action} en {year} enregistré ({done})."))


class _Changed(Exception):
    """The record changed since the form was filled (another session saved it)."""


def _undo(plan: str, action: str, year: int, user: str, key: str) -> None:
    try:
        with cache.engine().begin() as conn:
            undone = progress.undo_last_change(conn, plan=plan, action=action, year=year, user=user)
    except UserError as error:
        st.error(str(error), icon=":material/error:")
        return
    cache.clear()
    when = f"{local_time(undone.undone_at):%d/%m/%Y à %H:%M}"
    _refresh(key, ("success", f"Modification du {when} (par {undone.undone_by}) annulée : les valeurs d'avant sont rétablies."))
