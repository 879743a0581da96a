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

from data_access.french import fr_value
from reporting.images import figure_png, figure_svg
from reporting.tables import csv_bytes, xlsx_bytes
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
    key_figure: tuple[str, str] | None = None,
) -> None:
    """Draw one framed chart; ``data`` is exactly what is plotted, with readable French columns.

    ``key_figure`` (label, formatted value) is printed large beside the chart in presentation
    mode, where only the first chart of a page is drawn (one main figure per screen)."""
    key = key or _slug(title)
    view = st.session_state.get("view")
    if view is not None and view.presentation:
        _slide(figure, title=title, unit=unit, indicators=indicators, departement=departement, demo=demo, key=key, key_figure=key_figure)
        return
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
    show = _downloads(figure, data, key=key, title=title, sources=sources, demo=demo)
    if show:
        st.dataframe(data, hide_index=True, width="stretch")


def _downloads(figure: go.Figure | None, data: pd.DataFrame, *, key: str, title: str, sources: str, demo: bool) -> bool:
    """The data toggle and the downloads: CSV and Excel of the plotted data, PNG (1920 px) and SVG
    of the figure, rendered server-side only when asked (deferred data). Returns the toggle."""
    columns = st.columns([3, 1, 1, 1, 1], vertical_alignment="center")
    show = columns[0].toggle("Voir les données", key=f"table-{key}")
    columns[1].download_button(
        "CSV", csv_bytes(data), file_name=f"{key}.csv", mime="text/csv", key=f"csv-{key}", icon=":material/download:", on_click="ignore"
    )
    columns[2].download_button(
        "Excel",
        lambda: xlsx_bytes({"Données": data}, title=title, source=sources, demo=demo),
        file_name=f"{key}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{key}",
        on_click="ignore",
        icon=":material/download:",
    )
    if figure is not None:
        columns[3].download_button(
            "PNG",
            lambda: figure_png(figure),
            file_name=f"{key}.png",
            mime="image/png",
            key=f"png-{key}",
            icon=":material/image:",
            on_click="ignore",
        )
        columns[4].download_button(
            "SVG",
            lambda: figure_svg(figure),
            file_name=f"{key}.svg",
            mime="image/svg+xml",
            key=f"svg-{key}",
            icon=":material/image:",
            on_click="ignore",
        )
    return show


def table_downloads(table: pd.DataFrame, *, name: str, title: str, demo: bool = False) -> None:
    """CSV and Excel of a table shown on a page (formula-safe, French Excel conventions)."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "CSV", csv_bytes(table), file_name=f"{name}.csv", mime="text/csv", key=f"csv-{name}", icon=":material/download:", on_click="ignore"
    )
    right.download_button(
        "Excel",
        lambda: xlsx_bytes({title[:31]: table}, title=title, demo=demo),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{name}",
        icon=":material/download:",
        on_click="ignore",
    )


def last_value(series: pd.DataFrame, label: str, unit: str) -> tuple[str, str] | None:
    """The key figure of a series: its last period's value summed over the plotted lines."""
    if series.empty:
        return None
    last = series["period_start"].max()
    value = float(series.loc[series["period_start"] == last, "value"].sum())
    return f"{label} — {last.year}", fr_value(value, unit)


def start_run() -> None:
    """Called once per run by app.py: no chart drawn yet."""
    st.session_state["_charts_drawn"] = 0


def _slide(figure, *, title, unit, indicators, departement, demo, key, key_figure) -> None:  # type: ignore[no-untyped-def]
    """The presentation layout of a chart: title, the figure at full width, its key figure large."""
    drawn = st.session_state.get("_charts_drawn", 0)
    st.session_state["_charts_drawn"] = drawn + 1
    if drawn:  # one main figure per screen
        return
    st.subheader(title)
    sources, updated = provenance(indicators, departement)
    if key_figure is not None:
        chart, figure_column = st.columns([5, 1])
        figure_column.metric(key_figure[0], key_figure[1])
    else:
        chart = st.container()
    if figure is not None:
        figure.update_layout(height=580)  # séance bar, title, figure and footer fit a 1080-pixel screen
        chart.plotly_chart(figure, theme=None, config=PLOTLY_CONFIG, key=f"fig-{key}")
    notice = f" · ⚠ {DEMO_NOTICE}" if demo else ""
    st.caption(f"Unité : {unit} · Source : {sources or '–'} · Mise à jour : {updated}{notice}")


def empty_state(what: str) -> None:
    """A French message for a choice without data, suggesting what to change."""
    st.info(f"Aucune donnée pour {what}. Élargissez la période, changez de territoire ou de niveau, ou importez des données.")
