"""The sidebar filters shared by every page, kept in ``st.session_state`` and mirrored in the URL.

The URL's parameters are read by :func:`views.params.parse` (the one parameter language of the
pages, the séances and the exports): an invalid value falls back to its default with a French
notice, never an exception. The sidebar's values are written back to the URL so that a copied URL
reopens the same view; a page's own options are written only when they differ from their default.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from data_access.vocabulary import CHOOSABLE_LEVELS, GRANULARITY_MENU, GRANULARITY_URL, GRANULARITY_WORD, LEVEL_PLURAL
from ui import cache
from ui.accessibility import PLACEHOLDER
from views import params as view_params
from views.params import SIDEBAR_KEYS, ViewParams

NOTICES = "_filter_notices"
APP = Path(__file__).resolve().parent.parent / "app.py"


def _from_url() -> None:
    """Initialise the session's widgets from the URL once (the parser has validated every value)."""
    if st.session_state.get("_filters_ready"):
        return
    parsed = view_params.parse(st.query_params.to_dict(), cache)
    chosen = parsed.params
    st.session_state["f_plan"] = chosen.plan
    st.session_state["f_years"] = (chosen.first_year, chosen.last_year)
    st.session_state["f_granularity"] = GRANULARITY_WORD[chosen.granularity]
    st.session_state["f_level"] = chosen.level.value
    st.session_state["f_territory"] = chosen.territory
    st.session_state["f_presentation"] = chosen.presentation
    st.session_state[NOTICES] = list(parsed.notices)
    st.session_state["_filters_ready"] = True


def _granularity_label(word: str) -> str:
    return GRANULARITY_MENU[GRANULARITY_URL[word]]


def sidebar() -> ViewParams:
    """Draw the filters in the sidebar and return the current view's parameters (call once per run, from app.py)."""
    _from_url()
    plans = cache.plans().set_index("code")
    with st.sidebar:
        plan = st.selectbox(
            "Plan", list(plans.index), key="f_plan", format_func=lambda c: plans.loc[c, "short_name"], placeholder=PLACEHOLDER
        )
        departement = str(plans.loc[plan, "departement_code"])
        previous = st.session_state.get("f_plan_shown", plan)
        if previous != plan and previous in plans.index and st.session_state.get("f_territory") == plans.loc[previous, "departement_code"]:
            # another plan chosen from a département's page: an intercommunal plan opens on its perimeter
            st.session_state["f_level"], st.session_state["f_territory"] = view_params.plan_home(
                plans.loc[plan, "perimeter_code"], departement, cache
            )
        st.session_state["f_plan_shown"] = plan
        low, high = cache.year_bounds(departement)
        st.session_state["f_years"] = tuple(min(max(y, low), high) for y in st.session_state["f_years"])
        years: tuple[int, int] = st.slider("Période", low, high, key="f_years")  # type: ignore[assignment]  # a range: two values
        first, last = years
        granularity = (
            st.segmented_control(
                "Pas de temps",
                list(GRANULARITY_URL),
                key="f_granularity",
                format_func=_granularity_label,
                selection_mode="single",
            )
            or "annee"
        )
        levels = [level.value for level in CHOOSABLE_LEVELS]
        level = st.selectbox(
            "Niveau territorial",
            levels,
            key="f_level",
            format_func=lambda v: LEVEL_PLURAL[v].capitalize(),  # type: ignore[index]
            placeholder=PLACEHOLDER,
        )
        options = cache.territories(departement, level)
        names = {
            departement: f"{cache.territory_name(departement)} (département)",
            **dict(zip(options["code"], options["name"], strict=True)),
        }
        if st.session_state.get("f_territory") not in names:  # another plan or level: its département
            st.session_state["f_territory"] = departement
        territory = st.selectbox(
            "Territoire", list(names), key="f_territory", format_func=lambda code: names[code], placeholder=PLACEHOLDER
        )
        presentation = st.toggle("Mode présentation", key="f_presentation")
        for message in st.session_state.pop(NOTICES, []):
            st.warning(message)
    chosen = {
        "plan": plan,
        "debut": str(first),
        "fin": str(last),
        "granularite": granularity,
        "niveau": level,
        "territoire": territory,
        "presentation": "1" if presentation else "",
    }
    query = {key: value for key, value in st.query_params.to_dict().items() if key not in SIDEBAR_KEYS} | chosen
    current_params = view_params.parse(query, cache).params
    _to_url(current_params)
    st.session_state["view"] = current_params
    return current_params


def _to_url(params: ViewParams) -> None:
    wanted = {key: value for key, value in params.query().items() if key in SIDEBAR_KEYS}
    for key, value in wanted.items():  # page-specific parameters (e.g. « indicateur ») are kept
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    if "presentation" not in wanted and "presentation" in st.query_params:
        del st.query_params["presentation"]


def served_by_app() -> None:
    """Make sure this page runs under app.py's navigation; call it before drawing anything.

    Streamlit sees our pages/ folder and, on a process's first request for a sub-page (and in
    every AppTest run), runs that page as a legacy « pages/ » app, without app.py and its sidebar.
    Then: turn the legacy mode off, run app.py now, in this same run (its st.navigation runs this
    page again, as usual), and stop the legacy run. Not a rerun: a rerun would lose this run's
    button clicks and form submissions."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


def current() -> ViewParams:
    """The view's parameters drawn by ``sidebar()`` in this run."""
    served_by_app()
    return st.session_state["view"]  # type: ignore[no-any-return]


def remember(name: str, values: list[str] | tuple[str, ...], default: list[str] | tuple[str, ...] = ()) -> None:
    """Mirror a page's own choice in the URL, so that a copied URL reopens the same view. A choice
    equal to its default is not written (a computed default never becomes a parameter)."""
    text = ",".join(values)
    if not text or list(values) == list(default):
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != text:
        st.query_params[name] = text
