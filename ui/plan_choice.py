"""The plan chosen in the sidebar, mirrored in the URL (``?plan=...``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import cache

DEFAULT_PLAN = "isere-palhdi-2014-2020"


def current_plan() -> pd.Series:
    """The selected plan's row of ``queries.plans``; an unknown ``plan`` URL parameter falls
    back to the default with a short notice."""
    plans = cache.plans().set_index("code")
    requested = st.query_params.get("plan", DEFAULT_PLAN)
    if requested not in plans.index:
        st.sidebar.warning(f"Plan « {requested} » inconnu : affichage du plan par défaut.")
        requested = DEFAULT_PLAN if DEFAULT_PLAN in plans.index else plans.index[0]
    codes = list(plans.index)
    chosen = st.sidebar.selectbox("Plan", codes, index=codes.index(requested), format_func=lambda c: plans.loc[c, "short_name"])
    st.query_params["plan"] = chosen
    return plans.loc[chosen].rename(chosen)
