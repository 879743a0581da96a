"""What went wrong with the database, in words a user can act on (no Streamlit here).

:func:`classify` names the problem behind an exception from its chain of causes: PostgreSQL's
SQLSTATE, SQLite's error names, the system's errno, SQLAlchemy's error classes. The exception text
itself (English, with paths and addresses) is never shown. The pages word each problem for a
reader (``ui/boundary.MESSAGES``); the command line words it for whoever runs it
(:data:`CLI_MESSAGES`), with what to do.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from enum import StrEnum

from sqlalchemy import exc as sa_exc

MISSING_TABLE_SQLSTATE = "42P01"  # PostgreSQL: undefined_table
MISSING_COLUMN_SQLSTATE = "42703"  # PostgreSQL: undefined_column
# PostgreSQL's SQLSTATE, SQLite's error names and the system's errno of each database problem
Codes = tuple[set[str], set[str], set[int]]
LOCKED: Codes = ({"55P03", "40P01", "40001"}, {"SQLITE_BUSY", "SQLITE_LOCKED"}, set())  # lock unavailable, deadlock, serialization
DISK_FULL: Codes = ({"53100"}, {"SQLITE_FULL"}, {errno.ENOSPC, errno.EDQUOT})
READ_ONLY: Codes = ({"25006"}, {"SQLITE_READONLY"}, {errno.EROFS})  # read-only transaction (a standby server)


class Problem(StrEnum):
    UNREACHABLE = "unreachable"  # no server, refused connection, unreadable SQLite file, bad URL
    LOCKED = "locked"  # another writer holds the database longer than the wait allows
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"  # a read-only file, folder or server
    NO_PLAN = "no_plan"  # empty database: no schema yet, or no plan loaded
    OUTDATED = "outdated"  # a schema older than the code: a migration was not applied
    UNEXPECTED = "unexpected"


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, then its causes (``raise … from …``, or an exception raised while handling another)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _missing_table(error: sa_exc.DBAPIError) -> bool:
    """SQLite's « no such table » or PostgreSQL's undefined table: the schema was never installed."""
    return getattr(error.orig, "sqlstate", None) == MISSING_TABLE_SQLSTATE or "no such table" in str(error.orig)


def _missing_column(error: sa_exc.DBAPIError) -> bool:
    """SQLite's « no such column » or PostgreSQL's undefined column: a migration was not applied."""
    return getattr(error.orig, "sqlstate", None) == MISSING_COLUMN_SQLSTATE or "no such column" in str(error.orig)


def _codes(error: BaseException) -> set[object]:
    """The codes naming ``error``'s problem: PostgreSQL's SQLSTATE, SQLite's error name (and its
    primary name: SQLITE_READONLY for SQLITE_READONLY_DIRECTORY), errno."""
    orig = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    sqlite_name = str(getattr(orig, "sqlite_errorname", "") or "")
    names = (getattr(orig, "sqlstate", None), sqlite_name, "_".join(sqlite_name.split("_")[:2]), getattr(orig, "errno", None))
    return {name for name in names if name}


def classify(error: BaseException) -> Problem:
    """Which message ``error`` deserves (the exception text itself is never shown)."""
    for cause in _chain(error):
        codes = _codes(cause)
        for problem, (sqlstates, sqlite_names, errnos) in (
            (Problem.LOCKED, LOCKED),
            (Problem.DISK_FULL, DISK_FULL),
            (Problem.READ_ONLY, READ_ONLY),
        ):
            if codes & (sqlstates | sqlite_names | errnos):
                return problem
        if isinstance(cause, sa_exc.DBAPIError) and _missing_table(cause):
            return Problem.NO_PLAN
        if isinstance(cause, sa_exc.DBAPIError) and _missing_column(cause):
            return Problem.OUTDATED
        if isinstance(cause, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError | ConnectionError):
            return Problem.UNREACHABLE
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return Problem.UNREACHABLE
        if "unable to open database file" in str(cause) or "connection refused" in str(cause).lower():
            return Problem.UNREACHABLE
    return Problem.UNEXPECTED


CLI_MESSAGES = {  # every problem but UNEXPECTED (logged with its traceback and a reference)
    Problem.UNREACHABLE: (
        "la base de données est injoignable (serveur arrêté, adresse erronée ou fichier illisible) : démarrez le serveur "
        "de base de données ou corrigez --database-url / OBSERVATOIRE_DATABASE_URL, puis relancez la commande."
    ),
    Problem.LOCKED: "la base de données est occupée par une autre écriture : relancez la commande dans une minute.",
    Problem.DISK_FULL: "le disque de la base de données est plein : libérez de la place, puis relancez la commande.",
    Problem.READ_ONLY: (
        "la base de données est en lecture seule : donnez le droit d'écrire dans son fichier et son dossier (SQLite) "
        "ou choisissez un serveur PostgreSQL qui accepte les écritures, puis relancez la commande."
    ),
    Problem.NO_PLAN: "la base de données est vide : lancez « python -m data_access setup », puis relancez la commande.",
    Problem.OUTDATED: "la base de données n'est pas à jour : lancez « python -m data_access setup » (migrations), puis relancez la commande.",
}
