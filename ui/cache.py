"""Cached wrappers of the query functions: same names, hashable arguments, nothing else.

Cleared after an import (``clear()``) so that pages show the new data at once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_access import objectives, queries
from data_access.db import make_engine


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


def clear() -> None:
    """Forget every cached result (after an import or a revert)."""
    st.cache_data.clear()
