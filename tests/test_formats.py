"""Analysts' files as they come (issue 21): every format GDAL (or pyarrow) reads becomes a layer whose
features, counted and bounded on the built page, match what GDAL itself reads; every file that cannot be
used is one `bordermap: error:` line in the analyst's words.

Fixtures are small real files in tests/data/formats/, made by tests/data/make_format_fixtures.py.
"""

import contextlib
import importlib.util
import io
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from bordermap import layerio, pagedata, validate

from .conftest import DATA

FORMATS = DATA / "formats"
HAVE_PYARROW = importlib.util.find_spec("pyarrow") is not None
needs_pyarrow = pytest.mark.skipif(not HAVE_PYARROW, reason='pyarrow (the "parquet" extra) is not installed')
#: The page rounds coordinates to COORD_DECIMALS decimals.
TOLERANCE = 10 ** -pagedata.COORD_DECIMALS


def gdal(path: Path, layer: str | None = None, **options) -> gpd.GeoDataFrame:
    """What GDAL itself reads (pyarrow for GeoParquet), in WGS84, with no help from bordermap."""
    if path.suffix == ".parquet":
        frame = gpd.read_parquet(path)
    else:
        with pytest.warns() if options.pop("warns", False) else contextlib.nullcontext():
            frame = pyogrio.read_dataframe(path, layer=layer, on_invalid="fix", **options)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame


#: case -> (file, layer, GDAL's own options to read it the same way, a note expected on stderr).
CASES = {
    "gml": ("sites.gml", None, {}, None),
    "gpx-waypoints-only": ("waypoints.gpx", None, {"layer": "waypoints"},
                           "read layer 'waypoints', the only one of its 5 layers with features"),
    "gpx-tracks": ("trip.gpx", "tracks", {}, None),
    "gpx-routes": ("trip.gpx", "routes", {}, None),
    "topojson-object": ("districts.topojson", "north", {}, None),
    "topojson-one-full": ("one_object.topojson", None, {"layer": "coast"},
                          "read object 'coast', the only one of its 2 objects with features"),
    "topojson-as-json": ("one_object.json", None, {"layer": "coast"},
                         "read object 'coast', the only one of its 2 objects with features"),
    "kml-empty-first-folder": ("folders.kml", None, {"layer": "towns"},
                               "read folder 'towns', the only one of its 2 folders with features"),
    "gpkg-one-full-table": ("tables.gpkg", None, {"layer": "sites"},
                            "read table 'sites', the only one of its 2 tables with features"),
    "csv-wkt": ("sites_wkt.csv", None, {"GEOM_POSSIBLE_NAMES": "WKT", "KEEP_GEOM_COLUMNS": "NO"}, None),
    "csv-geometry": ("sites_geometry.csv", None, {"GEOM_POSSIBLE_NAMES": "Geometry", "KEEP_GEOM_COLUMNS": "NO"},
                     None),
    "csv-longitud-beside-utm-x": ("sites_utm.csv", None, {"X_POSSIBLE_NAMES": "Longitud",
                                                          "Y_POSSIBLE_NAMES": "Latitud"}, None),
    "csv-x-y": ("sites_xy.csv", None, {"X_POSSIBLE_NAMES": "x", "Y_POSSIBLE_NAMES": "y"}, None),
    "json-array": ("sites_array.json", None, {"path": DATA / "layers" / "sites.geojson"}, None),
    "natural-earth-edge": ("ne_edge/ne_edge.shp", None, {},
                           "moved 2 coordinate(s) lying within 1e-09° beyond ±180°/±90° onto the edge of the world"),
    "outside-region-europe": ("ne_europe/ne_europe.shp", None, {}, validate.OUTSIDE_REGION),
    "outside-region-projected": ("ne_europe_3035.fgb", None, {}, "reprojected from EPSG:3035"),
    "outside-region-americas": ("ne_americas/ne_americas.shp", None, {}, validate.OUTSIDE_REGION),
    "in-world-lat-first": (DATA / "bad" / "swapped.geojson", None, {},
                           "with x and y exchanged it would lie in the region"),
    "measured-line": ("line_zm.gpkg", None, {"warns": True}, "dropped the M (measure) values of its geometries"),
    "unclosed-ring": ("unclosed.geojson", None, {"warns": True}, "closed polygon rings that did not end where they"),
}
if HAVE_PYARROW:
    CASES["geoparquet"] = ("sites.parquet", None, {}, None)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One recipe with every case as a layer named after it, built by the real command line."""
    import bordermap.cli
    folder = tmp_path_factory.mktemp("formats")
    tables = "".join(f'[[layers]]\nname = "{case}"\npath = "{FORMATS / file}"\n'
                     + (f'layer = "{layer}"\n' if layer else "") + 'tooltip = ["name"]\n' * (case == "geoparquet")
                     for case, (file, layer, _, _) in CASES.items())
    if HAVE_PYARROW:
        tables += f'[[layers]]\nname = "tags"\npath = "{FORMATS / "sites.parquet"}"\ntooltip = ["name", "tags"]\n'
    (folder / "formats.toml").write_text('title = "Formats"\ninclude = ["countries"]\n' + tables)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = bordermap.cli.main(["build", str(folder / "formats.toml"), "--out", str(folder / "out")])
    assert code == 0, err.getvalue()
    return pagedata.decode((folder / "out" / "formats.html").read_text(encoding="utf-8")), err.getvalue()


@pytest.mark.parametrize("case", list(CASES))
def test_each_file_is_drawn_as_gdal_reads_it(built, case):
    page, stderr = built
    file, layer, options, note = CASES[case]
    path, options = FORMATS / file, dict(options)
    expected = gdal(options.pop("path", path), **{"layer": layer, **options})
    drawn = [f.geometry for f in page.layers[case].features]
    assert len(drawn) == len(expected) > 0
    assert list(shapely.total_bounds(drawn)) == pytest.approx(list(expected.total_bounds.clip(-180, 180)),
                                                              abs=TOLERANCE)
    notes = [line for line in stderr.splitlines() if line.startswith(f"bordermap: note: {path}: ")]
    if note:
        assert any(note in line for line in notes), notes
    assert not [line for line in stderr.splitlines() if not line.startswith("bordermap: note: ")]


@needs_pyarrow
def test_list_values_of_geoparquet_are_shown_as_text(built):
    page, _ = built
    expected = gpd.read_parquet(FORMATS / "sites.parquet")
    tips = sorted("\n".join([f.tooltip.heading, *f.tooltip.lines]) for f in page.layers["tags"].features)
    for name, tags in zip(expected["name"], expected["tags"]):
        assert any(name in tip and (", ".join(tags) in tip) for tip in tips), (name, tips)


def test_gdal_warnings_are_one_note_each_and_never_raw(cli, tmp_path):
    for name in ("line_zm.gpkg", "unclosed.geojson"):
        proc = cli("build", "--layer", FORMATS / name, "--out", tmp_path / "out")
        assert proc.returncode == 0, proc.stderr
        lines = proc.stderr.splitlines()
        assert all(line.startswith("bordermap: note: ") for line in lines), lines
        assert len(lines) == len(set(lines))
        assert not any(word in proc.stderr for word in ("Warning 1", "OGR_GEOMETRY", "Measured 3D"))


def test_file_layer_reaches_each_kind_of_multi_layer_file(cli, tmp_path):
    wanted = {"north": FORMATS / "two_folders.kml", "tracks": FORMATS / "trip.gpx",
              "coast": FORMATS / "districts.topojson", "zones": DATA / "layers" / "sites.gpkg"}
    args = [a for name, path in wanted.items() for a in ("--layer", f"{path}:{name}")]
    proc = cli("build", *args, "--out", tmp_path / "out")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    page = pagedata.decode((tmp_path / "out" / "border-region.html").read_text(encoding="utf-8"))
    for name, path in wanted.items():
        expected = gdal(path, layer=name)
        drawn = [f.geometry for f in page.layers[name].features]
        assert len(drawn) == len(expected)
        assert list(shapely.total_bounds(drawn)) == pytest.approx(list(expected.total_bounds), abs=TOLERANCE)


def _layer_list(path: Path, derived=()) -> str:
    counts = {str(n): pyogrio.read_info(path, layer=n, force_feature_count=True)["features"]
              for n, _ in pyogrio.list_layers(path) if n not in derived}
    return ", ".join(f"{n} ({c})" for n, c in counts.items() if c)


@pytest.mark.parametrize("path, problem", [
    (FORMATS / "trip.gpx", f"GPX file has 3 layers with features: {_layer_list(FORMATS / 'trip.gpx', layerio.DERIVED_LAYERS['.gpx'])}; "
                           "choose one with layer = \"NAME\" in a recipe, or FILE:LAYER on the command line"),
    (FORMATS / "districts.topojson", f"TopoJSON file has 2 objects with features: "
                                     f"{_layer_list(FORMATS / 'districts.topojson')}; choose one"),
    (FORMATS / "two_folders.kml", f"KML file has 2 folders with features: {_layer_list(FORMATS / 'two_folders.kml')}"),
    (DATA / "layers" / "sites.gpkg", f"GeoPackage file has 2 tables with features: "
                                     f"{_layer_list(DATA / 'layers' / 'sites.gpkg')}"),
    (f"{FORMATS / 'trip.gpx'}:roads", "GPX file has no layer 'roads' (it has: waypoints, routes, tracks, "
                                      "route_points, track_points)"),
    (FORMATS / "no_folders.kml", "KML file has no folders or features in it: nothing to draw"),
    (FORMATS / "lat_first_east.geojson", "coordinates look swapped"),
    (FORMATS / "plain.parquet", "Parquet without GeoParquet metadata: no geometry column"),
])
def test_files_that_cannot_be_used_get_one_line(cli, tmp_path, path, problem):
    if str(path).endswith(".parquet") and not HAVE_PYARROW:
        pytest.skip("pyarrow is not installed")
    proc = cli("build", "--layer", path, "--out", tmp_path / "out")
    file = str(path).rsplit(":roads", 1)[0]
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [proc.stderr.strip()] and proc.stderr.startswith(f"bordermap: error: {file}: ")
    assert problem in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, code, words", [
    ("[1, 2, 3]", 2, "a JSON array, but not of GeoJSON Features"),
    # a two-point ring: GEOS refuses it ("Points of LinearRing do not form a closed linestring"); closed, repaired
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": '
     '{"type": "Polygon", "coordinates": [[[60, 25], [61, 25]]]}}]}', 0, "closed polygon rings"),
])
def test_no_library_text_reaches_the_analyst(cli, tmp_path, text, code, words):
    path = tmp_path / "layer.json"
    path.write_text(text)
    proc = cli("validate", path)
    said = proc.stdout + proc.stderr
    assert proc.returncode == code and words in said, said
    assert not any(word in said for word in ("Exception", "GEOS", "LinearRing", "index 0", "Error:", "pyogrio"))


@pytest.mark.parametrize("name", ["sites!v2.geojson", "sites:v2.geojson", "a!b:c.geojson"])
def test_file_names_are_taken_literally(cli, tmp_path, name):
    path = tmp_path / name
    shutil.copy(DATA / "layers" / "sites.geojson", path)
    proc = cli("build", "--layer", path, "--out", tmp_path / "out")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    page = pagedata.decode((tmp_path / "out" / "border-region.html").read_text(encoding="utf-8"))
    assert len(page.layers[path.stem].features) == len(gdal(DATA / "layers" / "sites.geojson"))
    missing = cli("validate", tmp_path / "gone!v2.geojson")
    assert missing.stderr.strip() == f"bordermap: error: {tmp_path / 'gone!v2.geojson'}: file not found"


def test_a_shapefile_with_a_bang_in_its_name_finds_its_sidecars(cli, tmp_path):
    for sidecar in (FORMATS / "ne_europe").iterdir():
        shutil.copy(sidecar, tmp_path / sidecar.name.replace("ne_europe", "europe!2024"))
    proc = cli("validate", tmp_path / "europe!2024.shp")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"ok: {tmp_path / 'europe!2024.shp'}: {len(gdal(FORMATS / 'ne_europe' / 'ne_europe.shp'))} features")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name.replace("ne_europe", "europe!2024") for p in (FORMATS / "ne_europe").iterdir())


def test_reading_gml_writes_nothing_beside_it(cli, tmp_path):
    for name in ("sites.gml", "sites.xsd"):
        shutil.copy(FORMATS / name, tmp_path / name)
    (tmp_path / "sites.xsd").unlink()  # without its schema GDAL would save a .gfs file
    proc = cli("validate", tmp_path / "sites.gml")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.gml"]


def test_geoparquet_without_pyarrow_says_what_to_install(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    proc = cli("validate", FORMATS / "sites.parquet")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"bordermap: error: {FORMATS / 'sites.parquet'}: {layerio.PARQUET_HINT}"


@pytest.mark.parametrize("suffix, body", [
    (".gpx", '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
             '<gpx version="1.1"><wpt lat="30" lon="67"><name>&x;</name></wpt></gpx>'),
    (".gml", '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
             '<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml">&x;</gml:FeatureCollection>'),
    (".parquet", "PAR1 but only text"),
    (".gpx", "not xml"),
])
def test_new_formats_keep_the_protections(cli, tmp_path, suffix, body):
    path = tmp_path / f"layer{suffix}"
    path.write_text(body)
    proc = cli("build", "--layer", path, "--out", tmp_path / "out")
    assert proc.returncode == 2 and proc.stderr.startswith(f"bordermap: error: {path}: "), proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "passwd" not in proc.stderr.replace(str(path), "")
    assert not (tmp_path / "out").exists()


def test_an_events_file_with_a_bang_in_its_name_is_read(cli, tmp_path):
    from bordermap import events
    path = tmp_path / "events!v2.geojson"
    shutil.copy(DATA / "events_good.geojson", path)
    proc = cli("validate", path)
    expected = len(events.load_events(DATA / "events_good.geojson"))
    assert proc.returncode == 0 and proc.stdout.strip() == f"ok: {path}: {expected} events records in the events schema"


@pytest.mark.parametrize("header, row", [
    ("name,lat,x", "Quetta,30.18,67.0"),  # x is never paired with lat
    ("name,lon,Y", "Quetta,67.0,30.18"),  # nor y with lon
    ("name,east,north", "Quetta,67.0,30.18"),
])
def test_a_csv_without_a_known_pair_of_columns_says_which_names_count(cli, tmp_path, header, row):
    path = tmp_path / "sites.csv"
    path.write_text(f"{header}\n{row}\n")
    proc = cli("validate", path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"bordermap: error: {path}: CSV needs a WKT column (WKT, geometry or geom) or "
                                  "longitude and latitude columns"), proc.stderr


@needs_pyarrow
@pytest.mark.parametrize("damage, words", [
    (lambda raw: raw[: len(raw) // 2], "truncated, or not a Parquet file"),
    (lambda raw: raw[:-3], "truncated, or not a Parquet file"),
    (lambda raw: raw[:200] + bytes(200) + raw[400:], "a damaged Parquet file"),
])
def test_a_damaged_geoparquet_file_is_named_in_plain_words(cli, tmp_path, damage, words):
    path = tmp_path / "sites.parquet"
    path.write_bytes(damage((FORMATS / "sites.parquet").read_bytes()))
    proc = cli("validate", path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"bordermap: error: {path}: {words}"), proc.stderr
    assert not any(word in proc.stderr for word in ("magic", "thrift", "Thrift", "footer's", "\\n", "Arrow"))
