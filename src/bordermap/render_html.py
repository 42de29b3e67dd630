"""Layers + recipe -> a Leaflet page (folium). Reads no files, writes no files.

Every string that reaches the page is escaped here, once: feature text is
turned into HTML with ``escape`` in Python, and only that HTML and the style
travel in the page's data, never raw properties. Leaflet puts tooltips, layer
names and attributions into ``innerHTML``, so escaping in JavaScript instead
would be too late.

branca renders each element's output a second time as a Jinja template, so
text must not carry Jinja delimiters either: ``escape`` turns braces into
character references and ``safe_json`` writes them as JSON unicode escapes. Without
that, a property such as ``{{ 7*7 }}`` would be evaluated at build time.
"""

from __future__ import annotations

import datetime as dt
import html as _html
import json

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


def encode_line(coords, decimals: int = COORD_DECIMALS) -> str:
    """Quantise and delta-encode (lat, lon) pairs as an encoded polyline: ~4 characters a vertex."""
    factor = 10 ** decimals
    out, last = [], (0, 0)
    for x, y in coords:
        point = (int(round(y * factor)), int(round(x * factor)))
        for value, previous in zip(point, last):
            delta = value - previous
            delta = ~(delta << 1) if delta < 0 else delta << 1
            while delta >= 0x20:
                out.append(chr((0x20 | (delta & 0x1F)) + 63))
                delta >>= 5
            out.append(chr(delta + 63))
        last = point
    return "".join(out)


def encode_geometry(geom) -> list:
    """[kind, parts]: kind 0 polygon (rings), 1 line, 2 point; a multi-geometry gives several entries."""
    out = []
    for part in shapely.get_parts(geom):
        kind = part.geom_type
        if kind == "Polygon":
            out.append([0, [encode_line(part.exterior.coords)] + [encode_line(r.coords) for r in part.interiors]])
        elif kind == "LineString":
            out.append([1, [encode_line(part.coords)]])
        elif kind == "Point":
            out.append([2, [encode_line(part.coords)]])
        else:  # a collection left by a repair: encode what it holds
            out.extend(encode_geometry(part))
    return out


class _Shapes(MacroElement):
    """Polygons, lines and circles from compact data: a style table and encoded polylines."""

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var group = {{ this.group.get_name() }};
  var data = {{ this.data_json }};
  function decode(str) {
    var points = [], index = 0, lat = 0, lng = 0, f = Math.pow(10, data.decimals);
    while (index < str.length) {
      var values = [0, 0];
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, b;
        do { b = str.charCodeAt(index++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
        values[k] = (result & 1) ? ~(result >> 1) : (result >> 1);
      }
      lat += values[0]; lng += values[1];
      points.push([lat / f, lng / f]);
    }
    return points;
  }
  var layers = [];
  data.features.forEach(function (feature) {
    var style = data.styles[feature.s];
    feature.g.forEach(function (part) {
      var layer;
      if (part[0] === 0) { layer = L.polygon(part[1].map(decode), style); }
      else if (part[0] === 1) { layer = L.polyline(decode(part[1][0]), style); }
      else { layer = L.circleMarker(decode(part[1][0])[0], style); }
      if (feature.t) { layer.bindTooltip(feature.t, {sticky: true}); }
      if (feature.p) { layer.bindPopup(feature.p, {maxWidth: 380}); }
      layer.bordermap = {tip: feature.t || "", pop: feature.p || ""};
      layer.addTo(group);
      layers.push(layer);
    });
  });
  window.bordermap = window.bordermap || {layers: {}};
  window.bordermap.shapes = window.bordermap.shapes || {};
  window.bordermap.shapes[{{ this.key_json }}] = layers;
})();
{% endmacro %}""")

    def __init__(self, group, key: str, data: dict):
        super().__init__()
        self._name = "Shapes"
        self.group = group
        self.key_json = safe_json(key)
        self.data_json = safe_json(data)


def shapes_data(layer: Layer) -> dict:
    """A layer as compact data: each distinct style once, geometry as encoded polylines."""
    styles: list[dict] = []
    index: dict[str, int] = {}
    features = []
    records = layer.frame.drop(columns=layer.frame.geometry.name).to_dict("records")
    for i, (geom, props) in enumerate(zip(layer.frame.geometry.values, records)):
        if geom is None or geom.is_empty:
            continue
        style = {**layer.style.for_feature(props), "radius": layer.style.radius}
        key = json.dumps(style, sort_keys=True)
        if key not in index:
            index[key] = len(styles)
            styles.append(style)
        feature = {"s": index[key], "g": encode_geometry(geom)}
        if layer.tooltip:
            feature["t"] = text_html(layer.tooltip[i])
        if layer.popup:
            feature["p"] = popup_html(layer.popup[i])
        features.append(feature)
    return {"decimals": COORD_DECIMALS, "styles": styles, "features": features}


class _Markers(MacroElement):
    """Adds point symbols to a layer group from JSON data (no string templating of values)."""

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var group = {{ this.group.get_name() }};
  var data = {{ this.data_json }};
  var strings = {{ this.strings_json }};
  var icons = {{ this.icons_json }}.map(function (i) {
    return L.divIcon({html: i[0], className: "bm-marker", iconSize: [i[1], i[1]], iconAnchor: [i[1] / 2, i[1] / 2]});
  });
  // Popups and tooltips are built from the string table with textContent, only when opened.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = strings[text]; }
    return e;
  }
  function tipNode(t) {
    var div = el("div", "bm-tip");
    div.appendChild(el("b", "", t[0]));
    t[1].forEach(function (line) { div.appendChild(document.createElement("br")); div.appendChild(el("span", "", line)); });
    return div;
  }
  function popNode(p) {
    var div = el("div", "bm-pop");
    div.appendChild(el("h3", "", p[0]));
    if (p[1].length) {
      var table = el("table");
      p[1].forEach(function (row) {
        var tr = el("tr"); tr.appendChild(el("th", "", row[0])); tr.appendChild(el("td", "", row[1]));
        table.appendChild(tr);
      });
      div.appendChild(table);
    }
    p[2].forEach(function (text) { div.appendChild(el("p", "", text)); });
    if (p[3].length) {
      div.appendChild(el("b", "", p[5]));
      var ol = el("ol");
      p[3].forEach(function (source) {
        var li = el("li", "", source[0]);
        var url = source[1] >= 0 ? strings[source[1]] : "";
        if (/^https?:[/][/]/i.test(url)) {
          var a = document.createElement("a");
          a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer"; a.textContent = "link";
          li.appendChild(document.createTextNode(" ")); li.appendChild(a);
        }
        ol.appendChild(li);
      });
      div.appendChild(ol);
    }
    p[4].forEach(function (note) { div.appendChild(el("p", "bm-note", note)); });
    return div;
  }
  var markers = data.map(function (d) {
    var m = L.marker([d.lat, d.lon], {
      icon: icons[d.icon], title: strings[d.title], alt: strings[d.title], keyboard: true, riseOnHover: true,
      zIndexOffset: -10 * d.size});
    m.bindTooltip(function () { return tipNode(d.tip); }, {direction: "top", offset: [0, -8]});
    m.bindPopup(function () { return popNode(d.pop); }, {maxWidth: 380});
    m.bordermap = {id: d.id, start: d.start, end: d.end};
    return m;
  });
  window.bordermap = window.bordermap || {layers: {}};
  window.bordermap.pending = (window.bordermap.pending || 0) + 1;
  function done() { window.bordermap.pending -= 1; window.bordermap.ready = window.bordermap.pending === 0; }
  if (group.addLayers && group._map && group.options.chunkedLoading) {
    // chunked: the map paints first, markers join in slices; ready once the last slice is in
    group.options.chunkProgress = function (processed, total) { if (processed === total) { done(); } };
    group.addLayers(markers, true);
  } else {
    if (group.addLayers) { group.addLayers(markers, true); } else { markers.forEach(function (m) { group.addLayer(m); }); }
    done();
  }
  window.bordermap.layers[{{ this.key_json }}] = {group: group, markers: markers};
})();
{% endmacro %}""")

    def __init__(self, group, key: str, data: list[dict], icons: list, strings: list[str]):
        super().__init__()
        self._name = "Markers"
        self.group = group
        self.key_json = safe_json(key)
        self.data_json = safe_json(data)
        self.icons_json = safe_json(icons)
        self.strings_json = safe_json(strings)


class _TimeFilter(MacroElement):
    """Two month sliders; dated markers outside the span are hidden, undated ones stay."""

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var months = {{ this.months_json }};
  var entry = window.bordermap.layers[{{ this.key_json }}];
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
    var current = entry.markers.length;  // every marker is on the map when the page opens
    function apply() {
      var a = Math.min(+from.value, +to.value), b = Math.max(+from.value, +to.value);
      var lo = months[a].start, hi = months[b].end;
      div.querySelector(".bm-from").textContent = label(a);
      div.querySelector(".bm-to").textContent = label(b);
      var keep = entry.markers.filter(function (m) {
        var d = m.bordermap;
        return !d.start || (d.end >= lo && d.start <= hi);
      });
      if (keep.length !== current || a !== 0 || b !== months.length - 1) {
        entry.group.clearLayers();
        if (entry.group.addLayers) { entry.group.addLayers(keep); } else { keep.forEach(function (m) { entry.group.addLayer(m); }); }
      }
      current = keep.length;
      div.querySelector(".bm-count").textContent = keep.length + " of " + entry.markers.length + " shown.";
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
        self.key_json = safe_json(key)
        self.months_json = safe_json(months)


class _Legend(MacroElement):
    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var control = L.control({position: "bottomleft"});
  control.onAdd = function () {
    var div = L.DomUtil.create("div", "bm-panel bm-legend");
    div.innerHTML = {{ this.html_json }};
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
        self.html_json = safe_json('<details open><summary><b>Legend</b></summary><ul>' + "".join(rows)
                                   + "</ul></details>")


class StringTable:
    """Each distinct string once; popups and tooltips refer to strings by index.

    Thousands of events repeat the same labels and values; the page carries
    them once and the browser builds each popup, with textContent, when it opens.
    """

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.strings)
            self.strings.append(text)
        return self._index[text]

    def text(self, text: Text) -> list:
        return [self.add(text.heading), [self.add(line) for line in text.lines if line]]

    def popup(self, popup: Popup) -> list:
        """[heading, rows, body, sources, notes, "Sources"] as string indexes (url -1 when none)."""
        return [self.add(popup.heading), [[self.add(k), self.add(v)] for k, v in popup.rows],
                [self.add(p) for p in popup.body if p],
                [[self.add(t), self.add(u) if u else -1] for t, u in popup.sources],
                [self.add(n) for n in popup.notes if n], self.add("Sources")]


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



def escape(text: str) -> str:
    """HTML-escape, braces included (see the module docstring)."""
    return _html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")


def safe_json(value) -> str:
    """Compact JSON that is safe inside <script> and inert to a second Jinja pass."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for raw, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                      ("{{", "{\\u007b"), ("{%", "{\\u0025"), ("{#", "{\\u0023"),
                      ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, code)
    return text


class _Attribution(MacroElement):
    """Credits for vector data, shown in Leaflet's attribution control."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html_json }});"
        "{% endmacro %}"
    )

    def __init__(self, html: str):
        super().__init__()
        self._name = "Attribution"
        self.html_json = safe_json(html)


def text_html(text: Text) -> str:
    """Tooltip/popup HTML for one feature; every value escaped."""
    parts = [f"<b>{escape(text.heading)}</b>"] + [escape(line) for line in text.lines if line]
    return '<div class="bm-tip">' + "<br>".join(parts) + "</div>"


def _labels(labels) -> folium.FeatureGroup:
    group = folium.FeatureGroup(control=False)
    for lat, lon, label, css in labels:
        folium.Marker([lat, lon], icon=folium.DivIcon(
            html=f'<div class="bm-label {escape(css)}">{escape(label)}</div>', icon_size=(0, 0))).add_to(group)
    return group


def render(layers: list[Layer | MarkerLayer], recipe: Recipe, bounds: tuple[float, float, float, float],
           *, offline: bool = False) -> Figure:
    """Build the page; ids are made deterministic so equal inputs give equal bytes.

    ``offline`` pages keep the online basemap in the layer control but switched off:
    unreachable tile requests would otherwise hold the page's loading back by seconds.
    """
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
                         show=not offline).add_to(fmap)
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
        group = folium.FeatureGroup(name=escape(layer.name), show=layer.show).add_to(fmap)
        if layer.feature_labels:  # the layer and its labels switch on and off together
            _labels(layer.feature_labels).add_to(group)
        fmap.add_child(_Shapes(group, layer.name, shapes_data(layer)))
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
        # chunkedLoading keeps the page responsive while tens of thousands of markers cluster
        group = MarkerCluster(name=escape(layer.name), show=layer.show,
                              options={"maxClusterRadius": 40, "spiderfyOnMaxZoom": True,
                                       "showCoverageOnHover": False, "chunkedLoading": True})
        group.default_js = [("markerclusterjs", assets.MARKERCLUSTER_JS)]
        group.default_css = [("markerclustercss", assets.MARKERCLUSTER_CSS[0]),
                             ("markerclusterdefaultcss", assets.MARKERCLUSTER_CSS[1])]
    else:
        group = folium.FeatureGroup(name=escape(layer.name), show=layer.show)
    group.add_to(fmap)
    icons: list = []
    icon_index: dict[tuple, int] = {}
    table = StringTable()
    data = []
    for m in layer.markers:
        key = (m.shape, m.colour, m.size)
        if key not in icon_index:  # one icon per symbol, not one per marker
            icon_index[key] = len(icons)
            icons.append([symbol_svg(m.shape, m.colour, m.size), m.size])
        data.append({"id": m.id, "lat": round(m.lat, COORD_DECIMALS), "lon": round(m.lon, COORD_DECIMALS),
                     "title": table.add(m.title), "size": m.size, "icon": icon_index[key],
                     "tip": table.text(m.tooltip), "pop": table.popup(m.popup), "start": m.start, "end": m.end})
    fmap.add_child(_Markers(group, layer.name, data, icons, table.strings))
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
