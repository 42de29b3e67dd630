"""Layers + recipe -> a Leaflet page (folium). Reads no files, writes no files.

Every string that reaches the page is escaped here, once: feature text is
turned into HTML with ``html.escape`` in Python, and only that HTML and the
style travel in the page's GeoJSON, never raw properties. Leaflet puts
tooltips, layer names and attributions into ``innerHTML``, so escaping in
JavaScript instead would be too late.
"""

from __future__ import annotations

import json
from html import escape

import folium
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from .layers import Layer, Text
from .recipe import Recipe

PAGE_CSS = """
<style>
  .leaflet-container, .bm-title { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
  .leaflet-container { background: #eef1f4; }
  .bm-title { position: absolute; top: 10px; left: 54px; z-index: 1000; max-width: min(28rem, 70vw);
    background: rgba(255,255,255,0.92); padding: 6px 10px; border-radius: 4px;
    box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
  .bm-title h1 { font-size: 16px; margin: 0; }
  .bm-title p { font-size: 12px; margin: 2px 0 0; color: #333; }
  .bm-label { white-space: nowrap; transform: translate(-50%, -50%); pointer-events: none;
    text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; color: #1a1a1a; }
  .bm-label.country { font-size: 13px; font-weight: 700; letter-spacing: 0.12em; color: #333; }
  .bm-label.province { font-size: 12px; font-style: italic; }
  .bm-tip b { font-size: 13px; }
</style>
"""


class _Attribution(MacroElement):
    """Credits for vector data, shown in Leaflet's attribution control."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, html: str):
        super().__init__()
        self._name = "Attribution"
        self.html = html


def text_html(text: Text) -> str:
    """Tooltip/popup HTML for one feature; every value escaped."""
    parts = [f"<b>{escape(text.heading)}</b>"] + [escape(line) for line in text.lines if line]
    return '<div class="bm-tip">' + "<br>".join(parts) + "</div>"


def _feature_collection(layer: Layer) -> dict:
    features = []
    for i, (geom, props) in enumerate(zip(layer.frame.geometry.values, layer.frame.to_dict("records"))):
        if geom is None or geom.is_empty:
            continue
        properties = {"_style": layer.style.for_feature(props)}
        if layer.tooltip:
            properties["_tip"] = text_html(layer.tooltip[i])
        features.append({"type": "Feature", "properties": properties,
                         "geometry": json.loads(shapely.to_geojson(geom))})
    return {"type": "FeatureCollection", "features": features}


def _style(feature: dict) -> dict:
    return feature["properties"]["_style"]


def render(layers: list[Layer], recipe: Recipe, bounds: tuple[float, float, float, float]) -> Figure:
    """Build the page; ids are made deterministic so equal inputs give equal bytes."""
    figure = Figure(title=escape(recipe.title))
    west, south, east, north = bounds
    fmap = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=5, tiles=None,
                      control_scale=True, prefer_canvas=False)
    figure.add_child(fmap)
    if recipe.basemap:
        folium.TileLayer("OpenStreetMap", name="Basemap: OpenStreetMap (online)", overlay=True, control=True,
                         show=True).add_to(fmap)
    credits: list[str] = []
    for layer in layers:
        for credit in layer.attribution:
            if credit not in credits:
                credits.append(credit)
        if layer.labels:
            group = folium.FeatureGroup(name=escape(layer.name), show=layer.show)
            for lat, lon, label, css in layer.labels:
                folium.Marker([lat, lon], icon=folium.DivIcon(
                    html=f'<div class="bm-label {escape(css)}">{escape(label)}</div>',
                    icon_size=(0, 0))).add_to(group)
            group.add_to(fmap)
            continue
        data = _feature_collection(layer)
        tooltip = folium.GeoJsonTooltip(fields=["_tip"], labels=False, sticky=True) if layer.tooltip else None
        folium.GeoJson(data, name=escape(layer.name), style_function=_style, tooltip=tooltip,
                       show=layer.show, smooth_factor=0.5).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    folium.LayerControl(collapsed=False).add_to(fmap)
    if credits:
        fmap.add_child(_Attribution("Boundaries: " + escape("; ".join(credits))))
    figure.header.add_child(Element(PAGE_CSS), name="bm_css")
    title = f'<div class="bm-title"><h1>{escape(recipe.title)}</h1>'
    if recipe.description:
        title += f"<p>{escape(recipe.description)}</p>"
    fmap.get_root().html.add_child(Element(title + "</div>"), name="bm_title")
    _deterministic_ids(figure)
    return figure


def to_html(figure: Figure) -> bytes:
    return figure.render().encode("utf-8")


def _deterministic_ids(root) -> None:
    """Replace branca's random element ids with a depth-first counter."""
    counter = 0

    def visit(element) -> None:
        nonlocal counter
        element._id = f"{counter:06x}"
        counter += 1
        children = list(element._children.values())
        element._children.clear()
        for child in children:
            visit(child)
            element._children[child.get_name()] = child

    visit(root)
