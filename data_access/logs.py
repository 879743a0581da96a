"""The server log, configured once for the app and the command lines (``configure_logging()``).

One handler on the root logger writes ``time level logger: message`` to stderr (the terminal of
``make run`` or of a command). The observatory's own loggers follow ``OBSERVATOIRE_LOG_LEVEL``
(default INFO); other libraries keep WARNING, so that their INFO chatter (Alembic, fontTools,
Kaleido…) does not bury ours. Unexpected errors are written here with their traceback and a short
reference, the one the user sees next to the French message (``new_reference()``).
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from typing import TextIO

LEVEL_VARIABLE = "OBSERVATOIRE_LOG_LEVEL"
DEFAULT_LEVEL = logging.INFO
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# top-level packages of the repository whose loggers follow OBSERVATOIRE_LOG_LEVEL
PROJECT_LOGGERS = ("data_access", "ui", "views", "figures", "reporting", "geo", "benchmarks")

_logger = logging.getLogger(__name__)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current ``sys.stderr`` at each record (not the one seen at configuration time,
    which a test runner may have closed since), like the standard library's last-resort handler."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:  # StreamHandler.__init__ assigns it
        pass


def log_level(env: dict[str, str] | None = None) -> tuple[int, str | None]:
    """The level named by ``OBSERVATOIRE_LOG_LEVEL`` (a name such as ``DEBUG`` or a number) and,
    when the value is not a level, the value itself (INFO is used instead)."""
    raw = (os.environ if env is None else env).get(LEVEL_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_LEVEL, None
    if raw.isdigit():
        return int(raw), None
    level = logging.getLevelNamesMapping().get(raw.upper())
    return (level, None) if level is not None else (DEFAULT_LEVEL, raw)


def configure_logging() -> None:
    """Install the stderr handler once (idempotent: later calls only re-read the level)."""
    root = logging.getLogger()
    if not any(isinstance(handler, _StderrHandler) for handler in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    level, invalid = log_level()
    for name in PROJECT_LOGGERS:
        logging.getLogger(name).setLevel(level)
    if invalid is not None:
        _logger.warning("%s=%r is not a logging level (DEBUG, INFO, WARNING, ERROR): using INFO", LEVEL_VARIABLE, invalid)


def new_reference() -> str:
    """A short random error reference (8 hex digits), shown to the user and written to the log."""
    return secrets.token_hex(4)


def unexpected_error(logger: logging.Logger, consequence: str) -> int:
    """For a command line, inside an ``except`` block: log the error being handled with its
    traceback and a reference, print one French line on stderr, return exit code 1."""
    reference = new_reference()
    logger.exception("unexpected error, reference %s", reference)
    print(
        f"Erreur inattendue (référence {reference}) : {consequence} Le détail est dans le journal ci-dessus, sous cette référence.",
        file=sys.stderr,
    )
    return 1
