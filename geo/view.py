"""Centre and zoom that make a département fill a MapLibre map of known size.

Plotly's ``map`` subplots have no « fit bounds » for a ``Choroplethmap``: the view is set by a
centre and a zoom, which we compute from the layer's bounds and the figure's size in pixels.
"""

from __future__ import annotations

import math

TILE_SIZE = 512  # MapLibre: the whole world is 512 px wide at zoom 0


def _mercator_y(latitude: float) -> float:
    """Web Mercator ordinate in [0, 1] (0 at the north edge)."""
    phi = math.radians(latitude)
    return (1 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2


def _latitude(y: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))


def fit_view(
    bounds: tuple[float, float, float, float], *, width: float, height: float, padding: float = 0.04
) -> tuple[dict[str, float], float]:
    """The centre and zoom at which ``bounds`` fill a ``width`` × ``height`` px map.

    Parameters
    ----------
    bounds
        ``(west, south, east, north)`` in degrees (EPSG:4326), e.g. ``GeoDataFrame.total_bounds``.
    width, height
        Size of the map area in CSS pixels.
    padding
        Share of each side kept free around the bounds.

    Returns
    -------
    tuple of dict and float
        ``{"lon": …, "lat": …}`` (centre in Web Mercator, so the bounds are centred on screen) and
        the zoom, the largest at which the whole of ``bounds`` is visible.

    Examples
    --------
    >>> centre, zoom = fit_view((4.742, 44.696, 6.359, 45.884), width=900, height=700)
    >>> round(zoom, 2), round(centre["lon"], 2)
    (8.07, 5.55)
    """
    west, south, east, north = bounds
    span_x = max((east - west) / 360, 1e-9)
    top, bottom = _mercator_y(north), _mercator_y(south)
    span_y = max(bottom - top, 1e-9)
    usable = 1 - 2 * padding
    zoom = math.log2(min(width * usable / (span_x * TILE_SIZE), height * usable / (span_y * TILE_SIZE)))
    return {"lon": (west + east) / 2, "lat": _latitude((top + bottom) / 2)}, zoom
