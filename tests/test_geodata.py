"""The committed boundary data: checksums, validity, topology, names, size."""

import geopandas as gpd
import pytest
import shapely

from bordermap import catalog, settings
from bordermap._io import sha256_file

GEODATA = settings.geodata_dir()


@pytest.fixture(scope="module")
def units():
    return gpd.read_file(GEODATA / catalog.ADMIN1_FILE)


@pytest.fixture(scope="module")
def countries():
    return gpd.read_file(GEODATA / catalog.COUNTRIES_FILE).set_index("adm0_a3")


def test_manifest_checksums_match_files():
    files = catalog.files(GEODATA)
    assert set(files) >= {catalog.ADMIN1_FILE, catalog.COUNTRIES_FILE, catalog.BORDERS_FILE,
                          catalog.FORMER_FILE}
    for name, rec in files.items():
        path = GEODATA / name
        assert rec["sha256"] == sha256_file(path), name
        assert rec["bytes"] == path.stat().st_size, name
        assert rec["sources"] and all(s["licence"] for s in rec["sources"]), name
        assert rec["build_command"], name


def test_boundaries_come_from_the_pinned_natural_earth_file():
    rec = catalog.files(GEODATA)[catalog.ADMIN1_FILE]
    (src,) = rec["sources"]
    assert src["input_sha256"] == catalog.ADMIN1_SHA256
    assert src["tarball_sha256"] == catalog.TARBALL_SHA256
    assert "GADM" not in str(rec)


def test_committed_data_is_small():
    total = sum(p.stat().st_size for p in GEODATA.iterdir() if p.is_file())
    assert total < 2_000_000


def test_every_geometry_is_valid(units, countries):
    assert units.is_valid.all() and countries.is_valid.all()
    assert not units.geometry.is_empty.any()


@pytest.mark.parametrize("iso3", ["PAK", "AFG", "IRN"])
def test_provinces_tile_their_country(units, countries, iso3):
    mine = units[units["adm0_a3"] == iso3]
    # no gaps or overlaps between neighbours: a valid polygon coverage
    assert shapely.coverage_is_valid(mine.geometry.values)
    union = shapely.union_all(mine.geometry.values)
    country = countries.loc[iso3].geometry
    assert union.symmetric_difference(country).area < 1e-6 * country.area
    assert shapely.area(mine.geometry.values).sum() == pytest.approx(country.area, rel=1e-6)


def test_neighbouring_provinces_share_borders_across_countries(units):
    # Balochistan and Sistan and Baluchestan meet along a shared line, not a sliver.
    by = units.set_index("code")
    shared = by.loc["PK-BA"].geometry.intersection(by.loc["IR-13"].geometry)
    assert shared.geom_type in ("LineString", "MultiLineString") and shared.length > 5


def test_region_names_are_the_common_english_ones(units):
    by = units.set_index("code")
    expected = {"PK-BA": "Balochistan", "IR-13": "Sistan and Baluchestan", "PK-KP": "Khyber Pakhtunkhwa",
                "PK-GB": "Gilgit-Baltistan", "AF-KNR": "Kunar", "AF-NUR": "Nuristan", "AF-PAN": "Panjshir",
                "AF-DAY": "Daykundi", "AF-KAN": "Kandahar"}
    for code, name in expected.items():
        assert by.loc[code, "name"] == name
    assert by.loc["PK-BA", "ne_name"] == "Baluchistan"  # Natural Earth's name kept
    assert len(units[units["adm0_a3"] == "AFG"]) == 34
    assert units["code"].is_unique


def test_fata_is_merged_into_kp_and_still_identifiable(units):
    kp = units.set_index("code").loc["PK-KP"]
    former = gpd.read_file(GEODATA / catalog.FORMER_FILE)
    assert list(former["code"]) == ["PK-TA"]
    assert "2018" in kp["former_units"]
    assert kp.geometry.buffer(1e-9).covers(former.geometry.iloc[0])
    assert "PK-TA" not in set(units["code"])


def test_emphasised_borders_lie_on_both_countries(countries):
    borders = gpd.read_file(GEODATA / catalog.BORDERS_FILE).set_index("pair")
    assert borders["emphasis"].astype(bool).to_dict() == {
        p: p in ("AFG-PAK", "IRN-PAK") for p in borders.index}
    for pair in ("AFG-PAK", "IRN-PAK"):
        a, b = pair.split("-")
        line = borders.loc[pair].geometry
        for iso3 in (a, b):
            assert countries.loc[iso3].geometry.boundary.buffer(1e-6).covers(line), (pair, iso3)
