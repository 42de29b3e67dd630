"""The default map as built: events with sources, group areas, time filter, legend."""


import pytest
from bs4 import BeautifulSoup

from bordermap import events, layers, sources

from .conftest import (geojson_layers, layer_control, legend_labels, marker_sets, page_data, page_text,
                       time_filter_months)


@pytest.fixture(scope="module")
def records():
    return events.load_events()


def test_each_event_and_place_is_a_marker_with_its_sources(default_html, records):
    markers = marker_sets(default_html)["Events and places"]
    by_id = {}
    for m in markers:
        by_id.setdefault(m["id"].split("#")[0], []).append(m)
    expected = [r for r in records if r.kind != "area"]
    assert set(by_id) == {r.id for r in expected}
    for r in expected:
        for m in by_id[r.id]:
            pop = BeautifulSoup(m["pop"], "html.parser").get_text(" ")
            assert r.title in pop and layers.format_date(r) in pop
            for s in r.sources:
                assert s.author in pop and s.work in pop, (r.id, s.author)
            for actor in r.actors:
                assert actor in pop
            assert r.summary in pop


def test_district_events_are_shown_at_the_district_headquarters(default_html, records):
    raid = next(m for m in marker_sets(default_html)["Events and places"] if m["id"] == "ttp-chitral-raid-2023")
    chitral = events.load_districts()["PK-KP:chitral"]
    assert (raid["lat"], raid["lon"]) == (chitral.hq_lat, chitral.hq_lon)
    assert "shown at Chitral, the district headquarters" in raid["pop"]


def test_time_filter_covers_every_dated_event(default_html, records):
    months = time_filter_months(default_html)
    markers = marker_sets(default_html)["Events and places"]
    dated = [r for r in records if r.kind != "area" and r.period]
    assert dated
    assert months[0]["start"] <= min(r.period[0].isoformat() for r in dated)
    assert months[-1]["end"] >= max(r.period[1].isoformat() for r in dated)
    for r in dated:
        (m, *_) = [m for m in markers if m["id"].split("#")[0] == r.id]
        assert (m["start"], m["end"]) == (r.period[0].isoformat(), r.period[1].isoformat())
    undated = [m for m in markers if not m["start"]]
    assert undated, "undated items carry no dates and stay visible"
    # consecutive months, no gaps
    assert all(a["end"] < b["start"] for a, b in zip(months, months[1:]))


def test_group_areas_are_shaded_units_and_district_points(default_html, records):
    html = default_html
    overlays = layer_control(html)
    areas = geojson_layers(html)[overlays["Group areas"]]
    pops = [f["properties"]["_pop"] for f in areas["features"]]
    for rid in ("sistan-baluchestan-insurgency", "ttp-kunar-nuristan", "ttp-attacks-kp-balochistan"):
        title = next(r.title for r in records if r.id == rid)
        assert any(title in p for p in pops), rid
    # Rana's districts are the embedded shapes; one with no shape of its own (Washuk) stays a ring
    units = next(r for r in records if r.id == "rana-bla-blf-districts").units
    shaped = set(sources.load_district_shapes()["district_id"]) & set(units)
    districts = events.load_districts()
    tips = [f["properties"]["_tip"] for f in areas["features"]]
    for code in shaped:
        assert any(f"{districts[code].name} district (PAK ADM2" in t for t in tips), code
    rings = marker_sets(html)["Group areas: districts (shown at headquarters towns)"]
    rana = [m for m in rings if m["id"].startswith("rana-bla-blf-districts@")]
    assert sorted(m["id"].split("@")[1] for m in rana) == sorted(set(units) - shaped) != []
    assert all("headquarters" in m["pop"] and "Muhammad Amir Rana" in m["pop"] for m in rana)
    drawn = [f for f in areas["features"] if f["properties"].get("_item") == "rana-bla-blf-districts"]
    assert len(drawn) == len([u for u in units if u in shaped]) > 0
    # hidden by default, but present: whole-province claims that would cover the others
    assert "Refugee-hosting provinces" in overlays and "Cross-border movement" in overlays


def test_legend_explains_symbols_and_district_points(default_html):
    labels = legend_labels(default_html)
    for label in ("Attack", "Raid", "Border crossing", "Place", "Pakistan–Afghanistan and Pakistan–Iran borders",
                  layers.HQ_NOTE, "BLA, BLF: Districts where BLA and BLF are mainly active"):
        assert label in labels, label


def test_attribution_names_every_source(default_html):
    for credit in ("Natural Earth 1:10m admin-1 (public domain)", "GeoNames (CC BY 4.0)",
                   "summaries of cited articles"):
        assert credit in page_text(default_html)


def test_items_carry_facets_dates_and_uncertainty(records):
    b = sources.load_boundaries()
    districts = events.load_districts()
    drawn = layers.event_layers(records, b, districts, events.load_actors())
    items = {i.id: i for layer in drawn for i in layer.items}
    assert set(items) == {r.id for r in records}  # each record once, whatever it draws
    raid = items["ttp-chitral-raid-2023"]
    assert (raid.countries, raid.provinces) == (("Pakistan",), ("Khyber Pakhtunkhwa",))  # a district's province
    assert raid.actors == ("Tehrik-i-Taliban Pakistan (TTP)",) and raid.radius == 0  # at its HQ, not a circle
    assert (raid.start, raid.end) == ("2023-09-01", "2023-09-30")
    assert items["chaman-border-escalation"].radius == layers.UNCERTAINTY_M["near"]
    assert items["quetta"].radius == layers.UNCERTAINTY_M["town"]
    iran = items["iran-afghan-refugees"]  # a claim about Iran as a whole: the country, no province
    assert (iran.countries, iran.provinces) == (("Iran",), ())
    (uncertainty,) = [layer for layer in drawn if layer.name == layers.UNCERTAINTY_LAYER]
    assert len(uncertainty.frame) == 0  # no district shapes cached: the raid stays a point at its HQ
    markers = next(layer for layer in drawn if layer.name == "Events and places").markers
    assert all(m.approximate and m.record for m in markers)  # no record here is located to an exact site


def _one_record_drawn(**fields):
    """The layers drawn for one attack in Balochistan with the given fields."""
    record = events.Record(**{
        "id": "r", "title": "A test", "category": "attack", "date": "", "date_precision": "undated", "actors": (),
        "location_precision": "site", "units": (), "admin1": "PK-BA", "place": "", "location_basis": "test",
        "summary": "s", "sources": (events.Source("A", "W"),), "lon": 67.0, "lat": 30.2, **fields})
    return layers.event_layers([record], sources.load_boundaries(), {}, events.load_actors())


def test_a_range_date_reads_as_a_range():
    drawn = _one_record_drawn(date="2021-08/2022-01", date_precision="range")
    (item,) = drawn[0].items
    assert item.date == "August 2021 – January 2022 (range)"
    assert (item.start, item.end) == ("2021-08-01", "2022-01-31") and item.radius == 0
    assert not drawn[0].markers[0].approximate  # an exact site is the one plain pin
    assert layers.UNCERTAINTY_LAYER not in {layer.name for layer in drawn}


def test_province_precision_events_shade_their_province():
    drawn = _one_record_drawn(location_precision="province")
    (uncertainty,) = [layer for layer in drawn if layer.name == layers.UNCERTAINTY_LAYER]
    assert list(uncertainty.frame["record"]) == ["r"]
    admin1 = sources.load_boundaries().admin1.set_index("code")
    assert uncertainty.frame.geometry.iloc[0].equals(admin1.loc["PK-BA"].geometry)


def test_the_page_lists_every_item_once_with_its_facets(default_html, records):
    from bordermap import pagedata

    data = page_data(default_html)
    items = pagedata.decode(data).items
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids)) and set(ids) == {r.id for r in records}
    attack = next(i for i in items if i.id == "serena-hotel-bombing-2021")
    assert (attack.category, attack.precision, attack.countries) == ("Attack", "Town or city", ("Pakistan",))
    assert data["uncertainty"] == layers.UNCERTAINTY_LAYER and data["view"]["fit"]


def test_past_the_point_limit_the_build_says_so_and_aggregates(tmp_path, cli, monkeypatch):
    """More event points than ``settings.MAX_PAGE_POINTS``: no marker layer, an aggregate, and a note."""
    from bordermap import pagedata, settings

    curated = [r for r in events.load_events() if r.kind != "area"]
    monkeypatch.setattr(settings, "MAX_PAGE_POINTS", len(curated) - 1)
    result = cli("build", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert f"{len(curated):,} events and places are more than a page draws as points ({len(curated) - 1:,})" \
        in result.stderr
    page = pagedata.decode((tmp_path / "out" / "border-region.html").read_bytes())
    assert "Events and places" not in page.layers
    assert page.doc["aggregate"]["layer"] == "Events by province"
    from bordermap import recipe

    stories = recipe.find(None).stories
    assert stories and "stories" not in page.doc
    assert f"the recipe's {len(stories)} stories are left out" in result.stderr
    monkeypatch.setattr(settings, "MAX_PAGE_POINTS", len(curated))
    result = cli("build", "--out", tmp_path / "out")
    assert "more than a page draws" not in result.stderr
    assert "Events and places" in pagedata.decode((tmp_path / "out" / "border-region.html").read_bytes()).layers
