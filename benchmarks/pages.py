"""Page script times with Streamlit's AppTest, and the query calls the pages make.

A *view* is a page and its URL parameters. Cold: every Streamlit cache emptied (data and
resources: the engine too), in a process that already imported everything. Warm: the same
session rerunning the same view, as a click on a widget does.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks.databases import ROOT
from benchmarks.stats import Timing, timed
from data_access.vocabulary import PAGES
from views.loader import DatabaseLoader

# Every page with its default view, plus the heaviest choices a user can make: the 521-commune
# map, thirteen years month by month, the twelve-month rolling sum.
VIEWS: list[tuple[str, dict[str, str]]] = [(info.script, {}) for info in PAGES] + [
    ("pages/comparer.py", {"niveau": "commune", "debut": "2013", "fin": "2025"}),
    ("pages/tendances.py", {"granularite": "mois", "debut": "2013", "fin": "2025"}),
    ("pages/tendances.py", {"granularite": "glissant", "debut": "2013", "fin": "2025"}),
]


@dataclass
class PageResult:
    view: str
    cold: Timing
    warm: Timing


@dataclass
class Recorder:
    """The calls made to ``ui.cache`` functions: (function name, positional args) in call order."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)


def view_label(page: str, params: dict[str, str]) -> str:
    name = page.removeprefix("pages/").removesuffix(".py")
    return name + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record every call to the cached query wrappers of ``ui.cache`` while in the block."""
    from ui import cache

    recorder = Recorder()
    # map_levels: the drawing layers (built once per process), not a query; view: the builder of
    # views, whose queries are the cached calls it makes
    names = [n for n in vars(cache) if hasattr(getattr(cache, n), "clear") and n not in ("engine", "_seen_version", "map_levels", "view")]
    originals = {n: getattr(cache, n) for n in names}

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        method = getattr(DatabaseLoader, name, None)
        signature = inspect.signature(method) if method is not None else None

        def recorded(*args: Any, **kwargs: Any) -> Any:
            # keyword arguments (« territory=… ») recorded in their positions, defaults filled in
            if signature is not None:
                call = signature.bind(None, *args, **kwargs)
                call.apply_defaults()
                args, kwargs = call.args[1:], {}
            recorder.calls.append((name, (*args, *kwargs.values())))
            return function(*args, **kwargs)

        return recorded

    for name, function in originals.items():
        setattr(cache, name, wrap(name, function))
    try:
        yield recorder
    finally:
        for name, function in originals.items():
            setattr(cache, name, function)


def new_session(page: str, params: dict[str, str]) -> Any:
    """A new AppTest session opening ``page`` with URL ``params`` (not run yet)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params.update(params)
    at.switch_page(page)
    return at


def _quiet_streamlit() -> None:
    """No « No runtime found » warnings for every AppTest session in the printed table."""
    from streamlit import logger

    logger.set_log_level(logging.ERROR)


def _page_result(page: str, params: dict[str, str], cold_repeat: int, warm_repeat: int) -> PageResult:
    import streamlit as st

    sessions = []

    def cold_run() -> None:
        st.cache_data.clear()
        st.cache_resource.clear()
        sessions.append(new_session(page, params))
        sessions[-1].run()

    cold = timed(cold_run, cold_repeat)
    at = sessions[-1]
    if at.exception:
        raise RuntimeError(f"{view_label(page, params)}: {at.exception[0].message}")
    return PageResult(view_label(page, params), cold, timed(at.run, warm_repeat))


def measure_pages(url: str, *, cold_repeat: int, warm_repeat: int) -> list[PageResult]:
    """Cold and warm script times of every view of VIEWS on the database at ``url``."""
    _quiet_streamlit()
    os.environ["OBSERVATOIRE_DATABASE_URL"] = url
    return [_page_result(page, params, cold_repeat, warm_repeat) for page, params in VIEWS]


def recorded_calls(url: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The distinct query calls every view of VIEWS makes, in first-call order."""
    from ui import cache

    _quiet_streamlit()
    os.environ["OBSERVATOIRE_DATABASE_URL"] = url
    with recording() as recorder:
        for page, params in VIEWS:
            cache.clear()  # cached results and built views: every view queries again
            new_session(page, params).run()
    return list(dict.fromkeys(recorder.calls))
