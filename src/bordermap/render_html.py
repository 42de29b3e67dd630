"""Layers + recipe -> a Leaflet page (folium). Reads no files, writes no files.

Every string that reaches the page is escaped here, once: feature text is
turned into HTML with ``html.escape`` in Python, and only that HTML and the
style travel in the page's GeoJSON, never raw properties. Leaflet puts
tooltips, layer names and attributions into ``innerHTML``, so escaping in
JavaScript instead would be too late.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape

import folium
import numpy as np
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from folium.plugins import MarkerCluster

from . import assets
from .layers import Layer, LegendItem, MarkerLayer, Popup, Text
from .recipe import Recipe

#: Decimal places kept in the page's coordinates (about 1 m at these latitudes).
COORD_DECIMALS = 5

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
  .bm-label.analyst { font-size: 11px; }
  .bm-tip b { font-size: 13px; }
  .bm-marker { background: none; border: none; }
  .bm-pop h3 { font-size: 14px; margin: 0 0 4px; }
  .bm-pop table { border-collapse: collapse; font-size: 12px; margin-bottom: 4px; }
  .bm-pop th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0; color: #555; font-weight: 600; }
  .bm-pop p { margin: 4px 0; font-size: 12px; }
  .bm-pop ol { margin: 2px 0 0 18px; padding: 0; font-size: 11px; }
  .bm-pop .bm-note { color: #555; font-size: 11px; }
  .bm-panel { background: rgba(255,255,255,0.94); padding: 6px 9px; border-radius: 4px;
    box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 12px; max-width: 22rem; }
  .bm-panel h2 { font-size: 12px; margin: 0 0 4px; }
  .bm-legend ul { list-style: none; margin: 4px 0 0; padding: 0; max-height: 30vh; overflow-y: auto; }
  .bm-legend summary { cursor: pointer; }
  .bm-legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
  .bm-legend svg { flex: none; }
  .bm-time label { display: block; }
  .bm-time input { width: 100%; }
</style>
"""

#: SVG bodies of the marker shapes in a 24x24 box; {f} fill, {s} stroke.
SHAPES = {
    "circle": '<circle cx="12" cy="12" r="7" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "square": '<rect x="5" y="5" width="14" height="14" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "diamond": '<polygon points="12,2.5 21.5,12 12,21.5 2.5,12" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "triangle": '<polygon points="12,2.5 21.5,20 2.5,20" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "star": '<polygon points="12,1.5 14.9,8.6 22.5,9.1 16.7,14 18.5,21.5 12,17.4 5.5,21.5 7.3,14 '
            '1.5,9.1 9.1,8.6" fill="{f}" stroke="{s}" stroke-width="1.6"/>',
    "cross": '<path d="M8.5 2.5h7v6h6v7h-6v6h-7v-6h-6v-7h6z" fill="{f}" stroke="#ffffff" stroke-width="1.5"/>',
    "ring": '<circle cx="12" cy="12" r="8" fill="{f}" fill-opacity="0.25" stroke="{f}" stroke-width="3" '
            'stroke-dasharray="4 2.5"/>',
    "area": '<rect x="2" y="5" width="20" height="14" fill="{f}" fill-opacity="0.45" stroke="{f}" stroke-width="2"/>',
    "area-dashed": '<rect x="2" y="5" width="20" height="14" fill="{f}" fill-opacity="0.45" stroke="{f}" '
                   'stroke-width="2" stroke-dasharray="4 2"/>',
    "line": '<line x1="2" y1="12" x2="22" y2="12" stroke="{f}" stroke-width="4"/>',
    "line-dashed": '<line x1="1" y1="12" x2="23" y2="12" stroke="{f}" stroke-width="2" stroke-dasharray="5 3"/>',
}


def symbol_svg(shape: str, colour: str, size: int = 22) -> str:
    body = SHAPES[shape].format(f=escape(colour), s="#1a1a1a")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24" '
            f'aria-hidden="true" focusable="false">{body}</svg>')


def popup_html(popup: Popup) -> str:
    """Popup HTML for one feature; every value escaped, links limited to http(s)."""
    out = [f'<div class="bm-pop"><h3>{escape(popup.heading)}</h3>']
    if popup.rows:
        out.append("<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
                                       for k, v in popup.rows) + "</table>")
    out.extend(f"<p>{escape(p)}</p>" for p in popup.body if p)
    if popup.sources:
        items = []
        for text, url in popup.sources:
            link = (f' <a href="{escape(url)}" target="_blank" rel="noopener noreferrer">link</a>'
                    if url.lower().startswith(("http://", "https://")) else "")
            items.append(f"<li>{escape(text)}{link}</li>")
        out.append("<b>Sources</b><ol>" + "".join(items) + "</ol>")
    out.extend(f'<p class="bm-note">{escape(n)}</p>' for n in popup.notes if n)
    return "".join(out) + "</div>"


class _Markers(MacroElement):
    """Adds point symbols to a layer group from JSON data (no string templating of values)."""

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var group = {{ this.group.get_name() }};
  var data = {{ this.data|tojson }};
  var markers = data.map(function (d) {
    var m = L.marker([d.lat, d.lon], {
      icon: L.divIcon({html: d.icon, className: "bm-marker", iconSize: [d.size, d.size],
                       iconAnchor: [d.size / 2, d.size / 2]}),
      title: d.title, alt: d.title, keyboard: true, riseOnHover: true, zIndexOffset: -10 * d.size});
    m.bindTooltip(d.tip, {direction: "top", offset: [0, -8]});
    m.bindPopup(d.pop, {maxWidth: 380});
    m.bordermap = {id: d.id, start: d.start, end: d.end};
    return m;
  });
  if (group.addLayers) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
  window.bordermap = window.bordermap || {layers: {}};
  window.bordermap.layers[{{ this.key|tojson }}] = {group: group, markers: markers};
})();
{% endmacro %}""")

    def __init__(self, group, key: str, data: list[dict]):
        super().__init__()
        self._name = "Markers"
        self.group = group
        self.key = key
        self.data = data


class _TimeFilter(MacroElement):
    """Two month sliders; dated markers outside the span are hidden, undated ones stay."""

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var months = {{ this.months|tojson }};
  var entry = window.bordermap.layers[{{ this.key|tojson }}];
  var control = L.control({position: "bottomright"});
  control.onAdd = function () {
    var div = L.DomUtil.create("div", "bm-panel bm-time");
    div.innerHTML = '<h2>Time filter</h2>' +
      '<label>From <span class="bm-from"></span><input type="range" class="bm-from-input" aria-label="From month"></label>' +
      '<label>To <span class="bm-to"></span><input type="range" class="bm-to-input" aria-label="To month"></label>' +
      '<div class="bm-time-note">Undated items always shown. <span class="bm-count"></span></div>';
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var from = div.querySelector(".bm-from-input"), to = div.querySelector(".bm-to-input");
    [from, to].forEach(function (el) { el.min = 0; el.max = months.length - 1; el.step = 1; });
    from.value = 0; to.value = months.length - 1;
    function label(i) { return months[i].label; }
    function apply() {
      var a = Math.min(+from.value, +to.value), b = Math.max(+from.value, +to.value);
      var lo = months[a].start, hi = months[b].end, shown = 0;
      div.querySelector(".bm-from").textContent = label(a);
      div.querySelector(".bm-to").textContent = label(b);
      var keep = entry.markers.filter(function (m) {
        var d = m.bordermap;
        var ok = !d.start || (d.end >= lo && d.start <= hi);
        if (ok) { shown += 1; }
        return ok;
      });
      entry.group.clearLayers();
      if (entry.group.addLayers) { entry.group.addLayers(keep); } else { keep.forEach(function (m) { entry.group.addLayer(m); }); }
      div.querySelector(".bm-count").textContent = shown + " of " + entry.markers.length + " shown.";
    }
    from.addEventListener("input", apply); to.addEventListener("input", apply);
    apply();
    return div;
  };
  control.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}""")

    def __init__(self, key: str, months: list[dict]):
        super().__init__()
        self._name = "TimeFilter"
        self.key = key
        self.months = months


class _Legend(MacroElement):
    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var control = L.control({position: "bottomleft"});
  control.onAdd = function () {
    var div = L.DomUtil.create("div", "bm-panel bm-legend");
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  control.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}""")

    def __init__(self, items: list[LegendItem]):
        super().__init__()
        self._name = "Legend"
        rows = []
        for item in items:
            shape = f"{item.shape}-dashed" if item.dashed and f"{item.shape}-dashed" in SHAPES else item.shape
            rows.append(f"<li>{symbol_svg(shape, item.colour, 18)}<span>{escape(item.label)}</span></li>")
        self.html = '<details open><summary><b>Legend</b></summary><ul>' + "".join(rows) + "</ul></details>"


def month_steps(markers) -> list[dict]:
    """Every month from the earliest to the latest dated marker, for the time slider."""
    dated = [m for m in markers if m.start]
    if not dated:
        return []
    first, last = min(m.start for m in dated), max(m.end for m in dated)
    y, mo = int(first[:4]), int(first[5:7])
    steps = []
    while (y, mo) <= (int(last[:4]), int(last[5:7])):
        ny, nmo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        end = (dt.date(ny, nmo, 1) - dt.timedelta(days=1)).isoformat()
        steps.append({"label": f"{dt.date(y, mo, 1):%b %Y}", "start": f"{y:04d}-{mo:02d}-01", "end": end})
        y, mo = ny, nmo
    return steps



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
        if layer.popup:
            properties["_pop"] = popup_html(layer.popup[i])
        rounded = shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))
        features.append({"type": "Feature", "properties": properties,
                         "geometry": json.loads(shapely.to_geojson(rounded))})
    return {"type": "FeatureCollection", "features": features}


def _labels(labels) -> folium.FeatureGroup:
    group = folium.FeatureGroup(control=False)
    for lat, lon, label, css in labels:
        folium.Marker([lat, lon], icon=folium.DivIcon(
            html=f'<div class="bm-label {escape(css)}">{escape(label)}</div>', icon_size=(0, 0))).add_to(group)
    return group


def _style(feature: dict) -> dict:
    return feature["properties"]["_style"]


def render(layers: list[Layer | MarkerLayer], recipe: Recipe, bounds: tuple[float, float, float, float]) -> Figure:
    """Build the page; ids are made deterministic so equal inputs give equal bytes."""
    figure = Figure(title=escape(recipe.title))
    west, south, east, north = bounds
    centre = list(recipe.center) if recipe.center else [(south + north) / 2, (west + east) / 2]
    # Explicit zoom limits: without a tile layer Leaflet has none, and clustering needs one.
    fmap = folium.Map(location=centre, zoom_start=recipe.zoom or 5, tiles=None,
                      control_scale=True, prefer_canvas=False)
    fmap.options.update(min_zoom=3, max_zoom=18)  # folium passes its own only to tile layers
    # Only what the page uses: Leaflet itself (folium adds jQuery, Bootstrap, icon fonts).
    fmap.default_js = [("leaflet", assets.LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    figure.add_child(fmap)
    if recipe.basemap:
        folium.TileLayer("OpenStreetMap", name="Basemap: OpenStreetMap (online)", overlay=True, control=True,
                         show=True).add_to(fmap)
    credits: list[str] = []
    legend: list[LegendItem] = []
    for layer in layers:
        for credit in layer.attribution:
            if credit not in credits:
                credits.append(credit)
        legend.extend(i for i in layer.legend if i not in legend)
        if isinstance(layer, MarkerLayer):
            _add_markers(fmap, layer)
            continue
        if layer.labels:
            group = folium.FeatureGroup(name=escape(layer.name), show=layer.show)
            _labels(layer.labels).add_to(group)
            group.add_to(fmap)
            continue
        data = _feature_collection(layer)
        tooltip = folium.GeoJsonTooltip(fields=["_tip"], labels=False, sticky=True) if layer.tooltip else None
        popup = folium.GeoJsonPopup(fields=["_pop"], labels=False, max_width=380) if layer.popup else None
        points = bool(set(layer.frame.geometry.geom_type) & {"Point", "MultiPoint"})
        marker = folium.CircleMarker(radius=layer.style.radius) if points else None
        if layer.feature_labels:  # the layer and its labels switch on and off together
            holder = folium.FeatureGroup(name=escape(layer.name), show=layer.show).add_to(fmap)
            _labels(layer.feature_labels).add_to(holder)
            folium.GeoJson(data, style_function=_style, tooltip=tooltip, popup=popup, marker=marker,
                           control=False, smooth_factor=0.5).add_to(holder)
        else:
            folium.GeoJson(data, name=escape(layer.name), style_function=_style, tooltip=tooltip, popup=popup,
                           marker=marker, show=layer.show, smooth_factor=0.5).add_to(fmap)
    if not recipe.center:
        fmap.fit_bounds([[south, west], [north, east]])
    folium.LayerControl(collapsed=False).add_to(fmap)
    if credits:
        fmap.add_child(_Attribution(escape("; ".join(credits))))
    if legend:
        fmap.add_child(_Legend(legend))
    figure.header.add_child(Element(PAGE_CSS), name="bm_css")
    title = f'<div class="bm-title"><h1>{escape(recipe.title)}</h1>'
    if recipe.description:
        title += f"<p>{escape(recipe.description)}</p>"
    fmap.get_root().html.add_child(Element(title + "</div>"), name="bm_title")
    _deterministic_ids(figure)
    return figure


def _add_markers(fmap: folium.Map, layer: MarkerLayer) -> None:
    if layer.cluster:
        group = MarkerCluster(name=escape(layer.name), show=layer.show,
                              options={"maxClusterRadius": 40, "spiderfyOnMaxZoom": True,
                                       "showCoverageOnHover": False})
        group.default_js = [("markerclusterjs", assets.MARKERCLUSTER_JS)]
        group.default_css = [("markerclustercss", assets.MARKERCLUSTER_CSS[0]),
                             ("markerclusterdefaultcss", assets.MARKERCLUSTER_CSS[1])]
    else:
        group = folium.FeatureGroup(name=escape(layer.name), show=layer.show)
    group.add_to(fmap)
    data = [{"id": m.id, "lat": m.lat, "lon": m.lon, "title": m.title, "size": m.size,
             "icon": symbol_svg(m.shape, m.colour, m.size),
             "tip": text_html(m.tooltip), "pop": popup_html(m.popup), "start": m.start, "end": m.end}
            for m in layer.markers]
    fmap.add_child(_Markers(group, layer.name, data))
    if layer.time_filter:
        steps = month_steps(layer.markers)
        if steps:
            fmap.add_child(_TimeFilter(layer.name, steps))


def to_html(figure: Figure, *, self_contained: bool = False) -> bytes:
    """The page's bytes; ``self_contained`` inlines Leaflet so it opens with no network."""
    html = figure.render()
    if self_contained:
        html = assets.inline(html)
    return html.encode("utf-8")


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
