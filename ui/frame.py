"""The chart frame: every chart goes through ``chart()`` so that each one states its subject and
period, unit, sources and update date, says « Données fictives de démonstration » when (and only
when) a plotted value is demo data, and offers its data as a table and a CSV of what is plotted."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from reporting.tables import csv_bytes
from ui import cache

DEMO_NOTICE = "Données fictives de démonstration"
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def provenance(indicators: Sequence[str], departement: str) -> tuple[str, str]:
    """(sources, date of last update) of the indicators' stored series, in French."""
    catalogue = cache.indicator_catalogue().set_index("code")
    sources = sorted({catalogue.loc[code, "source"] for code in indicators if code in catalogue.index})
    coverage = cache.coverage(departement)
    updated = coverage.loc[coverage["indicator_code"].isin(list(indicators)), "updated_at"]
    return " ; ".join(sources), (f"{updated.max():%d/%m/%Y}" if not updated.empty else "–")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def chart(
    figure: go.Figure | None,
    *,
    title: str,
    data: pd.DataFrame,
    unit: str,
    indicators: Sequence[str],
    departement: str,
    demo: bool,
    note: str | None = None,
    key: str | None = None,
) -> None:
    """Draw one framed chart; ``data`` is exactly what is plotted, with readable French columns."""
    key = key or _slug(title)
    st.subheader(title)
    sources, updated = provenance(indicators, departement)
    parts = [f"Unité : {unit}", f"Source : {sources or '–'}", f"Mise à jour : {updated}"]
    st.caption(" · ".join(parts))
    if demo:
        st.markdown(f":orange-badge[⚠ {DEMO_NOTICE}]")
    if figure is not None:
        # theme=None: our own theme, so that the screen looks like the exports
        st.plotly_chart(figure, theme=None, config=PLOTLY_CONFIG, key=f"fig-{key}")
    if note:
        st.caption(note)
    left, right = st.columns([3, 1])
    with left:
        show = st.toggle("Voir les données", key=f"table-{key}")
    with right:
        st.download_button("Télécharger (CSV)", csv_bytes(data), file_name=f"{key}.csv", mime="text/csv", key=f"csv-{key}")
    if show:
        st.dataframe(data, hide_index=True, width="stretch")


def empty_state(what: str) -> None:
    """A French message for a choice without data, suggesting what to change."""
    st.info(f"Aucune donnée pour {what}. Élargissez la période, changez de territoire ou de niveau, ou importez des données.")
