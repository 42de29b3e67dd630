"""A page of 100,000 events in a real headless Chromium: drawn on a canvas, clustered in a worker, filtered on
the columns, listed in a virtual list, searched, opened by a click on its symbol. Expected answers are computed
here from the events file the page was built from and from the markers its document holds."""

import math
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest

from bordermap import build, layers, pagedata
from bordermap.recipe import Recipe

from .conftest import needs_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_browser]

N = 100_000
CATEGORIES = ["attack", "raid", "border clash", "political event"]
POPUP = "(document.querySelector('.leaflet-popup-content') || {innerText: ''}).innerText"
LAYER = "window.bordermap.layers['Events and places']"
MAX_ROWS = 60  # list rows in the DOM at most: those in sight and a few more, out of 100k


@pytest.fixture(scope="module")
def events_csv(tmp_path_factory):
    """N events at random places in a box over Balochistan, on random days of 2022."""
    rng = np.random.default_rng(18)
    n = np.arange(N)
    frame = pd.DataFrame({
        "id": [f"big-{i}" for i in n], "title": [f"Scale event {i}" for i in n],
        "category": rng.choice(CATEGORIES, N), "date": (np.datetime64("2022-01-01") + rng.integers(0, 365, N)).astype(str),
        "date_precision": "day", "actors": rng.choice(["TTP", "BLA"], N), "location_precision": "town",
        "admin1": "PK-BA", "units": "", "place": [f"Place {i % 300}" for i in n], "location_basis": "a test point",
        "summary": "An event of the scale test.", "sources": "Test | scale data",
        "longitude": np.round(rng.uniform(62.0, 69.0, N), 5), "latitude": np.round(rng.uniform(25.5, 30.5, N), 5)})
    path = tmp_path_factory.mktemp("scale") / "events.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.fixture(scope="module")
def big_page(events_csv, tmp_path_factory):
    path, _ = events_csv
    recipe = Recipe(name="scale", title="Scale", include=("provinces",), basemap=False)
    (page,) = build(recipe, tmp_path_factory.mktemp("scale-out"), events_files=[path], self_contained=True)
    return page


@pytest.fixture(scope="module")
def markers(big_page, events_csv):
    """The page's markers as the document holds them (quantised), with their event's row of the CSV."""
    _, frame = events_csv
    doc = pagedata.read(big_page.read_text(encoding="utf-8"))
    layer = next(entry for entry in doc["layers"] if entry["name"] == "Events and places")
    ids = [item["id"] for item in pagedata.decode_items(doc)]
    rows = pd.DataFrame(pagedata.decode_markers(layer, doc["decimals"]))
    rows["id"] = [ids[r] for r in rows.r]
    out = rows.merge(frame[["id", "category"]], on="id", how="left", validate="one_to_one")
    assert len(out) == N and out.category.notna().all()
    return out


def _zoom0_pixels(lat, lon):
    """Leaflet's EPSG:3857 projection to pixels at zoom 0, in the same order of operations."""
    r, d = 6378137.0, math.pi / 180
    scale = 0.5 / (math.pi * r)
    s = np.sin(np.clip(lat, -85.0511287798, 85.0511287798) * d)
    x = 256 * (scale * (r * lon * d) + 0.5)
    y = 256 * (-scale * (r * np.log((1 + s) / (1 - s)) / 2) + 0.5)
    return x, y


def _cells(markers, zoom: int) -> pd.Series:
    """How many of ``markers`` fall in each cell of the clustering grid at ``zoom`` (64 screen pixels a side,
    halving at each zoom), by (col, row)."""
    x, y = _zoom0_pixels(markers.lat.to_numpy(), markers.lon.to_numpy())
    shift = 14 - zoom  # bm.cluster.TOP
    col = np.floor(x * 256).astype(np.int64) >> shift
    row = np.floor(y * 256).astype(np.int64) >> shift
    return pd.Series(1, index=pd.MultiIndex.from_arrays([col, row])).groupby(level=[0, 1]).sum()


def _settled(page) -> None:
    page.page.wait_for_function(f"() => !{LAYER}.group._pending")


def _check_clusters(page, shown) -> list[dict]:
    """Each cluster symbol in view counts exactly the shown markers of its grid cell; returns the clusters."""
    _settled(page)
    clusters = page.js(f"{LAYER}.group.clusters()")
    assert clusters
    expected = _cells(shown, clusters[0]["zoom"])
    for c in clusters:
        assert c["count"] == expected[(c["col"], c["row"])], c
    # and all the cells of this zoom together hold every shown marker
    assert page.js(f"Array.from({LAYER}.group.cells.count).reduce((a, b) => a + b, 0)") == len(shown)
    return clusters


def _in_view(frame, bounds) -> int:
    (south, west), (north, east) = bounds
    return int(((frame.latitude >= south) & (frame.latitude <= north) & (frame.longitude >= west)
                & (frame.longitude <= east)).sum())


BOUNDS = "(() => { const b = window.bordermap.map.getBounds(); return [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]]; })()"


def test_100k_events_are_clustered_on_one_canvas_and_every_one_is_listed(open_map, big_page, events_csv, markers):
    _, frame = events_csv
    page = open_map(big_page)
    assert page.js("document.querySelectorAll('.leaflet-marker-icon').length") == 0  # no DOM marker per event
    assert page.js("document.querySelectorAll('canvas.bm-points').length") == 1
    opening = _check_clusters(page, markers)
    assert page.js(f"{LAYER}.group.drawn") == len(opening) + page.js(f"{LAYER}.group.singles.length")
    # one zoom in: the worker, made from a blob: URL under the page's policy, answers with the finer cells
    page.do("window.bordermap.map.setZoom(window.bordermap.map.getZoom() + 1, {animate: false})")
    finer = _check_clusters(page, markers)
    assert finer[0]["zoom"] == opening[0]["zoom"] + 1 and len(finer) > len(opening)
    assert page.js(f"{LAYER}.group.worker instanceof Worker && {LAYER}.group.workerAnswers >= 1")
    assert "worker-src blob:" in page.js("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert page.js("document.getElementById('bm-count').textContent") == str(N)
    assert page.js("document.querySelectorAll('#bm-list li').length") <= MAX_ROWS  # the rows in sight only
    first = frame.sort_values(["date", "title"]).iloc[0]
    assert page.js("document.querySelector('#bm-list li').dataset.id") == first.id
    assert page.js("performance.memory ? performance.memory.usedJSHeapSize : 0") < 150e6
    assert page.errors == []


def test_a_facet_filters_100k_events_and_recounts(open_map, big_page, events_csv, markers):
    _, frame = events_csv
    page = open_map(big_page)
    page.page.locator("#bm-facets input[value='Raid']").check()
    raids = frame[frame.category == "raid"]
    page.page.wait_for_function(f"() => document.getElementById('bm-count').textContent === '{len(raids)} of {N}'")
    counts = page.js("""() => Object.fromEntries([...document.querySelectorAll('#bm-facets input[data-facet=actors]')]
                          .map(b => [b.value, b.parentElement.querySelector('.bm-n').textContent]))""")
    for actor, n in raids.actors.value_counts().items():
        label = next(k for k in counts if f"({actor})" in k)
        assert counts[label] == f" ({n})"
    after = _check_clusters(page, markers[markers.category == "raid"])
    everything = _cells(markers, after[0]["zoom"])
    assert all(c["count"] < everything[(c["col"], c["row"])] for c in after)  # fewer in each cell than unfiltered
    assert set(page.js("[...document.querySelectorAll('#bm-list li')].map(li => li.dataset.id)")) <= set(raids.id)
    assert parse_qs(urlsplit(page.address("category=")).fragment)["category"] == ["Raid"]


def test_the_download_of_filtered_100k_events_holds_their_rows(open_map, big_page, events_csv, tmp_path):
    """The CSV of what is shown: each row the event's own (its id read from the items, not sent twice), in the
    list's order, by date then title."""
    _, frame = events_csv
    page = open_map(big_page)
    page.page.locator("#bm-take summary").click()
    page.page.locator("#bm-facets input[value='Border clash']").check()
    clashes = frame[frame.category == "border clash"]
    page.page.wait_for_function(f"() => document.getElementById('bm-count').textContent === '{len(clashes)} of {N}'")
    with page.page.expect_download() as info:
        page.page.locator("#bm-take button", has_text="Download CSV").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    got = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    expected = clashes.sort_values(["date", "title"], kind="stable")
    assert got.id.tolist() == expected.id.tolist()
    assert got.title.tolist() == expected.title.tolist() and got.place.tolist() == expected.place.tolist()
    assert np.allclose(got.longitude.astype(float), expected.longitude, rtol=0, atol=1e-9)
    assert page.errors == []


def test_a_click_on_a_symbol_opens_its_popup_and_selects_its_row(open_map, big_page, events_csv):
    _, frame = events_csv
    page = open_map(big_page)
    row = frame.iloc[12345]
    page.do(f"window.bordermap.map.setView([{row.latitude}, {row.longitude}], 16, {{animate: false}})")
    page.page.wait_for_function(f"() => !{LAYER}.group._pending")
    box = page.page.locator("#bm-map").bounding_box()
    size = page.js("window.bordermap.map.getSize()")
    page.page.mouse.click(box["x"] + size["x"] / 2, box["y"] + size["y"] / 2)
    page.page.wait_for_function(f"() => {POPUP}.includes('Scale event')", timeout=10000)
    assert page.js(POPUP).startswith(row.title)
    assert f"Date\t{layers._date_words(row.date)} (to the day)" in page.js(POPUP)
    page.page.wait_for_function(f"() => location.hash.includes('item={row.id}&') || location.hash.endsWith('item={row.id}')",
                                timeout=10000)
    assert page.js("window.bordermap.map.hasLayer(window.bordermap.layers['Events and places'].group)")
    # its row, far down the list of 100k, is drawn and marked
    assert page.js("[...document.querySelectorAll('#bm-list li.bm-selected')].map(li => li.dataset.id)") == [row.id]


def test_search_finds_one_of_100k_events_and_opens_it(open_map, big_page, events_csv):
    _, frame = events_csv
    page = open_map(big_page)
    row = frame.iloc[99_999]
    page.page.locator("#bm-q").fill(row.title)
    page.page.keyboard.press("Enter")
    page.page.wait_for_function(f"() => {POPUP}.startsWith('{row.title}')", timeout=20000)
    page.page.wait_for_function(f"() => location.hash.includes('item={row.id}&') || location.hash.endsWith('item={row.id}')",
                                timeout=10000)  # the hash is written just after the popup opens
    # the view shows the event as its own symbol, not inside a cluster
    _settled(page)
    j = int(page.js(f"{LAYER}.markers.findIndex(m => m.bordermap.id === '{row.id}')"))
    assert j in page.js(f"Array.from({LAYER}.group.singles)")
    assert page.errors == []


def test_a_click_on_a_cluster_zooms_to_its_events(open_map, big_page, markers):
    page = open_map(big_page)
    clusters = _check_clusters(page, markers)
    zoom = page.js("window.bordermap.map.getZoom()")
    target = max(clusters, key=lambda c: c["count"])
    at = page.js(f"window.bordermap.map.latLngToContainerPoint([{target['lat']}, {target['lon']}])")
    box = page.page.locator("#bm-map").bounding_box()
    page.page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    page.page.wait_for_function(f"() => window.bordermap.map.getZoom() > {zoom}", timeout=10000)
    page.page.wait_for_timeout(400)  # the zoom animation
    (south, west), (north, east) = page.js(BOUNDS)
    assert south < target["lat"] < north and west < target["lon"] < east
    finer = _check_clusters(page, markers)
    assert sum(c["count"] for c in finer) + page.js(f"{LAYER}.group.singles.length") >= target["count"] // 2
    assert page.errors == []


def test_without_a_worker_every_symbol_in_view_is_drawn(browser, big_page, events_csv):
    """Where no worker can be made (a policy, an old browser), the layer draws as it did before clustering."""
    _, frame = events_csv
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script("window.Worker = function () { throw new Error('no workers here'); };")
    try:
        page.goto(big_page.as_uri())
        page.wait_for_function("() => window.bordermap && window.bordermap.started", timeout=60000)
        page.wait_for_function(f"() => !{LAYER}.group._pending && {LAYER}.group.worker === null")
        assert page.evaluate(f"{LAYER}.group.clusters().length") == 0
        drawn, in_view = page.evaluate(f"{LAYER}.group.drawn"), _in_view(frame, page.evaluate(BOUNDS))
        assert in_view <= drawn <= in_view + N // 50  # plus those whose symbol reaches into the view
        assert errors == []
    finally:
        page.close()


# --- the virtual list (page/js/45-list.js) at 100k rows ---

DRAWN = "[...document.querySelectorAll('#bm-list li')].map(li => [+li.getAttribute('aria-posinset'), +li.getAttribute('aria-setsize'), li.dataset.id])"
# Scroll the panel so that the top of its view is at a fraction of the list's height; then the positions of the
# rows in sight and whether the drawn rows cover the part of the view that the list takes (no blank).
SCROLL = """(f) => new Promise(done => {
    const box = document.getElementById('bm-body'), list = document.getElementById('bm-list');
    box.scrollTop += list.getBoundingClientRect().top - box.getBoundingClientRect().top + f * list.getBoundingClientRect().height;
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
        const view = box.getBoundingClientRect(), all = list.getBoundingClientRect(), rows = [...list.children].map(li => li.getBoundingClientRect());
        const seen = [...list.children].filter((li, k) => rows[k].bottom > view.top && rows[k].top < view.bottom);
        done({inView: seen.map(li => +li.getAttribute('aria-posinset')),
              covered: rows.length > 0 && rows[0].top <= Math.max(view.top, all.top) + 1 &&
                       rows[rows.length - 1].bottom >= Math.min(view.bottom, all.bottom) - 1});
    }, 50))); })"""


def _in_date_order(frame) -> list[str]:
    return list(frame.sort_values(["date", "title"]).id)  # the list's order: day, then title (all distinct here)


def _check_rows(page, ordered) -> list[list]:
    drawn = page.js(DRAWN)
    assert 0 < len(drawn) <= MAX_ROWS
    assert [d[0] for d in drawn] == list(range(drawn[0][0], drawn[0][0] + len(drawn)))  # one run of positions
    assert all(size == len(ordered) and ordered[pos - 1] == rid for pos, size, rid in drawn)
    return drawn


def test_the_list_of_100k_events_draws_only_the_rows_in_sight_at_any_scroll(open_map, big_page, events_csv):
    _, frame = events_csv
    ordered = _in_date_order(frame)
    page = open_map(big_page, size=(1440, 900))
    _check_rows(page, ordered)
    middle = page.js(SCROLL, 0.5)
    assert middle["covered"] and middle["inView"]
    assert abs(middle["inView"][0] - N / 2) < N / 50  # the row at that height, within the estimate of unseen rows
    drawn = _check_rows(page, ordered)
    assert drawn[0][0] > 1000
    end = page.js(SCROLL, 1.0)
    assert end["covered"] and end["inView"][-1] == N
    assert _check_rows(page, ordered)[-1] == [N, N, ordered[-1]]
    # a row from the middle of the list opens its event
    page.js(SCROLL, 0.3)
    pos, _, rid = _check_rows(page, ordered)[len(page.js(DRAWN)) // 2]
    title = frame.set_index("id").title[rid]
    page.page.locator(f"#bm-list li[aria-posinset='{pos}'] button").click()
    page.page.wait_for_function(f"() => {POPUP}.startsWith('{title}')", timeout=20000)
    page.page.wait_for_function(f"() => location.hash.includes('item={rid}&') || location.hash.endsWith('item={rid}')",
                                timeout=10000)
    assert page.js("[...document.querySelectorAll('#bm-list li.bm-selected')].map(li => li.dataset.id)") == [rid]
    assert page.errors == []


def test_the_list_of_100k_events_follows_a_facet(open_map, big_page, events_csv):
    _, frame = events_csv
    page = open_map(big_page, size=(1440, 900))
    page.page.locator("#bm-facets input[value='Border clash']").check()
    clashes = frame[frame.category == "border clash"]
    page.page.wait_for_function(f"() => document.getElementById('bm-count').textContent === '{len(clashes)} of {N}'")
    ordered = _in_date_order(clashes)
    _check_rows(page, ordered)
    middle = page.js(SCROLL, 0.5)
    assert middle["covered"] and abs(middle["inView"][0] - len(ordered) / 2) < len(ordered) / 50
    _check_rows(page, ordered)
    end = page.js(SCROLL, 1.0)
    assert end["inView"][-1] == len(ordered) and _check_rows(page, ordered)[-1][2] == ordered[-1]
    assert page.errors == []


def test_a_list_taller_than_the_dom_holds_scales_its_scroll(browser, big_page, events_csv):
    """Past bm.LIST_MAX_PX (a browser caps an element's height) the list is drawn that high and the scroll scaled:
    here the cap is lowered to 200,000 px so that 100k rows (about 6M px) are 30 times taller than the DOM."""
    _, frame = events_csv
    ordered = _in_date_order(frame)
    tab = browser.new_page(viewport={"width": 1440, "height": 900})
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.add_init_script("window.bordermap = {LIST_MAX_PX: 200000};")  # read by 45-list.js as the page starts
    tab.goto(big_page.as_uri())
    tab.wait_for_function("() => window.bordermap && window.bordermap.started", timeout=120000)
    try:
        assert tab.evaluate("document.getElementById('bm-list').getBoundingClientRect().height") == 200000
        for where in (0.5, 1.0):
            seen = tab.evaluate(SCROLL, where)
            assert seen["covered"]
            drawn = tab.evaluate(DRAWN)
            assert len(drawn) <= MAX_ROWS and all(ordered[pos - 1] == rid for pos, _, rid in drawn)
        assert seen["inView"][-1] == N
        middle = tab.evaluate(SCROLL, 0.5)["inView"][0]
        assert abs(middle - N / 2) < N / 50
        # the arrows step one row at a time and keep the row in sight
        tab.locator(f"#bm-list li[aria-posinset='{middle + 2}'] button").focus()
        for n in range(1, 6):
            tab.keyboard.press("ArrowDown")
            pos, rid, shown = tab.evaluate("""(() => { const li = document.activeElement.parentNode, r = li.getBoundingClientRect(),
                v = document.getElementById('bm-body').getBoundingClientRect();
                return [+li.getAttribute('aria-posinset'), li.dataset.id, r.top >= v.top && r.bottom <= v.bottom]; })()""")
            assert (pos, rid, shown) == (middle + 2 + n, ordered[middle + 1 + n], True)
        tab.keyboard.press("End")
        assert tab.evaluate("document.activeElement.parentNode.dataset.id") == ordered[-1]
        assert errors == []
    finally:
        tab.close()


# --- names on a map whose symbols are on a canvas ---

NAMES_AND_SYMBOLS = """() => { const bm = window.bordermap, view = bm.map.getContainer().getBoundingClientRect();
  const symbols = bm.layers['Events and places'].group.symbolBoxes().map(b =>
    [view.left + b.left, view.top + b.top, view.left + b.right, view.top + b.bottom]);
  const names = bm.labels.filter(l => l.el.style.visibility === 'visible' && /^town/.test(l.kind)).map(l => {
    const r = l.el.lastChild.getBoundingClientRect(); return [l.el.lastChild.textContent, [r.left, r.top, r.right, r.bottom]]; });
  return {symbols, names}; }"""


def test_town_names_keep_off_the_symbols_and_clusters_drawn_on_the_canvas(open_map, events_csv, tmp_path):
    """As they keep off DOM markers: a name is never set under a cluster's count or an event's symbol."""
    _, frame = events_csv
    part = tmp_path / "events.csv"
    frame.head(20_000).to_csv(part, index=False)
    (page_path,) = build(out_dir=tmp_path / "out", events_files=[part], self_contained=True)
    page = open_map(page_path, size=(1440, 900))
    for zoom in (None, 7):
        if zoom:
            page.do(f"window.bordermap.map.setView([28.5, 65.5], {zoom}, {{animate: false}})")
        page.page.wait_for_function(f"() => !{LAYER}.group._pending")
        page.page.wait_for_timeout(400)  # the names are placed again after the canvas draws
        seen = page.js(NAMES_AND_SYMBOLS)
        assert seen["symbols"] and seen["names"]
        under = [text for text, (l, t, r, b) in seen["names"]
                 if any(l < s[2] and s[0] < r and t < s[3] and s[1] < b for s in seen["symbols"])]
        assert under == []
    assert page.errors == []
