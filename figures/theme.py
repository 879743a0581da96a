"""The common look of every figure: one function, :func:`apply_theme`, and the sizes builders use.

The dashboard is projected in meeting rooms, so the standard look is already large (base font
16 px, 3 px lines) and the ``presentation`` look is larger still (axis and tick labels 22 px,
4.5 px lines, black text, a darker grid, taller figures). Figure titles are drawn by the page
frame (``ui/``), never by the figure: ``apply_theme`` clears the layout title and keeps a small
top margin.

Only what is drawn on a white background lives here (text, grid, neutral bars); the colours that
carry meaning (indicators, territories, statuses, classes) come from :mod:`figures.palette`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go

from data_access.french import PLOTLY_SEPARATORS
from figures.palette import LINE_COLOURS, ROLE_COLOURS, colour_for

# A system sans-serif stack: the viewer's UI font in a browser; Chromium (kaleido) on the
# servers falls back to DejaVu Sans or Liberation Sans, which both have the U+202F thin space.
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
# Bars that are "the others" next to a highlighted one: a mid grey that still contrasts with white
# (3.5:1) and that no colour-blind viewer confuses with palette.HIGHLIGHT.
# The trêve hivernale bands: a pale grey that stays behind the lines and the grid.
TREVE_FILL = "rgba(0, 0, 0, 0.07)"
# Events that last (a prolonged trêve): a pale orange tint, distinct from the grey trêve bands.
EVENT_FILL = "rgba(230, 159, 0, 0.16)"


@dataclass(frozen=True)
class Theme:
    """Sizes (px) and neutral colours of one look."""

    font_size: int
    tick_size: int
    axis_title_size: int
    legend_size: int
    hover_size: int
    annotation_size: int
    line_width: float
    thin_line_width: float
    marker_size: int
    height: int
    text_colour: str
    grid_colour: str
    axis_colour: str
    # the longest legend entry of a plan's words (an objective's): two lines on screen, one on a
    # projected slide, where a tall legend would squeeze the plot
    legend_text_width: int = 140


STANDARD = Theme(
    font_size=16,
    tick_size=16,
    axis_title_size=17,
    legend_size=16,
    hover_size=15,
    annotation_size=16,
    line_width=3,
    thin_line_width=1.5,
    marker_size=8,
    height=480,
    text_colour="#222222",
    grid_colour="#E5E5E5",
    axis_colour="#888888",
)
PRESENTATION = Theme(
    font_size=22,
    tick_size=22,
    axis_title_size=24,
    legend_size=22,
    hover_size=18,
    annotation_size=22,
    line_width=4.5,
    thin_line_width=2.5,
    marker_size=11,
    height=720,
    text_colour="#000000",
    grid_colour="#CCCCCC",
    axis_colour="#333333",
    legend_text_width=64,
)


def theme_for(presentation: bool) -> Theme:
    """The look for a screen (``False``) or a projector (``True``)."""
    return PRESENTATION if presentation else STANDARD


def apply_theme(fig: go.Figure, *, presentation: bool = False, height: int | None = None, top_margin: int = 16) -> go.Figure:
    """Apply the common layout to ``fig`` in place and return it.

    Parameters
    ----------
    fig
        Any figure, with or without subplots (every x and y axis is styled).
    presentation
        The projector look: larger labels, thicker axis lines, black text, darker grid.
    height
        Figure height in px; by default 480 (presentation 720).
    top_margin
        Space above the plot area in px, for labels drawn above it (events, reference lines).

    Examples
    --------
    >>> fig = apply_theme(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), presentation=True)
    >>> fig.layout.separators, fig.layout.xaxis.tickfont.size
    (', ', 22)
    """
    return set_layout(fig, themed_layout(presentation=presentation, height=height, top_margin=top_margin, axes=_axis_names(fig)))


def themed_layout(
    *, presentation: bool = False, height: int | None = None, top_margin: int = 16, axes: Iterable[str] = ("xaxis", "yaxis")
) -> dict[str, Any]:
    """The layout :func:`apply_theme` sets, as a dict, with the axis style on each of ``axes``: for a
    builder that makes its figure in one go (``go.Figure(data, layout=merged_layout(themed_layout(…), …))``)."""
    base, axis = _theme_layout(presentation)
    return {
        **base,
        **dict.fromkeys(axes, axis),
        "height": height or theme_for(presentation).height,
        "margin": {"t": top_margin, "r": 24, "b": 8, "l": 8},
    }


def axis_style(presentation: bool = False) -> dict[str, Any]:
    """The style :func:`themed_layout` gives each axis (a copy), e.g. for a template's axes."""
    return dict(_theme_layout(presentation)[1])


def set_layout(fig: go.Figure, updates: dict[str, Any]) -> go.Figure:
    """Merge ``updates`` (a nested layout dict, e.g. ``{"xaxis": {"visible": False}}``) into the
    layout of ``fig`` in place and return it: what ``fig.update_layout(updates)`` does, at a tenth
    of its cost, because the layout is validated once as a whole instead of key by key (Plotly's
    ``update_*`` calls cost ~7 ms each, and a page draws up to 25 figures on every rerun)."""
    fig.layout = merged_layout(fig.layout.to_plotly_json(), updates)
    return fig


def merged_layout(current: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``updates`` merged in, nested dicts key by key (``updates`` wins); neither is modified."""
    merged = dict(current)
    for key, value in updates.items():
        merged[key] = merged_layout(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _axis_names(fig: go.Figure) -> list[str]:
    """Every x and y axis of ``fig``: the first ones and those of its subplots."""
    names = {"xaxis", "yaxis"} | {key for key in fig.layout.to_plotly_json() if _AXIS_KEY.fullmatch(key)}
    return sorted(names)


_AXIS_KEY = re.compile(r"[xy]axis\d*")


@lru_cache(maxsize=2)
def _theme_layout(presentation: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The layout keys (but size and margins) and the axis style of one look."""
    theme = theme_for(presentation)
    base = {
        # every default is set here: the "none" template keeps Plotly's 9 kB default one out of the JSON
        "template": "none",
        "title": {"text": None},
        "separators": PLOTLY_SEPARATORS,
        "font": {"family": FONT_FAMILY, "size": theme.font_size, "color": theme.text_colour},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            # below the plot area and its x-axis title, whatever the figure's height
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "font": {"size": theme.legend_size},
            "title": {"text": None},
            "itemwidth": 40,
        },
        "hoverlabel": {"font": {"size": theme.hover_size, "family": FONT_FAMILY}, "bgcolor": "white", "align": "left"},
        "hovermode": "closest",
    }
    axis = {
        "showgrid": True,
        "gridcolor": theme.grid_colour,
        "showline": True,
        "linecolor": theme.axis_colour,
        "linewidth": 2 if presentation else 1,
        "ticks": "outside",
        "tickcolor": theme.axis_colour,
        "tickfont": {"size": theme.tick_size, "color": theme.text_colour},
        "title": {"font": {"size": theme.axis_title_size, "color": theme.text_colour}, "standoff": 12},
        "automargin": True,
        "zeroline": False,
        "separatethousands": True,
        "exponentformat": "none",  # « 12 000 », not the English-looking « 12k »
    }
    return base, axis


def distinct_colours(keys: Iterable[str], roles: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each key's :func:`figures.palette.colour_for` colour, unless an earlier key of the same
    figure already has it: then the first Okabe–Ito colour still free (colours repeat only past
    eight keys). Two lines of one chart must never share a colour, even if that means a territory
    is drawn in another colour than its usual one. ``roles``: code → role (``"selected"``,
    ``"departement"``, ``"france"``): those keys take their role's colour first, whatever their
    order, so that a territory drawn before them never takes it."""
    ordered = list(dict.fromkeys(keys))
    roles = {key: role for key, role in (roles or {}).items() if key in ordered and role in ROLE_COLOURS}
    chosen: dict[str, str] = {}
    for key in sorted(ordered, key=lambda k: k not in roles):  # stable: role keys first, each group in its order
        colour = colour_for(key, roles.get(key))
        if colour in chosen.values():
            colour = next((c for c in LINE_COLOURS if c not in chosen.values()), colour)
        chosen[key] = colour
    return {key: chosen[key] for key in ordered}


def no_data_figure(message: str = "Aucune donnée pour ce choix.", *, presentation: bool = False) -> go.Figure:
    """An empty themed figure with ``message`` in its middle and no axes."""
    fig = apply_theme(go.Figure(), presentation=presentation)
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": theme_for(presentation).annotation_size}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
