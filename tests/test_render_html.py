"""Renderer: escaping of every value, deterministic ids, what the page contains."""

import re

import geopandas as gpd
import shapely

from bordermap import render_html
from bordermap.layers import Layer, Style, Text
from bordermap.recipe import Recipe

from .conftest import geojson_layers, layer_control

ATTACK = '<img src=x onerror=alert(1)></script><script>alert(2)</script>'


def _page(title=ATTACK, layer_name=ATTACK, tip=ATTACK):
    frame = gpd.GeoDataFrame({"kind": ["x"]}, geometry=[shapely.box(66, 29, 67, 30)], crs=4326)
    layer = Layer(name=layer_name, frame=frame, style=Style(by="kind", classes={"x": {"color": "#123456"}}),
                  tooltip=(Text(tip, (tip,)),), labels=())
    label = Layer(name="Labels", frame=gpd.GeoDataFrame(geometry=[], crs=4326), style=Style(),
                  labels=((29.5, 66.5, tip, "province"),))
    recipe = Recipe(name="t", title=title, description=title, basemap=False)
    return render_html.to_html(render_html.render([layer, label], recipe, (60, 25, 75, 38))).decode()


def test_text_is_escaped():
    assert render_html.text_html(Text("<b>x</b>", ("a & b",))) == \
        '<div class="bm-tip"><b>&lt;b&gt;x&lt;/b&gt;</b><br>a &amp; b</div>'


def test_untrusted_strings_never_reach_the_page_as_markup():
    html = _page()
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text instead
    assert html.count("</script>") == html.count("<script")  # nothing closes a script early


def test_style_and_tooltip_travel_with_each_feature():
    html = _page(title="T", layer_name="Layer A", tip="Quetta")
    fc = geojson_layers(html)[layer_control(html)["Layer A"]]
    (feature,) = fc["features"]
    assert feature["properties"]["_style"]["color"] == "#123456"
    assert "Quetta" in feature["properties"]["_tip"]
    assert set(feature["properties"]) == {"_style", "_tip"}  # raw properties stay out of the page
    assert "<title>T</title>" in html


def test_ids_are_deterministic():
    html = _page()
    assert html == _page()
    assert not re.search(r"_[0-9a-f]{32}\b", html)


def test_popups_escape_every_value_and_allow_only_web_links():
    from bordermap.layers import Popup
    html = render_html.popup_html(Popup(
        heading=ATTACK, rows=(("Actors", ATTACK),), body=("${alert(3)} " + ATTACK,),
        sources=((ATTACK, "javascript:alert(4)"), ("ok", "https://example.org/?a=1&b=<2>")), notes=(ATTACK,)))
    assert "<img" not in html and "<script" not in html and "javascript:" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 5
    assert '<a href="https://example.org/?a=1&amp;b=&lt;2&gt;" target="_blank" rel="noopener noreferrer">' in html


def test_marker_data_travels_as_json_not_as_markup():
    from bordermap.layers import Item, Marker, MarkerLayer, Popup
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
    from .conftest import marker_sets, page_data, time_filter_months
    (data,) = marker_sets(html).values()
    assert data[0]["title"] == ATTACK  # the title is passed as data; Leaflet sets it as an attribute
    assert [m["label"] for m in time_filter_months(html)] == ["Jan 2021"]
    # What the marker shares with its item travels once, with the item.
    raw = page_data(html)
    assert raw["strings"].count(ATTACK) == 1 and ATTACK in raw["strings"]


TEMPLATE = "{{ 7*191 }} {% if true %}yes{% endif %} {# gone #}"


def test_template_syntax_in_data_is_never_evaluated():
    """branca renders element output twice through Jinja; data must not be able to reach it."""
    html = _page(title=TEMPLATE, layer_name=TEMPLATE, tip=TEMPLATE)
    assert "1337" not in html
    assert "&#123;% if true %&#125;yes&#123;% endif %&#125;" in html  # the block survived as text
    fc = next(iter(geojson_layers(html).values()))
    tip = fc["features"][0]["properties"]["_tip"]
    assert "&#123;&#123; 7*191 &#125;&#125;" in tip  # shown to the reader as the literal text
    assert TEMPLATE.replace("{", "&#123;").replace("}", "&#125;") in html  # the title, as text


def test_safe_json_round_trips_and_hides_delimiters():
    import json
    value = {"a": ["{{x}}", "{%y%}", "{#z#}", "</script>", "a&b", "it's", "\u2028"]}
    text = render_html.safe_json(value)
    assert json.loads(text) == value
    for bad in ("{{", "{%", "{#", "<", ">", "&", "'"):
        assert bad not in text


def test_the_panel_escapes_every_value_and_links_only_to_the_web():
    from bordermap.guide import Credit, Guide, Place
    hostile = Guide(places=(Place(ATTACK, ATTACK, ATTACK, (66.0, 29.0, 66.0, 29.0), (TEMPLATE,)),),
                    credits=(Credit(ATTACK, TEMPLATE, ATTACK, "javascript:alert(1)"),
                             Credit("ok", "ok", "ok", "https://example.org/?a=1&b=<2>")),
                    articles=((ATTACK, "data:text/html,x"),), vintage=TEMPLATE, notes=(ATTACK,), cite=TEMPLATE)
    recipe = Recipe(name="t", title=ATTACK, description=TEMPLATE, basemap=False)
    html = render_html.to_html(render_html.render([], recipe, (60, 25, 75, 38), guide=hostile)).decode()
    from bs4 import BeautifulSoup
    panel = BeautifulSoup(html, "html.parser").find(id="bm-panel")
    assert panel.find("img") is None and panel.find("script") is None
    assert [a["href"] for a in panel.find_all("a")] == ["https://example.org/?a=1&b=<2>"]
    text = panel.get_text(" ")
    assert ATTACK in text and "{{ 7*191 }}" in text and "1337" not in html
    from .conftest import page_data
    assert page_data(html)["places"][0][:2] == [ATTACK, ATTACK]  # data, never markup


def test_page_assets_are_inert_to_templating():
    for name in ("bordermap.js", "bordermap.css"):
        text = render_html.page_asset(name)
        assert text and not any(mark in text for mark in ("{{", "{%", "{#"))
