"""What a reader learns at a glance, in a real headless Chromium: names on the map, every event symbol
visible, nothing important under a control, accessible, and search that lands where it should.

Expected names and items are computed from the page's own data and the curated records.
"""

import importlib.resources
import re

import pytest

from bordermap import pagedata
from bordermap.recipe import builtin_recipes

from .conftest import needs_browser

pytestmark = [pytest.mark.browser, needs_browser]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}

#: What the page shows: every shown label's text and box, every control's box, every event symbol's box.
SHOWN = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const map = document.getElementById('bm-map').getBoundingClientRect();
  const labels = window.bordermap.labels.filter(l => l.el.style.visibility === 'visible')
    .map(l => ({text: l.el.lastChild.textContent, kind: l.kind, box: box(l.el.lastChild)}));
  const controls = [...document.querySelectorAll('#bm-map .leaflet-control, .bm-title')].map(box);
  const symbols = [...document.querySelectorAll('#bm-map .bm-marker')].map(e => ({box: box(e), title: e.title}));
  return {map: [map.left, map.top, map.right, map.bottom], labels, controls, symbols}; }"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(a, frame) -> bool:
    return a[0] >= frame[0] and a[1] >= frame[1] and a[2] <= frame[2] and a[3] <= frame[3]


def _in_view(page, points) -> list[bool]:
    """Which of the (lat, lon) points lie inside the map's view by more than the width of two symbols set side by
    side (a place on the very edge may have its neighbours' symbols cut off), asked in one call."""
    return page.js("""(points) => { const map = window.bordermap.map, size = map.getSize(), m = 48;
        return points.map(p => { const c = map.latLngToContainerPoint(p);
            return c.x >= m && c.y >= m && c.x <= size.x - m && c.y <= size.y - m; }); }""",
                   [list(p) for p in points])


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(builtin_recipes()))
def test_the_opening_view_names_the_region_and_shows_every_event(open_map, maps, name, size):
    path = maps[name]
    page = open_map(path, size=SIZES[size])
    shown = page.js(SHOWN)
    doc = pagedata.decode(path.read_text(encoding="utf-8"))
    labels = doc.layers["Labels"].labels
    # the countries and the provinces the recipe is about, where their name's point is in view, are named
    events = [m for layer in doc.layers.values() for m in layer.markers if layer.name == "Events and places"]
    seen = dict(zip([(lat, lon) for lat, lon, *_ in labels] + [(m.lat, m.lon) for m in events],
                    _in_view(page, [(lat, lon) for lat, lon, *_ in labels] + [(m.lat, m.lon) for m in events])))
    wanted = {text for lat, lon, text, kind in labels if kind in ("country", "province") and seen[(lat, lon)]}
    # and the towns of the events in view (the town of every curated event and place with a town name)
    towns = {text for lat, lon, text, kind in labels if kind.startswith("town")}
    zoom, min_zoom = page.js("window.bordermap.map.getZoom()"), dict(doc.doc["labelKinds"])
    shown_from = {text: min_zoom[kind] for lat, lon, text, kind in labels if kind.startswith("town")}
    wanted |= {t for t in towns for m in events if m.title.endswith(t) and seen[(m.lat, m.lon)]
               and zoom >= shown_from[t]}
    named = {label["text"] for label in shown["labels"]}
    assert wanted and wanted <= named, wanted - named
    for label in shown["labels"]:  # inside the map, under no control, on no other name
        assert _inside(label["box"], shown["map"]), label
        assert not any(_overlap(label["box"], c) for c in shown["controls"]), label
    boxes = [label["box"] for label in shown["labels"]]
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # every curated point item in view has its own symbol on the map, none hidden in a cluster
    markers = [m for layer in doc.layers.values() for m in layer.markers if layer.name == "Events and places"]
    # a symbol at the edge of the map (set beside another at the same place) is shown, if clipped
    titles = [s["title"] for s in shown["symbols"] if _overlap(s["box"], shown["map"])]
    missing = [m.id for m in markers if seen[(m.lat, m.lon)] and m.title not in titles]
    assert missing == []
    assert page.js("document.querySelectorAll('.marker-cluster').length") == 0
    assert page.errors == []


def test_the_attack_is_never_under_another_symbol(open_map, maps):
    """Symbols at one place sit side by side (no two boxes overlap), the attack on top."""
    page = open_map(maps["default"])
    events = pagedata.decode(maps["default"].read_text(encoding="utf-8")).layers["Events and places"].markers
    titles = {m.title for m in events}
    shown = [s for s in page.js(SHOWN)["symbols"] if s["title"] in titles]
    attack = next(s for s in shown if "Serena" in s["title"])
    assert [s["title"] for s in shown if s is not attack and _overlap(attack["box"], s["box"])] == []
    z = dict(page.js("""() => [...document.querySelectorAll('#bm-map .bm-marker')]
        .map(e => [e.title, +e.style.zIndex])"""))
    near = [title for title in z if title in titles and "Quetta" in title]
    assert len(near) >= 2 and max(z[t] for t in near) == z[attack["title"]]


def _axe_source() -> str:
    return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_no_serious_accessibility_violation(open_map, maps, size):
    page = open_map(maps["default"], size=SIZES[size], bypass_csp=True)  # to inject the checker itself
    page.page.add_script_tag(content=_axe_source())
    result = page.js("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert page.js("document.documentElement.lang") == "en"


def _search(page, text, settle: int = 700):
    """Type into the search box as a reader does, press Enter, and let the view's move finish."""
    page.page.fill("#bm-q", "")
    page.page.type("#bm-q", text)
    page.page.keyboard.press("Enter")
    page.page.wait_for_timeout(settle)


def test_a_town_opens_near_zoom_9_and_an_area_fits_its_extent(open_map, maps):
    page = open_map(maps["default"])
    _search(page, "Quetta")
    assert 9 <= page.js("window.bordermap.map.getZoom()") <= 10
    doc = pagedata.decode(maps["default"].read_text(encoding="utf-8"))
    area = next(i for i in doc.items if i.category == "Group area" and "Rana" in pagedata.popup_text(i.popup))
    _search(page, area.title)
    zoom = page.js("window.bordermap.map.getZoom()")
    assert 5 <= zoom <= 8  # eight districts: the view fits them, it does not dive to one point
    assert page.js("window.bordermap.map.getBounds().pad(0.05).contains(window.bordermap.extent("
                   f"[window.bordermap.readData().items.find(i => i.id === {area.id!r})]))")


def test_search_opens_the_popup_every_time_and_the_hash_follows_later_moves(open_map, maps):
    page = open_map(maps["default"])
    doc = pagedata.decode(maps["default"].read_text(encoding="utf-8"))
    title = next(i.title for i in doc.items if "Serena" in i.title)
    for n in range(20):
        _search(page, "serena hotel", settle=0)  # the popup is waited for instead
        # polled on a timer, not on animation frames: headless Chromium without a GPU paints a frame slowly
        page.page.wait_for_function("(t) => (document.querySelector('.leaflet-popup-content') || {innerText: ''})"
                                    ".innerText.includes(t)", arg=title, timeout=5000, polling=50)
        page.do("window.bordermap.map.closePopup()")
        # the closed popup fades out before it leaves the page: gone, so the next round sees a new one
        page.page.wait_for_function("() => !document.querySelector('.leaflet-popup-content')", timeout=3000,
                                    polling=50)
    page.do("window.bordermap.map.setView([30.5, 64.25], 7, {animate: false})")
    page.page.wait_for_function("() => location.hash.includes('view=30.5000%2C64.2500%2C7')", timeout=3000)
    page.do("window.bordermap.map.panBy([200, 0], {animate: false})")
    page.page.wait_for_function("() => !location.hash.includes('view=30.5000%2C64.2500%2C7')", timeout=5000)
    view = re.search(r"view=([-\d.]+)%2C([-\d.]+)%2C(\d+)", page.js("location.hash"))
    centre = page.js("[window.bordermap.map.getCenter().lat, window.bordermap.map.getCenter().lng]")
    assert abs(float(view.group(2)) - centre[1]) < 1e-3 and float(view.group(2)) > 64.25


def test_a_names_boxes_are_worked_out_as_the_browser_lays_them_out(open_map, maps):
    """Label placement measures each name once and works out its other positions' boxes: they must be where
    Chromium draws the name at each of those positions."""
    page = open_map(maps["default"])
    worst = page.js("""() => { const bm = window.bordermap, out = [];
        const positions = [[0, 7, -0.5, 0], [-1, -22, -0.5, 0], [-0.5, 0, -1, -38], [-0.5, 57, -0.5, -16]];
        bm.labels.filter(l => l.el.style.visibility === 'visible').forEach(l => {
            const name = l.el.lastChild, kept = name.style.transform;
            name.style.transform = 'none';
            const base = name.getBoundingClientRect();
            positions.forEach(p => {
                name.style.transform = bm.labelTransform(p);
                const real = name.getBoundingClientRect(), box = bm.labelBox(base, p);
                out.push(Math.max(...['left', 'top', 'right', 'bottom'].map(k => Math.abs(real[k] - box[k]))));
            });
            name.style.transform = kept;
        });
        return [out.length, Math.max(...out)]; }""")
    assert worst[0] >= 20 and worst[1] < 0.5


#: Each shown area name: its text, its kind, its box, the (lat, lon) of the point it is set by, and its leader
#: line's two ends (or null when none is drawn).
AREA_NAMES = """() => { const map = window.bordermap.map, frame = map.getContainer().getBoundingClientRect();
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return window.bordermap.labels.filter(l => l.el.style.visibility === 'visible' && !/^town/.test(l.kind))
    .map(l => { const at = map.containerPointToLatLng([l.point.x - frame.left, l.point.y - frame.top]);
      const line = l.leader && l.leader.style.display !== 'none' ? l.leader : null;
      let ends = null;
      if (line) { const r = line.getBoundingClientRect(), a = parseFloat(line.style.transform.slice(7)) * Math.PI / 180;
        const w = parseFloat(line.style.width), x0 = Math.cos(a) >= 0 ? r.left : r.right, y0 = Math.sin(a) >= 0 ? r.top : r.bottom;
        ends = [[x0, y0], [x0 + w * Math.cos(a), y0 + w * Math.sin(a)]]; }
      return {text: l.el.lastChild.textContent, kind: l.kind, box: box(l.el.lastChild), point: [l.point.x, l.point.y],
              at: [at.lat, at.lng], ends}; }); }"""


@pytest.mark.parametrize("size", sorted(SIZES))
def test_an_area_name_is_set_by_a_point_inside_its_own_area_and_a_far_one_has_a_line_back(open_map, maps, size):
    """No name lies over another area unexplained: the point it is set by is inside its own area, and a name
    set more than a few px off that point has a leader line from the point to the name."""
    import shapely
    from bordermap import sources

    b = sources.load_boundaries()
    areas = {**dict(zip(b.admin1["name"], b.admin1.geometry)),
             **{name.upper(): geom for name, geom in zip(b.countries["name"], b.countries.geometry)}}
    page = open_map(maps["default"], size=SIZES[size])
    names = page.js(AREA_NAMES)
    assert {n["kind"] for n in names} >= {"country", "province"}
    for n in names:
        lat, lon = n["at"]
        # within 0.05 degrees (a few px at these zooms): the point is worked out through the page's pixels
        assert areas[n["text"]].buffer(0.05).contains(shapely.Point(lon, lat)), n
        x, y = n["point"]
        left, top, right, bottom = n["box"]
        gap = ((max(left - x, 0, x - right)) ** 2 + (max(top - y, 0, y - bottom)) ** 2) ** 0.5
        if gap > 12:
            assert n["ends"], n
            (x0, y0), (x1, y1) = n["ends"]
            assert abs(x0 - x) < 2 and abs(y0 - y) < 2, n
            assert left - 3 <= x1 <= right + 3 and top - 3 <= y1 <= bottom + 3, n
