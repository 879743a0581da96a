"""The pages' :class:`~views.loader.Loader`: every :class:`~views.loader.DatabaseLoader` method,
cached per process, as a module function of the same name (pass this module as the loader).

Cleared after an import (``clear()``) and when another process changed the data
(``follow_data_changes()``), so that pages show the new data at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_access import queries, series_kinds
from data_access import seances as store
from data_access.db import make_engine
from data_access.vocabulary import Page
from geo.cache import LevelSet
from views import registry
from views.loader import DatabaseLoader
from views.model import View
from views.params import ViewParams

P = ParamSpec("P")
R = TypeVar("R")


@st.cache_resource
def engine() -> Engine:
    """One Engine per process, shared by every session."""
    return make_engine()


def _cached(method: Callable[Concatenate[DatabaseLoader, P], R]) -> Callable[P, R]:
    """``method`` run on a fresh connection, its result cached for an hour (callers get a copy)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with engine().connect() as conn:
            return method(DatabaseLoader(conn), *args, **kwargs)

    # Streamlit keys a cache on the function's module, qualified name and source: give each its own
    run.__qualname__ = run.__name__ = f"cached_{method.__name__}"
    run.__doc__ = method.__doc__
    return st.cache_data(ttl="1h", show_spinner=False)(run)  # type: ignore[return-value]


plans = _cached(DatabaseLoader.plans)
indicator_catalogue = _cached(DatabaseLoader.indicator_catalogue)
coverage = _cached(DatabaseLoader.coverage)
latest_complete_year = _cached(DatabaseLoader.latest_complete_year)
objective_status_table = _cached(DatabaseLoader.objective_status_table)
plan_evaluation = _cached(DatabaseLoader.plan_evaluation)
territories = _cached(DatabaseLoader.territories)
territory_name = _cached(DatabaseLoader.territory_name)
territory_groups = _cached(DatabaseLoader.territory_groups)
year_bounds = _cached(DatabaseLoader.year_bounds)
indicator_series = _cached(DatabaseLoader.indicator_series)
level_values = _cached(DatabaseLoader.level_values)
secret_counts = _cached(DatabaseLoader.secret_counts)
secret_cells = _cached(DatabaseLoader.secret_cells)
eviction_chain = _cached(DatabaseLoader.eviction_chain)
reference_points = _cached(DatabaseLoader.reference_points)
events = _cached(DatabaseLoader.events)
plan_structure = _cached(DatabaseLoader.plan_structure)
action_indicators = _cached(DatabaseLoader.action_indicators)
plan_objectives = _cached(DatabaseLoader.plan_objectives)
family_tiles = _cached(DatabaseLoader.family_tiles)
family_objectives = _cached(DatabaseLoader.family_objectives)
attention_points = _cached(DatabaseLoader.attention_points)
action_progress = _cached(DatabaseLoader.action_progress)
progress_history = _cached(DatabaseLoader.progress_history)
source_freshness = _cached(DatabaseLoader.source_freshness)
import_history = _cached(DatabaseLoader.import_history)
dispositifs = _cached(DatabaseLoader.dispositifs)
dispositif_actions = _cached(DatabaseLoader.dispositif_actions)
dispositif_budgets = _cached(DatabaseLoader.dispositif_budgets)
dispositif_results = _cached(DatabaseLoader.dispositif_results)


@st.cache_resource(show_spinner="Préparation des fonds de carte…")
def map_levels(departement: str) -> LevelSet | str:
    """The département's drawing layers (built once per process), or why there are none."""
    with engine().connect() as conn:
        return DatabaseLoader(conn).map_levels(departement)


@st.cache_data(ttl="1h", show_spinner=False)
def seances(plan: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return store.seances(conn, plan=plan)


@st.cache_data(ttl="1h", show_spinner=False)
def seance_views(seance_id: int) -> pd.DataFrame:
    with engine().connect() as conn:
        return store.seance_views(conn, seance_id=seance_id)


VIEWS_KEPT = 32  # distinct (page, parameters) views kept: a meeting's and a few visitors' choices


@st.cache_resource(ttl="1h", max_entries=VIEWS_KEPT, show_spinner=False)
def view(page: Page, params: ViewParams) -> View:
    """``page``'s view for ``params`` (:func:`views.registry.build_view` on this module's cached
    queries), built once and shared by every session until the data changes (``clear()``): a
    rerun that changed none of the page's inputs rebuilds nothing (building a view took 40-120 ms
    of a click). Shared, not copied: callers never change it (``ui.slide`` resizes a copy)."""
    return registry.build_view(page, params, sys.modules[__name__])


@st.cache_data(ttl="1h", show_spinner=False)
def kinds_table(departement: str) -> pd.DataFrame:
    """:func:`data_access.series_kinds.kinds_table` of ``departement``: it groups every stored value,
    so it is cached too (an import, a revert or another process's load clears it, as every result)."""
    with engine().connect() as conn:
        return series_kinds.kinds_table(conn, departement)


@st.cache_resource
def _seen_version() -> dict[str, object]:
    return {}


def follow_data_changes() -> None:
    """Forget cached results when the data changed since the last run (e.g. an import made with
    the command line while the app runs): one tiny query per run."""
    with engine().connect() as conn:
        version = queries.data_version(conn)
    seen = _seen_version()
    if seen.get("version") not in (None, version):
        clear()
    seen["version"] = version


def clear() -> None:
    """Forget every cached result and view (after an import or a revert)."""
    st.cache_data.clear()
    view.clear()
