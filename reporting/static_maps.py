"""MapLibre maps redrawn in SVG for static exports: same territories, classes, colours, legend and names.

Why (issue #8): headless Chromium has no GPU, so MapLibre draws a map with WebGL in software
(SwiftShader). The 521-commune map of Isère took 3–5 s per PNG on our two-core server with the
browser warm, against a budget of 2 s. Plotly's ``geo`` subplot draws the same GeoJSON polygons as
SVG paths in about 0.25 s, and a map exported as SVG becomes vector throughout instead of
embedding a raster image of the map.

The screen keeps MapLibre: zoom, names placed without collisions, optional tiles. What SVG cannot
redraw (raster tiles, a style other than a plain background, a density trace, a map layer other
than GeoJSON lines) is left to MapLibre: :func:`svg_map` then returns the figure unchanged.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import plotly.graph_objects as go

TRACE_EQUIVALENTS = {"choroplethmap": go.Choropleth, "scattermap": go.Scattergeo}
# plotly.js fetches <topojsonURL>/<scope>_<resolution>m.json for a geo subplot that draws locations,
# even from our own GeoJSON with the base map hidden; we keep the default scope and resolution, and
# the renderer serves an empty topology under that name (reporting.images)
TOPOJSON_NAME = "world_110m"
EMPTY_TOPOJSON = '{"type": "Topology", "arcs": [], "objects": {}}'
# MapLibre's text defaults (style specification), used when a symbol layer leaves them out
TEXT_SIZE, TEXT_MAX_WIDTH = 16, 10  # px, ems
EM_PER_CHARACTER = 0.53  # average advance of a letter of a sans-serif name: wraps like MapLibre's text-max-width
HALO_DIRECTIONS = 8  # shadows around the text that together draw MapLibre's halo
TEXT_PAINT = ("text-color", "text-halo-color", "text-halo-width")


def svg_map(figure: go.Figure) -> go.Figure:
    """The SVG (``geo`` subplot) equivalent of a MapLibre map, or ``figure`` itself.

    Each ``choroplethmap`` trace becomes a ``choropleth`` and each ``scattermap`` a ``scattergeo``
    with the same properties (GeoJSON, locations, colours, borders, names and legend entries);
    GeoJSON line layers (the département's outline) become ``scattergeo`` lines on top; the names
    of a symbol layer become a text trace above everything, with the layer's size, colour and halo,
    wrapped at its ``text-max-width``. The view is fitted to the drawn territories in Web Mercator
    (``fitbounds="locations"``): at any export size the map fills its box, as ``geo.view.fit_view``
    makes it fill the screen. Title, legend, margins and fonts are kept.

    Returned unchanged: figures that are not maps, and maps that SVG cannot redraw faithfully
    (tiles, a named style other than « white-bg », other map traces, other map layers).
    """
    layout = figure.layout
    if not any(trace.type in TRACE_EQUIVALENTS for trace in figure.data) or not _redrawable(figure):
        return figure
    background, names = _style(layout.map.style)
    kept = layout.to_plotly_json()
    kept.pop("map", None)
    drawn = go.Figure(layout=kept)
    for trace in figure.data:
        # skip_invalid drops what only MapLibre knows (below, cluster, subplot), at any depth
        drawn.add_trace(TRACE_EQUIVALENTS[trace.type](trace.to_plotly_json(), skip_invalid=True))
    for layer in layout.map.layers:
        if layer.visible is not False:
            drawn.add_trace(_outline(layer))
    drawn.add_traces(names)
    drawn.update_geos(
        visible=False,  # no land, coasts or frame: only our polygons on the background
        bgcolor=background,
        projection_type="mercator",  # MapLibre's projection: same shapes
        fitbounds="locations",
        domain=layout.map.domain.to_plotly_json(),
    )
    return drawn


def _redrawable(figure: go.Figure) -> bool:
    """Whether every part of the map has an SVG equivalent: one ``map`` subplot, our trace types,
    a blank style with names read from GeoJSON points, GeoJSON line layers."""
    if any(trace.type not in TRACE_EQUIVALENTS or trace.subplot not in (None, "map") for trace in figure.data):
        return False
    style = figure.layout.map.style
    if isinstance(style, dict):
        sources = style.get("sources", {})
        if not all(layer.get("type") == "background" or _is_names(layer, sources) for layer in style.get("layers", [])):
            return False
    elif style not in (None, "white-bg"):
        return False
    return all(_is_geojson_line(layer) for layer in figure.layout.map.layers)


def _is_geojson_line(layer: Any) -> bool:
    """A solid line layer over a GeoJSON FeatureCollection (a dashed one has no SVG equivalent here)."""
    source = layer.source
    return bool(
        layer.sourcetype == "geojson"
        and layer.type == "line"
        and isinstance(source, dict)
        and source.get("type") == "FeatureCollection"
        and layer.line.dash is None
    )


def _is_names(layer: dict[str, Any], sources: dict[str, Any]) -> bool:
    """A symbol layer that writes a property of GeoJSON points (``text-field: ["get", key]``), and nothing else."""
    source = sources.get(layer.get("source", ""), {})
    text_layout, paint = layer.get("layout", {}), layer.get("paint", {})
    field = text_layout.get("text-field")
    # values read by _names must be constants: a MapLibre expression (a list) has no SVG equivalent
    read = [text_layout.get(key) for key in ("text-size", "text-max-width")] + [paint.get(key) for key in TEXT_PAINT]
    return (
        layer.get("type") == "symbol"
        and source.get("type") == "geojson"
        and isinstance(source.get("data"), dict)
        and isinstance(field, list)
        and len(field) == 2
        and field[0] == "get"
        and "icon-image" not in text_layout
        and not any(isinstance(value, list | dict) for value in read)
    )


def _style(style: Any) -> tuple[str, list[go.Scattergeo]]:
    """The background colour of a redrawable style and its names as text traces."""
    if not isinstance(style, dict):
        return "#ffffff", []
    background, names = "#ffffff", []
    for layer in style.get("layers", []):
        if layer["type"] == "background":
            background = layer.get("paint", {}).get("background-color", background)
        else:
            names.append(_names(layer, style["sources"][layer["source"]]["data"]))
    return background, names


def _names(layer: dict[str, Any], points: dict[str, Any]) -> go.Scattergeo:
    """A MapLibre symbol layer (``text-field: ["get", key]`` over GeoJSON points) as a text trace."""
    text_layout, paint = layer.get("layout", {}), layer.get("paint", {})
    key = text_layout["text-field"][1]
    size = text_layout.get("text-size", TEXT_SIZE)
    width = max(1, round(text_layout.get("text-max-width", TEXT_MAX_WIDTH) / EM_PER_CHARACTER))
    features = [feature for feature in points["features"] if feature["geometry"]["type"] == "Point"]
    bold = any("Bold" in font for font in text_layout.get("text-font", []))
    return go.Scattergeo(
        lon=[feature["geometry"]["coordinates"][0] for feature in features],
        lat=[feature["geometry"]["coordinates"][1] for feature in features],
        # MapLibre breaks lines at spaces and after hyphens, never inside a word
        text=["<br>".join(textwrap.wrap(str(feature["properties"][key]), width, break_long_words=False)) for feature in features],
        mode="text",
        textposition="middle center",
        textfont={
            "size": size,
            "color": paint.get("text-color", "#000000"),
            "weight": "bold" if bold else "normal",
            "shadow": _halo(paint.get("text-halo-color"), paint.get("text-halo-width", 0)),
        },
        hoverinfo="skip",
        showlegend=False,
    )


def _halo(colour: str | None, width: float) -> str:
    """A CSS text-shadow that rings the text in ``colour`` over ``width`` px, like MapLibre's halo."""
    if not colour or width <= 0:
        return "none"
    shadows = []
    for step in range(HALO_DIRECTIONS):
        angle = 2 * math.pi * step / HALO_DIRECTIONS
        shadows.append(f"{width * math.cos(angle):.1f}px {width * math.sin(angle):.1f}px 1px {colour}")
    return ", ".join(shadows)


def _outline(layer: Any) -> go.Scattergeo:
    """A GeoJSON line layer of ``layout.map.layers`` as a line trace: every ring, rings separated by None."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for feature in layer.source["features"]:
        for ring in _rings(feature["geometry"]):
            lons += [point[0] for point in ring] + [None]
            lats += [point[1] for point in ring] + [None]
    return go.Scattergeo(
        lon=lons,
        lat=lats,
        mode="lines",
        line={"color": layer.color, "width": layer.line.width},
        opacity=layer.opacity,
        hoverinfo="skip",
        showlegend=False,
    )


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """The lines of a GeoJSON geometry: polygon rings, or the line strings themselves."""
    coordinates = geometry["coordinates"]
    kind = geometry["type"]
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    if kind == "LineString":
        return [coordinates]
    if kind == "MultiLineString":
        return list(coordinates)
    if kind == "GeometryCollection":
        return [ring for part in geometry["geometries"] for ring in _rings(part)]
    return []
