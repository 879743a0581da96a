"""What a page shows, decided once: a :class:`View` of blocks, rendered by the Streamlit page, by the
projection and by every export (slides, PDF, PNG/SVG, CSV/XLSX).

Everything in a View is final: texts in French, numbers formatted, tables with French headers. A
renderer only lays it out; it never queries, computes or words anything of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from data_access.vocabulary import DEMO_NOTICE, Page


@dataclass(frozen=True)
class KeyFigure:
    """A figure printed large: « Expulsions effectives (2024) » → « 270 »."""

    label: str
    value: str
    status: str | None = None  # an objective status word, when the figure is judged against one


@dataclass(frozen=True, eq=False)
class Chart:
    """One framed chart: its figure and exactly the data it plots (French headers)."""

    key: str
    title: str
    figure: go.Figure | None
    data: pd.DataFrame
    unit: str
    indicators: tuple[str, ...]
    demo: bool
    source: str = ""  # « Source : … · Mise à jour : 24/11/2026 »
    note: str | None = None
    key_figure: KeyFigure | None = None
    message: str | None = None  # why there is no figure (no boundaries…), shown in its place


@dataclass(frozen=True, eq=False)
class Table:
    """A data table shown as such (with its CSV / Excel downloads)."""

    key: str
    title: str | None
    data: pd.DataFrame
    caption: str | None = None
    demo: bool = False
    status_columns: tuple[str, ...] = ()  # columns of status chips (« ✔ atteint », « ✔ 46 »), coloured by the renderers
    sparkline_column: str | None = None  # a column of value lists drawn as small lines (screen only)
    sparkline_label: str = ""
    downloads: bool = True
    full: bool = False  # printed whole, text wrapped, every row (no scrolling grid): status tables
    source: str | None = None  # its own source line, when not the view's (its downloads credit it)


@dataclass(frozen=True)
class Count:
    """One count of a scoreboard, and the list it counts: « 10 atteints » → the Plan d'action
    filtered on « atteint » (``query``: that page's URL parameters)."""

    label: str
    value: int
    status: str | None = None  # the objective status (or fiche state) it counts, for its colour
    query: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Scoreboard:
    """« Où en est le plan ? » in counts: objectives per status, fiches-action per state."""

    title: str
    rows: tuple[tuple[str, tuple[Count, ...]], ...]  # (« Objectifs », its counts), (« Fiches-action », …)
    page: Page  # where the counts lead
    caption: str = ""


@dataclass(frozen=True)
class Text:
    """Prose in Markdown (already French), optionally under a heading."""

    body: str
    heading: str | None = None
    caption: bool = False  # small print


@dataclass(frozen=True)
class Tile:
    """A bordered tile of key figures: a family of indicators and its objectives' badges."""

    title: str
    figures: tuple[tuple[str, str, str | None], ...]  # (label, value, change text or None)
    caption: str
    objectives: tuple[tuple[str, str], ...]  # (status, text)
    empty_objectives: str = "Pas d'objectif chiffré du plan sur ces indicateurs."


@dataclass(frozen=True)
class Tiles:
    tiles: tuple[Tile, ...]


@dataclass(frozen=True, eq=False)
class Group:
    """Blocks under a heading, folded on screen (a fiche-action of the plan)."""

    title: str
    blocks: tuple[Block, ...]
    heading: str | None = None  # a section heading printed before the group (a chantier)
    heading_caption: str | None = None
    key: str | None = None  # what the group is about (a fiche-action's code), for a page's own widgets


Block = Chart | Table | Text | Tiles | Group | Scoreboard


@dataclass(frozen=True, eq=False)
class View:
    """A page's content for one set of parameters.

    ``filters`` says the applied filters in words (« Isère — PALHDI 2014–2020 · Isère · 2021–2025 »),
    ``key_figures`` and ``status`` frame the main chart on a slide, ``empty`` replaces the blocks
    with a French message when there is nothing to show, ``notices`` are French warnings about the
    parameters (an unknown value replaced by its default).
    """

    page: Page
    title: str
    filters: str
    blocks: tuple[Block, ...] = ()
    key_figures: tuple[KeyFigure, ...] = ()
    status: str | None = None
    source: str = ""
    demo: bool = False
    empty: str | None = None
    notices: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def demo_notice(self) -> str | None:
        return DEMO_NOTICE if self.demo else None

    def charts(self) -> Iterator[Chart]:
        """Every chart of the view, groups included, in order."""
        yield from _charts(self.blocks)

    def tables(self) -> Iterator[Table]:
        yield from (block for block in _flat(self.blocks) if isinstance(block, Table))

    @property
    def main_chart(self) -> Chart | None:
        """The chart a slide shows: the first one that has a figure."""
        return next((chart for chart in self.charts() if chart.figure is not None), None)


def _flat(blocks: Sequence[Block]) -> Iterator[Block]:
    for block in blocks:
        yield block
        if isinstance(block, Group):
            yield from _flat(block.blocks)


def _charts(blocks: Sequence[Block]) -> Iterator[Chart]:
    yield from (block for block in _flat(blocks) if isinstance(block, Chart))
