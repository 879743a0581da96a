"""Communes dissolved into the observatory's levels, simplified without slivers, codes reconciled.

Every layer is a polygonal *coverage* in Lambert-93 (EPSG:2154): neighbours share their borders
exactly, with no gap and no overlap, before and after simplification. Layers are simplified with
GEOS's coverage simplifier (``GeoSeries.simplify_coverage``), which moves a shared border once for
both neighbours; a per-polygon simplification would open slivers between them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import LAMBERT_93

LEVELS = ("commune", "epci", "arrondissement", "territoire", "departement")
GROUP_LEVELS = LEVELS[1:]
LAYER_COLUMNS = ["code", "n_communes", "geometry"]
# Simplification tolerance per level, in metres (the square root of the area of the triangles the
# Visvalingam–Whyatt simplifier may remove). Chosen so that the maps of one indicator stay within
# their size budgets (13 territoires ≤ 120 kB, EPCI and arrondissements ≤ 200 kB, 521 communes
# ≤ 400 kB of Plotly JSON, see tests/test_geo.py) while borders stay smooth on a full-screen map,
# where one pixel is about 120 m. Communes are the binding budget (200 m: 14 000 vertices for
# Isère, about 330 kB); the groupings can afford 150 m. The département outline is drawn over
# commune maps, so it keeps the communes' tolerance.
TOLERANCES_M: Mapping[str, float] = {"commune": 200.0, "epci": 150.0, "arrondissement": 150.0, "territoire": 150.0, "departement": 200.0}
# GEOS 3.12 brought the coverage simplifier; older builds keep exact (heavier) outlines rather than open gaps.
COVERAGE_SIMPLIFY = shapely.geos_version >= (3, 12, 0)


@dataclass(frozen=True)
class Reconciliation:
    """How the boundary file and the membership table agree on commune codes.

    Nothing is dropped silently: a commune drawn without a grouping, or a member without an
    outline, is listed here, and ``python -m geo build`` prints it.

    Attributes
    ----------
    departement
        Département code.
    without_membership
        Codes in the boundary file but absent from the membership table: drawn on the commune
        map (« Pas de données »), part of no grouping, so their area is a hole in each grouping.
    without_boundary
        Codes in the membership table without an outline: absent from every map.
    ungrouped
        Per grouping level, codes of communes that are in the table but have no group at that level.
    several_groups
        Per grouping level, codes listed in two groups of that level; only the first is kept.
    """

    departement: str
    without_membership: tuple[str, ...] = ()
    without_boundary: tuple[str, ...] = ()
    ungrouped: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    several_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when both sides list exactly the same communes, each in one group per level."""
        return not (self.without_membership or self.without_boundary or any(self.ungrouped.values()) or any(self.several_groups.values()))

    def summary(self) -> str:
        """French lines for the CLI and the data-quality page; one line when everything matches."""
        if self.ok:
            return f"Département {self.departement} : contours et table des territoires concordent."
        lines = [f"Département {self.departement} : écarts entre les contours et la table des territoires."]
        if self.without_membership:
            lines.append(
                f"- {len(self.without_membership)} commune(s) dessinée(s) mais absente(s) de la table des territoires : {_codes(self.without_membership)}"
            )
        if self.without_boundary:
            lines.append(
                f"- {len(self.without_boundary)} commune(s) de la table sans contour (absentes des cartes) : {_codes(self.without_boundary)}"
            )
        for level, codes in self.ungrouped.items():
            if codes:
                lines.append(f"- {len(codes)} commune(s) sans regroupement de niveau {level} : {_codes(codes)}")
        for level, codes in self.several_groups.items():
            if codes:
                lines.append(
                    f"- {len(codes)} commune(s) dans plusieurs regroupements de niveau {level} (le premier est retenu) : {_codes(codes)}"
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, read back by :meth:`from_dict`."""
        return {
            "departement": self.departement,
            "without_membership": list(self.without_membership),
            "without_boundary": list(self.without_boundary),
            "ungrouped": {level: list(codes) for level, codes in self.ungrouped.items()},
            "several_groups": {level: list(codes) for level, codes in self.several_groups.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reconciliation:
        return cls(
            departement=data["departement"],
            without_membership=tuple(data["without_membership"]),
            without_boundary=tuple(data["without_boundary"]),
            ungrouped={level: tuple(codes) for level, codes in data["ungrouped"].items()},
            several_groups={level: tuple(codes) for level, codes in data["several_groups"].items()},
        )


def _codes(codes: tuple[str, ...], shown: int = 20) -> str:
    more = f" … (+{len(codes) - shown})" if len(codes) > shown else ""
    return ", ".join(codes[:shown]) + more


def reconcile(communes: gpd.GeoDataFrame, memberships: pd.DataFrame, departement: str) -> Reconciliation:
    """Compare the commune codes of the boundaries with those of the membership table.

    Parameters
    ----------
    communes
        Boundaries with a ``code`` column (see :func:`geo.boundaries.read_communes`).
    memberships
        Columns ``member_code``, ``group_code``, ``group_level`` (``data_access.queries.memberships``).
    departement
        Département code, for the report.
    """
    drawn = set(communes["code"])
    listed = set(memberships["member_code"])
    ungrouped, several = {}, {}
    for level in sorted(set(memberships["group_level"])):
        rows = memberships[memberships["group_level"] == level]
        ungrouped[level] = tuple(sorted(listed - set(rows["member_code"])))
        several[level] = tuple(sorted(set(rows.loc[rows["member_code"].duplicated(), "member_code"])))
    return Reconciliation(
        departement=departement,
        without_membership=tuple(sorted(drawn - listed)),
        without_boundary=tuple(sorted(listed - drawn)),
        ungrouped=ungrouped,
        several_groups=several,
    )


def _coverage(communes: gpd.GeoDataFrame) -> np.ndarray:
    """The commune geometries as a valid coverage, cleaned only when the file is not one already.

    Coverage union and simplification assume shared borders with identical vertices; a file with
    overlaps or tiny gaps is cleaned first (snapping, gaps under 1 m merged into a neighbour).
    """
    geometries = communes.geometry.to_numpy()
    if shapely.coverage_is_valid(geometries):
        return geometries
    return shapely.coverage_clean(geometries, gap_width=1.0)


def dissolve_levels(communes: gpd.GeoDataFrame, memberships: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Exact (unsimplified) layers: the communes and their dissolved groupings.

    Parameters
    ----------
    communes
        Columns ``code`` and ``geometry`` in EPSG:2154 (any other column is ignored, except
        ``nom`` which the commune layer keeps).
    memberships
        Columns ``member_code``, ``group_code``, ``group_level``. A commune missing from it is kept
        in the commune layer only; a member without an outline is ignored (see :func:`reconcile`).

    Returns
    -------
    dict of str to GeoDataFrame
        ``"commune"`` plus one entry per grouping level present in ``memberships``, in ``LEVELS``
        order. Columns ``code``, ``n_communes`` (communes with an outline) and ``geometry``
        (Polygon or MultiPolygon), EPSG:2154, sorted by code; the commune layer also has ``nom``.
    """
    if communes.crs is None or communes.crs.to_epsg() != 2154:
        raise ValueError(f"communes must be in Lambert-93 (EPSG:2154), got {communes.crs}")
    geometries = _coverage(communes)
    codes = communes["code"].to_numpy()
    commune_layer = gpd.GeoDataFrame(
        {"code": codes, "nom": communes["nom"].to_numpy() if "nom" in communes else "", "n_communes": 1},
        geometry=geometries,
        crs=LAMBERT_93,
    )
    layers = {"commune": commune_layer.sort_values("code", ignore_index=True)}
    position = pd.Series(np.arange(len(codes)), index=codes)
    for level in (level for level in GROUP_LEVELS if level in set(memberships["group_level"])):
        rows = memberships[(memberships["group_level"] == level) & memberships["member_code"].isin(position.index)]
        rows = rows.drop_duplicates("member_code")  # reported by reconcile(); an overlap would break the coverage
        groups = rows.groupby("group_code", sort=True)["member_code"]
        layers[level] = gpd.GeoDataFrame(
            {"code": list(groups.groups), "n_communes": groups.size().to_numpy()},
            geometry=[shapely.coverage_union_all(geometries[position[members].to_numpy()]) for _, members in groups],
            crs=LAMBERT_93,
        )
    return layers


def simplify_levels(layers: Mapping[str, gpd.GeoDataFrame], tolerances: Mapping[str, float] = TOLERANCES_M) -> dict[str, gpd.GeoDataFrame]:
    """Each layer simplified as a coverage with its level's tolerance (metres); shared borders stay shared.

    Layers of a level missing from ``tolerances`` are returned unchanged. Without GEOS ≥ 3.12 the
    layers are returned unchanged too (with a warning): heavier maps, but never gaps or overlaps.
    """
    if not COVERAGE_SIMPLIFY:
        warnings.warn("GEOS < 3.12 : contours non simplifiés (cartes plus lourdes)", RuntimeWarning, stacklevel=2)
        return dict(layers)
    simplified = {}
    for level, layer in layers.items():
        tolerance = tolerances.get(level)
        simplified[level] = layer if not tolerance else layer.set_geometry(layer.geometry.simplify_coverage(tolerance))
    return simplified


def build_levels(
    communes: gpd.GeoDataFrame, memberships: pd.DataFrame, tolerances: Mapping[str, float] = TOLERANCES_M
) -> dict[str, gpd.GeoDataFrame]:
    """Dissolve then simplify: the drawing layers of every level (see :func:`dissolve_levels`).

    Examples
    --------
    >>> layers = build_levels(read_communes(path, "38"), memberships)  # doctest: +SKIP
    >>> len(layers["territoire"]), layers["territoire"].crs.to_epsg()  # doctest: +SKIP
    (13, 2154)
    """
    return simplify_levels(dissolve_levels(communes, memberships), tolerances)
