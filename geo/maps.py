"""Choropleth maps of one level: GeoDataFrame + values → Plotly ``go.Figure`` (MapLibre).

Maps use ``go.Choroplethmap`` on a blank MapLibre style of our own (a white background, the same
as Plotly's « white-bg »): no tile server, so they work offline and in static exports; background
tiles are an option. One trace per class, each carrying only its own territories' outlines, so
the geometry is serialised once and every legend entry is a real class (clicking it hides that
class). Outlines are rounded to ``COORDINATE_DECIMALS`` decimals of a degree (about 10 m),
invisible at département scale and a third of the JSON.

Territory names are a symbol layer of that style rather than a Plotly text trace: only a style
layer can have a halo (dark text stays readable on the darkest class and on a light neighbour)
and let MapLibre move a label that would collide with another. MapLibre draws text with glyphs
from ``GLYPHS``; offline, it falls back to the browser's own fonts (MapLibre ≥ 4), so names
still show.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from data_access.errors import UserError
from data_access.french import PLOTLY_SEPARATORS, fr_number, fr_signed_percent
from figures.palette import HIGHLIGHT, REFERENCE
from figures.theme import merged_layout
from geo.classes import NO_DATA_COLOUR, NO_DATA_LABEL, Method, diverging_classes, format_value, sequential_classes, value_decimals
from geo.view import fit_view

COORDINATE_DECIMALS = 4
WGS84 = "EPSG:4326"
GLYPHS = "https://fonts.openmaptiles.org/{fontstack}/{range}.pbf"  # the glyph server of Plotly's own styles
LABEL_LAYER = "noms-des-territoires"
MARGIN = {"l": 10, "r": 10, "t": 64, "b": 10}
# Borders: a mid grey reads on the lightest and the darkest class colour alike.
BORDER = {"commune": ("#969696", 0.4), "default": ("#737373", 1.0)}
FONT_SIZE = 16  # readable on a meeting-room screen
PRESENTATION_FONT_SIZE = 22


def unavailable_message(error: Exception) -> str:
    """The French text shown in place of a map when ``geo.cache.load_levels`` failed.

    A :class:`~data_access.errors.UserError` (``BoundariesUnavailable``, ``InvalidLayer``) already
    says why and what to do; anything else gets a generic sentence that points to the CLI.
    """
    if isinstance(error, UserError):
        return f"Carte indisponible. {error}"
    return "Carte indisponible : les contours n'ont pas pu être préparés. Lancez « python -m geo build » pour voir le détail de l'erreur."


def layer_geojson(layer: gpd.GeoDataFrame, decimals: int = COORDINATE_DECIMALS) -> dict[str, Any]:
    """A FeatureCollection in EPSG:4326 whose feature ``id`` is the layer's ``code``, without properties.

    Coordinates are rounded to ``decimals``; neighbours share their vertices, so their rounded
    borders still match exactly. Each ring is a NumPy array (Plotly writes it as the usual list of
    [lon, lat] pairs): a figure copies its traces when it is built, and copying one array per ring
    instead of one tuple per vertex made the 521-commune map three times faster to build.
    """
    geometries = shapely.transform(layer.geometry.to_crs(WGS84).to_numpy(), lambda xy: np.round(xy, decimals))
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": code, "geometry": _geometry(geometry)}
            for code, geometry in zip(layer["code"], geometries, strict=True)
        ],
    }


def _geometry(geometry: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON geometry with NumPy rings for polygons (``shapely.geometry.mapping`` otherwise)."""
    if isinstance(geometry, shapely.Polygon):
        return {"type": "Polygon", "coordinates": _rings(geometry)}
    if isinstance(geometry, shapely.MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [_rings(part) for part in geometry.geoms]}
    return dict(shapely.geometry.mapping(geometry))


def _rings(polygon: shapely.Polygon) -> list[np.ndarray]:
    return [shapely.get_coordinates(ring) for ring in (polygon.exterior, *polygon.interiors)]


_SHARED: dict[int, tuple[weakref.ref[Any], dict[str, Any]]] = {}


def _shared_geojson(source: object, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``build()`` computed once per ``source`` object: the pages draw the same long-lived layers
    (``ui.maps`` keeps them per process) on every rerun. The result is shared: never modified
    (a figure copies what it is given)."""
    key = id(source)
    hit = _SHARED.get(key)
    if hit is not None and hit[0]() is source:
        return hit[1]
    geojson = build()
    _SHARED[key] = (weakref.ref(source), geojson)
    weakref.finalize(source, _SHARED.pop, key, None)
    return geojson


def _ordinal(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"


def _outline_lines(geometries: gpd.GeoSeries) -> tuple[list[float | None], list[float | None]]:
    """Longitudes and latitudes of every ring, rings separated by None (a Scattermap line trace)."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for ring in shapely.get_parts(shapely.boundary(geometries.to_crs(WGS84).to_numpy())):
        xy = np.round(shapely.get_coordinates(ring), COORDINATE_DECIMALS)
        lons += [*xy[:, 0].tolist(), None]
        lats += [*xy[:, 1].tolist(), None]
    return lons, lats


def _map_style(background: str | None, attribution: str, labels: dict[str, Any] | None) -> dict[str, Any]:
    """A MapLibre style: white background, optional raster tiles, optional territory names on top.

    Plotly draws traces above every style layer; ``choropleth`` passes ``below=LABEL_LAYER`` to its
    traces so that the names stay on top.
    """
    sources: dict[str, Any] = {}
    layers: list[dict[str, Any]] = [{"id": "fond-blanc", "type": "background", "paint": {"background-color": "#ffffff"}}]
    if background is not None:
        sources["tuiles"] = {"type": "raster", "tiles": [background], "tileSize": 256, "attribution": attribution}
        layers.append({"id": "tuiles", "type": "raster", "source": "tuiles"})
    if labels is not None:
        sources["noms"] = {"type": "geojson", "data": labels}
        layers.append(
            {
                "id": LABEL_LAYER,
                "type": "symbol",
                "source": "noms",
                "layout": {
                    "text-field": ["get", "nom"],
                    "text-font": ["Open Sans Bold"],  # offline, the fallback takes the weight from this name
                    "text-size": FONT_SIZE,
                    "text-max-width": 8,
                    # a label that would hide another one may move around its point before being dropped
                    "text-variable-anchor": ["center", "top", "bottom", "left", "right"],
                    "text-radial-offset": 0.4,
                    "text-padding": 1,
                },
                "paint": {"text-color": "#1a1a1a", "text-halo-color": "#ffffff", "text-halo-width": 2},
            }
        )
    return {"version": 8, "name": "observatoire-blanc", "glyphs": GLYPHS, "sources": sources, "layers": layers}


def label_points(layer: gpd.GeoDataFrame, names: np.ndarray) -> dict[str, Any]:
    """Representative points (always inside the polygon, unlike a centroid) named ``nom``, in EPSG:4326."""
    points = shapely.transform(layer.geometry.representative_point().to_crs(WGS84).to_numpy(), lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": code, "properties": {"nom": name}, "geometry": shapely.geometry.mapping(point)}
            for code, name, point in zip(layer["code"], names, points, strict=True)
        ],
    }


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
    background: str | None = None,
    background_attribution: str = "",
    height: int = 650,
    presentation: bool = False,
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
        ménages), as returned by ``data_access.queries.level_values``. Rows whose code is not in
        the layer are ignored.
    value_column
        The column mapped to colours, e.g. ``"rate"`` or ``"value"``.
    unit
        Unit of ``value_column``: ``"%"``, ``"€"``, or a text written after the number and in the
        legend title (``"pour 1 000 ménages"``; ``""`` for a count).
    title
        Figure title.
    indicator_label
        Name of the indicator (« Assignations »), for the legend title and the hover.
    selected
        Code of a territory to outline (thick, contrasting); it gets a legend entry « Sélection ».
    departement_value
        The département's value in the unit of ``value_column``, shown in every hover and under the title.
    departement_name
        How the département is named there (« Isère »).
    diverging
        ``value_column`` is a gap to an objective in percent: fixed classes and colours (see
        ``geo.classes.diverging_classes``). Otherwise sequential classes from the data.
    labels
        Write each territory's name at a representative point (for the 13 territoires, not for communes).
    outline
        Polygons whose outline is drawn on top, e.g. the ``departement`` layer over a commune map.
    method
        ``"quantiles"`` or ``"jenks"`` for sequential classes.
    code_column
        Column of ``values`` holding the territory code.
    background
        None for a blank map; else a raster tile URL with ``{z}``, ``{x}``, ``{y}``, drawn under the
        colours (needs network access), e.g. ``"https://tile.openstreetmap.org/{z}/{x}/{y}.png"``.
    background_attribution
        Attribution of the tiles, shown on the map (required by most tile providers).
    height
        Figure height in px; the view is fitted to it (the département fills the height).
    presentation
        Projection sizes: every text at least 22 px (titles larger).

    Returns
    -------
    go.Figure
        ``fig.data``: one ``choroplethmap`` trace per non-empty class, lowest first, named by its
        legend label (« 1 200 – 1 529 »), then « Pas de données » when some territory has no value,
        then the selection outline (``scattermap``). ``locations`` are the layer codes.
        ``layout.map.style`` is a MapLibre style dict: white background, tiles when asked, and the
        names as the symbol layer ``LABEL_LAYER`` (source ``noms``) when ``labels``. Hover: name, mapped value, count and rate when present,
        rank of the mapped value within the level (1er = highest) and the département's value.
    """
    drawn = layer[["code", "geometry"]].reset_index(drop=True)
    rows = values.drop_duplicates(code_column).set_index(code_column)
    mapped = pd.to_numeric(rows[value_column].reindex(drawn["code"]), errors="coerce").to_numpy(dtype=float)
    names = _names(layer, rows, drawn["code"])
    classes = diverging_classes(mapped) if diverging else sequential_classes(mapped, method=method, unit=unit)
    geojson = _shared_geojson(layer, lambda: layer_geojson(drawn))
    border_colour, border_width = BORDER["commune" if "nom" in layer else "default"]

    customdata, hovertemplate = _hover(
        drawn, rows, mapped, names, classes.decimals, value_column, unit, indicator_label, diverging, departement_value, departement_name
    )
    # traces and layout are collected, then the figure is built in one validated construction:
    # each add_trace would deep-copy the traces already added, geometries included
    traces: list[Any] = []
    groups = [(c, label, colour) for c, (label, colour) in enumerate(zip(classes.labels, classes.colours, strict=True))] + [
        (-1, NO_DATA_LABEL, NO_DATA_COLOUR)
    ]
    for number, label, colour in groups:
        members = np.flatnonzero(classes.index == number)
        if members.size == 0:
            continue
        traces.append(
            go.Choroplethmap(
                geojson={"type": "FeatureCollection", "features": [geojson["features"][i] for i in members]},
                locations=drawn["code"].to_numpy()[members],
                z=np.zeros(members.size),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                name=label,
                showlegend=True,
                legendgroup=label,
                marker={"line": {"color": border_colour, "width": border_width}, "opacity": 1.0 if background is None else 0.75},
                customdata=customdata[members],
                hovertemplate=hovertemplate if number >= 0 else _no_data_template(),
                below=LABEL_LAYER if labels else None,  # Plotly puts traces above the style's layers, names included
            )
        )
    if selected is not None and selected in set(drawn["code"]):
        traces.append(_selection_trace(drawn, names, selected, below=LABEL_LAYER if labels else None))
    layout = _layout(
        drawn,
        title=title,
        legend_title=_legend_title(indicator_label, unit),
        labels=label_points(drawn, names) if labels else None,
        outline=outline,
        background=background,
        attribution=background_attribution,
        height=height,
    )
    if departement_value is not None:
        subtitle = f"{departement_name} : {_format(departement_value, unit, diverging, classes.decimals)}"
        layout = merged_layout(layout, {"title": {"subtitle": {"text": subtitle}}})
    if presentation:  # projected: every text at least 22 px, the legend beside the map, not over it
        size = PRESENTATION_FONT_SIZE
        layout = merged_layout(
            layout,
            {
                "font": {"size": size},
                "title": {"font": {"size": size + 6}, "subtitle": {"font": {"size": size}}},
                "legend": {"font": {"size": size}, "title": {"font": {"size": size}}, "x": 0.66, "xanchor": "left"},
                "map": {"domain": {"x": [0, 0.64], "y": [0, 1]}},
            },
        )
        for layer in layout["map"]["style"].get("layers", []):
            if layer.get("id") == LABEL_LAYER:
                layer["layout"]["text-size"] = size
    figure = go.Figure(traces, layout=layout)
    return figure


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
) -> tuple[np.ndarray, str]:
    """Per-territory hover texts (customdata, pre-formatted in French) and the shared template.

    Text common to every territory (labels, the département's value) sits in the template, once.
    """
    columns = [names, [_format(v, unit, diverging, decimals, with_unit=False) for v in mapped]]
    lines = [
        "<b>%{customdata[0]}</b>",
        f"{_mapped_label(value_column, indicator_label)} : %{{customdata[1]}}{'' if diverging else _suffix(unit)}",
    ]
    if value_column != "value" and "value" in rows:
        counts = pd.to_numeric(rows["value"].reindex(drawn["code"]), errors="coerce").to_numpy(dtype=float)
        columns.append([fr_number(v, value_decimals(counts)) for v in counts])
        lines.append(f"{indicator_label} : %{{customdata[{len(columns) - 1}]}}")
    if value_column != "rate" and "rate" in rows:
        rates = pd.to_numeric(rows["rate"].reindex(drawn["code"]), errors="coerce").to_numpy(dtype=float)
        columns.append([fr_number(v, 1) for v in rates])
        lines.append(f"Taux : %{{customdata[{len(columns) - 1}]}} pour 1 000 ménages")
    ranks = pd.Series(mapped).rank(ascending=False, method="min").to_numpy()
    ranked = int(np.isfinite(mapped).sum())
    columns.append([f"{_ordinal(int(r))} sur {ranked}" if np.isfinite(r) else "–" for r in ranks])
    lines.append(f"Rang : %{{customdata[{len(columns) - 1}]}}")
    if departement_value is not None:
        lines.append(f"{departement_name} : {_format(departement_value, unit, diverging, decimals)}")
    return np.array(columns, dtype=object).T, "<br>".join(lines) + "<extra></extra>"


def _mapped_label(value_column: str, indicator_label: str) -> str:
    return {"rate": "Taux", "gap": "Écart à l'objectif"}.get(value_column, indicator_label)


def _legend_title(indicator_label: str, unit: str) -> str:
    return f"{indicator_label} ({unit})" if unit in ("%", "€") else f"{indicator_label} {unit}".strip()


def _no_data_template() -> str:
    return f"<b>%{{customdata[0]}}</b><br>{NO_DATA_LABEL}<extra></extra>"


def _selection_trace(drawn: gpd.GeoDataFrame, names: np.ndarray, selected: str, *, below: str | None) -> go.Scattermap:
    position = int(np.flatnonzero(drawn["code"].to_numpy() == selected)[0])
    lons, lats = _outline_lines(drawn.geometry.iloc[[position]])
    return go.Scattermap(
        lon=lons,
        lat=lats,
        mode="lines",
        line={"color": HIGHLIGHT, "width": 4},
        name=f"Sélection : {names[position]}",
        hoverinfo="skip",
        legendgroup="selection",
        below=below,
    )


def _layout(
    drawn: gpd.GeoDataFrame,
    *,
    title: str,
    legend_title: str,
    labels: dict[str, Any] | None,
    outline: gpd.GeoDataFrame | gpd.GeoSeries | None,
    background: str | None,
    attribution: str,
    height: int,
) -> dict[str, Any]:
    """The map's layout: its own style (a new dict each call), view fitted to ``drawn``, title and legend."""
    style = _map_style(background, attribution, labels)
    layers = []
    if outline is not None:  # above the traces: the département's edge stays visible over every commune
        shapes = outline if isinstance(outline, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=outline)
        layers.append(
            {
                "sourcetype": "geojson",
                "source": _shared_geojson(outline, lambda: layer_geojson(shapes.assign(code="contour"))),
                "type": "line",
                "color": REFERENCE,
                "line": {"width": 2.5},
            }
        )
    bounds = tuple(drawn.geometry.to_crs(WGS84).total_bounds)
    plot_height = height - MARGIN["t"] - MARGIN["b"]
    # the width is unknown (the page decides): assume at least a square plot, so the height governs
    centre, zoom = fit_view(bounds, width=plot_height * 1.15, height=plot_height)  # type: ignore[arg-type]
    return dict(
        map={"style": style, "center": centre, "zoom": zoom, "layers": layers},
        height=height,
        margin=MARGIN,
        separators=PLOTLY_SEPARATORS,
        font={"size": FONT_SIZE},
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": FONT_SIZE + 5}, "subtitle": {"font": {"size": FONT_SIZE}}},
        legend={
            "title": {"text": legend_title, "font": {"size": FONT_SIZE + 1}},
            "x": 1,
            "xanchor": "right",
            "y": 0.99,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
            "bordercolor": "#bdbdbd",
            "borderwidth": 1,
            "font": {"size": FONT_SIZE},
        },
        hoverlabel={"bgcolor": "white", "font": {"size": FONT_SIZE}},
    )
