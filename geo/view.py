"""Where a place lands on a map drawn with ``fitbounds``: Web Mercator pixels at the fitted scale.

Plotly's ``geo`` subplot fits the drawn GeoJSON to its box (``fitbounds``) at whatever size the map
is drawn: on screen, in a slide, in a PNG. Text, however, keeps its size in pixels, so where names
can go without hiding each other depends on the scale at which the département is shown. This
module computes it for a box of known size, so that ``geo.maps`` can place labels.

Projection: spherical Web Mercator (``projection_type="mercator"``, the shapes of an online map).
"""

from __future__ import annotations

import math

import numpy as np


def mercator(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator coordinates in radians of the sphere (``x`` east, ``y`` north)."""
    x = np.radians(np.asarray(lon, dtype=float))
    y = np.log(np.tan(np.pi / 4 + np.radians(np.asarray(lat, dtype=float)) / 2))
    return x, y


def fitted_scale(bounds: tuple[float, float, float, float], *, width: float, height: float) -> float:
    """Pixels per Mercator unit at which ``bounds`` fill a ``width`` × ``height`` px box (d3's ``fitSize``).

    Parameters
    ----------
    bounds
        ``(west, south, east, north)`` in degrees (EPSG:4326), e.g. ``GeoDataFrame.total_bounds``.
    width, height
        Size of the map's box in CSS pixels.

    Examples
    --------
    >>> scale = fitted_scale((4.742, 44.696, 6.359, 45.884), width=900, height=576)
    >>> round(scale)  # the height governs: Isère is taller than wide at this size
    19543
    """
    west, south, east, north = bounds
    (x0, x1), (y0, y1) = mercator(np.array([west, east]), np.array([south, north]))
    span_x, span_y = max(float(x1 - x0), 1e-12), max(float(y1 - y0), 1e-12)
    return min(width / span_x, height / span_y)


def decimals_for(bounds: tuple[float, float, float, float], *, pixels: int = 1000) -> int:
    """Decimals of a degree that keep every vertex within half a pixel of where it belongs when the
    larger side of ``bounds`` is drawn ``pixels`` px long (the plot of a 1 920 × 1 080 export is
    about 1 000 px high): 3 for Isère (1,6° across), 4 for Paris (0,25°).

    Examples
    --------
    >>> decimals_for((4.742, 44.696, 6.359, 45.884)), decimals_for((2.224, 48.815, 2.470, 48.902))
    (3, 4)
    """
    west, south, east, north = bounds
    extent = max(east - west, north - south, 1e-9)
    return max(0, math.ceil(math.log10(pixels / extent)))
