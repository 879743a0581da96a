"""The sidebar filters shared by every page, kept in ``st.session_state`` and mirrored in the URL.

URL parameters: ``plan``, ``debut`` and ``fin`` (years), ``granularite`` (mois, trimestre, annee,
glissant), ``niveau`` (territoire, epci, arrondissement, commune), ``territoire`` (a code) and
``presentation`` (1). A copied URL reopens the same view; an invalid parameter falls back to the
default with a short notice, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from data_access.periods import Period
from ui import cache

DEFAULT_PLAN = "isere-palhdi-2014-2020"
GRANULARITIES = {"mois": "month", "trimestre": "quarter", "annee": "year", "glissant": "rolling12"}
GRANULARITY_LABELS = {"mois": "Mois", "trimestre": "Trimestre", "annee": "Année", "glissant": "Cumul sur 12 mois glissants"}
LEVELS = {"territoire": "Territoires", "epci": "Intercommunalités (EPCI)", "arrondissement": "Arrondissements", "commune": "Communes"}
FIRST_YEAR = 2000


@dataclass(frozen=True)
class View:
    """What the user chose: every page reads it and only it."""

    plan: str
    plan_name: str
    departement: str
    departement_name: str
    first_year: int
    last_year: int
    granularity: str  # month, quarter, year, rolling12
    level: str  # territoire, epci, arrondissement, commune
    territory: str  # a code of ``level``, or the département
    territory_name: str
    presentation: bool

    @property
    def period(self) -> Period:
        return Period.years(self.first_year, self.last_year)

    @property
    def is_departement(self) -> bool:
        return self.territory == self.departement


def _notice(message: str) -> None:
    st.session_state.setdefault("_filter_notices", []).append(message)


def _from_url() -> None:
    """Initialise the session's choices from the URL once, validating every parameter."""
    if st.session_state.get("_filters_ready"):
        return
    params = st.query_params
    plans = cache.plans()
    plan = params.get("plan", DEFAULT_PLAN)
    if plan not in set(plans["code"]):
        _notice(f"Plan « {plan} » inconnu : plan par défaut affiché.")
        plan = DEFAULT_PLAN if DEFAULT_PLAN in set(plans["code"]) else plans["code"].iloc[0]
    st.session_state["f_plan"] = plan
    latest = cache.latest_complete_year(plan) or 2025
    first, last = _year(params.get("debut"), latest - 4, "début"), _year(params.get("fin"), latest, "fin")
    if first > last:
        _notice("Période inversée dans l'adresse : début et fin échangés.")
        first, last = last, first
    st.session_state["f_years"] = (first, last)
    granularity = params.get("granularite", "annee")
    if granularity not in GRANULARITIES:
        _notice(f"Granularité « {granularity} » inconnue : année.")
        granularity = "annee"
    st.session_state["f_granularity"] = granularity
    level = params.get("niveau", "territoire")
    if level not in LEVELS:
        _notice(f"Niveau « {level} » inconnu : territoires.")
        level = "territoire"
    st.session_state["f_level"] = level
    st.session_state["f_territory"] = params.get("territoire")
    st.session_state["_territory_from_url"] = "territoire" in params
    st.session_state["f_presentation"] = params.get("presentation") == "1"
    st.session_state["_filters_ready"] = True


def _year(raw: str | None, default: int, what: str) -> int:
    if raw is None:
        return default
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= 2100:
        return int(raw)
    _notice(f"Année de {what} « {raw} » invalide : {default} retenue.")
    return default


def sidebar() -> View:
    """Draw the filters in the sidebar and return the current view (call once per run, from app.py)."""
    _from_url()
    plans = cache.plans().set_index("code")
    with st.sidebar:
        plan = st.selectbox("Plan", list(plans.index), key="f_plan", format_func=lambda c: plans.loc[c, "short_name"])
        departement = str(plans.loc[plan, "departement_code"])
        low, high = cache.year_bounds(departement)
        st.session_state["f_years"] = tuple(min(max(y, low), high) for y in st.session_state["f_years"])
        first, last = st.slider("Période", low, high, key="f_years")
        granularity = (
            st.segmented_control(
                "Pas de temps", list(GRANULARITIES), key="f_granularity", format_func=GRANULARITY_LABELS.get, selection_mode="single"
            )
            or "annee"
        )
        level = st.selectbox("Niveau territorial", list(LEVELS), key="f_level", format_func=LEVELS.get)
        options = cache.territories(departement, level)
        names = {
            departement: f"{cache.territory_name(departement)} (département)",
            **dict(zip(options["code"], options["name"], strict=True)),
        }
        requested = st.session_state.get("f_territory")
        from_url = st.session_state.pop("_territory_from_url", False)
        if requested not in names:
            if from_url:
                _notice(f"Territoire « {requested} » introuvable à ce niveau : département affiché.")
            st.session_state["f_territory"] = departement
        territory = st.selectbox("Territoire", list(names), key="f_territory", format_func=names.get)
        presentation = st.toggle("Mode présentation", key="f_presentation")
        for message in st.session_state.pop("_filter_notices", []):
            st.warning(message)
    view = View(
        plan=plan,
        plan_name=str(plans.loc[plan, "short_name"]),
        departement=departement,
        departement_name=cache.territory_name(departement),
        first_year=int(first),
        last_year=int(last),
        granularity=GRANULARITIES[granularity],
        level=level,
        territory=territory,
        territory_name=names[territory].replace(" (département)", ""),
        presentation=bool(presentation),
    )
    _to_url(view, granularity)
    st.session_state["view"] = view
    return view


def _to_url(view: View, granularity: str) -> None:
    wanted = {
        "plan": view.plan,
        "debut": str(view.first_year),
        "fin": str(view.last_year),
        "granularite": granularity,
        "niveau": view.level,
        "territoire": view.territory,
    }
    for key, value in wanted.items():  # page-specific parameters (e.g. « indicateur ») are kept
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    if view.presentation:
        st.query_params["presentation"] = "1"
    elif "presentation" in st.query_params:
        del st.query_params["presentation"]


def current() -> View:
    """The view drawn by ``sidebar()`` in this run."""
    if PagesManager.uses_pages_directory:
        # Streamlit sees our pages/ folder and, on a process's first request for a sub-page (and in
        # every AppTest run), runs that page as a legacy « pages/ » app, without app.py and its
        # sidebar. Turn the legacy mode off and rerun, so that app.py's st.navigation serves it.
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["view"]


def url_choices(name: str, allowed: list[str], default: list[str]) -> list[str]:
    """A page's own choice read from the URL (``?indicateur=a,b``), keeping only allowed values."""
    raw = st.query_params.get(name)
    chosen = [v for v in (raw.split(",") if raw else []) if v in allowed]
    return chosen or default


def remember(name: str, values: list[str]) -> None:
    """Mirror a page's own choice in the URL, so that a copied URL reopens the same view (an empty
    choice removes the parameter)."""
    text = ",".join(values)
    if not text:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != text:
        st.query_params[name] = text
