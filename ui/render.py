"""A :class:`~views.model.View` on screen: the standard layout and the projection layout.

Every chart is framed the same way: title, unit, source and update date, « Données fictives de
démonstration » when (and only when) a plotted value is demo data, the data as a table and as CSV,
Excel, PNG and SVG downloads. In presentation mode only the view's main chart is drawn, with its
key figure in large print (one main figure per screen).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from streamlit.elements.lib.column_types import ColumnConfig

from data_access.french import MISSING, fr_number
from data_access.vocabulary import DEMO_NOTICE, PAGE_INFO
from figures.palette import STATUS_TINTS
from geo.maps import PLOTLY_CONFIG as MAP_CONFIG
from reporting.images import framed_png, framed_svg
from reporting.tables import csv_bytes
from ui import boundary, slide
from ui.accessibility import chart_label
from views.model import Block, Chart, Group, Scoreboard, Table, Text, Tiles, View
from views.wording import cell_status, status_badge

PLOTLY_CONFIG = {
    # no Plotly toolbar: its buttons are English and cost eight Tab stops a chart, and every chart
    # already has its PNG, SVG, CSV and Excel downloads below it
    "displayModeBar": False,
    "displaylogo": False,
    **MAP_CONFIG,  # maps ask for no world topology from Plotly's CDN
}
# the icon before each scoreboard count says its status without colour (and without the glyphs of the tables)
COUNT_ICONS = {
    "atteint": ":material/check_circle:",
    "en bonne voie": ":material/trending_up:",
    "en retard": ":material/schedule:",
    "non atteint": ":material/cancel:",
    "à renseigner": ":material/edit_note:",
    "à fixer": ":material/pending_actions:",
    "abandonné": ":material/block:",
    "pas de données": ":material/remove:",
    "réalisée": ":material/task_alt:",
    "engagée": ":material/pending:",
    "non engagée": ":material/radio_button_unchecked:",
    "abandonnée": ":material/block:",
}
FULL_ROW_HEIGHT = 56  # two lines of wrapped text in a grid cell


@dataclass(frozen=True)
class Context:
    """The view's words that every download of one of its blocks carries inside the file: its
    filters line (period, territory) and its source, for a table (a chart has its own)."""

    filters: str = ""
    source: str = ""


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def demo_badge() -> None:
    st.markdown(f":orange-badge[⚠ {DEMO_NOTICE}]")


def view(
    shown: View,
    *,
    presentation: bool = False,
    title: bool = True,
    head: st.delta_generator.DeltaGenerator | None = None,
    head_blocks: int = 0,
    group_end: Callable[[str], None] | None = None,
) -> None:
    """Draw ``shown``: its title (unless the page drew it above its own widgets), notices, blocks.

    ``head``: a container the page made above one of its widgets; the filters line, the demo notice
    and the first ``head_blocks`` blocks are drawn there (the funnel above the « Saisonnalité de »
    selector), the other blocks after the widget. ``group_end(key)`` draws a page's own widgets at
    the end of each keyed group (the follow-up form of a fiche-action)."""
    place = head if head is not None else st.container()
    with place:
        if title:
            st.title(shown.title)
        for notice in shown.notices:
            st.warning(notice)
        if shown.empty is not None:
            empty_state(shown.empty)
            return
        if presentation:
            slide.draw(shown, in_seance="seance" in st.query_params)
            return
        st.caption(shown.filters)
        first = shown.blocks[0] if shown.blocks else None
        if shown.demo and not (isinstance(first, Chart | Table) and first.demo):
            demo_badge()  # at the top of the page, unless its first chart or table says it right there
        blocks(shown.blocks[:head_blocks], group_end, Context(shown.filters, shown.source))
    blocks(shown.blocks[head_blocks:], group_end, Context(shown.filters, shown.source))


def blocks(items: tuple[Block, ...], group_end: Callable[[str], None] | None = None, context: Context = Context()) -> None:
    for block in items:
        if isinstance(block, Chart):
            chart(block, context)
        elif isinstance(block, Table):
            table(block, context)
        elif isinstance(block, Text):
            text(block)
        elif isinstance(block, Tiles):
            tiles(block)
        elif isinstance(block, Group):
            group(block, group_end, context)
        elif isinstance(block, Scoreboard):
            scoreboard(block)


def scoreboard(block: Scoreboard) -> None:
    """The counts in a bordered box, each a link to the list it counts (keyboard-reachable)."""
    with st.container(border=True):
        st.subheader(block.title)
        for name, counts in block.rows:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.markdown(f"**{name}**")
                for count in counts:
                    st.page_link(
                        PAGE_INFO[block.page].script,
                        label=f"**{fr_number(count.value)}** {count.label}",
                        icon=COUNT_ICONS.get(count.status or "", ":material/list:"),
                        help=f"Ouvrir la liste dans « {PAGE_INFO[block.page].title} »",
                        query_params=dict(count.query),
                    )
        if block.caption:
            st.caption(block.caption)


def text(block: Text) -> None:
    if block.heading:
        st.subheader(block.heading)
    if block.caption:
        st.caption(block.body)
    else:
        st.markdown(block.body)


def group(block: Group, group_end: Callable[[str], None] | None = None, context: Context = Context()) -> None:
    if block.heading:
        st.subheader(block.heading)
    if block.heading_caption:
        st.caption(block.heading_caption)
    _folded_group(block, group_end, context)


def group_key(block: Group) -> str:
    """The session-state key of a group's expander: ``True`` when it is open."""
    return f"group-{block.key or slug(block.title)}"


@st.fragment
@boundary.guard()
def _folded_group(block: Group, group_end: Callable[[str], None] | None, context: Context) -> None:
    """A group folded in an expander whose content is drawn only while it is open: a folded fiche
    sends nothing (sixteen fiches were 165 elements on every click of « Plan d'action »). A
    fragment, so that opening or closing one reruns only that fiche."""
    key = group_key(block)
    # Streamlit identifies an expander by its label too: a fiche whose label changes (its state,
    # once a follow-up is saved) would be a new, folded expander; it opens as it was left
    remembered = f"{key}-open"
    folded = st.expander(block.title, expanded=st.session_state.get(remembered, False), key=key, on_change="rerun")
    st.session_state[remembered] = bool(folded.open)
    if not folded.open:
        return
    with folded:
        blocks(block.blocks, context=context)
        if group_end is not None and block.key is not None:
            group_end(block.key)


def tiles(block: Tiles) -> None:
    for column, tile in zip(st.columns(len(block.tiles)), block.tiles, strict=True):
        with column, st.container(border=True):
            st.markdown(f"#### {tile.title}")
            for label, value, change in tile.figures:
                # Streamlit reads the arrow's direction from a leading ASCII « - »
                st.metric(label, value, delta=change.replace("−", "-") if change else None, delta_color="off")
            st.caption(tile.caption)
            for status, words in tile.objectives:
                st.markdown(f"{status_badge(status)} {words}")
            if not tile.objectives:
                st.caption(tile.empty_objectives)


def chart(block: Chart, context: Context = Context()) -> None:
    """One framed chart (standard layout)."""
    st.subheader(block.title)
    st.caption(f"Unité : {block.unit} · {block.source}")
    if block.demo:
        demo_badge()
    if block.message:
        st.warning(block.message, icon=":material/map:")
    if block.figure is not None:
        # theme=None: our own theme, so that the screen looks like the exports
        st.plotly_chart(block.figure, theme=None, config=PLOTLY_CONFIG, key=f"fig-{block.key}", alt=chart_label(block.title))
    if block.note:
        st.caption(block.note)
    _data_and_downloads(block, context)


@st.fragment
@boundary.guard()
def _data_and_downloads(block: Chart, context: Context) -> None:
    """The chart's « Voir les données » toggle, its downloads and, when asked, its data table: a
    fragment, so that the toggle (a choice of this chart alone, not in the URL) reruns only this
    part, not the whole page with its queries and figures. Guarded like a page: a fragment's own
    rerun runs outside the page's guard."""
    if _downloads(block, context):
        st.dataframe(shown_table(block.data), hide_index=True, width="stretch", placeholder=MISSING, alt=f"Données : {block.title}")


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def column_decimals(column: pd.Series) -> int:
    """How many decimals a number column prints: none when every value is whole, else one for
    every cell (``100,0`` beside ``0,7``, not ``100`` beside ``0,7``)."""
    values = column.dropna().astype(float)
    return 0 if values.map(float.is_integer).all() else 1


def shown_table(data: pd.DataFrame) -> Styler:
    """A table as the screen prints it: numbers stay numbers (a click on a header sorts ``1 529``
    after ``302``, not before) and are printed in French (``1 529``, ``6,5``, missing ``–``),
    one number of decimals per column; the rest as it is."""
    styler = data.reset_index(drop=True).style.format(na_rep=MISSING)  # a Styler needs unique row labels
    for name in data.columns:
        if _is_number(data[name]):
            styler = styler.format(partial(fr_number, decimals=column_decimals(data[name])), subset=[name])
    return styler


def _downloads(block: Chart, context: Context = Context()) -> bool:
    """The data toggle and the downloads: CSV and Excel of the plotted data, PNG (1920 px) and SVG
    of the figure framed with its title, filters, source and demo notice (``reporting.images.framed``),
    rendered server-side only when asked (deferred data). Returns the toggle."""
    # a row sized to its content: each button's full label, whatever the screen's width
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    show = row.toggle("Voir les données", key=f"table-{block.key}")
    _table_buttons(
        row,
        block.data,
        name=block.key,
        title=block.title,
        source=block.source,
        demo=block.demo,
        filters=context.filters,
        unit=block.unit,
    )
    if block.figure is not None:
        _image_button(row, block, context.filters, "png")
        _image_button(row, block, context.filters, "svg")
    return show


def _image_button(place: st.delta_generator.DeltaGenerator, block: Chart, filters: str, kind: str) -> None:
    framed, figure, key = (framed_png if kind == "png" else framed_svg), block.figure, block.key
    assert figure is not None
    place.download_button(
        f"Image {kind.upper()}",
        lambda: framed(figure, title=block.title, filters=filters, source=block.source, demo=block.demo),
        help=f"Télécharger le graphique « {block.title} » en image {kind.upper()}, avec son titre, sa source et sa date",
        file_name=f"{key}.{kind}",
        mime="image/png" if kind == "png" else "image/svg+xml",
        key=f"{kind}-{key}",
        icon=":material/image:",
        on_click="ignore",
    )


def _workbook(data: pd.DataFrame, notes: dict[str, Any]) -> bytes:
    from reporting.xlsx import xlsx_bytes  # openpyxl is loaded by the first Excel download, not at start-up

    return xlsx_bytes({"Données": data}, **notes)


def _table_buttons(
    place: st.delta_generator.DeltaGenerator,
    data: pd.DataFrame,
    *,
    name: str,
    title: str,
    source: str = "",
    demo: bool = False,
    filters: str = "",
    unit: str = "",
) -> None:
    notes: dict[str, Any] = {"title": title, "filters": filters, "unit": unit, "source": source, "demo": demo}  # both files alike
    place.download_button(
        "Données CSV",
        lambda: csv_bytes(data, **notes),  # made on click, like every download: not on each rerun
        help=f"Télécharger les données de « {title} » en CSV (séparateur point-virgule, pour un tableur)",
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        icon=":material/download:",
        on_click="ignore",
    )
    place.download_button(
        "Données Excel",
        lambda: _workbook(data, notes),
        help=f"Télécharger les données de « {title} » en classeur Excel",
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{name}",
        on_click="ignore",
        icon=":material/download:",
    )


def table(block: Table, context: Context = Context()) -> None:
    """A data table with its CSV and Excel downloads; status chips coloured, sparklines drawn.

    A ``full`` table shows every row with its text wrapped: a static table, or (with sparklines)
    a grid tall enough for all its rows, so that nothing hides behind a scroll bar."""
    if block.title:
        st.subheader(block.title)
    if block.demo:
        demo_badge()
    config: dict[str, ColumnConfig] = {}
    if block.sparkline_column:
        config[block.sparkline_column] = st.column_config.LineChartColumn(block.sparkline_label, y_min=0)
    data = block.data
    shown = status_table(data, block.status_columns)
    if block.full and not block.sparkline_column:
        st.table(shown, hide_index=True)
    elif block.full:
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config=config or None,
            key=f"table-{block.key}",
            placeholder=MISSING,
            row_height=FULL_ROW_HEIGHT,
            height=FULL_ROW_HEIGHT * (len(data) + 1) + 3,
        )
    else:
        st.dataframe(shown, hide_index=True, width="stretch", column_config=config or None, key=f"table-{block.key}", placeholder=MISSING)
    if block.caption:
        st.caption(block.caption)
    if block.downloads:
        row = st.container(horizontal=True, gap="small")
        exported = block.data.drop(columns=[block.sparkline_column]) if block.sparkline_column else block.data
        _table_buttons(
            row,
            exported,
            name=block.key,
            title=block.title or block.key,
            demo=block.demo,
            filters=context.filters,
            source=block.source or context.source,
        )


def status_table(data: pd.DataFrame, columns: tuple[str, ...]) -> Styler:
    """``shown_table(data)`` with the cells of status chips (« ✔ atteint », « ✔ 46 ») of ``columns``
    coloured with the status tints, black text; a column absent from ``data`` is skipped."""

    def colour(value: object) -> str:
        status = cell_status(value)
        return f"background-color: {STATUS_TINTS[status]}; color: #000" if status else ""

    styler = shown_table(data)
    shown: list[Hashable] = [column for column in columns if column in data.columns]
    return styler.map(colour, subset=shown) if shown else styler


def empty_state(what: str) -> None:
    """A French message for a choice without data, suggesting what to change."""
    st.info(f"Aucune donnée pour {what}. Élargissez la période, changez de territoire ou de niveau, ou importez des données.")


def table_downloads(data: pd.DataFrame, *, name: str, title: str, demo: bool = False) -> None:
    """CSV and Excel of a table a page shows outside a view (import panels)."""
    row = st.container(horizontal=True, gap="small")
    _table_buttons(row, data, name=name, title=title, demo=demo)
