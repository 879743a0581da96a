"""Choropleth maps of one level: GeoDataFrame + values → Plotly ``go.Figure``, drawn in SVG.

One renderer for the screen and every export: ``go.Choropleth`` traces on the département's own
GeoJSON in a ``geo`` subplot with no base map (``visible=False``), fitted to the drawn territories
(``fitbounds="geojson"``) at whatever size the figure is drawn. plotly.js draws it with d3-geo as
SVG paths: no WebGL (a 521-commune map paints in ~0.1 s in a headless browser where MapLibre took
~0.75 s), no tile, style or glyph server, so maps work offline and kaleido exports the very same
figure to PNG, SVG and PDF.

One trace per class, each carrying only its own territories' outlines, so the geometry is
serialised once and every legend entry is a real class (clicking it hides that class). Outlines
are rounded to a tenth of a pixel of a full-HD export (``geo.view.decimals_for``: 3 decimals of a
degree for a département) and shared with the next rerun (``_shared_geojson``).

plotly.js asks for a world topology (``<topojsonURL>world_110m.json``) before it draws any
``geo`` subplot, even one without a base map; ``TOPOJSON_URL`` answers from the page itself (an
empty topology in a ``data:`` URL), and every renderer passes it as ``topojsonURL`` in the Plotly
config (``PLOTLY_CONFIG``): no request leaves the app.

Names are a text trace (``mode="text"``) in bold with a white halo (a CSS text shadow), readable
on the darkest class and on a light neighbour. Text keeps its size while the map scales, so the
names are placed for the smallest box the map is drawn in (``_place_labels``): each at its
territory's pole of inaccessibility, moved above, below or beside it when it would cover another.
"""

from __future__ import annotations

import json
import re
import textwrap
import urllib.parse
import weakref
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from data_access.errors import UserError
from data_access.french import NNBSP, PLOTLY_SEPARATORS, fr_number, fr_signed_percent
from figures.palette import HIGHLIGHT, REFERENCE
from figures.theme import FONT_FAMILY, theme_for
from geo.classes import (
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    SMALL_COLOUR,
    SMALL_LABEL,
    Classes,
    Method,
    diverging_classes,
    format_value,
    sequential_classes,
    value_decimals,
)
from geo.view import decimals_for, fitted_scale, mercator

WGS84 = "EPSG:4326"
EMPTY_TOPOLOGY = {"type": "Topology", "arcs": [], "objects": {}}
# plotly.js appends "world_110m.json" after a "/": behind "#", it is a fragment, which a data: URL ignores
TOPOJSON_URL = "data:application/json," + urllib.parse.quote(json.dumps(EMPTY_TOPOLOGY, separators=(",", ":"))) + "#/"
PLOTLY_CONFIG: dict[str, Any] = {"topojsonURL": TOPOJSON_URL}
MARGIN = {"l": 10, "r": 10, "t": 64, "b": 10}  # t: room for the title's lines and the subtitle
TITLE_CHARACTERS = 60  # a line of title: it fits the map beside the sidebar at 1 366 px (80 was cut there)
# Borders: a mid grey reads on the lightest and the darkest class colour alike.
BORDER = {"commune": ("#969696", 0.4), "default": ("#737373", 1.0)}
FONT_SIZE = 16  # readable on a meeting-room screen
PRESENTATION_FONT_SIZE = 22
LABEL_COLOUR = "#1a1a1a"
HALO = ("#ffffff", 2.0)  # colour, px
HALO_DIRECTIONS = 8  # shadows around the text that together draw a halo
LABEL_CHARACTERS = 14  # a name wraps at spaces and hyphens past this many characters a line
LEGEND_CHARACTERS = 26  # the legend title wraps: the legend stands beside the map, not over it
# Where names are placed: the smallest plot the map is drawn in, in px high (assumed at least as wide)
# — the page's own figure height, and in presentation the slide's box (960 × 552 layout) and the
# projected screen (580 px high), less the margins
PRESENTATION_PLOT_HEIGHT = 440
CHARACTER_EM, LINE_EM = 0.62, 1.25  # a bold sans-serif letter's average advance, a line's height (ems)
LABEL_PADDING = 3  # px kept free around a name
OVERLAP_WEIGHT = 3  # a pixel of a name over another costs three pixels of a name out of its territory
LABEL_RESTARTS = 12  # placements tried from different starts; the cheapest is kept
MAX_PLACED = 60  # names placed by the search (the 13 territoires); beyond, each at its pole
SQUARE_SHARE = 1.15  # the map's box is assumed at least this much wider than high (legend beside it)
FIT_SHARE = 0.9  # fitbounds leaves a margin around the territories: they fill about 90 % of the box


def unavailable_message(error: Exception) -> str:
    """The French text shown in place of a map when ``geo.cache.load_levels`` failed.

    A :class:`~data_access.errors.UserError` (``BoundariesUnavailable``, ``InvalidLayer``) already
    says why and what to do; anything else gets a generic sentence that points to the CLI.
    """
    if isinstance(error, UserError):
        return f"Carte indisponible. {error}"
    return "Carte indisponible : les contours n'ont pas pu être préparés. Lancez « python -m geo build » pour voir le détail de l'erreur."


class SharedGeoJSON(dict[str, Any]):
    """A GeoJSON dict that figures share instead of copying: ``copy.deepcopy`` returns it as it is.

    Plotly deep-copies every trace when it builds a figure, and again in ``to_dict`` (which
    ``st.plotly_chart`` calls): for the 521 communes, 11 000 dicts, lists and arrays, 50 ms each
    time. The outlines never change once built, so they are shared, read-only by convention:
    nothing in the app modifies a figure's GeoJSON (a change would show in every map of the layer).
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedGeoJSON:
        return self


def layer_geojson(layer: gpd.GeoDataFrame, decimals: int | None = None) -> dict[str, Any]:
    """A FeatureCollection in EPSG:4326 whose feature ``id`` is the layer's ``code``, without properties.

    Each feature is ``{"id", "geometry"}`` only, without GeoJSON's ``"type": "Feature"``: plotly.js
    reads a FeatureCollection's features by their id and geometry alone (``extractTraceFeature``
    and ``fitbounds``' coordinates both ignore a feature's type), and 17 bytes a feature are 9 kB
    of a 521-commune map.

    Coordinates are rounded to ``decimals`` (by default ``geo.view.decimals_for`` the layer's
    bounds); neighbours share their vertices, so their rounded borders still match exactly.
    Exterior rings turn clockwise, holes anticlockwise, as d3-geo wants them. Each
    ring is a NumPy array (Plotly writes it as the usual list of [lon, lat] pairs): a figure copies
    its traces when it is built, and copying one array per ring instead of one tuple per vertex
    made the 521-commune map three times faster to build.
    """
    projected = layer.geometry.to_crs(WGS84)
    places = decimals_for(tuple(projected.total_bounds)) if decimals is None else decimals
    # d3-geo (plotly.js) reads rings on the sphere: an exterior ring must turn clockwise, or it
    # draws the rest of the world instead (GeoJSON's RFC 7946 asks for the opposite)
    geometries = shapely.orient_polygons(shapely.transform(projected.to_numpy(), lambda xy: np.round(xy, places)), exterior_cw=True)
    return SharedGeoJSON(
        type="FeatureCollection",
        features=[SharedGeoJSON(id=code, geometry=_geometry(geometry)) for code, geometry in zip(layer["code"], geometries, strict=True)],
    )


def _geometry(geometry: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON geometry with NumPy rings for polygons (``shapely.geometry.mapping`` otherwise)."""
    if isinstance(geometry, shapely.Polygon):
        return {"type": "Polygon", "coordinates": _rings(geometry)}
    if isinstance(geometry, shapely.MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [_rings(part) for part in geometry.geoms]}
    return dict(shapely.geometry.mapping(geometry))


def _rings(polygon: shapely.Polygon) -> list[np.ndarray]:
    return [shapely.get_coordinates(ring) for ring in (polygon.exterior, *polygon.interiors)]


_SHARED: dict[tuple[int, str], tuple[weakref.ref[Any], Any]] = {}


def _shared(source: object, what: str, build: Callable[[], Any]) -> Any:
    """``build()`` computed once per ``source`` object and ``what``: the pages draw the same
    long-lived layers (``ui.cache.map_levels`` keeps them per process) on every rerun. The result is
    shared: never modified (a figure copies what it is given)."""
    key = (id(source), what)
    hit = _SHARED.get(key)
    if hit is not None and hit[0]() is source:
        return hit[1]
    value = build()
    _SHARED[key] = (weakref.ref(source), value)
    weakref.finalize(source, _SHARED.pop, key, None)
    return value


def _ordinal(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"


def _outline_lines(geometries: gpd.GeoSeries, decimals: int) -> tuple[list[float | None], list[float | None]]:
    """Longitudes and latitudes of every ring, rings separated by None (a line trace)."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for ring in shapely.get_parts(shapely.boundary(geometries.to_crs(WGS84).to_numpy())):
        xy = np.round(shapely.get_coordinates(ring), decimals)
        lons += [*xy[:, 0].tolist(), None]
        lats += [*xy[:, 1].tolist(), None]
    return lons, lats


def choropleth(
    layer: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    value_column: str,
    unit: str,
    title: str,
    indicator_label: str = "Valeur",
    selected: str | None = None,
    departement_value: float | None = None,
    departement_name: str = "Département",
    diverging: bool = False,
    labels: bool = False,
    outline: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    method: Method = "quantiles",
    code_column: str = "territory_code",
    height: int = 650,
    presentation: bool = False,
    classes: Classes | None = None,
    small_label: str = SMALL_LABEL,
) -> go.Figure:
    """A classed choropleth of one level and one period.

    Parameters
    ----------
    layer
        One level's layer from ``geo.cache.load_levels`` (columns ``code``, ``geometry``, any CRS).
        Every territory of the layer is drawn; those without a value are grey, « Pas de données ».
    values
        One row per territory: ``code_column`` and ``value_column``; optional ``name``, ``value``
        (the count, shown in the hover when another column is mapped) and ``rate`` (per 1 000
        ménages), as returned by ``data_access.queries.level_values``, and ``small`` (true where the
        territory's rate is not computed, too few households or cases: drawn « Effectif trop
        faible », apart from « Pas de données »). Rows whose code is not in the layer are ignored.
    value_column
        The column mapped to colours, e.g. ``"rate"`` or ``"value"``.
    unit
        Unit of ``value_column``: ``"%"``, ``"€"``, or a text written after the number and in the
        legend title (``"pour 1 000 ménages"``; ``""`` for a count).
    title
        Figure title, wrapped (standard look; in presentation the page and the slide write it above
        the figure, whose title is then the département's value).
    indicator_label
        Name of the indicator (« Assignations »), for the legend title and the hover.
    selected
        Code of a territory to outline (thick, contrasting); it gets a legend entry « Sélection »,
        and its name on the map when the level's names are not all written. Its value and rank are
        written under the title (« Grenoble : 6,2 pour 1 000 ménages, 45e sur 380 »).
    departement_value
        The département's value in the unit of ``value_column``, shown in every hover and under the title.
    departement_name
        How the département is named there (« Isère »).
    diverging
        ``value_column`` is a gap to an objective in percent: fixed classes and colours (see
        ``geo.classes.diverging_classes``). Otherwise sequential classes from the data.
    labels
        Write each territory's name (for the 13 territoires, not for 521 communes).
    outline
        Polygons whose outline is drawn on top, e.g. the ``departement`` layer over a commune map.
    method
        ``"quantiles"`` or ``"jenks"`` for sequential classes.
    code_column
        Column of ``values`` holding the territory code.
    height
        Figure height in px; the map fills it and its width (``fitbounds``), the legend beside it.
    presentation
        Projection sizes: every text at least 22 px (titles larger).
    classes
        Classes computed beforehand for the same values (``geo.classes.sequential_classes``), so
        that the map, its legend and another figure (the ranking's bar colours) share them;
        computed here from the mapped values otherwise.
    small_label
        The legend's name for the territories of ``small`` (« Effectif trop faible » and its rule).

    Returns
    -------
    go.Figure
        ``fig.data``: one ``choropleth`` trace per non-empty class, lowest first, named by its
        legend label (« 2,0 – 4,0 »), then ``small_label`` when some territory is ``small``, then
        « Pas de données » when some territory has no value;
        then ``scattergeo`` traces: the outline (``name="contour"``), the selection (« Sélection :
        … ») and the names (``mode="text"``, ``name="noms"``), each when there is one. ``locations``
        are the layer codes. Hover: name, mapped value, count and rate when present, rank of the
        mapped value within the level (1er = highest) and the département's value.
    """
    drawn = layer[["code", "geometry"]].reset_index(drop=True)
    rows = values.drop_duplicates(code_column).set_index(code_column)
    mapped = pd.to_numeric(rows[value_column].reindex(drawn["code"]), errors="coerce").to_numpy(dtype=float)
    names = _names(layer, rows, drawn["code"])
    if diverging:
        classes = diverging_classes(mapped)
    elif classes is not None:
        classes = Classes(classes.classify(mapped), classes.labels, classes.colours, classes.decimals, classes.bounds, classes.exact)
    else:
        classes = sequential_classes(mapped, method=method, unit=unit)
    index = classes.index.copy()
    if "small" in rows:
        small = rows["small"].reindex(drawn["code"]).astype("boolean").fillna(False).to_numpy(dtype=bool)
        index[small & ~np.isfinite(mapped)] = SMALL
    geojson = _shared(layer, "geojson", lambda: layer_geojson(drawn))
    border_colour, border_width = BORDER["commune" if "nom" in layer else "default"]
    size = PRESENTATION_FONT_SIZE if presentation else FONT_SIZE

    customdata, hovertemplate, count_column = _hover(
        drawn, rows, mapped, names, classes.decimals, value_column, unit, indicator_label, diverging, departement_value, departement_name
    )
    # traces and layout are collected, then the figure is built in one validated construction:
    # each add_trace would deep-copy the traces already added, geometries included
    traces: list[Any] = []
    groups = [(c, label, colour) for c, (label, colour) in enumerate(zip(classes.labels, classes.colours, strict=True))] + [
        (SMALL, small_label, SMALL_COLOUR),
        (-1, NO_DATA_LABEL, NO_DATA_COLOUR),
    ]
    templates = {SMALL: _small_template(indicator_label, count_column), -1: _no_data_template()}
    for number, label, colour in groups:
        members = np.flatnonzero(index == number)
        if members.size == 0:
            continue
        traces.append(
            go.Choropleth(
                geojson=SharedGeoJSON(type="FeatureCollection", features=[geojson["features"][i] for i in members]),
                locations=drawn["code"].to_numpy()[members],
                z=np.zeros(members.size, dtype=np.int8),  # the colour is the class's: one byte a territory
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                name=label,
                showlegend=True,
                legendgroup=label.split("<br>")[0],
                marker={"line": {"color": border_colour, "width": border_width}},
                customdata=customdata[members],
                hovertemplate=templates.get(number, hovertemplate),
            )
        )
    decimals = _shared(layer, "decimals", lambda: decimals_for(tuple(drawn.geometry.to_crs(WGS84).total_bounds)))
    if outline is not None:  # above the classes: the département's edge stays visible over every commune
        traces.append(_outline_trace(outline, decimals))
    codes = drawn["code"].to_numpy()
    position = int(np.flatnonzero(codes == selected)[0]) if selected is not None and selected in set(codes) else None
    if position is not None:
        traces.append(_selection_trace(drawn, names, position, decimals))
    named = np.arange(len(drawn)) if labels else np.array([position] if position is not None else [], dtype=int)
    lines = (
        []
        if position is None
        else [_selected_line(names[position], mapped, position, bool(index[position] == SMALL), unit, diverging, classes.decimals)]
    )
    if departement_value is not None:
        lines.append(f"{departement_name} : {_format(departement_value, unit, diverging, classes.decimals)}")
    subtitle = "<br>".join(lines) or None
    layout = _layout(
        title=title,
        subtitle=subtitle,
        legend_title=_legend_title(indicator_label, unit, presentation),
        height=height,
        presentation=presentation,
    )
    if named.size:
        plot_height = PRESENTATION_PLOT_HEIGHT if presentation else height - layout["margin"]["t"] - layout["margin"]["b"]
        label = _label_trace(layer, drawn, names, named, size=size, plot_height=plot_height, decimals=decimals, beside=not labels)
        traces.append(label)
    return go.Figure(traces, layout=layout)


SMALL = -2  # the class number of the territories whose rate is not computed


def _selected_line(name: str, mapped: np.ndarray, position: int, small: bool, unit: str, diverging: bool, decimals: int) -> str:
    """« Grenoble : 6,2 pour 1 000 ménages, 45e sur 380 » (rank among the territories with a value,
    1er = highest); « Ambel : effectif trop faible » or « … : pas de données » without one."""
    value = float(mapped[position])
    if not np.isfinite(value):
        return f"{name} : {(SMALL_LABEL if small else NO_DATA_LABEL).lower()}"
    shown = np.round(mapped[np.isfinite(mapped)], decimals)
    rank = int((shown > round(value, decimals)).sum()) + 1
    return f"{name} : {_format(value, unit, diverging, decimals)}, {_ordinal(rank)} sur {shown.size}"


def _names(layer: gpd.GeoDataFrame, rows: pd.DataFrame, codes: pd.Series) -> np.ndarray:
    """Display name of each drawn territory: the values' ``name``, else the boundary file's ``nom``
    (communes without a values row), else the code."""
    fallback = layer["nom"].to_numpy() if "nom" in layer else codes.to_numpy()
    names = rows["name"].reindex(codes).to_numpy(dtype=object) if "name" in rows else np.full(len(codes), None, dtype=object)
    missing = pd.isna(names) | (names == "")
    names[missing] = np.where(pd.isna(fallback[missing]) | (fallback[missing] == ""), codes.to_numpy()[missing], fallback[missing])
    return names.astype(str)


def _format(value: float | None, unit: str, diverging: bool, decimals: int, *, with_unit: bool = True) -> str:
    """French text of a mapped value; a free-text unit (« pour 1 000 ménages ») follows it when ``with_unit``."""
    if value is None or not np.isfinite(value):
        return "–"
    if diverging:
        return fr_signed_percent(value, decimals)
    text = format_value(value, unit, decimals)
    return f"{text} {unit}" if with_unit and unit not in ("%", "€", "") else text


def _suffix(unit: str) -> str:
    """The free-text unit written once in the hover template rather than in every territory's data."""
    return "" if unit in ("%", "€", "") else f" {unit}"


def _hover(
    drawn: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    mapped: np.ndarray,
    names: np.ndarray,
    decimals: int,
    value_column: str,
    unit: str,
    indicator_label: str,
    diverging: bool,
    departement_value: float | None,
    departement_name: str,
) -> tuple[np.ndarray, str, int | None]:
    """Per-territory hover texts (customdata, pre-formatted in French), the shared template and
    the customdata column of the count (None when the count is the mapped value or absent).

    Text common to every territory (labels, the département's value) sits in the template, once.
    """
    columns = [names, [_format(v, unit, diverging, decimals, with_unit=False) for v in mapped]]
    lines = [
        "<b>%{customdata[0]}</b>",
        f"{_mapped_label(value_column, indicator_label)} : %{{customdata[1]}}{'' if diverging else _suffix(unit)}",
    ]
    count_column = None
    if value_column != "value" and "value" in rows:
        counts = pd.to_numeric(rows["value"].reindex(drawn["code"]), errors="coerce").to_numpy(dtype=float)
        places = value_decimals(counts)
        columns.append([fr_number(v, places) for v in counts])
        count_column = len(columns) - 1
        lines.append(f"{indicator_label} : %{{customdata[{count_column}]}}")
    if value_column != "rate" and "rate" in rows:
        rates = pd.to_numeric(rows["rate"].reindex(drawn["code"]), errors="coerce").to_numpy(dtype=float)
        columns.append([fr_number(v, 1) for v in rates])
        lines.append(f"Taux : %{{customdata[{len(columns) - 1}]}} pour 1 000 ménages")
    ranks = pd.Series(np.round(mapped, decimals)).rank(ascending=False, method="min").to_numpy()  # as printed: ties share a rank
    ranked = int(np.isfinite(mapped).sum())
    # « sur 356 » is the same for every territory: written once, in the template
    columns.append([_ordinal(int(r)) if np.isfinite(r) else "–" for r in ranks])
    lines.append(f"Rang : %{{customdata[{len(columns) - 1}]}} sur {ranked}")
    if departement_value is not None:
        lines.append(f"{departement_name} : {_format(departement_value, unit, diverging, decimals)}")
    return np.array(columns, dtype=object).T, "<br>".join(lines) + "<extra></extra>", count_column


def _mapped_label(value_column: str, indicator_label: str) -> str:
    return {"rate": "Taux", "gap": "Écart à l'objectif"}.get(value_column, indicator_label)


def _legend_title(indicator_label: str, unit: str, presentation: bool = False) -> str:
    """The legend's title: the indicator and its unit; on a slide, whose title names the indicator,
    the unit alone (« pour 1 000 ménages »), so that the classes fit beside a map of a short screen."""
    if presentation and unit:
        return "<br>".join(wrapped(unit, LEGEND_CHARACTERS, hyphens=False))
    text = f"{indicator_label} ({unit})" if unit in ("%", "€") else f"{indicator_label} {unit}".strip()
    return "<br>".join(wrapped(text, LEGEND_CHARACTERS, hyphens=False))


def _no_data_template() -> str:
    return f"<b>%{{customdata[0]}}</b><br>{NO_DATA_LABEL}<extra></extra>"


def _small_template(indicator_label: str, count_column: int | None) -> str:
    """The hover of a territory whose rate is not computed: its name, why, and its count when shown."""
    count = "" if count_column is None else f"<br>{indicator_label} : %{{customdata[{count_column}]}}"
    return f"<b>%{{customdata[0]}}</b><br>{SMALL_LABEL} : taux non calculé{count}<extra></extra>"


def _outline_trace(outline: gpd.GeoDataFrame | gpd.GeoSeries, decimals: int) -> go.Scattergeo:
    """The outline of ``outline``'s polygons as one line trace, drawn over the classes."""
    shapes = outline.geometry if isinstance(outline, gpd.GeoDataFrame) else outline
    lons, lats = _shared(outline, f"outline {decimals}", lambda: _outline_lines(shapes, decimals))
    return go.Scattergeo(
        lon=lons, lat=lats, mode="lines", line={"color": REFERENCE, "width": 2.5}, name="contour", hoverinfo="skip", showlegend=False
    )


def _selection_trace(drawn: gpd.GeoDataFrame, names: np.ndarray, position: int, decimals: int) -> go.Scattergeo:
    lons, lats = _outline_lines(drawn.geometry.iloc[[position]], decimals)
    return go.Scattergeo(
        lon=lons,
        lat=lats,
        mode="lines",
        line={"color": HIGHLIGHT, "width": 4},
        name=f"Sélection : {names[position]}",
        hoverinfo="skip",
        legendgroup="selection",
    )


def _halo(colour: str, width: float) -> str:
    """A CSS text-shadow that rings the text in ``colour`` over ``width`` px."""
    shadows = []
    for step in range(HALO_DIRECTIONS):
        angle = 2 * np.pi * step / HALO_DIRECTIONS
        shadows.append(f"{width * np.cos(angle):.1f}px {width * np.sin(angle):.1f}px 1px {colour}")
    return ", ".join(shadows)


def wrapped(text: str, width: int = LABEL_CHARACTERS, *, hyphens: bool = True) -> list[str]:
    """Lines of at most ``width`` characters where possible: broken at spaces (and after hyphens),
    never inside a word nor inside a number (« 1 000 » stays whole)."""
    glued = _THOUSANDS.sub(f"\\1{NNBSP}\\2", text)
    return textwrap.wrap(glued, width, break_long_words=False, break_on_hyphens=hyphens) or [glued]


_THOUSANDS = re.compile(r"(\d) (\d{3})\b")


def _label_trace(
    layer: gpd.GeoDataFrame,
    drawn: gpd.GeoDataFrame,
    names: np.ndarray,
    named: np.ndarray,
    *,
    size: int,
    plot_height: int,
    decimals: int,
    beside: bool = False,
) -> go.Scattergeo:
    """The names of the ``named`` territories (positions in ``drawn``), placed by :func:`place_labels`
    (``beside``: above or below each, not over it: the name of a selected commune leaves its outline visible)."""
    geometries = _shared(layer, "wgs84", lambda: drawn.geometry.to_crs(WGS84).to_numpy())
    lines = [wrapped(str(names[i])) for i in named]
    key = f"labels {size} {plot_height} {beside} {named.tolist()} {lines}"  # the same names in the same box: placed once
    points, positions = _shared(
        layer, key, lambda: place_labels(geometries, named, lines, size=size, plot_height=plot_height, beside=beside)
    )
    return go.Scattergeo(
        lon=np.round(points[:, 0], decimals + 1).tolist(),
        lat=np.round(points[:, 1], decimals + 1).tolist(),
        text=["<br>".join(parts) for parts in lines],
        mode="text",
        textposition=positions[0] if len(set(positions)) == 1 else positions,
        textfont={"size": size, "color": LABEL_COLOUR, "weight": "bold", "family": FONT_FAMILY, "shadow": _halo(*HALO)},
        name="noms",
        hoverinfo="skip",
        showlegend=False,
    )


def place_labels(
    geometries: np.ndarray, named: np.ndarray, lines: list[list[str]], *, size: int, plot_height: int, beside: bool = False
) -> tuple[np.ndarray, list[str]]:
    """Where to write the name of each ``named`` territory (positions in ``geometries``, EPSG:4326):
    an array of (lon, lat), one row per name, and the ``textposition`` of each name there.

    ``beside``: each name just above its territory (below it when above would leave the map).

    Text keeps its size in pixels while the map scales, so boxes are estimated in pixels at the
    scale of a map ``plot_height`` px high (``geo.view.fitted_scale``, with Plotly's margin). Each
    name starts at its territory's pole of inaccessibility (the centre of its largest inscribed
    circle, where it has the most room); then each in turn moves to the nearby spot (up to three
    half-heights and half-widths away) that costs least, until none moves: leaving the map's frame
    (Plotly clips the text there) costs most, then a centre outside its own territory (it would
    read as another one's name), then overlapping another name, then spilling out of its
    territory, then the distance from the pole. The search starts again from a few seeded random
    placements and keeps the cheapest, so a rerun places the names where they were.
    """
    bounds = tuple(shapely.total_bounds(geometries))
    west, south, east, north = bounds
    scale = fitted_scale(bounds, width=plot_height * SQUARE_SHARE, height=plot_height) * FIT_SHARE
    (x0, _), (_, y1) = mercator(np.array([west, east]), np.array([south, north]))

    def to_pixels(xy: np.ndarray) -> np.ndarray:
        x, y = mercator(xy[:, 0], xy[:, 1])
        return np.column_stack([(x - x0) * scale, (y1 - y) * scale])

    def to_degrees(xy: np.ndarray) -> np.ndarray:
        lon = np.degrees(xy[:, 0] / scale + x0)
        lat = np.degrees(2 * np.arctan(np.exp(y1 - xy[:, 1] / scale)) - np.pi / 2)
        return np.column_stack([lon, lat])

    shapes = [shapely.transform(geometries[i], to_pixels) for i in named]
    left, top, right, bottom = shapely.total_bounds(shapely.transform(geometries, to_pixels))
    pad_x, pad_y = (right - left) * (1 / FIT_SHARE - 1) / 2, (bottom - top) * (1 / FIT_SHARE - 1) / 2
    frame = np.array([left - pad_x, top - pad_y, right + pad_x, bottom + pad_y])
    half = np.array([[max(len(line) for line in parts) * CHARACTER_EM * size, len(parts) * LINE_EM * size] for parts in lines]) / 2
    half += LABEL_PADDING
    if beside:  # the middle of the territory's top edge, the text above it (below the bottom edge near the frame's top)
        spots, positions = [], []
        for i, shape in enumerate(shapes):
            x_min, y_min, x_max, y_max = shapely.bounds(shape)
            fits_above = y_min - 2 * half[i, 1] >= frame[1]
            spots.append(((x_min + x_max) / 2, y_min if fits_above else y_max))
            positions.append("top center" if fits_above else "bottom center")
        return to_degrees(np.array(spots, dtype=float).reshape(-1, 2)), positions
    # candidate centres: the pole, then half-widths and half-heights away from it, nearest first
    steps = np.array(sorted(((dx, dy) for dy in range(-3, 4) for dx in (-1.5, -1, -0.5, 0, 0.5, 1, 1.5)), key=lambda s: np.hypot(*s)))
    poles = np.array([_pole(shape) for shape in shapes]).reshape(-1, 2)
    centres = poles[:, None, :] + steps[None, :, :] * half[:, None, :]  # name × candidate × (x, y)
    boxes = np.concatenate([centres - half[:, None, :], centres + half[:, None, :]], axis=2)  # x0, y0, x1, y1
    areas = (4 * half[:, 0] * half[:, 1])[:, None]
    inside_frame = _overlap(boxes, frame[None, None, :])
    inside_own = np.array([[shapely.clip_by_rect(shape, *b).area for b in boxes[i]] for i, shape in enumerate(shapes)])
    centred_in_own = np.array([shapely.contains_xy(shapes[i], centres[i, :, 0], centres[i, :, 1]) for i in range(len(named))])
    fixed = (
        10 * (areas - inside_frame)  # clipped by Plotly
        + 1.5 * (areas - inside_own)  # over the neighbours
        + 3 * areas * ~centred_in_own  # read as another territory's name
        + 0.25 * areas * np.hypot(steps[:, 0], steps[:, 1])[None, :]  # away from the pole
    )
    count, options = boxes.shape[:2]
    if count > MAX_PLACED:  # the search below grows with the square of the names: each stays at its pole
        return to_degrees(poles), ["middle center"] * count
    # shared[i, k, j, m]: area shared by name i at candidate k and name j at candidate m
    shared = _overlap(boxes[:, :, None, None, :], boxes[None, None, :, :, :]) * OVERLAP_WEIGHT
    shared[np.arange(count), :, np.arange(count), :] = 0
    chosen, best_cost = np.zeros(count, dtype=int), np.inf
    generator = np.random.default_rng(0)  # the same names in the same places on every rerun
    for start in range(LABEL_RESTARTS):
        current = np.zeros(count, dtype=int) if start == 0 else np.asarray(generator.integers(0, options, size=count), dtype=int)
        for _ in range(10):  # each name in turn to its best spot, the others standing, until none moves
            moved = False
            for i in generator.permutation(count) if start else range(count):
                costs = fixed[i] + shared[i, :, np.arange(count), current].sum(axis=0)
                best = int(np.argmin(costs))
                if costs[best] < costs[current[i]] - 1e-9:
                    current[i], moved = best, True
            if not moved:
                break
        total = (
            fixed[np.arange(count), current].sum()
            + shared[np.arange(count)[:, None], current[:, None], np.arange(count)[None, :], current[None, :]].sum() / 2
        )
        if total < best_cost - 1e-9:
            chosen, best_cost = current.copy(), total
    return to_degrees(centres[np.arange(len(named)), chosen]), ["middle center"] * len(named)


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Areas shared by boxes ``a`` and ``b`` (last axis: x0, y0, x1, y1), broadcast over the others."""
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def _pole(shape: shapely.Geometry) -> np.ndarray:
    """The centre of the largest circle inside the shape's largest part."""
    part = max(shapely.get_parts(shape), key=lambda p: p.area) if shape.geom_type == "MultiPolygon" else shape
    circle = shapely.maximum_inscribed_circle(part, max(np.sqrt(part.area) / 100, 1e-3))
    return shapely.get_coordinates(circle)[0]


def _layout(*, title: str, subtitle: str | None, legend_title: str, height: int, presentation: bool) -> dict[str, Any]:
    """The map's layout: no base map, the view fitted to the drawn territories, title, legend beside the map.

    In presentation the page and the slide write the title above the figure in large print: the
    figure's own title is then only the département's value, and the map gets the height."""
    theme = theme_for(presentation)
    size = PRESENTATION_FONT_SIZE if presentation else FONT_SIZE
    if presentation:
        title_lines, title_size, subtitle_text = ([subtitle] if subtitle else []), size, None
    else:
        title_lines, title_size, subtitle_text = wrapped(title, TITLE_CHARACTERS, hyphens=False), size + 5, subtitle
    subtitle_lines = subtitle_text.count("<br>") + 1 if subtitle_text else 0
    title_lines = [line for text in title_lines for line in text.split("<br>")]  # a two-line value (presentation)
    top = round(len(title_lines) * title_size * 1.3 + (size * (0.3 + 1.3 * subtitle_lines) if subtitle_text else 0) + 12)
    return dict(
        template="none",  # every default is set here: Plotly's default template is 7 kB of JSON
        geo={
            "visible": False,  # no land, coasts or frame: only our polygons on white
            "fitbounds": "geojson",
            "projection": {"type": "mercator"},
            "bgcolor": "#ffffff",
        },
        height=height,
        margin={**MARGIN, "t": top},
        separators=PLOTLY_SEPARATORS,
        paper_bgcolor="#ffffff",
        font={"family": FONT_FAMILY, "size": size, "color": theme.text_colour},
        title={
            "text": "<br>".join(title_lines),
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": title_size},
            "subtitle": {"text": subtitle_text, "font": {"size": size}},
        },
        legend={  # outside the plot, to its right: Plotly narrows the map to make room
            "title": {"text": legend_title, "font": {"size": size + (0 if presentation else 1)}},
            "x": 1.0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": size},
            "itemclick": "toggle",
        },
        hoverlabel={"bgcolor": "white", "font": {"size": theme.hover_size, "family": FONT_FAMILY}, "align": "left"},
        hovermode="closest",
    )
