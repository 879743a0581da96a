"""Cached wrappers of the query functions: same names, hashable arguments, nothing else.

Cleared after an import (``clear()``) so that pages show the new data at once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_access import objectives, overview, queries
from data_access.db import make_engine
from data_access.periods import Period


@st.cache_resource
def engine() -> Engine:
    """One Engine per process, shared by every session."""
    return make_engine()


@st.cache_data(ttl="1h", show_spinner=False)
def plans() -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.plans(conn)


@st.cache_data(ttl="1h", show_spinner=False)
def indicator_catalogue() -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.indicator_catalogue(conn)


@st.cache_data(ttl="1h", show_spinner=False)
def coverage(departement: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.coverage(conn, departement=departement)


@st.cache_data(ttl="1h", show_spinner=False)
def latest_complete_year(plan: str) -> int | None:
    with engine().connect() as conn:
        return objectives.latest_complete_year(conn, plan=plan)


@st.cache_data(ttl="1h", show_spinner=False)
def objective_status_table(plan: str, year: int, territory: str | None = None) -> pd.DataFrame:
    with engine().connect() as conn:
        return objectives.objective_status_table(conn, plan=plan, year=year, territory=territory)


@st.cache_data(ttl="1h", show_spinner=False)
def territories(departement: str, level: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.territories(conn, departement=departement, level=level)


@st.cache_data(ttl="1h", show_spinner=False)
def territory_name(code: str) -> str:
    with engine().connect() as conn:
        return queries.territory_name(conn, code=code)


@st.cache_data(ttl="1h", show_spinner=False)
def year_bounds(departement: str) -> tuple[int, int]:
    with engine().connect() as conn:
        return queries.year_bounds(conn, departement=departement)


@st.cache_data(ttl="1h", show_spinner=False)
def indicator_series(indicators: tuple[str, ...], territories: tuple[str, ...], period: Period, granularity: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.indicator_series(conn, indicators=indicators, territories=territories, period=period, granularity=granularity)  # type: ignore[arg-type]


@st.cache_data(ttl="1h", show_spinner=False)
def level_values(indicator: str, level: str, departement: str, period: Period) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.level_values(conn, indicator=indicator, level=level, departement=departement, period=period)


@st.cache_data(ttl="1h", show_spinner=False)
def eviction_chain(territory: str, period: Period) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.eviction_chain(conn, territory=territory, period=period)


@st.cache_data(ttl="1h", show_spinner=False)
def reference_points(indicators: tuple[str, ...], territories: tuple[str, ...]) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.reference_points(conn, indicators=indicators, territories=territories)


@st.cache_data(ttl="1h", show_spinner=False)
def events(departement: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.events(conn, departement=departement)


@st.cache_data(ttl="1h", show_spinner=False)
def plan_structure(plan: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.plan_structure(conn, plan=plan)


@st.cache_data(ttl="1h", show_spinner=False)
def action_indicators(plan: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.action_indicators(conn, plan=plan)


@st.cache_data(ttl="1h", show_spinner=False)
def plan_objectives(plan: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.plan_objectives(conn, plan=plan)


@st.cache_data(ttl="1h", show_spinner=False)
def family_tiles(territory: str, year: int) -> pd.DataFrame:
    with engine().connect() as conn:
        return overview.family_tiles(conn, territory=territory, year=year)


@st.cache_data(ttl="1h", show_spinner=False)
def family_objectives(plan: str, year: int, territory: str | None) -> pd.DataFrame:
    with engine().connect() as conn:
        return overview.family_objectives(conn, plan=plan, year=year, territory=territory)


@st.cache_data(ttl="1h", show_spinner=False)
def attention_points(departement: str, year: int, level: str = "territoire") -> pd.DataFrame:
    with engine().connect() as conn:
        return overview.attention_points(conn, departement=departement, year=year, level=level)


@st.cache_data(ttl="1h", show_spinner=False)
def source_freshness(departement: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return overview.source_freshness(conn, departement=departement)


@st.cache_data(ttl="1h", show_spinner=False)
def seances(plan: str) -> pd.DataFrame:
    from data_access import seances as store

    with engine().connect() as conn:
        return store.seances(conn, plan=plan)


@st.cache_data(ttl="1h", show_spinner=False)
def seance_views(seance_id: int) -> pd.DataFrame:
    from data_access import seances as store

    with engine().connect() as conn:
        return store.seance_views(conn, seance_id=seance_id)


@st.cache_data(ttl="1h", show_spinner=False)
def import_history() -> pd.DataFrame:
    from data_access.importers import list_batches

    with engine().connect() as conn:
        return list_batches(conn)


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
        st.cache_data.clear()
    seen["version"] = version


def clear() -> None:
    """Forget every cached result (after an import or a revert)."""
    st.cache_data.clear()
