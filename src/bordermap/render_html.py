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
import functools
import html as _html
import json
from importlib import resources

import folium
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from folium.plugins import MarkerCluster

from . import assets
from .events import CATEGORIES, PRECISION_LABELS
from .guide import Guide
from .layers import UNCERTAINTY_LAYER, Item, Layer, LegendItem, MarkerLayer, Popup, Text
from .recipe import Recipe

#: Decimal places kept in the page's coordinates (about 1 m at these latitudes).
COORD_DECIMALS = 5

#: SVG bodies of the marker shapes in a 24x24 box; {f} fill, {s} stroke.
SHAPES = {
    "circle": '<circle cx="12" cy="12" r="7" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "square": '<rect x="5" y="5" width="14" height="14" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "diamond": '<polygon points="12,2.5 21.5,12 12,21.5 2.5,12" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "triangle": '<polygon points="12,2.5 21.5,20 2.5,20" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "star": '<polygon points="12,1.5 14.9,8.6 22.5,9.1 16.7,14 18.5,21.5 12,17.4 5.5,21.5 7.3,14 '
            '1.5,9.1 9.1,8.6" fill="{f}" stroke="{s}" stroke-width="1.6"/>',
    "hexagon": '<polygon points="12,2 20.7,7 20.7,17 12,22 3.3,17 3.3,7" fill="{f}" stroke="{s}" stroke-width="2"/>',
    "halo": '<circle cx="12" cy="12" r="10" fill="none" stroke="{f}" stroke-width="1.6" stroke-dasharray="3 2"/>'
            '<circle cx="12" cy="12" r="4" fill="{f}"/>',
    "cross": '<path d="M8.5 2.5h7v6h6v7h-6v6h-7v-6h-6v-7h6z" fill="{f}" stroke="#ffffff" stroke-width="1.5"/>',
    "ring": '<circle cx="12" cy="12" r="8" fill="{f}" fill-opacity="0.25" stroke="{f}" stroke-width="3" '
            'stroke-dasharray="4 2.5"/>',
    "area": '<rect x="2" y="5" width="20" height="14" fill="{f}" fill-opacity="0.45" stroke="{f}" stroke-width="2"/>',
    "area-dashed": '<rect x="2" y="5" width="20" height="14" fill="{f}" fill-opacity="0.45" stroke="{f}" '
                   'stroke-width="2" stroke-dasharray="4 2"/>',
    "line": '<line x1="2" y1="12" x2="22" y2="12" stroke="{f}" stroke-width="4"/>',
    "line-dashed": '<line x1="1" y1="12" x2="23" y2="12" stroke="{f}" stroke-width="2" stroke-dasharray="5 3"/>',
}


def symbol_svg(shape: str, colour: str, size: int = 22, approximate: bool = False) -> str:
    """A marker or legend symbol; ``approximate`` adds the dashed halo of an inexact location."""
    body = SHAPES[shape].format(f=escape(colour), s="#1a1a1a")
    if approximate:
        body = ('<circle cx="12" cy="12" r="11" fill="#ffffff" fill-opacity="0.55" stroke="#1a1a1a" '
                'stroke-width="1.2" stroke-dasharray="2.5 2"/>'
                f'<g transform="translate(12 12) scale(0.72) translate(-12 -12)">{body}</g>')
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
            items.append(f"<li>{escape(text)}{_link(url, ' ')}</li>")
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
  bordermap.addShapes(group, {{ this.key_json }}, data);
})();
{% endmacro %}""")

    def __init__(self, group, key: str, data: dict):
        super().__init__()
        self._name = "Shapes"
        self.group = group
        self.key_json = safe_json(key)
        self.data_json = safe_json(data)


def shapes_data(layer: Layer, item_index: dict[str, int] | None = None) -> dict:
    """A layer as compact data: each distinct style once, geometry as encoded polylines.

    A feature whose ``record`` is an item on the page refers to it (``r``) and takes its popup from it.
    """
    item_index = item_index or {}
    records_of = list(layer.frame["record"]) if "record" in layer.frame.columns else [None] * len(layer.frame)
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
        if records_of[i] in item_index:
            feature["r"] = item_index[records_of[i]]
        features.append(feature)
    return {"decimals": COORD_DECIMALS, "styles": styles, "features": features}


class _Markers(MacroElement):
    """Point symbols from JSON data; popups are built from the page's string table when opened."""

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var group = {{ this.group.get_name() }};
  var data = {{ this.data_json }};
  var icons = {{ this.icons_json }};
  bordermap.addMarkers(group, {{ this.key_json }}, data, icons);
})();
{% endmacro %}""")

    def __init__(self, group, key: str, data: list[dict], icons: list):
        super().__init__()
        self._name = "Markers"
        self.group = group
        self.key_json = safe_json(key)
        self.data_json = safe_json(data)
        self.icons_json = safe_json(icons)


class _Reader(MacroElement):
    """Starts the reader's panel once every layer and the layer control exist."""

    _template = Template("""{% macro script(this, kwargs) %}
bordermap.start({{ this._parent.get_name() }}, {{ this.control.get_name() }},
                {{ this.control.get_name() }}_layers.overlays);
{% endmacro %}""")

    def __init__(self, control):
        super().__init__()
        self._name = "Reader"
        self.control = control


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


def month_steps(items) -> list[dict]:
    """Every month from the earliest to the latest dated item (or marker), for the time sliders."""
    dated = [m for m in items if m.start]
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
           *, offline: bool = False, guide: Guide | None = None) -> Figure:
    """Build the page; ids are made deterministic so equal inputs give equal bytes.

    ``offline`` pages keep the online basemap in the layer control but switched off:
    unreachable tile requests would otherwise hold the page's loading back by seconds.
    ``guide`` fills the reader's panel: search index, sources, how to cite.
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
    table = StringTable()
    items = list({item.id: item for layer in layers for item in layer.items}.values())
    encoded = [_item_data(item, table) for item in items]
    item_index = {item.id: n for n, item in enumerate(items)}
    credits: list[str] = []
    legend: list[LegendItem] = []
    for layer in layers:
        for credit in layer.attribution:
            if credit not in credits:
                credits.append(credit)
        legend.extend(i for i in layer.legend if i not in legend)
        if isinstance(layer, MarkerLayer):
            _add_markers(fmap, layer, table, items, item_index, encoded)
            continue
        if layer.labels:
            group = folium.FeatureGroup(name=escape(layer.name), show=layer.show)
            _labels(layer.labels).add_to(group)
            group.add_to(fmap)
            continue
        group = folium.FeatureGroup(name=escape(layer.name), show=layer.show).add_to(fmap)
        if layer.feature_labels:  # the layer and its labels switch on and off together
            _labels(layer.feature_labels).add_to(group)
        fmap.add_child(_Shapes(group, layer.name, shapes_data(layer, item_index)))
    control = folium.LayerControl(collapsed=False).add_to(fmap)
    if credits:
        fmap.add_child(_Attribution(escape("; ".join(credits))))
    if legend:
        fmap.add_child(_Legend(legend))
    fmap.add_child(_Reader(control))

    guide = guide or Guide(places=(), credits=(), articles=(), vintage="", notes=(), cite="")
    data = {"strings": table.strings, "items": encoded, "months": month_steps(items),
            "places": [[p.name, p.kind, p.detail, *p.bounds, list(p.aliases)] for p in guide.places]}
    if not recipe.center:  # the page fits the frame itself, after reading any view in the link
        data["fit"] = [[south, west], [north, east]]
    if any(layer.name == UNCERTAINTY_LAYER for layer in layers):
        data["uncertainty"] = UNCERTAINTY_LAYER
    figure.header.add_child(Element(f"<script>{page_asset('bordermap.js')}</script>"), name="bm_js")
    body = figure.html
    # In the body, so that it follows (and can refine) the stylesheets folium puts in the head.
    body.add_child(Element(f"<style>{page_asset('bordermap.css')}</style>"), name="bm_css")
    body.add_child(Element('<button type="button" class="bm-skip" id="bm-skip">Skip to the list of events</button>'),
                   name="bm_skip")
    title = f'<div class="bm-title"><h1>{escape(recipe.title)}</h1>'
    if recipe.description:
        title += f"<p>{escape(recipe.description)}</p>"
    body.add_child(Element(title + "</div>"), name="bm_title")
    body.add_child(Element(f'<script type="application/json" id="bm-data">{safe_json(data)}</script>'),
                   name="bm_data")
    body.add_child(Element(panel_html(recipe, guide, items)), name="bm_panel")
    _deterministic_ids(figure)
    return figure


def _item_data(item: Item, table: StringTable) -> dict:
    """An item as the page's data: text as string-table indexes, empty fields left out."""
    out = {"i": item.id, "t": table.add(item.title), "d": table.add(item.date),
           "c": table.add(item.category[:1].upper() + item.category[1:]),
           "a": [table.add(a) for a in item.actors], "k": [table.add(c) for c in item.countries],
           "p": [table.add(p) for p in item.provinces],
           "q": table.add(PRECISION_LABELS.get(item.precision, item.precision)),
           "w": table.add(item.where), "o": table.popup(item.popup or Popup(item.title))}
    if item.start:
        out["s"], out["e"] = item.start, item.end
    if item.radius:
        out["r"] = item.radius
    return out


def _add_markers(fmap: folium.Map, layer: MarkerLayer, table: StringTable, items: list[Item],
                 item_index: dict[str, int], encoded: list[dict]) -> None:
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
    data = []
    for m in layer.markers:
        key = (m.shape, m.colour, m.size, m.approximate)
        if key not in icon_index:  # one icon per symbol, not one per marker
            icon_index[key] = len(icons)
            icons.append([symbol_svg(m.shape, m.colour, m.size, m.approximate), m.size])
        d = {"lat": round(m.lat, COORD_DECIMALS), "lon": round(m.lon, COORD_DECIMALS), "size": m.size,
             "icon": icon_index[key]}
        # What the marker shares with its item is sent once, with the item.
        n = item_index.get(m.record)
        item = items[n] if n is not None else None
        if item is None:
            d.update({"id": m.id, "start": m.start, "end": m.end})
        else:
            d["r"] = n
            if m.id != item.id:
                d["id"] = m.id
        if item is None or m.title != item.title:
            d["title"] = table.add(m.title)
        if item is None or m.tooltip != Text(item.title, (item.date,)):
            d["tip"] = table.text(m.tooltip)
        if item is None or (m.popup is not item.popup and table.popup(m.popup) != encoded[n]["o"]):
            d["pop"] = table.popup(m.popup)
        data.append(d)
    fmap.add_child(_Markers(group, layer.name, data, icons))


def panel_html(recipe: Recipe, guide: Guide, items: list[Item]) -> str:
    """The reader's side panel. Static HTML, every value escaped; the page's script fills the lists."""
    areas = sum(1 for i in items if CATEGORIES.get(i.category) == "area")
    about = escape(recipe.description) + " " if recipe.description else ""
    if items:
        about += escape(f"The map draws {len(items) - areas} events and places and {areas} areas from cited "
                        "articles. The list below gives each of them as text, with date, actors, place and "
                        "sources; choosing one shows it on the map.")
    hidden = "" if items else " hidden"
    credits = "".join(f"<li><b>{escape(c.what)}</b>: {escape(c.source)}. Licence: {escape(c.licence)}."
                      f"{_link(c.url, ' ')}</li>" for c in guide.credits)
    articles = "".join(f"<li>{escape(text)}{_link(url, ' ')}</li>" for text, url in guide.articles)
    notes = "".join(f"<p>{escape(n)}</p>" for n in guide.notes)
    sources = (f"<h3>Data and software</h3><ul>{credits}</ul>" if credits else "") + \
        (f"<h3>Boundary vintage</h3><p>{escape(guide.vintage)}</p>" if guide.vintage else "") + \
        (f"<h3>Please note</h3>{notes}" if notes else "") + \
        (f"<h3>Articles cited</h3><ol>{articles}</ol>" if articles else "") + \
        (f"<h3>How to cite this map</h3><p>{escape(guide.cite)}</p>" if guide.cite else "")
    return f"""<aside id="bm-panel" aria-label="Map guide: search, filters, events and sources">
<div class="bm-head"><button type="button" id="bm-toggle" aria-expanded="true" aria-controls="bm-body">Search, filters, events and sources</button></div>
<div id="bm-body">
<p class="bm-about">{about}</p>
<div class="bm-search" role="search">
<label for="bm-q">Search places, districts, events and groups</label>
<input id="bm-q" type="search" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="bm-hits" autocomplete="off" spellcheck="false">
<ul id="bm-hits" role="listbox" aria-label="Search results" hidden></ul>
</div>
<p id="bm-status" role="status" aria-live="polite"></p>
<details id="bm-filters" open{hidden}><summary>Filters</summary><div id="bm-facets"></div><div id="bm-time"></div><button type="button" id="bm-clear">Clear all filters</button></details>
<details id="bm-events" open{hidden}><summary>Events, places and areas (<span id="bm-count">{len(items)}</span>)</summary>
<ol id="bm-list" aria-label="Events, places and areas"></ol><button type="button" id="bm-more" hidden>Show more</button></details>
<details id="bm-layers" open><summary>Layers</summary><div id="bm-layer-list"></div></details>
<details id="bm-sources"><summary>Sources, licences and how to cite</summary>{sources}</details>
</div>
</aside>"""


def _link(url: str, before: str = "") -> str:
    """A link that opens apart from the map; only http(s) addresses become links."""
    if not url.lower().startswith(("http://", "https://")):
        return ""
    return f'{before}<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">link</a>'


@functools.cache
def page_asset(name: str) -> str:
    """The page's own script or stylesheet, shipped in the package (written for bordermap)."""
    text = (resources.files("bordermap") / "page" / name).read_text(encoding="utf-8")
    # branca renders page elements as Jinja templates (see the module docstring).
    if any(mark in text for mark in ("{{", "{%", "{#")) or "</" + "script" in text:
        raise RuntimeError(f"page/{name} must not contain Jinja delimiters or a closing script tag")
    return text


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
