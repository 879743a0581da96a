"""Where the commune boundaries come from, and how a boundary file is read.

Resolution order, the first place holding communes of the département wins:

1. ``OBSERVATOIRE_GEO_SOURCE``, a file or a directory;
2. the ``geo/`` folder of the shared reference data;
3. a copy of the Etalab file downloaded earlier into ``<geo cache>/sources/``;
4. downloading that Etalab file (short timeout: offline, it fails at once and cleanly).

When none works, :class:`~geo.errors.BoundariesUnavailable` lists what was tried and what to do.
Boundaries are always handed on in Lambert-93 (EPSG:2154), the CRS in which areas and
simplification tolerances are in metres; maps reproject to EPSG:4326 only when drawing.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from data_access.settings import Settings
from geo import download
from geo.errors import BoundariesUnavailable, InvalidLayer

LAMBERT_93 = "EPSG:2154"
SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
# Column names of the commune code and name in the usual sources (france-geojson and Etalab use
# code/nom, IGN Admin Express INSEE_COM/NOM, INSEE files CODGEO/LIBGEO), compared case-insensitively.
CODE_COLUMNS = ("code", "insee_com", "code_insee", "codgeo", "insee", "com")
NAME_COLUMNS = ("nom", "nom_com", "libelle", "libgeo", "name")
SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_DEPARTEMENT = re.compile(r"^(\d{2,3}|2[AB])$")


def _check_departement(departement: str) -> None:
    # the code ends up in an OGR attribute filter: accept département codes only
    if not _DEPARTEMENT.match(departement):
        raise ValueError(f"code de département invalide : {departement!r} (attendu : 38, 72, 2A, 971…)")


def _column(fields: list[str], candidates: tuple[str, ...]) -> str | None:
    lowered = {field.lower(): field for field in fields}
    return next((lowered[name] for name in candidates if name in lowered), None)


def _layer_name(path: Path) -> str | None:
    """The layer to read in a multi-layer file (GeoPackage): the one named after communes, else the first."""
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    if len(layers) <= 1:
        return None
    return next((name for name in layers if "commun" in name.lower()), layers[0])


def _codes(values: pd.Series) -> pd.Series:
    """INSEE codes as 5-character text, whatever the file stored (an integer loses the leading 0 of 01001)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("Int64").astype(str).str.zfill(5)
    return values.astype(str).str.strip()


def source_files(path: Path) -> list[Path]:
    """The files that make up the dataset at ``path``: the file itself, plus a Shapefile's sidecars.

    Used to hash a source: a changed ``.dbf`` or ``.prj`` changes the layers as much as the ``.shp``.
    """
    if path.suffix.lower() != ".shp":
        return [path]
    return [candidate for suffix in SHAPEFILE_SIDECARS if (candidate := path.with_suffix(suffix)).exists()]


def read_layer(path: Path) -> gpd.GeoDataFrame:
    """Read a polygon layer of communes, reprojected to Lambert-93.

    Parameters
    ----------
    path
        A GeoJSON file (FeatureCollection or a single Feature), a GeoPackage (the layer whose name
        contains « commun », else the first) or a Shapefile (with its ``.prj``).

    Returns
    -------
    GeoDataFrame
        Columns ``code`` (INSEE code as text), ``nom`` (empty text when the file has no name
        column) and ``geometry`` (Polygon or MultiPolygon, valid), CRS EPSG:2154, one row per
        code (features sharing a code are merged), in file order.

    Raises
    ------
    InvalidLayer
        The file cannot be read, has no CRS, no commune code column or non-polygon geometries.

    Examples
    --------
    >>> layer = read_layer(Path("../shared/data/geo/isere-departement-2018.geojson"))  # doctest: +SKIP
    >>> layer.crs.to_epsg(), list(layer.columns)  # doctest: +SKIP
    (2154, ['code', 'nom', 'geometry'])
    """
    try:
        frame = gpd.read_file(path, layer=_layer_name(path), engine="pyogrio")
    except Exception as error:  # GDAL reports unreadable files with many exception types
        raise InvalidLayer(
            f"Le fichier de contours « {path} » est illisible ({error}). Formats acceptés : GeoJSON, GeoPackage, Shapefile (avec ses fichiers .shx, .dbf et .prj)."
        ) from error
    if frame.crs is None:
        raise InvalidLayer(
            f"Le fichier de contours « {path.name} » n'indique pas son système de coordonnées (CRS) : impossible de savoir où placer les communes. "
            "Joignez le fichier .prj du Shapefile, ou réexportez la couche en GeoPackage ou GeoJSON avec sa projection (par exemple EPSG:2154 ou EPSG:4326)."
        )
    code_column = _column(list(frame.columns), CODE_COLUMNS)
    if code_column is None:
        found = ", ".join(str(column) for column in frame.columns if column != "geometry") or "aucune"
        raise InvalidLayer(
            f"Le fichier de contours « {path.name} » n'a pas de colonne de code commune. Attendu : une colonne parmi {', '.join(CODE_COLUMNS)} ; colonnes trouvées : {found}."
        )
    kinds = set(frame.geometry.dropna().geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InvalidLayer(
            f"Le fichier « {path.name} » doit contenir des polygones de communes ; il contient : {', '.join(sorted(kinds))}."
        )
    name_column = _column(list(frame.columns), NAME_COLUMNS)
    layer = gpd.GeoDataFrame(
        {"code": _codes(frame[code_column]), "nom": frame[name_column].astype(str) if name_column else ""},
        geometry=frame.geometry.to_crs(LAMBERT_93).values,
        crs=LAMBERT_93,
    )
    layer = layer[~(layer.geometry.isna() | layer.geometry.is_empty)]
    return _valid_polygons(layer)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a repaired geometry: make_valid may add collapsed rings as lines or points."""
    parts = shapely.get_parts(geometry)
    return shapely.union_all(parts[shapely.get_type_id(parts) >= 3])  # 3 = Polygon, 6 = MultiPolygon


def _valid_polygons(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Repair invalid rings and merge features that share a code, keeping file order."""
    invalid = ~layer.geometry.is_valid
    if invalid.any():
        layer.loc[invalid, "geometry"] = [_polygonal(shapely.make_valid(geometry)) for geometry in layer.geometry[invalid]]
    if layer["code"].duplicated().any():
        layer = layer.dissolve(by="code", as_index=False, sort=False)[["code", "nom", "geometry"]]
    return layer.reset_index(drop=True)


def read_communes(path: Path, departement: str) -> gpd.GeoDataFrame:
    """The communes of ``departement`` in the file at ``path`` (see :func:`read_layer`).

    A commune belongs to the département when its 5-character code starts with the
    département's code (38001 → 38, 2A004 → 2A, 97101 → 971). Empty when none does.
    """
    _check_departement(departement)
    layer = read_layer(path)
    return layer[(layer["code"].str.len() == 5) & layer["code"].str.startswith(departement)].reset_index(drop=True)


def _holds_communes(path: Path, departement: str) -> str | None:
    """None when ``path`` holds communes of ``departement``, else the French reason why not."""
    try:
        info = pyogrio.read_info(path, layer=_layer_name(path))
        code_column = _column([str(field) for field in info["fields"]], CODE_COLUMNS)
        if code_column is None:
            return f"{path.name} : pas de colonne de code commune"
        # attributes only: cheap even for the national file
        codes = _codes(pyogrio.read_dataframe(path, layer=_layer_name(path), columns=[code_column], read_geometry=False)[code_column])
    except Exception as error:  # an unreadable file is reported, never fatal here
        return f"{path.name} : illisible ({error})"
    if ((codes.str.len() == 5) & codes.str.startswith(departement)).any():
        return None
    return f"{path.name} : aucune commune du département {departement}"


def _candidates(directory: Path) -> list[Path]:
    """Boundary files of a directory, files named after communes first, smallest (most local) first."""
    files = [path for path in directory.iterdir() if path.is_file() and path.suffix.lower() in SUFFIXES]
    communes = [path for path in files if "commun" in path.name.lower()]
    return sorted(communes or files, key=lambda path: (path.stat().st_size, path.name))


def _find_in(location: Path, departement: str, label: str, tried: list[str]) -> Path | None:
    """The first file at ``location`` (a file or a directory) holding the département's communes."""
    if not location.exists():
        tried.append(f"{label} : {location} n'existe pas")
        return None
    files = _candidates(location) if location.is_dir() else [location]
    if not files:
        tried.append(f"{label} : aucun fichier GeoJSON, GeoPackage ou Shapefile dans {location}")
        return None
    reasons = []
    for path in files:
        reason = _holds_communes(path, departement)
        if reason is None:
            return path
        reasons.append(reason)
    tried.append(f"{label} ({location}) : " + " ; ".join(reasons))
    return None


def resolve_source(settings: Settings, departement: str, *, allow_download: bool = True) -> Path:
    """The boundary file to build ``departement``'s layers from.

    Parameters
    ----------
    settings
        ``geo_source`` (file or directory, optional), ``shared_data`` (its ``geo/`` folder is
        searched) and ``geo_cache`` (where a downloaded file is kept).
    departement
        Département code, e.g. ``"38"``.
    allow_download
        Try the Etalab download as a last resort (a few seconds at most when offline).

    Returns
    -------
    Path
        A GeoJSON, GeoPackage or Shapefile holding at least one commune of the département.

    Raises
    ------
    BoundariesUnavailable
        Nothing usable was found: the French message lists each place tried and what to do.
    """
    _check_departement(departement)
    tried: list[str] = []
    places = [(settings.geo_source, "OBSERVATOIRE_GEO_SOURCE")] if settings.geo_source else []
    places += [
        (settings.shared_data / "geo", "données de référence"),
        (download.downloaded_path(settings.geo_cache).parent, "copie téléchargée"),
    ]
    for location, label in places:
        # the download folder is only worth mentioning when something was downloaded there
        if label == "copie téléchargée" and not location.exists():
            continue
        found = _find_in(location, departement, label, tried)
        if found is not None:
            return found
    if allow_download:
        try:
            path = download.download_communes(settings.geo_cache)
        except download.DownloadFailed as error:
            tried.append(f"téléchargement Etalab : {error}")
        else:
            if _holds_communes(path, departement) is None:
                return path
            tried.append(f"téléchargement Etalab : le fichier ne contient aucune commune du département {departement}")
    else:
        tried.append("téléchargement Etalab : non tenté")
    raise BoundariesUnavailable(
        f"Les cartes du département {departement} ne peuvent pas être dessinées : aucun contour de communes n'a été trouvé. "
        f"Cherché : {' ; '.join(tried)}. "
        "Pour afficher les cartes, indiquez un fichier de contours communaux (GeoJSON, GeoPackage ou Shapefile) ou son dossier dans la variable "
        f"OBSERVATOIRE_GEO_SOURCE, ou placez les fichiers dans {settings.shared_data / 'geo'}, puis lancez « python -m geo build »."
    )
