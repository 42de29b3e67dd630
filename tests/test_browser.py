"""What a reader sees, in a real headless Chromium (Debian's /usr/bin/chromium via Playwright).

Maps are built self-contained, so they draw with no network. Without Chromium
these tests skip, unless BORDERMAP_REQUIRE_BROWSER is set (CI sets it).
"""

import pytest

from bordermap.recipe import builtin_recipes

from .conftest import XSS, needs_browser

pytestmark = [pytest.mark.browser, needs_browser]

FIND_MAP = "window.bordermap.map"


@pytest.mark.parametrize("name", sorted(builtin_recipes()))
def test_each_built_map_draws_without_errors(open_map, maps, name):
    page = open_map(maps[name])
    assert page.js("document.querySelectorAll('path.leaflet-interactive').length") > 80
    assert page.js("window.bordermap.layers['Events and places'].markers.length") >= 13
    assert page.js("document.querySelectorAll('.leaflet-marker-icon').length") > 5  # clusters and markers
    assert page.page.locator("#bm-legend").is_visible() and page.page.locator("#bm-time").is_visible()
    assert page.errors == [] and page.dialogs == []


def test_property_values_show_as_text_never_as_markup(open_map, maps):
    from bordermap import pagedata
    page = open_map(maps["analyst"])
    # the hostile feature, found in the page's data; then a click and a hover on it, as a reader's would
    layers = pagedata.decode(maps["analyst"].read_text(encoding="utf-8")).layers
    name, index = next((name, n) for name, layer in layers.items() for n, f in enumerate(layer.features)
                       if f.popup is not None and XSS in pagedata.popup_text(f.popup))
    page.js("""([name, index]) => { const target = window.bordermap.shapes[name].layers[index];
        target.fire('click', {latlng: target.getLatLng()}, true);
        target.fire('mouseover', {latlng: target.getLatLng()}, true); }""", [name, index])
    assert XSS in page.page.locator(".leaflet-popup-content").inner_text()  # the attack string is visible text
    assert XSS in page.page.locator(".leaflet-tooltip").first.inner_text()
    assert page.page.locator(".bm-title h1").inner_text() == "Analyst test map <b>bold?</b> {{ 7*191 }}"
    assert "1337" not in page.page.content()  # the template expression was not evaluated
    assert page.js("document.querySelectorAll('img[src=\"x\"], .bm-title b').length") == 0
    labels = page.page.locator(".bm-label.analyst").all_inner_texts()
    assert XSS in labels and "Quetta" in labels
    assert page.dialogs == [] and page.errors == []


def test_analyst_layer_has_its_style(open_map, maps):
    page = open_map(maps["analyst"])
    fills = page.js("""() => { const out = {}; const map = %s;
        map.eachLayer(l => { if (l.bordermap && l instanceof L.CircleMarker && l.options.radius === 8)
            out[l.options.fillColor] = (out[l.options.fillColor] || 0) + 1; }); return out; }""" % FIND_MAP)
    # expected: the recipe's palette over the sorted categories of the file, counted per feature
    from collections import Counter

    import geopandas as gpd

    from bordermap import recipe
    from .conftest import DATA
    spec = next(s for s in recipe.load(DATA / "recipes" / "analyst.toml").layers if s.name == "Sites")
    kinds = list(gpd.read_file(spec.path)[spec.color_by])
    order = sorted(set(kinds))
    assert fills == dict(Counter(spec.palette[order.index(k)] for k in kinds)) and len(fills) == len(order) > 1


def test_popup_shows_date_actors_and_sources(open_map, maps):
    from bordermap import events, layers

    serena = next(r for r in events.load_events() if r.id == "serena-hotel-bombing-2021")
    page = open_map(maps["default"])
    text = page.event_popup("serena-hotel-bombing-2021")
    assert layers.format_date(serena) in text and "not in the articles" in text  # the date says it is not theirs
    assert layers.INFERRED_LABEL in text and serena.quote in text
    assert "Tehrik-i-Taliban Pakistan (TTP)" in text
    assert "Sources" in text and "The Withdrawal of US Troops from Afghanistan" in text


def test_time_filter_changes_what_is_visible(open_map, maps):
    page = open_map(maps["default"])
    count = "window.bordermap.layers['Events and places'].group.getLayers().length"
    total = page.js(count)
    slider = page.page.locator(".bm-from input")
    slider.fill(str(page.js("document.querySelector('.bm-from input').max")))  # from the last month only
    after = page.js(count)
    undated = page.js("window.bordermap.layers['Events and places'].markers.filter(m => !m.bordermap.start).length")
    assert undated <= after < total
    assert "Sep 2023" in page.page.locator("#bm-time").inner_text()
    slider.fill("0")
    assert page.js(count) == total


def test_layer_control_toggles_a_layer(open_map, maps):
    page = open_map(maps["default"])
    paths = "document.querySelectorAll('path.leaflet-interactive').length"
    before = page.js(paths)
    page.page.get_by_label("Group areas", exact=True).uncheck()
    assert page.js(paths) < before
    page.page.get_by_label("Group areas", exact=True).check()
    assert page.js(paths) == before


def test_event_popups_show_hostile_text_as_text(open_map, maps):
    page = open_map(maps["analyst"])  # its recipe adds tests/data/events_good.csv
    text = page.event_popup("chaman-test")
    assert "A CSV record. <img src=x onerror=alert(1)> {{ 7*191 }}" in text
    assert page.js("document.querySelectorAll('.leaflet-popup-content img').length") == 0
    assert page.dialogs == [] and page.errors == []


def test_self_contained_pages_make_no_network_requests(open_map, maps):
    page = open_map(maps["default"])
    assert [u for u in page.requests if not u.startswith(("file:", "data:"))] == []
    assert page.page.get_by_label("Basemap: OpenStreetMap (online)").is_checked() is False  # there, but off
