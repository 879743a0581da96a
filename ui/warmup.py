"""Start-up warm-up (issue 19): once the Streamlit runtime has started, a background thread runs the
default view of every page once (the pages' modules imported, their cached queries filled), so the
first visitor does not pay for them. It never blocks a request: it runs beside the server, waits
for the visitors' scripts to finish before each view after the home page's, and a failure is written to the server log (with its traceback), never shown to anyone.

Started by ``app.py``'s ``st.App`` lifespan (``lifespan``), after the runtime's caches exist: a
``st.cache_data`` call made before would fill a throw-away cache of its own.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

logger = logging.getLogger(__name__)
THREAD_NAME = "observatoire-warmup"
IDLE_WAIT_SECONDS = 30  # longest wait for the visitors' scripts to finish before warming the next view


def _a_script_is_running() -> bool:
    """Whether a session's script is running now (Streamlit's session manager; private, read only)."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.app_session import AppSessionState

        sessions = Runtime.instance()._session_mgr.list_active_sessions()
        return any(info.session._state == AppSessionState.APP_IS_RUNNING for info in sessions)
    except Exception:  # no runtime (tests), or Streamlit's internals moved: do not wait
        return False


def _wait_for_idle(limit: float = IDLE_WAIT_SECONDS) -> None:
    """Give way to visitors: the interpreter lock is shared, a warm-up beside a run slows that run."""
    deadline = time.monotonic() + limit
    while _a_script_is_running() and time.monotonic() < deadline:
        time.sleep(0.1)


def warm() -> int:
    """Build every page's default view once; the number of views that failed (each one logged)."""
    from data_access.vocabulary import HOME_PAGE, SEANCE_PAGES
    from ui import cache, render  # noqa: F401  # render: the pages' drawing code, imported once here
    from views import params as view_params

    started = time.perf_counter()
    params = view_params.parse({}, cache).params  # the sidebar's default choices (plan, period, level)
    failed = 0
    for page in sorted(SEANCE_PAGES, key=lambda p: p != HOME_PAGE):  # the home page first
        if page != HOME_PAGE:  # the home page's queries are the first visitor's: warm them at once
            _wait_for_idle()
        try:
            cache.view(page, params)
        except Exception:
            failed += 1
            logger.warning("warm-up: the default view of %s failed", page.value, exc_info=True)
    # the objects of start-up (modules, caches) are long-lived: out of the collector's scans
    gc.freeze()
    logger.info("warm-up: %d default views built in %.1f s (%d failed)", len(SEANCE_PAGES), time.perf_counter() - started, failed)
    return failed


class _NoContextWarning(logging.Filter):
    """Streamlit warns once per cached call made outside a script run; this thread makes them on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == THREAD_NAME and "missing ScriptRunContext" in record.getMessage())


def _run(job: Callable[[], object]) -> None:
    try:
        job()
    except Exception:  # no plan loaded, database unreachable…: the pages say it; the log keeps the why
        logger.warning("warm-up stopped", exc_info=True)


def start(job: Callable[[], object] = warm) -> threading.Thread:
    """``job`` in a daemon thread (the process never waits for it to stop)."""
    context_logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    if not any(isinstance(f, _NoContextWarning) for f in context_logger.filters):
        context_logger.addFilter(_NoContextWarning())
    thread = threading.Thread(target=_run, args=(job,), name=THREAD_NAME, daemon=True)
    thread.start()
    return thread


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """``st.App``'s lifespan hook: the runtime has started; warm up beside it."""
    from data_access.logs import configure_logging

    configure_logging()
    if os.environ.get("OBSERVATOIRE_WARMUP", "1") != "0":  # « 0 »: no warm-up (to measure without it)
        start()
    yield
