"""Renderer: the page skeleton escapes every value, carries one data document, and is deterministic."""

import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from bs4 import BeautifulSoup

from bordermap import pagedata, render_html
from bordermap.layers import Item, Layer, Marker, MarkerLayer, Popup, Style, Text
from bordermap.recipe import Recipe

from .conftest import geojson_layers, layer_control, marker_sets, page_data, page_text, time_filter_months

ATTACK = '<img src=x onerror=alert(1)></script><script>alert(2)</script>'
TEMPLATE = "{{ 7*191 }} {% if true %}yes{% endif %} {# gone #}"


def _page(title=ATTACK, layer_name=ATTACK, tip=ATTACK):
    frame = gpd.GeoDataFrame({"kind": ["x"]}, geometry=[shapely.box(66, 29, 67, 30)], crs=4326)
    layer = Layer(name=layer_name, frame=frame, style=Style(by="kind", classes={"x": {"color": "#123456"}}),
                  tooltip=(Text(tip, (tip,)),), labels=())
    label = Layer(name="Labels", frame=gpd.GeoDataFrame(geometry=[], crs=4326), style=Style(),
                  labels=((29.5, 66.5, tip, "province"),))
    recipe = Recipe(name="t", title=title, description=title, basemap=False)
    return render_html.to_html(render_html.render([layer, label], recipe, (60, 25, 75, 38))).decode()


def test_untrusted_strings_never_reach_the_page_as_markup():
    html = _page()
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the title, shown as text
    assert html.count("</script>") == html.count("<script")  # nothing closes a script early
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("img") is None
    assert len(soup.find_all("script", id=pagedata.ELEMENT_ID)) == 1


def test_style_and_tooltip_travel_with_each_feature():
    html = _page(title="T", layer_name="Layer A", tip="Quetta")
    fc = geojson_layers(html)[layer_control(html)["Layer A"]]
    (feature,) = fc["features"]
    assert feature["properties"]["_style"]["color"] == "#123456"
    assert feature["properties"]["_tip"] == "Quetta\nQuetta"
    assert set(feature["properties"]) == {"_style", "_tip"}  # raw properties stay out of the page
    assert shapely.equals(feature["geometry"], shapely.box(66, 29, 67, 30))
    assert "<title>T</title>" in html


def test_hostile_text_travels_as_data_exactly():
    """The page sets text with textContent, so the document carries the exact string, unescaped."""
    html = _page()
    page = pagedata.decode(html)
    (feature,) = page.layers[ATTACK].features
    assert feature.tooltip == Text(ATTACK, (ATTACK,))
    assert page.layers["Labels"].labels[0][2] == ATTACK
    assert page.title == ATTACK


def test_same_inputs_give_the_same_bytes():
    html = _page()
    assert html == _page()
    assert not re.search(r"_[0-9a-f]{32}\b", html)  # no random element ids


def test_marker_data_travels_as_json_not_as_markup():
    marker = Marker(id="x", lat=30.0, lon=67.0, colour="#000000", shape="star", title=ATTACK,
                    tooltip=Text(ATTACK, ("January 2021",)), popup=Popup(ATTACK), start="2021-01-01",
                    end="2021-01-31", record="x")
    item = Item(id="x", title=ATTACK, category="attack", date="January 2021", start="2021-01-01",
                end="2021-01-31", actors=(ATTACK,), popup=Popup(ATTACK))
    recipe = Recipe(name="t", title="t", basemap=False)
    html = render_html.to_html(render_html.render(
        [MarkerLayer(name="Events", markers=(marker,), items=(item,))], recipe, (60, 25, 75, 38))).decode()
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert html.count("</script>") == html.count("<script")
    (data,) = marker_sets(html).values()
    assert data[0]["title"] == ATTACK and data[0]["item"] == "x"
    assert (data[0]["start"], data[0]["end"]) == ("2021-01-01", "2021-01-31")
    assert [m["label"] for m in time_filter_months(html)] == ["Jan 2021"]
    # What the marker shares with its item travels once, with the item.
    raw = page_data(html)
    assert raw["strings"].count(ATTACK) == 1
    assert raw["layers"][0]["more"] == {}  # nothing beyond its columns: place, size, symbol, item
    assert set(pagedata.decode_markers(raw["layers"][0])[0]) == {"lat", "lon", "size", "icon", "dx", "dy", "z", "r"}


def test_template_syntax_in_text_stays_literal():
    html = _page(title=TEMPLATE, layer_name=TEMPLATE, tip=TEMPLATE)
    assert "1337" not in page_text(html)
    assert TEMPLATE.replace("{", "&#123;").replace("}", "&#125;") in html  # the title, as text
    (feature,) = pagedata.decode(html).layers[TEMPLATE].features
    assert feature.tooltip.heading == TEMPLATE


def test_safe_json_round_trips_and_hides_delimiters():
    import json
    value = {"a": ["{{x}}", "{%y%}", "{#z#}", "</script>", "a&b", "it's", "\u2028"]}
    text = pagedata.safe_json(value)
    assert json.loads(text) == value
    for bad in ("{{", "{%", "{#", "<", ">", "&", "'"):
        assert bad not in text
    with pytest.raises(ValueError):
        pagedata.safe_json({"x": float("nan")})  # not JSON; a page would fail to parse it


def test_the_panel_escapes_every_value_and_links_only_to_the_web():
    from bordermap.guide import Credit, Guide, Place
    hostile = Guide(places=(Place(ATTACK, ATTACK, ATTACK, (66.0, 29.0, 66.0, 29.0), (TEMPLATE,)),),
                    credits=(Credit(ATTACK, TEMPLATE, ATTACK, "javascript:alert(1)"),
                             Credit("ok", "ok", "ok", "https://example.org/?a=1&b=<2>")),
                    articles=((ATTACK, "data:text/html,x"),), vintage=TEMPLATE, notes=(ATTACK,), cite=TEMPLATE)
    recipe = Recipe(name="t", title=ATTACK, description=TEMPLATE, basemap=False)
    html = render_html.to_html(render_html.render([], recipe, (60, 25, 75, 38), guide=hostile)).decode()
    panel = BeautifulSoup(html, "html.parser").find(id="bm-panel")
    assert panel.find("img") is None and panel.find("script") is None
    assert [a["href"] for a in panel.find_all("a")] == ["https://example.org/?a=1&b=<2>"]
    text = panel.get_text(" ")
    assert ATTACK in text and "{{ 7*191 }}" in text and "1337" not in page_text(html)
    assert page_data(html)["places"][0][:2] == [ATTACK, ATTACK]  # data, never markup


def test_page_assets_cannot_close_their_element():
    for name in ("bordermap.js", "bordermap.css"):
        text = render_html.page_asset(name)
        assert text and "</script" not in text and "</style" not in text
    script = render_html.page_asset("bordermap.js")
    files = sorted(p.name for p in (Path(pagedata.__file__).parent / "page" / "js").glob("*.js"))
    # every file of page/js, in name order, once
    assert [m for m in re.findall(r"/\* page/js/([\w-]+\.js) \*/", script)] == files


def test_reading_a_page_that_is_not_one_fails_with_one_clear_error():
    html = _page()
    with pytest.raises(pagedata.PageDataError, match="one #bm-data element; this one has 0"):
        pagedata.read("<html><body>no data</body></html>")
    doubled = html.replace("</body>", pagedata.element({"schema": "x"}) + "</body>")
    with pytest.raises(pagedata.PageDataError, match="this one has 2"):
        pagedata.read(doubled)
    newer = html.replace(f'"version":{pagedata.VERSION}', '"version":99')
    with pytest.raises(pagedata.PageDataError, match="version 99"):
        pagedata.read(newer)


def test_every_field_of_the_document_is_documented(default_html):
    """docs/page-data.md names every key the writer emits, at every level."""
    doc = page_data(default_html)
    text = (Path(__file__).parent.parent / "docs" / "page-data.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Za-z]+)`", text))
    items = doc["items"]
    keys = set(doc) | set(doc["view"]) | set(items) | set(items["i"]) | set(items["o"])
    keys |= {k for shape in items["o"]["shapes"] for k in shape}
    for layer in doc["layers"]:
        keys |= set(layer)
        keys |= {k for m in layer.get("more", {}).values() for k in m}
        keys |= {k for f in layer.get("features", ()) for k in f}
    keys |= set(doc["basemap"] or {}) | set(doc.get("arcs", {}))
    rows = doc["report"]["rows"]
    keys |= set(rows) | set(rows["at"]) | {k for slot in rows["v"] for k in slot}
    assert keys - documented == set()


def test_the_page_script_is_compacted_and_still_parses(tmp_path):
    """Indentation and whole-line comments are left out of every page; what is left is the same program."""
    import shutil
    import subprocess

    from bordermap.render_html import _compact

    folder = Path(render_html.__file__).parent / "page" / "js"
    sources = sorted(folder.glob("*.js"))
    script = render_html.page_asset("bordermap.js")
    assert len(script) < 0.85 * sum(len(f.read_text(encoding="utf-8")) for f in sources)
    for bad in ("var a = `x`;\n", 'var a = "x\\\n y";\n'):
        with pytest.raises(RuntimeError, match="cannot be compacted"):
            _compact(bad, "bad.js")
    node = shutil.which("node") or shutil.which("nodejs")
    if node:
        (tmp_path / "bordermap.js").write_text(script, encoding="utf-8")
        subprocess.run([node, "--check", str(tmp_path / "bordermap.js")], check=True, timeout=60)
