"""Build a département's layers once, then read them back from GeoParquet.

Layout: ``<geo cache>/<département>/<key>/<level>.parquet`` plus ``reconciliation.json``, where
``key`` is a sha256 of ``CACHE_VERSION``, the simplification tolerances, the département, the
bytes of the source files and the membership table. A changed boundary file, a changed territory
composition, new tolerances or a new build logic (bump ``CACHE_VERSION``) therefore give a new key
and a rebuild; older keys of the département are deleted once the new one is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_access.settings import Settings, load_settings
from geo.boundaries import read_communes, resolve_source, source_files
from geo.levels import TOLERANCES_M, Reconciliation, build_levels, reconcile

CACHE_VERSION = "geo-levels-1"  # bump when build_levels changes (tolerances are hashed with it)
MEMBERSHIP_COLUMNS = ["member_code", "group_code", "group_level"]


@dataclass(frozen=True)
class LevelSet:
    """The drawing layers of one département, with where they came from.

    Attributes
    ----------
    layers
        Level (``commune``, ``epci``, ``arrondissement``, ``territoire``, ``departement``) →
        simplified GeoDataFrame in EPSG:2154 with columns ``code``, ``n_communes``, ``geometry``
        (see :func:`geo.levels.dissolve_levels`).
    reconciliation
        Codes present on one side only (boundaries vs membership table).
    source
        The boundary file the layers were built from.
    key
        Cache key (sha256 prefix).
    from_cache
        True when read from GeoParquet, False when built by this call.
    """

    departement: str
    layers: Mapping[str, gpd.GeoDataFrame]
    reconciliation: Reconciliation
    source: Path
    key: str
    from_cache: bool

    def __getitem__(self, level: str) -> gpd.GeoDataFrame:
        return self.layers[level]


def cache_key(files: list[Path], memberships: pd.DataFrame, departement: str) -> str:
    """24 hex characters of the sha256 of the version, the tolerances, the département, the files' bytes and the memberships."""
    digest = hashlib.sha256(f"{CACHE_VERSION}\n{json.dumps(dict(TOLERANCES_M), sort_keys=True)}\n{departement}\n".encode())
    for path in files:
        digest.update(path.suffix.lower().encode())
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    # row order from the database is not guaranteed: hash a sorted copy
    table = memberships[MEMBERSHIP_COLUMNS].astype(str).sort_values(MEMBERSHIP_COLUMNS)
    digest.update(table.to_csv(index=False).encode())
    return digest.hexdigest()[:24]


def _read(directory: Path, departement: str, source: Path, key: str) -> LevelSet:
    report = json.loads((directory / "reconciliation.json").read_text(encoding="utf-8"))
    layers = {path.stem: gpd.read_parquet(path) for path in sorted(directory.glob("*.parquet"))}
    return LevelSet(departement, layers, Reconciliation.from_dict(report), source, key, from_cache=True)


def _write(directory: Path, levels: LevelSet) -> None:
    """Write to a temporary folder, then rename: readers never see half a cache, and of two
    processes building at once, the first rename wins and the other's copy is discarded."""
    temporary = directory.with_name(f"{directory.name}.tmp-{uuid.uuid4().hex[:8]}")
    temporary.mkdir(parents=True)
    try:
        for level, layer in levels.layers.items():
            layer.to_parquet(temporary / f"{level}.parquet", index=False)
        (temporary / "reconciliation.json").write_text(
            json.dumps(levels.reconciliation.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (temporary / "source.txt").write_text(str(levels.source), encoding="utf-8")
        if directory.exists():
            return
        os.replace(temporary, directory)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    for stale in directory.parent.iterdir():
        if stale != directory and stale.is_dir() and ".tmp-" not in stale.name:
            shutil.rmtree(stale, ignore_errors=True)


def load_levels(
    departement: str, memberships: pd.DataFrame, settings: Settings | None = None, *, allow_download: bool = True, rebuild: bool = False
) -> LevelSet:
    """The drawing layers of ``departement``: read from the cache, or built and cached.

    Parameters
    ----------
    departement
        Département code, e.g. ``"38"``.
    memberships
        Its membership table (``data_access.queries.memberships``): columns ``member_code``,
        ``group_code``, ``group_level``.
    settings
        Where to look for boundaries and where the cache lives (default: ``load_settings()``).
    allow_download
        Let the source resolution try the Etalab download (see :func:`geo.boundaries.resolve_source`).
    rebuild
        Build even when a cached copy with the same key exists.

    Raises
    ------
    BoundariesUnavailable
        No boundary file was found: show ``geo.maps.unavailable_message(error)`` instead of maps.
    InvalidLayer
        The boundary file found cannot be used (no CRS, no code column…).
    """
    settings = settings or load_settings()
    source = resolve_source(settings, departement, allow_download=allow_download)
    key = cache_key(source_files(source), memberships, departement)
    directory = settings.geo_cache / departement / key
    if not rebuild and (directory / "reconciliation.json").exists():
        return _read(directory, departement, source, key)
    communes = read_communes(source, departement)
    levels = LevelSet(
        departement, build_levels(communes, memberships), reconcile(communes, memberships, departement), source, key, from_cache=False
    )
    if rebuild:
        shutil.rmtree(directory, ignore_errors=True)
    _write(directory, levels)
    return levels
