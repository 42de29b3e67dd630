"""The page-data document: the one contract between the Python build and the page script.

Every built page carries exactly one JSON document in
``<script type="application/json" id="bm-data">``. This module writes it
(:func:`document`), reads it back out of a page (:func:`read`) and resolves it
into plain Python objects (:func:`decode`) the way the page script does. The
page script reads it in ``page/js/10-decode.js``; nothing else in the page
carries data. The fields are documented in ``docs/page-data.md``; bump
:data:`VERSION` when a field changes meaning.

Text travels as data, never as markup: the page puts every string into the
page with ``textContent`` (tooltips, popups, list, legend labels), so no
Python-side escaping is needed for it; :func:`safe_json` only keeps the
document inert inside its ``<script>`` element.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .errors import BordermapError

#: The document's format version; a reader refuses other versions.
VERSION = 1
#: The value of the document's ``schema`` field.
SCHEMA = "bordermap-page"
#: The id of the ``<script type="application/json">`` element that holds the document.
ELEMENT_ID = "bm-data"
#: Decimal places kept in coordinates (about 1 m at these latitudes).
COORD_DECIMALS = 5

#: Facets the panel offers: (item field, label). The page script reads them from the document.
FACETS = (("category", "Category"), ("actors", "Group or actor"), ("countries", "Country"),
          ("provinces", "Province"), ("precision", "Located to"), ("inferred", "Editors' inferences"))


class PageDataError(BordermapError):
    """A page holds no readable bordermap page-data document."""


# --- writing ----------------------------------------------------------------------------------


class StringTable:
    """Each distinct string once; items, tooltips and popups refer to strings by index.

    Thousands of events repeat the same labels and values; the page carries
    them once and builds each popup when it opens.
    """

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, text: str) -> int:
        text = str(text)
        if text not in self._index:
            self._index[text] = len(self.strings)
            self.strings.append(text)
        return self._index[text]

    def text(self, text) -> list:
        """A :class:`~bordermap.layers.Text` as ``[heading, [line, ...]]``."""
        return [self.add(text.heading), [self.add(line) for line in text.lines if line]]

    def popup(self, popup) -> list:
        """A :class:`~bordermap.layers.Popup` as ``[heading, rows, body, sources, notes]`` (url -1 when none)."""
        return [self.add(popup.heading), [[self.add(k), self.add(v)] for k, v in popup.rows],
                [self.add(p) for p in popup.body if p],
                [[self.add(t), self.add(u) if u else -1] for t, u in popup.sources],
                [self.add(n) for n in popup.notes if n]]


class HatchTable:
    """Each distinct hatching once, as ``[pattern element id, colour, angle]``; the page makes one SVG pattern of each."""

    def __init__(self) -> None:
        self.hatches: list[list] = []

    def add(self, colour: str, angle: float) -> int:
        for n, (_, c, a) in enumerate(self.hatches):
            if (c, a) == (colour, angle):
                return n
        self.hatches.append([f"bm-hatch-{len(self.hatches)}", colour, angle])
        return len(self.hatches) - 1

    def element_id(self, index: int) -> str:
        return self.hatches[index][0]


class IconTable:
    """Each distinct symbol (an SVG made by the renderer from a fixed shape table) once."""

    def __init__(self) -> None:
        self.icons: list[list] = []
        self._index: dict[tuple, int] = {}

    def add(self, svg: str, size: int) -> int:
        key = (svg, size)
        if key not in self._index:
            self._index[key] = len(self.icons)
            self.icons.append([svg, size])
        return self._index[key]


def encode_line(coords: Iterable[Sequence[float]], decimals: int = COORD_DECIMALS) -> str:
    """Quantise and delta-encode (lon, lat) pairs as an encoded polyline (lat first): ~4 characters a vertex."""
    factor = 10 ** decimals
    out, last = [], (0, 0)
    for x, y, *_ in coords:
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


def decode_line(text: str, decimals: int = COORD_DECIMALS) -> list[tuple[float, float]]:
    """An encoded polyline -> [(lon, lat), ...]; the inverse of :func:`encode_line`."""
    values, shift, result = [], 0, 0
    for char in text:
        b = ord(char) - 63
        result |= (b & 0x1F) << shift
        shift += 5
        if b < 0x20:
            values.append(~(result >> 1) if result & 1 else result >> 1)
            shift, result = 0, 0
    lat = lon = 0
    points = []
    for dlat, dlon in zip(values[0::2], values[1::2]):
        lat, lon = lat + dlat, lon + dlon
        points.append((lon / 10 ** decimals, lat / 10 ** decimals))
    return points


def encode_geometry(geom) -> list:
    """``[[kind, [encoded ring or line, ...]], ...]``: kind 0 polygon, 1 line, 2 point; one entry per part."""
    import shapely

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


def month_steps(items) -> list[dict]:
    """Every month from the earliest to the latest dated item, for the time sliders."""
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


def safe_json(value: Any) -> str:
    """Compact, deterministic JSON that is inert inside ``<script>`` (and to template engines)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for raw, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                      ("{{", "{\\u007b"), ("{%", "{\\u0025"), ("{#", "{\\u0023"),
                      ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, code)
    return text


def element(doc: dict) -> str:
    """The ``<script>`` element that carries ``doc`` in a page."""
    return f'<script type="application/json" id="{ELEMENT_ID}">{safe_json(doc)}</script>'


#: The online basemap a recipe may offer (switched off in offline pages until a reader asks).
BASEMAP = {"name": "Basemap: OpenStreetMap (online)", "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
           "attribution": "\u00a9 OpenStreetMap contributors (ODbL)",
           "copyright": "https://www.openstreetmap.org/copyright", "maxZoom": 19}


def document(layers: Sequence, recipe, bounds: tuple[float, float, float, float], *, guide=None,
             offline: bool = False, stories: Sequence = ()) -> dict:
    """The page-data document for ``layers`` drawn as ``recipe`` frames them (see docs/page-data.md)."""
    from .layers import LABEL_MIN_ZOOM, UNCERTAINTY_LAYER, ImageLayer, MarkerLayer
    from .symbols import legend_svg

    table, icons, hatches = StringTable(), IconTable(), HatchTable()
    items = list({item.id: item for layer in layers for item in layer.items}.values())
    encoded = [_item(item, table) for item in items]
    item_index = {item.id: n for n, item in enumerate(items)}
    out_layers, credits, legend = [], [], []
    for layer in layers:
        credits.extend(c for c in layer.attribution if c not in credits)
        legend.extend(i for i in layer.legend if i not in legend)
        if isinstance(layer, ImageLayer):
            w, s_, e, n = layer.bounds
            out_layers.append({"name": layer.name, "kind": "image", "show": layer.show, "control": True,
                               "url": layer.url, "bounds": [[s_, w], [n, e]], "opacity": layer.opacity})
        elif isinstance(layer, MarkerLayer):
            out_layers.append(_markers(layer, table, icons, items, item_index, encoded))
        elif layer.labels:
            out_layers.append({"name": layer.name, "kind": "labels", "show": layer.show, "control": True,
                               "labels": [list(label) for label in layer.labels]})
        else:
            out_layers.append(_shapes(layer, table, item_index, hatches))
    west, south, east, north = bounds
    view = {"minZoom": 3, "maxZoom": 18, "zoom": recipe.zoom or 5,
            "center": list(recipe.center) if recipe.center else [(south + north) / 2, (west + east) / 2]}
    if not recipe.center:  # the page fits the frame itself, after reading any view in the link
        view["fit"] = [[south, west], [north, east]]
    places = [[p.name, p.kind, p.detail, *p.bounds, list(p.aliases)] for p in (guide.places if guide else ())]
    doc = {
        "schema": SCHEMA, "version": VERSION, "title": recipe.title, "decimals": COORD_DECIMALS,
        "view": view, "strings": table.strings, "items": encoded, "months": month_steps(items),
        "places": places, "layers": out_layers, "icons": icons.icons,
        "legend": [[i.label, legend_svg(i, hatch_id=None if i.hatch is None else
                                        hatches.element_id(hatches.add(i.colour, i.hatch)))] for i in legend],
        "attribution": credits, "hatches": hatches.hatches,
        "facets": [list(f) for f in FACETS], "labelKinds": [[kind, zoom] for kind, zoom in LABEL_MIN_ZOOM.items()],
        "uncertainty": UNCERTAINTY_LAYER if any(layer.name == UNCERTAINTY_LAYER for layer in layers) else None,
        "basemap": {**BASEMAP, "show": not offline} if recipe.basemap else None,
    }
    for layer in layers:
        if getattr(layer, "aggregate", None) is not None:
            doc["aggregate"] = _aggregate(layer, item_index)
    doc["report"] = _report(items, table, recipe, guide)
    if stories:  # story.Story objects: guided readings of the map, step by step
        doc["stories"] = [s.page() for s in stories]
    return doc


def _report(items: list, table: StringTable, recipe, guide) -> dict:
    """The time chart's colours, the download's rows and the citation's parts (see :mod:`bordermap.takeaway`)."""
    from . import __version__, catalog, takeaway

    return takeaway.block(items, table.add, title=recipe.title, credits=guide.credits if guide else (), version=__version__,
                          data=takeaway.data_version(catalog.files()))


def _aggregate(layer, item_index: dict[str, int]) -> dict:
    """The members of each unit as delta-encoded item indexes, for the page to recount under its filters."""
    view = layer.aggregate
    units = []
    for ids in view.members:
        indexes, last, deltas = sorted(item_index[i] for i in ids if i in item_index), 0, []
        for n in indexes:
            deltas.append(n - last)
            last = n
        units.append(deltas)
    return {"layer": layer.name, "measure": view.measure, "breaks": list(view.breaks),
            "colours": list(view.colours), "units": units, "unplaced": list(view.unplaced)}


def _item(item, table: StringTable) -> dict:
    """An item: text as string-table indexes, empty fields left out."""
    from .events import PRECISION_LABELS
    from .layers import Popup

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
    if item.inferred:
        out["n"] = [table.add(n) for n in item.inferred]
    if item.fatalities is not None:
        out["f"] = list(item.fatalities)
    if not item.redistributable:
        out["nr"] = 1
    return out


def _shapes(layer, table: StringTable, item_index: dict[str, int], hatches: HatchTable) -> dict:
    """A shape layer: each distinct style once, geometry as encoded polylines.

    A feature whose ``record`` is one of its own layer's items refers to it (``r``) and takes its popup
    from it; an analyst's property named ``record`` is just a property (the layer has no items).
    """
    frame = layer.frame
    own = {item.id for item in layer.items}
    records_of = list(frame["record"]) if "record" in frame.columns and own else [None] * len(frame)
    styles: list[dict] = []
    index: dict[str, int] = {}
    features = []
    props_of = frame.drop(columns=frame.geometry.name).to_dict("records")
    for i, (geom, props) in enumerate(zip(frame.geometry.values, props_of)):
        if geom is None or geom.is_empty:
            continue
        style = {**layer.style.for_feature(props), "radius": layer.style.radius}
        if "hatch" in style:
            style["hatch"] = hatches.add(style["fillColor"], style["hatch"])
        key = json.dumps(style, sort_keys=True)
        if key not in index:
            index[key] = len(styles)
            styles.append(style)
        feature = {"s": index[key], "g": encode_geometry(geom)}
        if layer.tooltip:
            feature["t"] = table.text(layer.tooltip[i])
        if layer.popup:
            feature["p"] = table.popup(layer.popup[i])
        if records_of[i] in own and records_of[i] in item_index:
            feature["r"] = item_index[records_of[i]]
        features.append(feature)
    out = {"name": layer.name, "kind": "shapes", "show": layer.show, "control": True,
           "styles": styles, "features": features}
    if layer.feature_labels:  # drawn with the layer, switched on and off with it
        out["labels"] = [list(label) for label in layer.feature_labels]
    return out


def _markers(layer, table: StringTable, icons: IconTable, items: list, item_index: dict[str, int],
             encoded: list[dict]) -> dict:
    """A marker layer; what a marker shares with its item (id, title, dates, tooltip, popup) is sent once."""
    from .layers import Text
    from .symbols import symbol_svg

    data = []
    for m in layer.markers:
        d = {"lat": round(m.lat, COORD_DECIMALS), "lon": round(m.lon, COORD_DECIMALS), "size": m.size,
             "icon": icons.add(symbol_svg(m.shape, m.colour, m.size, m.approximate), m.size)}
        if m.offset != (0, 0):
            d["dx"], d["dy"] = m.offset
        if m.z:
            d["z"] = m.z
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
    return {"name": layer.name, "kind": "markers", "show": layer.show, "control": True,
            "cluster": bool(layer.cluster), "markers": data}


# --- reading ----------------------------------------------------------------------------------


class _Finder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.inside = False
        self.found: list[str] = []
        self.count = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("id") == ELEMENT_ID:
            self.inside = True
            self.count += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.found.append(data)


def read(page: str | bytes) -> dict:
    """The page-data document of a built page (its HTML text or bytes)."""
    if isinstance(page, bytes):
        page = page.decode("utf-8")
    finder = _Finder()
    finder.feed(page)
    if finder.count != 1:
        raise PageDataError(f"a bordermap page has one #{ELEMENT_ID} element; this one has {finder.count}")
    try:
        doc = json.loads("".join(finder.found))
    except json.JSONDecodeError as exc:
        raise PageDataError(f"the page's #{ELEMENT_ID} element is not JSON ({exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise PageDataError(f"#{ELEMENT_ID} is not a {SCHEMA} document")
    if doc.get("version") != VERSION:
        raise PageDataError(f"page data version {doc.get('version')!r}; this bordermap reads version {VERSION}")
    return doc


@dataclass(frozen=True)
class DecodedItem:
    """An item as the page's panel sees it (text resolved from the string table)."""

    id: str
    title: str
    date: str
    category: str
    actors: tuple[str, ...]
    countries: tuple[str, ...]
    provinces: tuple[str, ...]
    precision: str
    where: str
    popup: Any  # layers.Popup
    start: str = ""
    end: str = ""
    radius: float = 0.0
    inferred: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecodedMarker:
    """One marker with what it shares with its item filled in, as the page does."""

    id: str
    lat: float
    lon: float
    title: str
    tooltip: Any  # layers.Text
    popup: Any  # layers.Popup
    size: int
    icon: str
    item: str | None = None
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class DecodedFeature:
    """One shape: its style, text, the item it draws, and its geometry as shapely."""

    style: dict
    geometry: Any
    tooltip: Any = None  # layers.Text or None
    popup: Any = None  # layers.Popup or None
    item: str | None = None


@dataclass(frozen=True)
class DecodedLayer:
    name: str
    kind: str  # "shapes", "markers" or "labels"
    show: bool
    control: bool
    features: tuple[DecodedFeature, ...] = ()
    markers: tuple[DecodedMarker, ...] = ()
    labels: tuple[tuple[float, float, str, str], ...] = ()
    cluster: bool = False


@dataclass(frozen=True)
class Page:
    """A decoded page: what a reader of the document can know without a browser."""

    doc: dict
    title: str
    items: tuple[DecodedItem, ...]
    layers: dict[str, DecodedLayer] = field(default_factory=dict)
    legend: tuple[str, ...] = ()
    attribution: tuple[str, ...] = ()

    @property
    def months(self) -> list[dict]:
        return self.doc.get("months", [])

    @property
    def places(self) -> list[list]:
        return self.doc.get("places", [])


def decode(page: str | bytes | dict) -> Page:
    """A page (HTML or a document) resolved into plain objects, with the page script's rules."""
    import shapely

    from .layers import Popup, Text

    doc = page if isinstance(page, dict) else read(page)
    s = doc["strings"]

    def text(t):
        return Text(s[t[0]], tuple(s[i] for i in t[1]))

    def popup(p):
        return Popup(s[p[0]], tuple((s[k], s[v]) for k, v in p[1]), tuple(s[b] for b in p[2]),
                     tuple((s[t], s[u] if u >= 0 else "") for t, u in p[3]), tuple(s[n] for n in p[4]))

    items = []
    for d in doc["items"]:
        items.append(DecodedItem(
            id=d["i"], title=s[d["t"]], date=s[d["d"]], category=s[d["c"]], actors=tuple(s[a] for a in d["a"]),
            countries=tuple(s[k] for k in d["k"]), provinces=tuple(s[p] for p in d["p"]), precision=s[d["q"]],
            where=s[d["w"]], popup=popup(d["o"]), start=d.get("s", ""), end=d.get("e", ""), radius=d.get("r", 0),
            inferred=tuple(s[n] for n in d.get("n", ()))))
    raw_items = doc["items"]
    decimals = doc.get("decimals", COORD_DECIMALS)

    def geometry(parts):
        geoms = []
        for kind, lines in parts:
            rings = [decode_line(t, decimals) for t in lines]
            if kind == 0:
                geoms.append(shapely.Polygon(rings[0], rings[1:]))
            elif kind == 1:
                geoms.append(shapely.LineString(rings[0]))
            else:
                geoms.append(shapely.Point(rings[0][0]))
        return geoms[0] if len(geoms) == 1 else shapely.GeometryCollection(geoms)

    layers = {}
    for layer in doc["layers"]:
        kind = layer["kind"]
        features, markers = [], []
        if kind == "shapes":
            for f in layer["features"]:
                it = raw_items[f["r"]] if "r" in f else None
                features.append(DecodedFeature(
                    style=layer["styles"][f["s"]], geometry=geometry(f["g"]),
                    tooltip=text(f["t"]) if "t" in f else None,
                    popup=popup(f["p"]) if "p" in f else (popup(it["o"]) if it else None),
                    item=it["i"] if it else None))
        elif kind == "markers":
            for m in layer["markers"]:
                it = raw_items[m["r"]] if "r" in m else None
                markers.append(DecodedMarker(
                    id=m.get("id", it["i"] if it else ""), lat=m["lat"], lon=m["lon"],
                    title=s[m["title"]] if "title" in m else s[it["t"]],
                    tooltip=text(m["tip"]) if "tip" in m else text([it["t"], [it["d"]]]),
                    popup=popup(m["pop"]) if "pop" in m else popup(it["o"]),
                    size=m["size"], icon=doc["icons"][m["icon"]][0], item=it["i"] if it else None,
                    start=it.get("s", "") if it else m.get("start", ""),
                    end=it.get("e", "") if it else m.get("end", "")))
        layers[layer["name"]] = DecodedLayer(
            name=layer["name"], kind=kind, show=layer["show"], control=layer.get("control", True),
            features=tuple(features), markers=tuple(markers), cluster=layer.get("cluster", False),
            labels=tuple(tuple(label) for label in layer.get("labels", ())))
    return Page(doc=doc, title=doc["title"], items=tuple(items), layers=layers,
                legend=tuple(label for label, _ in doc.get("legend", ())),
                attribution=tuple(doc.get("attribution", ())))


def popup_text(popup) -> str:
    """A popup's words in reading order, as the page shows them (for search, tests and print)."""
    parts = [popup.heading]
    parts += [f"{k}: {v}" for k, v in popup.rows]
    parts += list(popup.body)
    if popup.sources:
        parts.append("Sources")
        parts += [t for t, _ in popup.sources]
    parts += list(popup.notes)
    return "\n".join(p for p in parts if p)
