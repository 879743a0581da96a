"""Map layers for the pages: built once per process, and a French message when boundaries are missing."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from data_access import queries
from data_access.errors import UserError
from geo.cache import LevelSet, load_levels
from geo.maps import unavailable_message
from ui import cache


@st.cache_resource(show_spinner="Préparation des fonds de carte…")
def levels(departement: str) -> LevelSet | str:
    """The département's drawing layers, or the French message saying why there are none."""
    with cache.engine().connect() as conn:
        memberships = queries.memberships(conn, departement=departement)
    try:
        return load_levels(departement, memberships, allow_download=False)
    except UserError as error:
        return unavailable_message(error)


def layer_or_message(departement: str, level: str) -> tuple[object, str | None]:
    """(layer, None) when the level can be drawn, else (None, French message shown in its place)."""
    layers = levels(departement)
    if isinstance(layers, str):
        return None, layers
    if level not in layers.layers:
        return None, f"Pas de fond de carte au niveau « {level} » pour ce département."
    return layers[level], None


def outline(departement: str) -> object | None:
    layers = levels(departement)
    return None if isinstance(layers, str) else layers.layers.get("departement")


def unavailable(message: str) -> None:
    st.warning(message, icon=":material/map:")


def figure_or_none(build) -> go.Figure | None:  # type: ignore[no-untyped-def]
    """Build a map figure; a UserError (e.g. a broken layer) becomes a French warning and None."""
    try:
        return build()
    except UserError as error:
        unavailable(str(error))
        return None
