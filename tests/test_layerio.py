"""Every supported format read from a real small file, and every kind of bad file."""

from pathlib import Path

import pytest

from bordermap import layerio, validate
from bordermap.errors import LayerError, SourceError

from .conftest import DATA

GOOD, BAD = DATA / "layers", DATA / "bad"
NAMES = ["Quetta", "Chaman", "Gwadar", "<img src=x onerror=alert(1)>"]
XS = [67.00141, 66.45259, 62.32541, 71.14108]


def read_checked(path: Path, **options):
    return validate.check(layerio.read(path, layerio.ReadOptions(**options)), path, options.get("crs"))


@pytest.mark.parametrize("path, options, name_column", [
    (GOOD / "sites.geojson", {}, "name"),
    (GOOD / "sites.gpkg", {"layer": "sites"}, "name"),
    (GOOD / "shp" / "sites.shp", {}, "name"),
    (GOOD / "sites_shp.zip", {}, "name"),
    (GOOD / "sites.kml", {}, "Name"),
    (GOOD / "sites.fgb", {}, "name"),
    (GOOD / "sites.csv", {}, "name"),
])
def test_each_format_reads_the_same_sites(path, options, name_column):
    checked = read_checked(path, **options)
    frame = checked.frame
    assert frame.crs.to_epsg() == 4326
    # FlatGeobuf's spatial index reorders features, so compare as a set
    assert set(zip(frame[name_column], frame.geometry.x.round(5))) == set(zip(NAMES, XS))
    assert checked.notes == ()


def test_geopackage_layer_is_chosen_by_name():
    zones = read_checked(GOOD / "sites.gpkg", layer="zones").frame
    assert list(zones["zone"]) == ["north", "south"]


def test_projected_data_is_reprojected():
    checked = read_checked(GOOD / "zones_utm42n.gpkg")
    assert checked.notes == ("reprojected from EPSG:32642",)
    assert checked.frame.total_bounds == pytest.approx([62.0, 25.0, 67.5, 31.5], abs=1e-6)


def test_missing_crs_can_be_given():
    checked = read_checked(BAD / "noprj" / "zones.shp", crs="EPSG:32642")
    assert checked.frame.total_bounds == pytest.approx([62.0, 25.0, 67.5, 31.5], abs=1e-6)


def test_messy_geometries_are_repaired_and_reported():
    checked = read_checked(GOOD / "messy.geojson")
    frame = checked.frame
    assert list(frame["name"]) == ["with height", "bow tie"]
    assert not frame.geometry.has_z.any() and frame.geometry.is_valid.all()
    notes = " | ".join(checked.notes)
    assert "dropped 2 feature(s) without geometry" in notes
    assert "dropped Z coordinates (3D to 2D)" in notes
    assert "repaired 1 invalid geometry (Self-intersection)" in notes


def test_encoding_can_be_named():
    frame = read_checked(BAD / "latin1.geojson", encoding="latin-1").frame
    assert list(frame["name"]) == ["Quétta"]


@pytest.mark.parametrize("path, options, error, message", [
    (BAD / "not_json.geojson", {}, SourceError, "not JSON (GeoJSON text starts with '{')"),
    (BAD / "not_geojson.json", {}, SourceError,
     "JSON but not GeoJSON (expected a FeatureCollection, Feature or geometry object)"),
    (BAD / "truncated.geojson", {}, SourceError, "truncated or malformed JSON"),
    (BAD / "latin1.geojson", {}, SourceError, "text is not UTF-8 (byte 0xe9 at offset"),
    (BAD / "no_geometry.geojson", {}, LayerError, "no geometry: none of the 2 features has one"),
    (BAD / "outside_world.geojson", {}, LayerError, "coordinates outside the world"),
    (DATA / "formats" / "lat_first_east.geojson", {}, LayerError, "coordinates look swapped"),
    (BAD / "no_features.geojson", {}, LayerError, "no features"),
    (BAD / "noprj" / "zones.shp", {}, LayerError, "unknown CRS: the file states none"),
    (BAD / "nodbf" / "sites.shp", {}, SourceError, "Shapefile is missing its .dbf sidecar"),
    (GOOD / "sites.gpkg", {}, SourceError, "GeoPackage file has 2 tables with features: sites (4), zones (2); choose one"),
    (GOOD / "sites.gpkg", {"layer": "roads"}, SourceError, "GeoPackage file has no table 'roads' (it has: sites, zones)"),
    (DATA / "nothing-here.geojson", {}, SourceError, "file not found"),
    (DATA / "make_layer_fixtures.py", {}, SourceError, "unsupported file type '.py'"),
    (GOOD / "sites.csv", {"x": "east"}, SourceError, "CSV has no column 'east'"),
    (BAD / "noprj" / "zones.shp", {"crs": "EPSG:0"}, LayerError, "unknown CRS 'EPSG:0'"),
])
def test_bad_files_get_one_clear_sentence(path, options, error, message):
    with pytest.raises(error) as info:
        read_checked(path, **options)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text
    assert "\n" not in text and "Traceback" not in text


def _damaged(tmp_path: Path, source: Path, name: str, damage) -> Path:
    """A copy of a good file (with its sidecars), one of them damaged."""
    for sibling in source.parent.glob(f"{source.stem}.*"):
        (tmp_path / sibling.name).write_bytes(sibling.read_bytes())
    target = tmp_path / name
    target.write_bytes(damage(target.read_bytes()))
    return tmp_path / source.name


@pytest.mark.parametrize("source, damaged, damage, message", [
    (GOOD / "sites.fgb", "sites.fgb", lambda b: b[:200], "not a readable FlatGeobuf file (no layer found in it)"),
    (GOOD / "sites.gpkg", "sites.gpkg", lambda b: b"not a database " * 20, "not a readable GeoPackage file"),
    (GOOD / "sites.gpkg", "sites.gpkg", lambda b: b[:3000], "cannot read: sqlite3_prepare_v2("),
    (GOOD / "shp" / "sites.shp", "sites.dbf", lambda b: b[:200], "cannot read: fread("),
    (GOOD / "shp" / "sites.shp", "sites.shx", lambda b: b"junk", "cannot read: .shx file is unreadable"),
    (GOOD / "sites.kml", "sites.kml", lambda b: b[:100], "cannot read: ERROR parsing kml"),
])
def test_damaged_files_get_one_clear_sentence(tmp_path, source, damaged, damage, message):
    path = _damaged(tmp_path, source, damaged, damage)
    with pytest.raises(SourceError) as info:
        read_checked(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_an_unknown_encoding_is_named():
    with pytest.raises(SourceError, match="unknown text encoding 'latin-9000'"):
        read_checked(GOOD / "sites.csv", encoding="latin-9000")
