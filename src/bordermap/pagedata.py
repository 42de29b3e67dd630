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

import base64
import binascii
import datetime as dt
import html.parser
import json
import re
import zlib
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from . import columns, eventblock, topology

try:  # optional: ids of many items split column-wise
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:
    pa = pc = None
from .takeaway import category_label
from .errors import BordermapError

#: The document's format version; a reader refuses other versions.
VERSION = 3
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

    def extend(self, texts: Iterable[str]) -> None:
        """Add strings in order (those already in the table keep their place); dict operations, not a
        Python step per string (100k events add 200k strings)."""
        fresh = dict.fromkeys(texts)
        for text in fresh.keys() & self._index.keys():
            del fresh[text]
        self._index.update(zip(fresh, range(len(self.strings), len(self.strings) + len(fresh))))
        self.strings.extend(fresh)

    def indexes(self, texts) -> np.ndarray:
        """The indexes of strings already in the table, all at once."""
        return np.fromiter(map(self._index.__getitem__, texts), dtype=np.int64, count=len(texts))

    def text(self, text) -> list:
        """A :class:`~bordermap.layers.Text` as ``[heading, [line, ...]]``."""
        return [self.add(text.heading), [self.add(line) for line in text.lines if line]]

    def popup(self, popup) -> list:
        """A :class:`~bordermap.layers.Popup` as ``[heading, rows, body, sources, notes]`` (url -1 when none)."""
        flat = [-1 if text is None else self.add(text) for text in _popup_slots(popup)]
        nrows, nbody, nsources, nnotes = _popup_key(popup)
        at, sources_at = 1 + 2 * nrows, 1 + 2 * nrows + nbody
        return [flat[0], [flat[1 + 2 * r:3 + 2 * r] for r in range(nrows)], flat[at:sources_at],
                [flat[sources_at + 2 * r:sources_at + 2 * r + 2] for r in range(nsources)],
                flat[sources_at + 2 * nsources:]]


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
    pairs = [c[:2] for c in coords]
    return topology.polyline(topology.quantise(pairs, decimals)) if pairs else ""


def decode_line(text: str, decimals: int = COORD_DECIMALS) -> list[tuple[float, float]]:
    """An encoded polyline -> [(lon, lat), ...]; the inverse of :func:`encode_line`."""
    values = columns.polyline_values(text)
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


def month_steps(span: tuple[str, str] | None) -> list[dict]:
    """Every month from the earliest to the latest dated item (``eventblock.Rows.span``), for the time
    sliders."""
    if span is None:
        return []
    first, last = span
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
    """The ``<script>`` element that carries ``doc`` in a page, deflated (see :func:`deflate`)."""
    return f'<script type="application/json" id="{ELEMENT_ID}">{safe_json(deflate(doc))}</script>'


#: zlib's level for a document's JSON: 6, and 2 past ``FAST_DEFLATE_BYTES`` (see :func:`deflate`).
DEFLATE_LEVEL, FAST_DEFLATE_LEVEL, FAST_DEFLATE_BYTES = 6, 2, 4_000_000


def deflate(doc: dict) -> dict:
    """``{schema, version, z}``: ``z`` the document's JSON (UTF-8) deflated and in base64 (zlib level 6:
    level 9 saves 0.4% of a 100k page for 2.5 times the CPU; past 4 MB of JSON, as with 100,000 events
    (12 MB), level 2: under a third of level 6's CPU (0.14 s against 0.45 s) for a page 7% larger).

    Most of a page's bytes are text, borders and columns that repeat themselves; the page inflates ``z``
    with the browser's DecompressionStream. The same document gives the same bytes (zlib is deterministic
    at a given level, and the level follows from the document).
    """
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    level = FAST_DEFLATE_LEVEL if len(raw) > FAST_DEFLATE_BYTES else DEFLATE_LEVEL
    packed = base64.b64encode(zlib.compress(raw, level)).decode("ascii")
    return {"schema": doc.get("schema"), "version": doc.get("version"), "z": packed}


def _inflate(outer: dict) -> Any:
    try:
        return json.loads(zlib.decompress(base64.b64decode(outer["z"], validate=True)).decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise PageDataError(f"the page's #{ELEMENT_ID} element does not inflate ({type(exc).__name__})") from None


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
    arcs = topology.Topology(COORD_DECIMALS)
    items = eventblock.of_layers(layers)
    encoded, lists = _items(items, table)
    item_index = dict(zip(items.ids.tolist(), range(len(items))))
    out_layers, credits, legend = [], [], []
    for layer in layers:
        credits.extend(c for c in layer.attribution if c not in credits)
        legend.extend(i for i in layer.legend if i not in legend)
        if isinstance(layer, ImageLayer):
            w, s_, e, n = layer.bounds
            out_layers.append({"name": layer.name, "kind": "image", "show": layer.show, "control": True,
                               "url": layer.url, "bounds": [[s_, w], [n, e]], "opacity": layer.opacity})
        elif isinstance(layer, MarkerLayer):
            out_layers.append(_markers(layer, table, icons, items.template_of, item_index))
        elif layer.labels:
            out_layers.append({"name": layer.name, "kind": "labels", "show": layer.show, "control": True,
                               "labels": [[*label, [list(q) for q in also]] if also else list(label)
                                          for label, also in zip_longest(layer.labels, layer.label_also)]})
        else:
            out_layers.append(_shapes(layer, table, item_index, hatches, arcs))
    west, south, east, north = bounds
    view = {"minZoom": 3, "maxZoom": 18, "zoom": recipe.zoom or 5,
            "center": list(recipe.center) if recipe.center else [(south + north) / 2, (west + east) / 2]}
    if not recipe.center:  # the page fits the frame itself, after reading any view in the link
        view["fit"] = [[south, west], [north, east]]
    places = [[p.name, p.kind, p.detail, *p.bounds, list(p.aliases)] for p in (guide.places if guide else ())]
    doc = {
        "schema": SCHEMA, "version": VERSION, "title": recipe.title, "decimals": COORD_DECIMALS,
        "view": view, "strings": table.strings, "items": encoded, "lists": lists,
        "months": month_steps(items.span),
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
    _points_with_markers(doc["report"]["rows"], out_layers)
    shared = arcs.arcs()  # fills the features' rings with references to the shared arcs
    if shared:
        doc["arcs"] = shared
    if stories:  # story.Story objects: guided readings of the map, step by step
        doc["stories"] = [s.page() for s in stories]
    return doc


def _report(items: list, table: StringTable, recipe, guide) -> dict:
    """The time chart's colours, the download's rows and the citation's parts (see :mod:`bordermap.takeaway`)."""
    from . import __version__, catalog, takeaway

    return takeaway.block(items, table, title=recipe.title, credits=guide.credits if guide else (), version=__version__,
                          data=takeaway.data_version(catalog.files()))


def _points_with_markers(rows: dict, layers: list[dict]) -> None:
    """When every download row's point is exactly the place of its item's first marker in one marker layer,
    the rows refer to that layer (``m``) instead of repeating the coordinates (1 MB at 100k events)."""
    from .takeaway import first_marker_places

    at = rows["at"]
    if "lon" not in at or at["e"] != COORD_DECIMALS:
        return
    present = np.flatnonzero(columns.read(rows["has"])) if "has" in rows else np.arange(rows["len"])
    wanted = present[columns.read(at["has"]) != 0] if "has" in at else present  # the rows with a point
    lon, lat = columns.read(at["lon"]), columns.read(at["lat"])
    for n, layer in enumerate(layers):
        if layer["kind"] == "markers" and layer["len"]:
            items, x, y = first_marker_places(layer)
            k = np.minimum(np.searchsorted(items, wanted), max(len(items) - 1, 0))
            if len(items) and np.array_equal(items[k], wanted) and np.array_equal(x[k], lon) \
                    and np.array_equal(y[k], lat):
                del at["lon"], at["lat"]
                at["m"] = n
                return


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


def _items(items, table: StringTable) -> tuple[dict, list[list[int]]]:
    """The items (an ``eventblock.Rows``) as columns (see docs/page-data.md, "Items"), and the distinct facet
    lists they index. Strings enter the table in item order, each item's text, facets, then popup."""
    from .events import PRECISION_LABELS
    from .layers import Popup

    add, lists, list_index = table.add, [], {}

    def facets_of(item) -> list:
        return [(category_label(item.category),), item.actors, item.countries, item.provinces,
                (PRECISION_LABELS.get(item.precision, item.precision),), item.inferred]

    def sequence(item) -> list:
        return [item.title, item.date, item.where, *(v for values in facets_of(item) for v in values),
                *_popup_slots(item.popup or Popup(item.title))]

    n, templates = len(items), items.templates
    slots = eventblock.add_in_order(table, items, sequence)
    text = np.stack(slots[:3]) if n else np.zeros((3, 0), dtype=np.int64)  # title, date, where
    per = np.zeros((9, len(templates)), dtype=np.int64)  # 6 facets, radius, closed, popup start
    fatal_of = np.full((len(templates), 3), -1, dtype=np.int64)
    popups = _PopupColumns(table)
    shape_of_template = np.zeros(len(templates), dtype=np.int64)
    for k in items.first_rows().tolist():  # facet lists and popup shapes, first seen first
        item = templates[k]
        for f, values in enumerate(facets_of(item)):
            key = tuple(add(v) for v in values)
            if key not in list_index:
                list_index[key] = len(lists)
                lists.append(list(key))
            per[f, k] = list_index[key]
        per[6, k], per[7, k] = round(item.radius), not item.redistributable
        per[8, k] = 3 + sum(len(values) for values in facets_of(item))
        if item.fatalities is not None:
            fatal_of[k] = item.fatalities
        shape_of_template[k] = popups.shape(_popup_key(item.popup or Popup(item.title)))
    facets, radius, closed = per[:6, items.codes], per[6, items.codes], per[7, items.codes]
    days = np.stack([_ordinals(column) for column in items.days])
    fatal = fatal_of[items.codes]
    which, start = shape_of_template[items.codes], per[8, items.codes]
    popups.which = which.tolist()
    popups.rows = [_shape_rows(slots, np.flatnonzero(which == k), start, width)
                   for k, width in enumerate(sum(key) + key[0] + key[2] + 1 for key in popups.shape_of)]
    dated = days[0] > 0
    epoch = int(days[0][dated].min()) - 1 if dated.any() else 0
    out = {"len": n, "i": _ids(items.ids.tolist()), "t": columns.pack(text[0]),
           "d": columns.pack(text[1]), "w": columns.pack(text[2]), "epoch": epoch,
           "s": columns.pack(np.where(dated, days[0] - epoch, 0)), "e": columns.pack(days[1] - days[0]),
           "o": popups.encode({"t": text[0], "d": text[1], "w": text[2]})}
    for key, column in zip("cakpqn", facets):
        out[key] = columns.pack(column)
    if radius.any():
        out["r"] = columns.pack(radius)
    if (fatal[:, 0] >= 0).any():
        out["f"] = columns.pack(fatal.ravel())
    if closed.any():
        out["nr"] = columns.pack(closed)
    return out, lists


def _popup_slots(popup) -> list:
    """A popup's strings in the order :meth:`StringTable.popup` adds them; None for a source without a url."""
    return [popup.heading, *(v for row in popup.rows for v in row), *(p for p in popup.body if p),
            *(v for t, u in popup.sources for v in (t, u or None)), *(n for n in popup.notes if n)]


def _popup_key(popup) -> tuple[int, int, int, int]:
    """A popup's shape: how many rows, paragraphs, sources and notes."""
    return (len(popup.rows), len([p for p in popup.body if p]), len(popup.sources), len([n for n in popup.notes if n]))


def _shape_rows(slots: list[np.ndarray], rows: np.ndarray, start: np.ndarray, width: int) -> np.ndarray:
    """The popup slots (string indexes, -1 for no url) of ``rows``, whose popups start at slot ``start``."""
    out = np.zeros((len(rows), width), dtype=np.int64)
    for first in np.unique(start[rows]).tolist():
        mine = start[rows] == first
        for j in range(width):
            out[mine, j] = slots[first + j][rows[mine]]
    return out


def _ordinal(day: str) -> int:
    return dt.date.fromisoformat(day).toordinal()


def _ordinals(days: np.ndarray) -> np.ndarray:
    """ISO days as ordinals (0 for ""), each distinct day worked out once."""
    codes, distinct = pd.factorize(np.asarray(days, dtype=object))
    return np.array([_ordinal(d) if d else 0 for d in distinct] + [0], dtype=np.int64)[codes]


_NUMBERED = re.compile(r"^(.*?)(0|[1-9][0-9]{0,8})$")
_NUMBERED_PARTS = r"^(?P<head>.*?)(?P<number>0|[1-9][0-9]{0,8})$"  # the same, as pyarrow's RE2 takes it


def _ids(ids: list[str]) -> dict:
    """Ids as a prefix (an index into ``pre``) and a number (-1: none): "syn-41" is ("syn-", 41)."""
    if len(ids) > 1000 and pc is not None and not any("\n" in i for i in ids):  # Python's "$" also matches
        parts = pc.extract_regex(pa.array(ids, type=pa.string()), _NUMBERED_PARTS)
        valid = pc.is_valid(parts)
        numbered, parts = valid.to_numpy(zero_copy_only=False), pc.filter(parts, valid)
        head = np.asarray(ids, dtype=object)
        head[numbered] = parts.field("head").to_numpy(zero_copy_only=False)
        prefix, distinct = pd.factorize(head)  # numbered in the order they first come
        number = np.full(len(ids), -1, dtype=np.int64)
        number[numbered] = pc.cast(parts.field("number"), pa.int64()).to_numpy()
        return {"pre": distinct.tolist(), "p": columns.pack(prefix), "x": columns.pack(number)}
    prefixes: dict[str, int] = {}
    prefix, number = np.zeros(len(ids), dtype=np.int64), np.full(len(ids), -1, dtype=np.int64)
    for j, text in enumerate(ids):
        m = _NUMBERED.match(text)
        head = m.group(1) if m else text
        prefix[j] = prefixes.setdefault(head, len(prefixes))
        if m:
            number[j] = int(m.group(2))
    return {"pre": list(prefixes), "p": columns.pack(prefix), "x": columns.pack(number)}


class _PopupColumns:
    """Popups grouped by shape (how many rows, paragraphs, sources, notes); each slot of a shape (heading,
    a row's label or value, …) is one constant, the item's own title, date or place (``"=t"``, ``"=d"``,
    ``"=w"``), one column of string indexes, or a small dictionary and a column of codes into it. Most of
    100,000 popups share their labels, sources and notes, and head with the item's title."""

    def __init__(self, table: StringTable) -> None:
        self.table = table
        self.shape_of: dict[tuple, int] = {}
        self.rows: list[list[list[int]]] = []
        self.which: list[int] = []

    def shape(self, key: tuple) -> int:
        """The index of a popup shape, registered when first seen."""
        if key not in self.shape_of:
            self.shape_of[key] = len(self.rows)
            self.rows.append([])
        return self.shape_of[key]

    def encode(self, own: dict[str, np.ndarray]) -> dict:
        """``own``: the items' own string columns (title, date, place) a slot may repeat."""
        which = np.asarray(self.which, dtype=np.int64)
        shapes = []
        for k, (key, rows) in enumerate(zip(self.shape_of, self.rows)):
            mine = {name: column[which == k] for name, column in own.items()}
            values = []
            for slot in np.asarray(rows, dtype=np.int64).reshape(len(rows), -1).T:
                if len(slot) and (slot == slot[0]).all():  # one value (most labels, sources and notes)
                    values.append(int(slot[0]))
                    continue
                same = next((name for name, column in mine.items() if np.array_equal(column, slot)), None)
                if same:
                    values.append(f"={same}")
                    continue
                distinct, codes = np.unique(slot, return_inverse=True)
                if 2 * len(distinct) > len(slot):
                    values.append(columns.pack(slot))
                else:
                    values.append([distinct.tolist(), columns.pack(codes)])
            shapes.append({"k": list(key), "v": values})
        return {"shape": columns.pack(which), "shapes": shapes}


def _shapes(layer, table: StringTable, item_index: dict[str, int], hatches: HatchTable,
            arcs: topology.Topology) -> dict:
    """A shape layer: each distinct style once, rings and lines as references to the page's shared arcs.

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
        feature = {"s": index[key], "g": arcs.geometry(geom)}
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


def _markers(layer, table: StringTable, icons: IconTable, item_at, item_index: dict[str, int]) -> dict:
    """A marker layer as columns; what a marker shares with its item (id, title, dates, tooltip, popup) is
    sent once, with the item, and what it does not share goes in ``more``. ``item_at(k)`` is item k.
    The points of the layer's block follow its markers, made from columns; they share all of that."""
    from .layers import Popup, Text
    from .symbols import symbol_svg

    factor = 10 ** COORD_DECIMALS
    block = layer.block
    n = len(layer.markers) + (len(block) if block is not None else 0)
    cols = np.zeros((7, n), dtype=np.int64)  # lat, lon, size, icon, dx, dy, z
    record = np.full(n, -1, dtype=np.int64)
    more: dict[str, dict] = {}
    svgs: dict[tuple, int] = {}
    for j, m in enumerate(layer.markers):
        look = (m.shape, m.colour, m.size, m.approximate)
        if look not in svgs:
            svgs[look] = icons.add(symbol_svg(*look), m.size)
        cols[:, j] = (round(m.lat * factor), round(m.lon * factor), m.size, svgs[look], *m.offset, m.z)
        k = item_index.get(m.record)
        item = item_at(k) if k is not None else None
        extra: dict[str, Any] = {}
        if item is None:
            extra.update({"id": m.id, "start": m.start, "end": m.end})
        else:
            record[j] = k
            if m.id != item.id:
                extra["id"] = m.id
        if item is None or m.title != item.title:
            extra["title"] = table.add(m.title)
        if item is None or m.tooltip != Text(item.title, (item.date,)):
            extra["tip"] = table.text(m.tooltip)
        if item is None or (m.popup is not item.popup and table.popup(m.popup) != table.popup(
                item.popup or Popup(item.title))):
            extra["pop"] = table.popup(m.popup)
        if extra:
            more[str(j)] = extra
    if block is not None:
        at = slice(len(layer.markers), n)
        dx, z, looks = layer.block_place  # looks: (shape, colour, size, approximate) of each template
        icon_of = np.zeros((2, len(block.templates)), dtype=np.int64)
        for k in block.first_rows().tolist():
            if looks[k] not in svgs:
                svgs[looks[k]] = icons.add(symbol_svg(*looks[k]), looks[k][2])
            icon_of[:, k] = looks[k][2], svgs[looks[k]]
        cols[0, at], cols[1, at] = np.rint(block.lat * factor), np.rint(block.lon * factor)
        cols[2, at], cols[3, at] = icon_of[:, block.codes]
        cols[4, at], cols[6, at] = dx, z
        record[at] = item_index[str(block.ids[0])] + np.arange(len(block))
    out = {"name": layer.name, "kind": "markers", "show": layer.show, "control": True,
           "cluster": bool(layer.cluster), "len": n, "r": columns.pack(record), "more": more}
    for key, column in zip(("lat", "lon", "size", "icon", "dx", "dy", "z"), cols):
        if key in ("lat", "lon", "size", "icon") or column.any():
            out[key] = columns.pack(column)
    return out


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
    if "z" in doc:  # the deflated form (see deflate); a page written by hand may carry the document as it is
        doc = _inflate(doc)
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or doc.get("version") != VERSION:
            raise PageDataError(f"the deflated #{ELEMENT_ID} is not a {SCHEMA} document of version {VERSION}")
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
    fatalities: tuple[int, int, int] | None = None  # best, low, high
    redistributable: bool = True


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
    label_also: tuple[tuple[tuple[float, float], ...], ...] = ()  # per label, other points its name may use
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

    raw_items = decode_items(doc)
    lists = [tuple(s[i] for i in entry) for entry in doc.get("lists", ())]
    items = [DecodedItem(
        id=d["id"], title=s[d["t"]], date=s[d["d"]], category=lists[d["c"]][0], actors=lists[d["a"]],
        countries=lists[d["k"]], provinces=lists[d["p"]], precision=lists[d["q"]][0], where=s[d["w"]],
        popup=popup(d["o"]), start=d["s"], end=d["e"], radius=float(d["r"]), inferred=lists[d["n"]],
        fatalities=d["f"], redistributable=d["redistributable"]) for d in raw_items]
    decimals = doc.get("decimals", COORD_DECIMALS)
    rings_of = _rings(doc)

    def geometry(parts):
        geoms = []
        for kind, lines in parts:
            rings = [rings_of(t) for t in lines]
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
                    item=it["id"] if it else None))
        elif kind == "markers":
            for m in decode_markers(layer, decimals):
                it = raw_items[m["r"]] if "r" in m else None
                markers.append(DecodedMarker(
                    id=m.get("id", it["id"] if it else ""), lat=m["lat"], lon=m["lon"],
                    title=s[m["title"]] if "title" in m else s[it["t"]],
                    tooltip=text(m["tip"]) if "tip" in m else text([it["t"], [it["d"]]]),
                    popup=popup(m["pop"]) if "pop" in m else popup(it["o"]),
                    size=m["size"], icon=doc["icons"][m["icon"]][0], item=it["id"] if it else None,
                    start=it["s"] if it else m.get("start", ""), end=it["e"] if it else m.get("end", "")))
        layers[layer["name"]] = DecodedLayer(
            name=layer["name"], kind=kind, show=layer["show"], control=layer.get("control", True),
            features=tuple(features), markers=tuple(markers), cluster=layer.get("cluster", False),
            labels=tuple(tuple(label[:4]) for label in layer.get("labels", ())),
            label_also=tuple(tuple(tuple(q) for q in label[4]) if len(label) > 4 else ()
                             for label in layer.get("labels", ())))
    return Page(doc=doc, title=doc["title"], items=tuple(items), layers=layers,
                legend=tuple(label for label, _ in doc.get("legend", ())),
                attribution=tuple(doc.get("attribution", ())))


def _rings(doc: dict):
    """A function from a ring as the document holds it (arc references, or an encoded polyline for a
    point) to its [(lon, lat), ...], as the page reads it."""
    decimals = doc.get("decimals", COORD_DECIMALS)
    arcs = topology.read_arcs(doc["arcs"]) if "arcs" in doc else []
    factor = 10 ** decimals

    def ring(value) -> list[tuple[float, float]]:
        if isinstance(value, str):
            return decode_line(value, decimals)
        return [(lon / factor, lat / factor) for lat, lon in topology.ring(value, arcs).tolist()]

    return ring


def item_ids(items: dict) -> list[str]:
    """The ids of a document's ``items`` (see :func:`_ids`)."""
    pre, prefix, number = items["i"]["pre"], column_of(items["i"]["p"]), column_of(items["i"]["x"])
    return [pre[p] + (str(x) if x >= 0 else "") for p, x in zip(prefix, number)]


def decode_items(doc: dict) -> list[dict]:
    """The items' columns back as one dict per item, with the keys of the page's items (``id``, ``t``
    and ``d`` and ``w`` string indexes, ``c`` … ``n`` list indexes, ISO days ``s``/``e``, ``o`` the popup as
    ``[heading, rows, body, sources, notes]``, ``r``, ``f``, ``redistributable``); the page does the same."""
    cols = doc["items"]
    n = cols["len"]

    def column(key, default=0):
        return columns.read(cols[key]).tolist() if key in cols else [default] * n

    ids = item_ids(cols)
    starts, spans = column("s"), column("e")
    fatal = column("f") if "f" in cols else []
    closed = column("nr")
    read = {key: column(key) for key in "tdwcakpqnr"}
    pops = _decode_popups(cols["o"], n, {key: read[key] for key in "tdw"})
    out = []
    for j in range(n):
        first = starts[j] + cols["epoch"] if starts[j] else 0
        d = {"id": ids[j], "o": pops[j],
             "s": dt.date.fromordinal(first).isoformat() if first else "",
             "e": dt.date.fromordinal(first + spans[j]).isoformat() if first else "",
             "f": tuple(fatal[3 * j:3 * j + 3]) if fatal and fatal[3 * j] >= 0 else None,
             "redistributable": not closed[j]}
        for key in "tdwcakpqnr":
            d[key] = read[key][j]
        out.append(d)
    return out


def column_of(text: str) -> list[int]:
    return columns.read(text).tolist()


def _decode_popups(spec: dict, n: int, own: dict[str, list[int]]) -> list[list]:
    """Every item's popup, ``[heading, rows, body, sources, notes]``, from its shape's slots."""
    which = column_of(spec["shape"])
    slots = []
    for k, shape in enumerate(spec["shapes"]):
        count = which.count(k)
        values = []
        for v in shape["v"]:
            if isinstance(v, int):
                values.append([v] * count)
            elif isinstance(v, str) and v.startswith("="):
                values.append([value for value, w in zip(own[v[1:]], which) if w == k])
            elif isinstance(v, str):
                values.append(column_of(v))
            else:
                values.append([v[0][c] for c in column_of(v[1])])
        slots.append(values)
    rank = [0] * len(spec["shapes"])
    out = []
    for j in range(n):
        k = which[j]
        nrows, nbody, nsources, nnotes = spec["shapes"][k]["k"]
        flat = [values[rank[k]] for values in slots[k]]
        rank[k] += 1
        at = 1 + 2 * nrows
        sources_at = at + nbody
        notes_at = sources_at + 2 * nsources
        out.append([flat[0], [flat[1 + 2 * r:3 + 2 * r] for r in range(nrows)], flat[at:sources_at],
                    [flat[sources_at + 2 * r:sources_at + 2 * r + 2] for r in range(nsources)],
                    flat[notes_at:notes_at + nnotes]])
    return out


def decode_markers(layer: dict, decimals: int = COORD_DECIMALS) -> list[dict]:
    """A marker layer's columns back as one dict per marker (``lat``, ``lon``, ``size``, ``icon``, ``dx``,
    ``dy``, ``z``, ``r`` when it draws an item, and what ``more`` adds), as the page reads them."""
    n = layer["len"]
    cols = {key: column_of(layer[key]) if key in layer else [0] * n
            for key in ("lat", "lon", "size", "icon", "dx", "dy", "z", "r")}
    factor = 10 ** decimals
    out = []
    for j in range(n):
        d = {"lat": cols["lat"][j] / factor, "lon": cols["lon"][j] / factor, "size": cols["size"][j],
             "icon": cols["icon"][j], "dx": cols["dx"][j], "dy": cols["dy"][j], "z": cols["z"][j]}
        if cols["r"][j] >= 0:
            d["r"] = cols["r"][j]
        d.update(layer["more"].get(str(j), {}))
        out.append(d)
    return out


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
