"""The reader's panel (page/js) in a real headless Chromium: facets, search, shareable
views, the event list, keyboard use, a phone-sized screen, honest precision.

Expected answers are computed here from the curated records and boundaries, not
read back from the page.
"""

import math
import re
from urllib.parse import urlencode

import pytest

from bordermap import events, layers, sources

from .conftest import XSS, needs_browser
from .listing import LISTED, row_button

pytestmark = [pytest.mark.browser, needs_browser]

ON_MAP = """() => { const out = new Set(), bm = window.bordermap;
    Object.values(bm.layers).forEach(e => e.group.getLayers().forEach(m => m.bordermap.rid && out.add(m.bordermap.rid)));
    Object.values(bm.shapes).forEach(e => e.layers.forEach(l => {
        if (l.bordermap.rid && e.group.hasLayer(l)) out.add(l.bordermap.rid); }));
    return [...out]; }"""
CLUSTERED = "window.bordermap.layers['Events and places'].group.getLayers().length"
MAP = "window.bordermap.map"
VIEW = f"(() => {{ const m = {MAP}, c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }})()"
POPUP = "(document.querySelector('.leaflet-popup-content') || {innerText: ''}).innerText"


@pytest.fixture(scope="module")
def records():
    return events.load_events()


@pytest.fixture(scope="module")
def country_of():
    """First-level unit or district id -> country name, from the embedded boundaries."""
    admin1 = sources.load_boundaries().admin1
    out = dict(zip(admin1["code"], admin1["country"]))
    for d in events.load_districts().values():
        out[d.id] = out[d.parent]
    return out


def _check(page, facet: str, value: str) -> None:
    page.page.locator(f'#bm-facets input[data-facet="{facet}"][value="{value}"]').check()


def _facet_count(page, facet: str, value: str) -> int:
    text = page.page.locator(f'#bm-facets input[data-facet="{facet}"][value="{value}"] ~ .bm-n').inner_text()
    return int(text.strip(" ()"))


@pytest.mark.parametrize("facet,value,wanted", [
    ("category", "Border crossing", lambda r, c: r.category == "border crossing"),
    ("actors", "Jaish ul-Adl (JA)", lambda r, c: "Jaish ul-Adl" in r.actors),
    ("actors", "Tehrik-i-Taliban Pakistan (TTP)", lambda r, c: "Tehrik-i-Taliban Pakistan" in r.actors),
    ("countries", "Iran", lambda r, c: "Iran" in {c[u] for u in (r.admin1,) + r.units if u}),
    ("precision", "District", lambda r, c: r.location_precision == "district"),
    ("inferred", "Inferred: date", lambda r, c: r.date_inferred),
    ("inferred", layers.NOTHING_INFERRED, lambda r, c: not r.inferred),
])
def test_each_facet_changes_markers_areas_clusters_and_list_alike(open_map, maps, records, country_of,
                                                                  facet, value, wanted):
    page = open_map(maps["default"])
    expected = {r.id for r in records if wanted(r, country_of)}
    assert 0 < len(expected) < len(records)
    _check(page, facet, value)
    assert set(page.js(LISTED)) == expected
    assert set(page.js(ON_MAP)) == expected  # markers, ring markers and shaded areas of exactly those records
    markers = [m for m in records if m.id in expected and m.kind != "area"]
    assert page.js(CLUSTERED) == sum(max(1, len(m.units)) if m.lon is None else 1 for m in markers)
    assert f"Showing {len(expected)} of {len(records)} items" in page.page.locator("#bm-status").inner_text()
    # live counts: every other facet counts within this selection
    in_pakistan = sum(1 for r in records if r.id in expected and "Pakistan" in {country_of[u] for u in (r.admin1,) + r.units if u})
    if facet != "countries":
        assert _facet_count(page, "countries", "Pakistan") == in_pakistan
    page.page.locator("#bm-clear").click()
    assert len(page.js(LISTED)) == len(records) and len(page.js(ON_MAP)) == len(records)
    assert page.errors == []


def test_facets_combine_with_each_other_and_with_time(open_map, maps, records, country_of):
    page = open_map(maps["default"])
    _check(page, "countries", "Pakistan")
    _check(page, "category", "Diplomatic event")
    expected = {r.id for r in records if r.category == "diplomatic event"
                and "Pakistan" in {country_of[u] for u in (r.admin1,) + r.units if u}}
    assert set(page.js(LISTED)) == expected and "dg-isi-visit-kabul-2021" not in expected  # Kabul is in Afghanistan
    page.page.locator("#bm-clear").click()
    last = page.js("document.querySelector('.bm-from input').max")
    page.page.locator(".bm-from input").fill(str(last))  # Sep 2023 onwards
    expected = {r.id for r in records if r.period is None or r.period[1].isoformat() >= "2023-09-01"}
    assert set(page.js(LISTED)) == expected == set(page.js(ON_MAP))
    assert "ttp-chitral-raid-2023" in expected and "taliban-take-kabul-2021" not in expected


def _search(page, query: str) -> list[str]:
    box = page.page.locator("#bm-q")
    box.fill("")
    box.press_sequentially(query)
    page.page.wait_for_selector("#bm-hits:not([hidden])")
    return page.page.locator("#bm-hits .bm-hit-label").all_inner_texts()


def _distance(a, b) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


@pytest.mark.parametrize("query,first,where", [
    ("Quetta", "Quetta", "quetta"),
    ("Chaman", "Chaman border crossing", "chaman-crossing"),
    ("Kech", "Kech", "PK-BA:kech"),
    ("turbat", "Turbat", "PK-BA:kech"),
    ("serena hotel", "Serena Hotel attack, Quetta", "serena-hotel-bombing-2021"),
])
def test_search_finds_places_districts_and_events_offline_and_zooms(open_map, maps, records, query, first, where):
    page = open_map(maps["default"])
    districts = events.load_districts()
    target = (districts[where].hq_lat, districts[where].hq_lon) if where in districts else \
        next((r.lat, r.lon) for r in records if r.id == where)
    before = page.js(VIEW)
    assert _search(page, query)[0] == first
    page.page.locator("#bm-q").press("Enter")
    page.page.wait_for_function(f"() => {MAP}.getZoom() >= 8", timeout=10000)
    page.page.wait_for_timeout(400)
    lat, lon, zoom = page.js(VIEW)
    # zoomed in on the place: it is in view, near the centre (its popup may have panned the map a little)
    assert zoom > before[2] and _distance((lat, lon), target) < 0.5
    assert page.js(f"{MAP}.getBounds().pad(-0.1).contains([{target[0]}, {target[1]}])")
    if where not in districts:  # an item: its popup is open and its row selected
        page.page.wait_for_function(f"() => {POPUP}.includes({first!r})", timeout=10000)
        assert page.js("document.querySelector('#bm-list li.bm-selected').dataset.id") == where
    assert [u for u in page.requests if not u.startswith(("file:", "data:"))] == []
    assert page.errors == []


def test_searching_a_group_filters_to_its_items_and_zooms(open_map, maps, records):
    page = open_map(maps["default"])
    assert "Tehrik-i-Taliban Pakistan (TTP)" in _search(page, "TTP")
    page.page.locator("#bm-hits li", has_text="Group or actor").first.click()
    expected = {r.id for r in records if "Tehrik-i-Taliban Pakistan" in r.actors}
    assert set(page.js(LISTED)) == expected
    assert page.page.locator('input[value="Tehrik-i-Taliban Pakistan (TTP)"]').is_checked()


def test_search_uses_the_arrow_keys(open_map, maps):
    page = open_map(maps["default"])
    hits = _search(page, "ka")
    assert len(hits) >= 2
    box = page.page.locator("#bm-q")
    box.press("ArrowDown")
    box.press("ArrowDown")
    active = page.js("document.getElementById(document.getElementById('bm-q').getAttribute('aria-activedescendant')).innerText")
    assert active.startswith(hits[1])
    box.press("Escape")
    assert page.page.locator("#bm-hits").is_hidden()


def test_a_shared_link_restores_layers_filters_time_view_and_selection(open_map, maps):
    first = open_map(maps["default"])
    first.page.get_by_label("Provinces (first-level units)", exact=True).uncheck()
    first.page.get_by_label("Cross-border movement", exact=True).check()
    _check(first, "actors", "Tehrik-i-Taliban Pakistan (TTP)")
    first.page.locator(".bm-from input").fill("5")
    row_button(first, "TTP raid into Chitral").click()
    first.page.wait_for_function(f"() => {POPUP}.includes('TTP raid into Chitral')", timeout=10000)
    first.page.wait_for_timeout(600)  # the popup's pan
    link = first.address("item=ttp-chitral-raid-2023")
    assert "#" in link and "item=ttp-chitral-raid-2023" in link
    state = """() => ({
        layers: [...document.querySelectorAll('.leaflet-control-layers-selector')].map(b => [b.nextElementSibling.innerText.trim(), b.checked]),
        facets: [...document.querySelectorAll('#bm-facets input:checked')].map(b => b.value),
        from: document.querySelector('.bm-from input').value,
        selected: [...document.querySelectorAll('#bm-list li.bm-selected')].map(li => li.dataset.id),
        popup: %s })""" % POPUP
    before, view, listed = first.js(state), first.js(VIEW), first.js(LISTED)

    second = open_map(maps["default"], hash=link[link.index("#"):])
    second.page.wait_for_function(f"() => {POPUP}.includes('TTP raid into Chitral')", timeout=10000)
    after = second.js(state)
    assert after == before and second.js(LISTED) == listed
    assert ["Provinces (first-level units)", False] in after["layers"]
    assert ["Cross-border movement", True] in after["layers"]
    assert after["facets"] == ["Tehrik-i-Taliban Pakistan (TTP)"] and after["selected"] == ["ttp-chitral-raid-2023"]
    assert _distance(second.js(VIEW)[:2], view[:2]) < 0.01 and second.js(VIEW)[2] == view[2]
    assert second.errors == []


def test_a_hand_written_hash_sets_view_and_filters(open_map, maps, records):
    hash = "#" + urlencode([("view", "30.2,67.0,9"), ("category", "Attack"), ("category", "Place")])
    page = open_map(maps["default"], hash=hash)
    lat, lon, zoom = page.js(VIEW)
    assert (round(lat, 4), round(lon, 4), zoom) == (30.2, 67.0, 9)
    assert set(page.js(LISTED)) == {r.id for r in records if r.category in ("attack", "place")}
    # a hash edited by hand in the same tab is followed too
    page.page.evaluate("location.hash = '#view=34.5,69.2,8&category=Political+event'")
    page.page.wait_for_function(f"() => {MAP}.getZoom() === 8")
    assert page.js(LISTED) == ["taliban-take-kabul-2021"]


def test_selecting_on_the_map_selects_in_the_list_and_back(open_map, maps):
    page = open_map(maps["default"])
    assert "Escalation at the Chaman border" in page.event_popup("chaman-border-escalation")
    row = page.page.locator("#bm-list li.bm-selected")
    assert row.get_attribute("data-id") == "chaman-border-escalation"
    assert row.locator("button").get_attribute("aria-expanded") == "true"
    assert "Sources" in row.locator(".bm-detail").inner_text()  # the popup's content, as text in the list
    row_button(page, "Gwadar").click()
    page.page.wait_for_function(f"() => {POPUP}.startsWith('Gwadar')", timeout=10000)
    assert page.js("document.querySelectorAll('#bm-list li.bm-selected').length") == 1
    page.js("document.querySelector('.leaflet-popup-close-button').click()")
    assert page.js("document.querySelectorAll('#bm-list li.bm-selected').length") == 0
    page.page.wait_for_function("() => location.hash && !location.hash.includes('item=')", timeout=10000)


def test_an_area_in_the_list_opens_its_shaded_units(open_map, maps):
    page = open_map(maps["default"])
    row_button(page, "Baloch insurgency in Sistan and Baluchestan").click()
    page.page.wait_for_function(f"() => {POPUP}.includes('Sistan and Baluchestan')", timeout=10000)
    lat, lon, zoom = page.js(VIEW)
    assert 25 < lat < 32 and 58 < lon < 63.5 and zoom >= 5  # fitted to Sistan and Baluchestan


def test_the_keyboard_reaches_every_item_and_opens_it(open_map, maps, records):
    page = open_map(maps["default"])
    page.page.keyboard.press("Tab")
    assert page.js("document.activeElement.id") == "bm-skip"  # the first stop skips to the list
    reached = set()
    for _ in range(250):
        page.page.keyboard.press("Tab")
        rid = page.js("(document.activeElement.closest('#bm-list li') || {dataset: {}}).dataset.id || null")
        if rid:
            reached.add(rid)
        if reached == {r.id for r in records}:
            break
    assert reached == {r.id for r in records}
    page.page.keyboard.press("Shift+Tab")
    focused = page.js("document.activeElement.closest('#bm-list li').dataset.id")
    page.page.keyboard.press("Enter")
    page.page.wait_for_function(f"() => {POPUP}.length > 0", timeout=10000)
    assert page.js("document.activeElement.closest('#bm-list li').dataset.id") == focused  # focus stays put
    assert page.js("document.querySelector('#bm-list li.bm-selected').dataset.id") == focused


def test_the_skip_button_takes_the_keyboard_to_the_list(open_map, maps):
    page = open_map(maps["default"])
    page.page.keyboard.press("Tab")
    page.page.keyboard.press("Enter")
    assert page.js("document.activeElement.classList.contains('bm-pick')")


def test_screen_readers_get_names_states_and_announcements(open_map, maps):
    page = open_map(maps["default"])
    text = page.page.locator("body").aria_snapshot()
    assert "Search places, districts, events and groups" in text
    serena = next(r.title for r in events.load_events() if r.id == "serena-hotel-bombing-2021")
    assert serena in text  # the list gives every item's title as text
    box = page.page.locator("#bm-q")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-controls") == "bm-hits"
    assert page.page.locator("#bm-status").get_attribute("aria-live") == "polite"
    _check(page, "category", "Attack")
    assert "Showing 1 of" in page.page.locator("#bm-status").inner_text()
    label = page.js(f"{MAP}.getContainer().getAttribute('aria-label')")
    assert "list" in label and page.js(f"{MAP}.getContainer().getAttribute('role')") == "region"
    # every marker carries its title as text for assistive technology
    assert page.js("window.bordermap.layers['Events and places'].markers.every(m => m.options.alt && m.options.title)")


def test_the_page_works_on_a_phone(open_map, maps):
    page = open_map(maps["default"], size=(390, 844))
    toggle = page.page.locator("#bm-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"  # the map first, the panel a tap away
    assert page.js("document.documentElement.scrollWidth") <= 390
    box = page.page.locator("#bm-map").bounding_box()
    assert box["width"] == 390 and box["height"] > 700
    assert page.js("!!document.querySelector('#bm-layer-list .leaflet-control-layers')")  # in the panel, not on the map
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    panel = page.page.locator("#bm-panel").bounding_box()
    map_box = page.page.locator("#bm-map").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390 and panel["y"] + panel["height"] <= 844
    assert map_box["y"] + map_box["height"] <= panel["y"] + 1  # the map sits above the open panel
    search = page.page.locator("#bm-q").bounding_box()
    assert search["x"] >= 0 and search["x"] + search["width"] <= 390
    row_button(page, "Gwadar").click()
    page.page.wait_for_function(f"() => {POPUP}.startsWith('Gwadar')", timeout=10000)
    page.page.wait_for_timeout(500)
    popup = page.page.locator(".leaflet-popup-content-wrapper").bounding_box()
    assert popup["y"] >= map_box["y"] - 1 and popup["y"] + popup["height"] <= map_box["y"] + map_box["height"] + 1
    assert popup["x"] >= 0 and popup["x"] + popup["width"] <= 390
    assert page.js("document.documentElement.scrollWidth") <= 390
    assert page.errors == []


def test_uncertain_locations_are_drawn_with_their_uncertainty(open_map, maps, records):
    near, town = (next(r for r in records if r.id == rid) for rid in ("chaman-border-escalation", "quetta"))
    page = open_map(maps["default"])
    circles = f"""() => {{ const out = []; {MAP}.eachLayer(l => {{ if (l instanceof L.Circle) out.push(
        [l.getLatLng().lat, l.getLatLng().lng, l.getRadius()]); }}); return out; }}"""
    assert page.js(circles) == []  # at the region's scale a 10 km circle would be a dot
    for r in (near, town):  # 'near' Chaman, and the town of Quetta
        page.do(f"{MAP}.setView([{r.lat}, {r.lon}], 9, {{animate: false}})")
        page.page.wait_for_timeout(300)
        drawn = [[round(a, 5), round(b, 5), radius] for a, b, radius in page.js(circles)]
        assert [r.lat, r.lon, layers.UNCERTAINTY_M[r.location_precision]] in drawn, r.id
    page.page.get_by_label("Location uncertainty", exact=True).uncheck()
    assert page.js(circles) == []
    # approximate markers wear a dashed halo; the legend says what it means
    halo = page.js("""window.bordermap.layers['Events and places'].markers
        .filter(m => m.options.icon.options.html.includes('stroke-dasharray="2.5 2"')).length""")
    assert halo == page.js("window.bordermap.layers['Events and places'].markers.length")  # no exact sites here
    assert "Dashed halo" in page.page.locator("#bm-legend").inner_text()


def test_the_sources_panel_is_there_offline(open_map, maps):
    page = open_map(maps["default"])
    page.page.locator("#bm-sources summary").click()
    text = page.page.locator("#bm-sources").inner_text()
    for needle in ("Natural Earth", "Public domain", "GeoNames", "CC BY 4.0", "Leaflet", "Durand Line", "Kashmir",
                   "not an endorsement", "How to cite this map", "Muhammad Amir Rana"):
        assert needle in text
    hrefs = page.js("[...document.querySelectorAll('#bm-sources a')].map(a => [a.href, a.rel, a.target])")
    assert hrefs and all(re.match(r"https?://", h) and r == "noopener noreferrer" and t == "_blank"
                         for h, r, t in hrefs)


def test_hostile_text_stays_text_in_the_list_and_search(open_map, maps):
    page = open_map(maps["analyst"])
    row_button(page, "Test clash at Chaman").click()
    detail = page.page.locator("#bm-list li.bm-selected .bm-detail").inner_text()
    assert XSS in detail and "{{ 7*191 }}" in detail
    assert "1337" not in page.page.content()
    # the one entry whose name holds the attack (an analyst's site label) is found, and shown as its text
    assert _search(page, "onerror") == [XSS]
    assert page.js("document.querySelector('#bm-hits .bm-hit-label').childElementCount") == 0
    assert page.js("document.querySelectorAll('#bm-panel img, .leaflet-popup img').length") == 0
    assert page.dialogs == [] and page.errors == []


def test_what_happened_near_chaman_by_whom_according_to_whom_by_keyboard_alone(open_map, maps):
    """The issue's 'done when', as a keyboard user: search, pick, read actors and sources, share the link."""
    page = open_map(maps["default"])
    keys = page.page.keyboard
    for _ in range(3):  # skip button, panel toggle, search box
        keys.press("Tab")
    assert page.js("document.activeElement.id") == "bm-q"
    keys.type("Chaman")
    page.page.wait_for_selector("#bm-hits:not([hidden])")
    hits = page.page.locator("#bm-hits .bm-hit-label").all_inner_texts()
    keys.press("ArrowDown")
    for _ in range(hits.index("Escalation at the Chaman border")):
        keys.press("ArrowDown")
    keys.press("Enter")
    detail = page.page.locator("#bm-list li.bm-selected .bm-detail")
    detail.wait_for()
    text = detail.inner_text()
    assert "Government of Pakistan" in text and "Afghan Taliban" in text  # by whom
    assert "K. Zia" in text and "G. Jaffar and J. Islam" in text  # according to whom, and through whom
    page.page.wait_for_function(f"() => {POPUP}.includes('Escalation at the Chaman border')", timeout=10000)
    page.page.wait_for_timeout(400)  # the popup's pan
    link = page.address("item=chaman-border-escalation")
    again = open_map(maps["default"], hash=link[link.index("#"):])
    again.page.wait_for_function(f"() => {POPUP}.includes('Escalation at the Chaman border')", timeout=10000)
    assert again.js("document.querySelector('#bm-list li.bm-selected').dataset.id") == "chaman-border-escalation"
    assert [u for u in page.requests + again.requests if not u.startswith(("file:", "data:"))] == []
