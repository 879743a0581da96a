"""The error boundary: no exception text (English, with paths) ever reaches a user.

``with boundary.guard(): ...`` runs the app's body (``app.py``: sidebar, then the page). An
unexpected exception becomes one French ``st.error`` — what failed, what to try, an error
reference — and its traceback goes to the server log under the same reference. Database
problems get their own message, with what to do: unreachable (server stopped, wrong URL,
unreadable file), busy (locked by another writer), disk full, read-only, or empty (no plan loaded). ``require_database()`` checks this before the sidebar is built; a database that
loses its plans while the app runs is recognised by ``guard()`` (a direct query when a view fails).

Streamlit's own control flow passes through untouched: ``st.stop()`` (``StopException``),
``st.rerun()`` and ``st.switch_page()`` (``RerunException``), both ``ScriptControlException``, a
``BaseException`` that ``except Exception`` would not catch anyway; and
``FragmentHandledException``, an ``Exception`` by which a fragment tells the script runner that
it already reported its error (a fragment's body can be guarded itself: ``@boundary.guard()``
under ``@st.fragment``). ``KeyboardInterrupt`` and ``SystemExit`` pass as well.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import FragmentHandledException
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from data_access import queries
from data_access.failures import Problem, classify
from data_access.logs import new_reference
from ui import cache

logger = logging.getLogger(__name__)

# re-raised as they are: Streamlit's script control (st.stop, st.rerun, st.switch_page) and
# the signal of a fragment whose error Streamlit already handled
PASS_THROUGH: tuple[type[BaseException], ...] = (ScriptControlException, FragmentHandledException)
CHECK_URL = "vérifiez que la variable d'environnement `OBSERVATOIRE_DATABASE_URL` désigne la bonne base"
MESSAGES = {
    Problem.UNREACHABLE: (
        "**La base de données est injoignable** : l'observatoire ne peut pas lire ses données pour l'instant.\n\n"
        "Rechargez la page dans quelques instants ; si rien ne change, prévenez le gestionnaire des données.\n\n"
        f"Pour la personne qui administre l'observatoire : démarrez le serveur de base de données, {CHECK_URL}, "
        "puis relancez l'application (sur un poste de travail, `make run` installe et démarre tout)."
    ),
    Problem.LOCKED: (
        "**La base de données est occupée** : un import ou une autre écriture est en cours.\n\n"
        "Rechargez la page dans une minute. Si le message revient pendant plus de dix minutes, prévenez le "
        "gestionnaire des données : un import est peut-être resté bloqué."
    ),
    Problem.DISK_FULL: (
        "**Le disque du serveur est plein** : la base de données ne peut plus rien enregistrer.\n\n"
        "Rien n'a été modifié. Prévenez le gestionnaire des données.\n\n"
        "Pour la personne qui administre l'observatoire : libérez de la place sur le disque de la base "
        "(journaux, sauvegardes anciennes), puis rechargez la page."
    ),
    Problem.READ_ONLY: (
        "**La base de données est en lecture seule** : la consultation reste possible, mais rien ne peut "
        "y être enregistré.\n\n"
        "Prévenez le gestionnaire des données.\n\n"
        "Pour la personne qui administre l'observatoire : donnez à l'application le droit d'écrire dans le "
        f"fichier de la base et dans son dossier (SQLite), ou un serveur PostgreSQL qui accepte les écritures ; {CHECK_URL}."
    ),
    Problem.NO_PLAN: (
        "**Aucun plan n'est chargé dans la base** : il n'y a encore rien à afficher.\n\n"
        "Pour la personne qui administre l'observatoire : lancez `python -m data_access setup` (ou `make setup`), "
        f"qui installe le schéma, charge les plans, les données de référence et la démonstration ; {CHECK_URL}. "
        "Rechargez ensuite la page."
    ),
    Problem.OUTDATED: (
        "**La base de données n'est pas à jour** : elle date d'une version précédente de l'observatoire.\n\n"
        "Pour la personne qui administre l'observatoire : lancez `python -m data_access setup` (ou `make run`), "
        f"qui applique les migrations sans rien perdre ; {CHECK_URL}. Rechargez ensuite la page."
    ),
    Problem.UNEXPECTED: (
        "**Cette vue n'a pas pu être affichée.**\n\n"
        "Essayez de modifier un filtre (période, territoire, plan) ou de recharger la page. "
        "Si le problème persiste, signalez-le au gestionnaire des données en lui donnant la référence ci-dessous."
    ),
}


def show(problem: Problem, reference: str | None = None) -> None:
    """The French message for ``problem``, with the error reference when there is one."""
    suffix = f"\n\nRéférence de l'erreur : **{reference}**" if reference else ""
    st.error(MESSAGES[problem] + suffix, icon=":material/error:")


def report(error: BaseException, problem: Problem | None = None) -> str:
    """Log ``error`` with its traceback and a new reference, show its French message; return the reference."""
    problem = problem or classify(error)
    reference = new_reference()
    logger.error("view not shown (%s), error reference %s", problem.value, reference, exc_info=error)
    show(problem, reference)
    return reference


@contextmanager
def guard() -> Iterator[None]:
    """Run the body; an unexpected exception becomes a French message and a log entry. Also a
    decorator (``@boundary.guard()``), e.g. under ``@st.fragment``."""
    try:
        yield
    except PASS_THROUGH:
        raise
    except Exception as error:
        problem = classify(error)
        if problem is Problem.UNEXPECTED and _plans_gone():
            problem = Problem.NO_PLAN  # the database lost its plans while the app ran: say what to run
        report(error, problem)


def _plans_gone() -> bool:
    """True when the database answers but holds no plan any more (emptied, or replaced by an empty
    one, after the process saw a plan): a page then fails on the missing plan, and the user must
    read « Aucun plan n'est chargé », not the generic message. The process's memo is dropped and
    the cached data cleared, so that the next run checks the database again (``require_database``)."""
    try:
        with cache.engine().connect() as conn:
            gone = queries.plans(conn).empty
    except Exception:  # unreachable or without schema: not this case (classify() names those)
        return False
    if gone:
        _ready().pop("ok", None)
        cache.clear()
    return gone


def _database_problem() -> Problem | None:
    """None when the database answers and has at least one plan (a direct query, not cached, so
    that the app recovers as soon as ``setup`` has run)."""
    try:
        engine = cache.engine()
    except Exception as error:  # unparsable URL, missing driver, SQLite folder impossible to create
        report(error, Problem.UNREACHABLE)
        return Problem.UNREACHABLE
    try:
        with engine.connect() as conn:
            empty = queries.plans(conn).empty
    except PASS_THROUGH:
        raise
    except Exception as error:
        problem = classify(error)
        report(error, problem)
        return problem
    if empty:
        logger.warning("the database has no plan: run « python -m data_access setup »")
        show(Problem.NO_PLAN)
        return Problem.NO_PLAN
    return None


@st.cache_resource(show_spinner=False)
def _ready() -> dict[str, bool]:
    """Remembers, for the process, that the database once answered with a plan: later failures
    are caught by ``guard()`` with the same messages, without a query on every run."""
    return {}


def require_database() -> None:
    """Show the French explanation and ``st.stop()`` when the database is unreachable or has no plan."""
    ready = _ready()
    if ready.get("ok"):
        return
    if _database_problem() is not None:
        st.stop()
    ready["ok"] = True
