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
