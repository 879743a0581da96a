"""geo/: boundary sources, levels dissolved without slivers, GeoParquet cache, classes and map figures.

Boundaries come from the shared reference data (never copied into the repo); memberships from a
throw-away database built by the real migrations. Figures are tested by structure and by
``len(fig.to_json())`` against size budgets, not by pixels.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import Engine

from data_access import queries
from data_access.catalogue import load_catalogue
from data_access.db import make_engine, run_migrations
from data_access.french import NNBSP
from data_access.plans import load_plan, plan_directories
from data_access.settings import Settings, load_settings
from figures.palette import DIVERGING_5, HIGHLIGHT, NO_DATA
from geo import boundaries, cache, download
from geo.__main__ import main as geo_cli
from geo.boundaries import read_communes, read_layer, resolve_source
from geo.classes import NO_DATA_LABEL, diverging_classes, sequential_classes
from geo.errors import BoundariesUnavailable, InvalidLayer
from geo.levels import build_levels, dissolve_levels, reconcile
from geo.maps import TOPOJSON_URL, choropleth, place_labels, unavailable_message, wrapped
from geo.view import decimals_for, fitted_scale, mercator

SHARED_GEO = load_settings().shared_data / "geo"
ISERE = SHARED_GEO / "isere-communes-2018.geojson"
SARTHE = SHARED_GEO / "sarthe-communes-2018.geojson"
ISERE_DEPARTEMENT = SHARED_GEO / "isere-departement-2018.geojson"

pytestmark = pytest.mark.skipif(not ISERE.exists(), reason=f"données de référence absentes : {SHARED_GEO}")


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def geo_db_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Catalogue and both plans (territories and memberships) in a fresh SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('geo-db') / 'geo.db'}"
    run_migrations(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        load_catalogue(conn)
        for directory in plan_directories():
            load_plan(conn, directory)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def memberships(geo_db_engine: Engine) -> dict[str, pd.DataFrame]:
    with geo_db_engine.connect() as conn:
        return {dep: queries.memberships(conn, departement=dep) for dep in ("38", "72")}


@pytest.fixture(scope="session")
def isere_communes() -> gpd.GeoDataFrame:
    return read_communes(ISERE, "38")


@pytest.fixture(scope="session")
def isere_exact(isere_communes, memberships) -> dict[str, gpd.GeoDataFrame]:
    return dissolve_levels(isere_communes, memberships["38"])


@pytest.fixture(scope="session")
def isere_levels(isere_communes, memberships) -> dict[str, gpd.GeoDataFrame]:
    return build_levels(isere_communes, memberships["38"])


def _closed_port() -> int:
    """A local port nobody listens on: connecting is refused at once, as on a machine without network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Etalab download fails (connection refused), whatever the machine's network."""
    monkeypatch.setattr(download, "ETALAB_COMMUNES_URL", f"http://127.0.0.1:{_closed_port()}/communes-100m.geojson.gz")


def _settings(tmp_path: Path, *, source: Path | None = None, shared: Path | None = None) -> Settings:
    """Settings whose cache lives in ``tmp_path``; shared data defaults to an empty folder."""
    empty = tmp_path / "shared-vide"
    empty.mkdir(exist_ok=True)
    return Settings(database_url="sqlite://", shared_data=shared or empty, geo_source=source, geo_cache=tmp_path / "cache")


def _squares(crs: str | None, codes: tuple[str, ...] = ("38001", "38002")) -> gpd.GeoDataFrame:
    """Two 1 km squares side by side near Grenoble, in Lambert-93 (then optionally reprojected)."""
    x, y = 913_000, 6_458_000
    squares = gpd.GeoDataFrame(
        {"code": list(codes), "nom": [f"Commune {c}" for c in codes]},
        geometry=[box(x + 1000 * i, y, x + 1000 * (i + 1), y + 1000) for i in range(len(codes))],
        crs="EPSG:2154",
    )
    if crs is None:
        return squares.set_crs(None, allow_override=True)
    return squares.to_crs(crs)


# --- levels -----------------------------------------------------------------------------------------


def test_isere_dissolves_into_13_valid_territories_covering_the_departement(isere_exact):
    territoires = isere_exact["territoire"]
    departement = read_layer(ISERE_DEPARTEMENT)
    assert len(territoires) == 13
    assert territoires.is_valid.all()
    assert set(territoires.geom_type) <= {"Polygon", "MultiPolygon"}
    assert territoires.crs.to_epsg() == 2154
    # areas in Lambert-93 (an equal-area-enough conformal projection at this scale); README: 1.0000085
    assert territoires.union_all().area == pytest.approx(departement.geometry.iloc[0].area, rel=1e-3)
    assert territoires["n_communes"].sum() == 521


@pytest.mark.parametrize("level", ["commune", "epci", "arrondissement", "territoire", "departement"])
def test_simplified_layers_stay_a_coverage_without_gaps_or_overlaps(isere_exact, isere_levels, level):
    simplified = isere_levels[level]
    assert simplified.is_valid.all()
    # gap_width: also flags gaps narrower than 50 m between neighbours (slivers), not only overlaps
    assert shapely.coverage_is_valid(simplified.geometry.to_numpy(), gap_width=50.0)
    assert simplified.area.sum() == pytest.approx(isere_exact[level].area.sum(), rel=1e-3)
    assert simplified.union_all().area == pytest.approx(simplified.area.sum(), rel=1e-6)  # no overlap adds area twice
    assert (
        shapely.get_num_coordinates(simplified.geometry.to_numpy()).sum()
        < shapely.get_num_coordinates(isere_exact[level].geometry.to_numpy()).sum()
    )


@pytest.mark.parametrize(
    ("departement", "path", "level", "expected"),
    [
        ("38", ISERE, "territoire", 13),
        ("38", ISERE, "arrondissement", 3),
        ("38", ISERE, "departement", 1),
        ("72", SARTHE, "territoire", 2),  # Le Mans Métropole and the rest of the département
        ("72", SARTHE, "arrondissement", 3),
    ],
)
def test_levels_have_the_expected_number_of_territories(memberships, departement, path, level, expected):
    layers = build_levels(read_communes(path, departement), memberships[departement])
    assert len(layers[level]) == expected
    assert layers[level].is_valid.all()


@pytest.mark.parametrize("departement", ["38", "72"])
def test_epci_layer_matches_the_territory_table(geo_db_engine, memberships, departement):
    with geo_db_engine.connect() as conn:
        epci = queries.territories(conn, departement=departement, level="epci")
    layers = build_levels(read_communes(ISERE if departement == "38" else SARTHE, departement), memberships[departement])
    assert sorted(layers["epci"]["code"]) == sorted(epci["code"])


def test_reconciliation_lists_codes_present_on_one_side_only(isere_communes, memberships):
    communes = isere_communes[isere_communes["code"] != "38185"]  # Grenoble's outline is missing
    extra = pd.DataFrame({"member_code": ["38999"], "group_code": ["oisans"], "group_level": ["territoire"]})
    table = pd.concat([memberships["38"][memberships["38"]["member_code"] != "38001"], extra])  # 38001 not in the table
    report = reconcile(communes, table, "38")
    assert report.without_boundary == ("38185", "38999")
    assert report.without_membership == ("38001",)
    assert report.ungrouped["epci"] == ("38999",)
    assert not report.ok
    summary = report.summary()
    assert "38001" in summary and "38185" in summary and "absente(s) de la table" in summary
    # the commune without membership is still drawn on the commune map, never silently dropped
    layers = build_levels(communes, table)
    assert "38001" in set(layers["commune"]["code"])
    assert report == type(report).from_dict(json.loads(json.dumps(report.to_dict())))


def test_reconciliation_of_the_reference_files_is_clean(isere_communes, memberships):
    assert reconcile(isere_communes, memberships["38"], "38").ok


# --- reading boundary files -------------------------------------------------------------------------


def test_single_feature_geojson_is_read():
    layer = read_layer(ISERE_DEPARTEMENT)  # a bare Feature, not a FeatureCollection
    assert list(layer.columns) == ["code", "nom", "geometry"]
    assert layer["code"].tolist() == ["38"]
    assert layer.crs.to_epsg() == 2154


@pytest.mark.parametrize(
    ("suffix", "crs"), [(".gpkg", "EPSG:2154"), (".shp", "EPSG:2154"), (".gpkg", "EPSG:4326"), (".geojson", "EPSG:4326")]
)
def test_geopackage_shapefile_and_geojson_round_trip_in_lambert_93(tmp_path, suffix, crs):
    path = tmp_path / f"communes{suffix}"
    _squares(crs).to_file(path)
    layer = read_layer(path)
    assert layer["code"].tolist() == ["38001", "38002"]
    assert layer["nom"].tolist() == ["Commune 38001", "Commune 38002"]
    assert layer.crs.to_epsg() == 2154
    assert layer.area.tolist() == pytest.approx([1e6, 1e6], rel=1e-6)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")  # pyogrio's warning when writing the fixture
def test_layer_without_crs_is_rejected_with_a_french_message(tmp_path):
    path = tmp_path / "sans-projection.shp"
    _squares(None).to_file(path)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(InvalidLayer, match=r"n'indique pas son système de coordonnées \(CRS\).*\.prj"):
        read_layer(path)


def test_layer_without_a_code_column_names_what_was_expected_and_found(tmp_path):
    path = tmp_path / "communes.gpkg"
    _squares("EPSG:2154").rename(columns={"code": "identifiant"}).to_file(path)
    with pytest.raises(InvalidLayer, match=r"Attendu : une colonne parmi code, insee_com.*colonnes trouvées : identifiant, nom"):
        read_layer(path)


def test_numeric_codes_keep_their_leading_zero(tmp_path):
    path = tmp_path / "ain.gpkg"
    squares = _squares("EPSG:2154", ("01001", "01002"))
    squares.assign(code=squares["code"].astype(int)).to_file(path)
    assert read_communes(path, "01")["code"].tolist() == ["01001", "01002"]


# --- source resolution ------------------------------------------------------------------------------


def test_without_any_boundaries_resolution_raises_the_french_message(tmp_path, offline):
    empty = tmp_path / "contours-vides"
    empty.mkdir()
    settings = _settings(tmp_path, source=empty)
    started = time.monotonic()
    with pytest.raises(BoundariesUnavailable, match=r"ne peuvent pas être dessinées.*OBSERVATOIRE_GEO_SOURCE") as caught:
        resolve_source(settings, "38")
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert "téléchargement Etalab" in message and str(settings.shared_data / "geo") in message
    assert unavailable_message(caught.value).startswith("Carte indisponible. Les cartes du département 38")
    with pytest.raises(BoundariesUnavailable):  # the cache entry point fails the same clean way
        cache.load_levels("38", pd.DataFrame(columns=cache.MEMBERSHIP_COLUMNS), settings)


def test_a_failed_download_is_not_retried_at_every_page_load(tmp_path, offline):
    with pytest.raises(download.DownloadFailed, match="injoignable"):
        download.download_communes(tmp_path)
    with pytest.raises(download.DownloadFailed, match="dernier essai a échoué"):
        download.download_communes(tmp_path)
    assert not download.downloaded_path(tmp_path).exists()
    download.forget_failure(tmp_path)
    with pytest.raises(download.DownloadFailed, match="injoignable"):
        download.download_communes(tmp_path)


def test_download_gives_up_after_its_short_timeout(tmp_path, monkeypatch):
    """A server that accepts the connection but never answers (a blocking proxy) costs TIMEOUT_S, not minutes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        monkeypatch.setattr(download, "ETALAB_COMMUNES_URL", f"http://127.0.0.1:{silent.getsockname()[1]}/communes.geojson.gz")
        monkeypatch.setattr(download, "TIMEOUT_S", 0.3)
        started = time.monotonic()
        with pytest.raises(download.DownloadFailed):
            download.download_communes(tmp_path)
        assert time.monotonic() - started < 5
    assert not list((tmp_path / "sources").glob("*"))  # no partial file left behind


@pytest.mark.parametrize(
    ("source", "departement", "expected"),
    [
        (ISERE, "38", ISERE),  # a file
        (SHARED_GEO, "38", ISERE),  # a folder with both départements: the one holding 38
        (SHARED_GEO, "72", SARTHE),
        (SARTHE, "38", ISERE),  # the configured file lacks Isère: fall back to the shared data
    ],
)
def test_source_resolution_order(tmp_path, offline, source, departement, expected):
    settings = _settings(tmp_path, source=source, shared=SHARED_GEO.parent)
    assert resolve_source(settings, departement) == expected


def test_a_configured_source_wins_over_the_shared_data(tmp_path, offline):
    mine = tmp_path / "mes-contours"
    mine.mkdir()
    _squares("EPSG:2154").to_file(mine / "communes.gpkg")
    assert resolve_source(_settings(tmp_path, source=mine, shared=SHARED_GEO.parent), "38") == mine / "communes.gpkg"


def test_departement_code_is_validated_before_it_reaches_a_filter(tmp_path):
    with pytest.raises(ValueError, match="code de département invalide"):
        resolve_source(_settings(tmp_path), "38' OR 1=1 --")


# --- cache ------------------------------------------------------------------------------------------


@pytest.fixture
def own_copy(tmp_path) -> Path:
    """A copy of the Isère communes that a test may change."""
    folder = tmp_path / "source"
    folder.mkdir()
    return Path(shutil.copy(ISERE, folder / "communes.geojson"))


def test_second_load_reads_the_geoparquet_without_rebuilding(tmp_path, own_copy, memberships, monkeypatch, offline):
    settings = _settings(tmp_path, source=own_copy)
    first = cache.load_levels("38", memberships["38"], settings)
    assert not first.from_cache
    assert sorted(p.name for p in (settings.geo_cache / "38" / first.key).glob("*.parquet")) == [
        f"{level}.parquet" for level in sorted(["commune", "epci", "arrondissement", "territoire", "departement"])
    ]

    def no_rebuild(*_args, **_kwargs):
        raise AssertionError("rebuilt although the cache is up to date")

    monkeypatch.setattr(cache, "build_levels", no_rebuild)
    second = cache.load_levels("38", memberships["38"], settings)
    assert second.from_cache and second.key == first.key
    assert second.reconciliation == first.reconciliation
    for level, layer in first.layers.items():
        read = second[level]
        assert read.crs.to_epsg() == 2154
        assert read["code"].tolist() == layer["code"].tolist()
        assert read.geometry.geom_equals_exact(layer.geometry, tolerance=0).all()


def test_a_changed_source_triggers_a_rebuild_and_drops_the_stale_cache(tmp_path, own_copy, memberships, offline):
    settings = _settings(tmp_path, source=own_copy)
    first = cache.load_levels("38", memberships["38"], settings)
    collection = json.loads(own_copy.read_text(encoding="utf-8"))
    collection["features"] = [f for f in collection["features"] if f["properties"]["code"] != "38001"]
    own_copy.write_text(json.dumps(collection), encoding="utf-8")

    second = cache.load_levels("38", memberships["38"], settings)
    assert not second.from_cache and second.key != first.key
    assert second.reconciliation.without_boundary == ("38001",)
    assert [p.name for p in (settings.geo_cache / "38").iterdir()] == [second.key]


def test_a_changed_territory_composition_triggers_a_rebuild(tmp_path, own_copy, memberships, offline):
    settings = _settings(tmp_path, source=own_copy)
    first = cache.load_levels("38", memberships["38"], settings)
    moved = memberships["38"].copy()
    moved.loc[(moved["member_code"] == "38001") & (moved["group_level"] == "territoire"), "group_code"] = "oisans"
    assert cache.load_levels("38", moved, settings).key != first.key
    assert cache.load_levels("38", moved.sample(frac=1, random_state=1), settings).from_cache  # row order does not matter


# --- classes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([1200, 1529, 2000, 2500, 3000, 3500, 9000, 12000, 15000, 30000], None),  # checked below: French thousands
        ([np.nan, None, np.nan], ()),  # no data at all: no class, every territory grey
        ([0, 0, 3, None], ("0", "3")),  # fewer distinct values than classes: one class per value
        ([5, 5, 5, 5, 5, 5, 5], ("5",)),  # all tied
        ([0] * 30 + [1, 2, 2, 3, 5, 8, 13, 21, 544], ("0", "1", "2 – 544")),  # ties collapse empty quantile classes
        ([4.21, 4.24, 4.26, 4.3, 4.31, 5, 6], ("4,2", "4,3", "5,0", "6,0")),  # classed as printed, one decimal at most
    ],
)
def test_sequential_classes_are_robust_to_ties_few_values_and_nan(values, labels):
    classes = sequential_classes(values)
    data = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce")
    assert (classes.index[data.isna().to_numpy()] == -1).all()
    assert set(classes.index[data.notna().to_numpy()]) == set(range(len(classes.labels)))  # no empty class
    assert len(classes.colours) == len(classes.labels) <= 5
    if labels is not None:
        assert classes.labels == labels


def test_class_labels_use_french_number_format():
    classes = sequential_classes([1200, 1529, 2000, 2500, 3000, 3500, 9000, 12000, 15000, 30000])
    assert classes.labels[0] == f"1{NNBSP}200 – 2{NNBSP}000"  # contiguous: the next class starts at 2 000
    assert sequential_classes([12.5, 40.0], unit="%").labels == (f"12,5{NNBSP}%", f"40,0{NNBSP}%")


@pytest.mark.parametrize(
    ("gap", "expected"),
    [(-35.0, 0), (-20.0, 1), (-5.0, 2), (0.0, 2), (5.0, 2), (5.1, 3), (20.0, 3), (20.5, 4), (None, -1)],  # ±5 % counts as on target
)
def test_diverging_classes_have_fixed_bounds(gap, expected):
    assert diverging_classes([gap]).index.tolist() == [expected]
    assert diverging_classes([gap]).colours == DIVERGING_5


# --- maps -------------------------------------------------------------------------------------------


def _values(geo_db_engine: Engine, level: str) -> pd.DataFrame:
    """A level_values-shaped frame for every territory of the level, with made-up counts."""
    with geo_db_engine.connect() as conn:
        table = queries.territories(conn, departement="38", level=level)
    counts = (np.arange(len(table)) * 37 % 50).astype(float)
    frame = pd.DataFrame({"territory_code": table["code"], "name": table["name"], "value": counts, "households": table["households"]})
    frame["rate"] = frame["value"] / frame["households"].replace(0, np.nan) * 1000
    frame["rank"] = frame["value"].rank(ascending=False, method="min")
    return frame


BUDGETS = {"territoire": 120_000, "epci": 200_000, "arrondissement": 200_000, "commune": 400_000}


@pytest.mark.parametrize(("level", "budget"), BUDGETS.items())
def test_map_stays_within_its_size_budget(geo_db_engine, isere_levels, level, budget):
    figure = choropleth(
        isere_levels[level],
        _values(geo_db_engine, level),
        value_column="rate",
        unit="pour 1 000 ménages",
        indicator_label="Assignations",
        title="Assignations pour 1 000 ménages",
        departement_value=5.5,
        departement_name="Isère",
        labels=level == "territoire",
        selected="oisans" if level == "territoire" else None,
        outline=isere_levels["departement"] if level == "commune" else None,
    )
    assert len(figure.to_json()) <= budget


@pytest.fixture(scope="session")
def territory_map(geo_db_engine, isere_levels):
    values = _values(geo_db_engine, "territoire")
    values.loc[values["territory_code"] == "trieves", ["value", "rate"]] = np.nan
    return choropleth(
        isere_levels["territoire"],
        values,
        value_column="rate",
        unit="pour 1 000 ménages",
        indicator_label="Assignations",
        title="t",
        departement_value=5.5,
        departement_name="Isère",
        labels=True,
        selected="oisans",
    )


def test_map_has_one_trace_per_class_and_a_no_data_entry(territory_map, isere_levels):
    areas = [trace for trace in territory_map.data if trace.type == "choropleth"]
    assert areas[-1].name == NO_DATA_LABEL and list(areas[-1].locations) == ["trieves"]
    assert areas[-1].colorscale[0][1] == NO_DATA
    drawn = [code for trace in areas for code in trace.locations]
    assert sorted(drawn) == sorted(isere_levels["territoire"]["code"])  # every territory once
    for trace in areas:  # each trace carries only its own outlines: the geometry is serialised once
        assert [feature["id"] for feature in trace.geojson["features"]] == list(trace.locations)
    assert all("–" in trace.name or trace.name.replace(",", "").isdigit() for trace in areas[:-1])


def test_map_is_svg_without_base_map_and_asks_nothing_of_another_host(territory_map):
    assert {trace.type for trace in territory_map.data} == {"choropleth", "scattergeo"}  # no WebGL trace
    geo = territory_map.layout.geo
    assert (geo.visible, geo.fitbounds, geo.projection.type) == (False, "geojson", "mercator")
    assert "http" not in territory_map.to_json()  # no style, tile, glyph or topology URL
    assert TOPOJSON_URL.startswith("data:application/json,") and TOPOJSON_URL.endswith("#/")


def test_legend_stands_beside_the_map_not_over_it(territory_map):
    legend = territory_map.layout.legend
    assert legend.x >= 1 and legend.xanchor == "left"  # right of the plot area: Plotly narrows the map
    assert all(len(line) <= 26 for line in legend.title.text.split("<br>"))
    assert "1\u202f000" in legend.title.text  # « 1 000 » never split over two lines


def test_map_outlines_the_selection_and_labels_territories(territory_map):
    selection = [trace for trace in territory_map.data if trace.type == "scattergeo" and trace.mode == "lines"]
    assert len(selection) == 1 and selection[0].name == "Sélection : Oisans" and selection[0].line.color == HIGHLIGHT
    (names,) = [trace for trace in territory_map.data if trace.type == "scattergeo" and trace.mode == "text"]
    assert sorted(text.replace("-<br>", "-").replace("<br>", " ") for text in names.text) == sorted(_names_of_territoires())
    assert names is territory_map.data[-1]  # above the classes and the outlines
    assert names.textfont.weight == "bold" and "#ffffff" in names.textfont.shadow  # a white halo: readable on every class
    assert names.hoverinfo == "skip" and names.showlegend is False


def _names_of_territoires() -> list[str]:
    territoires = pd.read_csv(load_settings().shared_data / "referentiel" / "isere-territoires.csv", dtype=str)
    return territoires["nom_territoire"].tolist()


@pytest.mark.parametrize("presentation", [False, True])
def test_territory_names_do_not_cover_each_other(geo_db_engine, isere_levels, presentation):
    layer = isere_levels["territoire"]
    figure = choropleth(
        layer, _values(geo_db_engine, "territoire"), value_column="rate", unit="", title="t", labels=True, presentation=presentation
    )
    (names,) = [trace for trace in figure.data if trace.type == "scattergeo" and trace.mode == "text"]
    geometries = layer.geometry.to_crs("EPSG:4326").to_numpy()
    bounds = tuple(shapely.total_bounds(geometries))
    plot_height = 450 if presentation else figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
    scale = fitted_scale(bounds, width=plot_height * 1.15, height=plot_height) * 0.9
    x, y = mercator(np.array(names.lon), np.array(names.lat))
    boxes = []
    for cx, cy, text in zip(x * scale, -y * scale, names.text, strict=True):
        lines = text.split("<br>")
        half_w, half_h = max(map(len, lines)) * 0.62 * names.textfont.size / 2, len(lines) * 1.25 * names.textfont.size / 2
        boxes.append(box(cx - half_w, cy - half_h, cx + half_w, cy + half_h))
    shared = sum(a.intersection(b).area for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    # the names of 13 territoires do not touch on screen; projected (22 px on a 450 px map) they barely do
    assert shared <= (0.08 if presentation else 0.01) * sum(b.area for b in boxes)
    assert len(names.lon) == len(geometries)  # one name per territory, in the layer's order
    assert all(shape.contains(shapely.Point(lon, lat)) for shape, lon, lat in zip(geometries, names.lon, names.lat, strict=True))


def test_a_selected_commune_is_named_beside_its_outline(geo_db_engine, isere_levels):
    communes = isere_levels["commune"]
    figure = choropleth(communes, _values(geo_db_engine, "commune"), value_column="value", unit="", title="t", selected="38185")
    (names,) = [trace for trace in figure.data if trace.type == "scattergeo" and trace.mode == "text"]
    assert list(names.text) == ["Grenoble"] and names.textposition in ("top center", "bottom center")
    grenoble = communes.set_index("code").geometry.to_crs("EPSG:4326")["38185"]
    assert names.lat[0] == pytest.approx(grenoble.bounds[3] if names.textposition == "top center" else grenoble.bounds[1], abs=1e-3)
    unnamed = choropleth(communes, _values(geo_db_engine, "commune"), value_column="value", unit="", title="t")
    assert not [trace for trace in unnamed.data if trace.type == "scattergeo" and trace.mode == "text"]  # 521 names would hide the map


def test_label_placement_is_stable_and_moves_a_name_that_would_cover_another():
    squares = np.array([box(5.0, 45.0, 5.1, 45.1), box(5.1, 45.0, 5.2, 45.1)], dtype=object)
    lines = [["Une-très-longue-commune"], ["Sa-voisine-au-nom-long"]]
    first, positions = place_labels(squares, np.arange(2), lines, size=16, plot_height=200)
    again, _ = place_labels(squares, np.arange(2), lines, size=16, plot_height=200)
    assert np.array_equal(first, again) and positions == ["middle center"] * 2
    assert abs(first[0, 1] - first[1, 1]) > 0.01  # one above the other rather than one over the other


def test_names_wrap_between_words_never_inside_a_number():
    assert wrapped("Agglomération grenobloise") == ["Agglomération", "grenobloise"]
    assert wrapped("pour 1 000 ménages", 6) == ["pour", "1\u202f000", "ménages"]


def test_coordinates_are_rounded_to_a_fraction_of_a_pixel_of_a_full_hd_export(isere_levels):
    bounds = tuple(isere_levels["departement"].to_crs("EPSG:4326").total_bounds)
    assert decimals_for(bounds) == 3  # Isère: 1,6° across, 1 000 px → 0,0016° a pixel
    assert decimals_for((2.224, 48.815, 2.470, 48.902)) == 4  # Paris


def test_hover_shows_name_rate_count_rank_and_departement_value_in_french(territory_map):
    areas = [trace for trace in territory_map.data if trace.type == "choropleth" and trace.name != NO_DATA_LABEL]
    template = areas[0].hovertemplate
    assert "Taux : %{customdata[1]} pour 1 000 ménages" in template
    assert "Isère : 5,5" in template  # with the legend's decimals, so values and classes read alike
    assert "Rang : %{customdata[3]} sur 12" in template  # 12 territories have a value: said once, not per territory
    rows = {row[0]: row for trace in areas for row in trace.customdata}
    assert any(row[3] == "1er" for row in rows.values())
    assert all("." not in row[1] for row in rows.values())  # decimal comma
    assert territory_map.layout.separators == ", "


def test_departement_outline_is_drawn_over_commune_maps(isere_levels):
    communes = isere_levels["commune"]
    values = pd.DataFrame({"territory_code": communes["code"], "value": np.arange(len(communes), dtype=float)})
    figure = choropleth(communes, values, value_column="value", unit="", title="t", outline=isere_levels["departement"])
    (contour,) = [trace for trace in figure.data if trace.name == "contour"]
    assert contour.type == "scattergeo" and contour.mode == "lines" and contour.line.width == 2.5
    assert list(figure.data).index(contour) == len(figure.data) - 1  # over every commune
    assert None in contour.lon and min(v for v in contour.lon if v is not None) < 5  # Isère's whole edge
    assert [t.name for t in figure.data if t.name == NO_DATA_LABEL] == []  # every commune has a value here


def test_diverging_map_keeps_one_colour_per_gap_class(isere_levels):
    territoires = isere_levels["territoire"]

    def colour_of(gaps: list[float], code: str) -> str:
        values = pd.DataFrame({"territory_code": territoires["code"], "gap": gaps})
        figure = choropleth(territoires, values, value_column="gap", unit="%", title="t", diverging=True)
        return next(t.colorscale[0][1] for t in figure.data if t.type == "choropleth" and code in list(t.locations))

    first = territoires["code"].iloc[0]
    # the same gap (−10 %) keeps its colour whatever the other territories' gaps
    assert colour_of([-10.0] + [0.0] * 12, first) == colour_of([-10.0] + [60.0] * 12, first) == DIVERGING_5[1]


def test_the_figure_title_wraps_and_the_top_margin_makes_room(isere_levels):
    territoires = isere_levels["territoire"]
    values = pd.DataFrame({"territory_code": territoires["code"], "value": 1.0})
    short = choropleth(territoires, values, value_column="value", unit="", title="Assignations")
    long = choropleth(territoires, values, value_column="value", unit="", title="Assignations aux fins de résiliation du bail " * 3)
    assert "<br>" not in short.layout.title.text and long.layout.title.text.count("<br>") >= 1
    assert long.layout.margin.t > short.layout.margin.t
    projected = choropleth(territoires, values, value_column="value", unit="", title="Assignations", departement_value=2, presentation=True)
    assert projected.layout.title.text == "Département : 2" and not projected.layout.title.subtitle.text  # the frame titles it


def test_unavailable_message_for_an_unexpected_error_points_to_the_cli():
    assert "python -m geo build" in unavailable_message(RuntimeError("boom"))


# --- command line -----------------------------------------------------------------------------------


def _database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_cli_builds_then_reads_the_cache_with_a_french_summary(geo_db_engine, tmp_path, monkeypatch, capsys, offline):
    monkeypatch.setenv("OBSERVATOIRE_GEO_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OBSERVATOIRE_GEO_SOURCE", raising=False)
    assert geo_cli(["--database-url", _database_url(geo_db_engine), "build", "--hors-ligne"]) == 0
    first = capsys.readouterr().out
    assert "couches construites" in first and "13 territoires" in first and "concordent" in first
    assert "Résumé : 2 département(s) sur 2 avec cartes ; 0 point(s) à vérifier" in first
    assert geo_cli(["--database-url", _database_url(geo_db_engine), "build", "--hors-ligne"]) == 0
    assert "couches lues depuis le cache" in capsys.readouterr().out


def test_cli_without_boundaries_warns_and_fails_only_when_strict(geo_db_engine, tmp_path, monkeypatch, capsys, offline):
    monkeypatch.setenv("OBSERVATOIRE_GEO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("OBSERVATOIRE_SHARED_DATA", str(tmp_path / "rien"))
    monkeypatch.delenv("OBSERVATOIRE_GEO_SOURCE", raising=False)
    arguments = ["--database-url", _database_url(geo_db_engine), "build", "--departement", "38", "--hors-ligne"]
    assert geo_cli(arguments) == 0
    assert "Attention : Les cartes du département 38 ne peuvent pas être dessinées" in capsys.readouterr().out
    assert geo_cli([*arguments, "--strict"]) == 2


def test_geo_never_imports_streamlit():
    for path in Path(boundaries.__file__).parent.glob("*.py"):
        assert "streamlit" not in path.read_text(encoding="utf-8"), path.name
