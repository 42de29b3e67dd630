"""What a reader can take away from a page: the chart's colours, the download's rows, the citation's parts.

The page's time chart, download and printed report (``page/js/42-chart.js``,
``47-download.js``, ``80-print.js``) draw on the ``report`` block of the
page-data document written here. Each fact has one owner: the category colours
are :data:`bordermap.layers.CATEGORY_SYMBOLS`, a row's fields are those of
:func:`bordermap.conflictdata.feature` (the events schema, which the loader
reads back), and the page only adds the reader's filters and time span to the
citation. Rows that must not be passed on (ACLED's) are never written into the
page: a download cannot leak what the page does not carry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from . import columns

#: The CSV and GeoJSON coordinate fields of a point record (the events loader reads both forms).
POINT_FIELDS = ("longitude", "latitude")


def category_label(category: str) -> str:
    """A category as the page's items and legend name it ("Border clash")."""
    return category[:1].upper() + category[1:]


def data_version(files: dict[str, dict]) -> str:
    """A short fingerprint of the embedded data files (their recorded sha256s), so a citation pins the data."""
    digest = hashlib.sha256("".join(f"{name}:{rec.get('sha256', '')}\n"
                                    for name, rec in sorted(files.items())).encode("utf-8")).hexdigest()
    return digest[:12]


def pack(value: Any, add: Callable[[str], int]) -> Any:
    """A row value with its text in the string table: a string becomes its index, a number ``{"n": number}``;
    lists and tables keep their shape, null stays null (the page's ``bm.download.unpack`` inverts it)."""
    if isinstance(value, str):
        return add(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return {"n": value}
    if isinstance(value, dict):
        return {k: pack(v, add) for k, v in value.items()}
    return [pack(v, add) for v in value]


def unpack(value: Any, strings: Sequence[str]) -> Any:
    """The inverse of :func:`pack`, as the page reads a row (a string is already text: an item's id, which
    the document holds with the items, see :class:`ItemIds`)."""
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, int):
        return strings[value]
    if isinstance(value, dict):
        return value["n"] if list(value) == ["n"] else {k: unpack(v, strings) for k, v in value.items()}
    return [unpack(v, strings) for v in value]


def rows(doc: dict) -> list:
    """A page-data document's download rows, unpacked: ``{field: value}`` and ``[lon, lat]`` or None, per item."""
    from .pagedata import item_ids

    report = doc["report"]
    return [None if row is None else (dict(zip(report["fields"], unpack(row[0], doc["strings"]))), row[1])
            for row in unpack_rows(report["rows"], doc["layers"], item_ids(doc["items"]))]


#: Decimal places a download row's coordinates are sent with, when every one is exact at them.
ROW_DECIMALS = 5


def pack_columns(has: np.ndarray, fields: Sequence[Column | ItemIds], at: dict) -> dict:
    """The ``report.rows`` object: ``has`` says which items have a row, ``fields`` are the rows' values one
    :class:`Column` (or :class:`ItemIds`) a field, ``at`` their points (:func:`point_columns`). 100k events
    repeat most values, and their titles rise with the string table (see docs/page-data.md)."""
    out: dict[str, Any] = {"len": len(has)}
    if not has.all():
        out["has"] = columns.pack(has)
    out["v"] = [_slot(column) for column in fields]
    out["at"] = at
    return out


@dataclass(frozen=True)
class ItemIds:
    """A download field whose every value is its row's item's id: sent as ``{"i": 1}`` and read from the
    items' ids (``items.i``), so that 100,000 ids are not sent twice."""


def _key(value: Any) -> Any:
    """Equal keys for values JSON writes alike: an int itself, anything else its repr (which tells 1, True,
    1.0 and {"n": 1} apart, as JSON would; packed values hold no strings)."""
    return value if type(value) is int else repr(value)


def objects(values: Sequence) -> np.ndarray:
    """The values in an object array, each one element (a list too)."""
    out = np.empty(len(values), dtype=object)
    for k, value in enumerate(values):  # one by one: a list stays one value
        out[k] = value
    return out


@dataclass(frozen=True)
class Column:
    """One field's values over the rows that are there, as :func:`_slot` reads them: ``keys`` one a row (the
    values themselves, int64, when ``ints``), ``values`` the values as an object array when not."""

    keys: np.ndarray
    ints: bool
    values: np.ndarray | None = None

    @classmethod
    def of_templates(cls, values: Sequence, codes: np.ndarray, own: np.ndarray, own_values) -> "Column":
        """Each row's value is its template's (``values[codes]``), but an int of its own (``own_values``)
        where ``own`` is set."""
        used = np.zeros(len(values), dtype=bool)
        used[codes[~own]] = True
        if all(type(values[k]) is int for k in np.flatnonzero(used).tolist()):
            keys = np.array([v if type(v) is int else 0 for v in values], dtype=np.int64)[codes]
            if own.any():
                keys[own] = own_values[own]
            return cls(keys, True)
        keys, each = objects([_key(v) for v in values])[codes], objects(values)[codes]
        if own.any():
            keys[own] = each[own] = own_values[own].tolist()
        return cls(keys, False, each)

    def at(self, rows: np.ndarray) -> list:
        """The values of ``rows``."""
        return (self.keys if self.ints else self.values)[rows].tolist()


def _slot(column: Column | ItemIds) -> dict:
    """One field's values: ``c`` one value, ``s`` a column of string indexes, ``d``/``k`` distinct values and
    a column of codes into them, ``j`` the values as they are, ``i`` each row's item's id."""
    if isinstance(column, ItemIds):
        return {"i": 1}
    n = len(column.keys)
    if not n:
        return {"j": []}
    codes, distinct = pd.factorize(column.keys)  # numbered in the order they first come
    if len(distinct) == 1:
        return {"c": column.at(np.zeros(1, dtype=np.int64))[0]}
    if 2 * len(distinct) > n:
        return {"s": columns.pack(column.keys)} if column.ints else {"j": column.at(np.arange(n))}
    return {"d": column.at(np.unique(codes, return_index=True)[1]), "k": columns.pack(codes)}


def point_columns(lon: np.ndarray, lat: np.ndarray) -> dict:
    """The rows' points from their coordinates (NaN longitude: none): ``lon``/``lat`` columns at ``e``
    decimals (``has`` says which rows have one) when every coordinate is exact at them, else ``j``."""
    got = ~np.isnan(lon)
    grid = _grid(np.column_stack([lon[got], lat[got]]), got)
    if grid is not None:
        return grid
    points = np.column_stack([lon, lat]).tolist()
    return {"j": [p if g else None for p, g in zip(points, got.tolist())]}


def _grid(xy: np.ndarray, got: np.ndarray) -> dict | None:
    """The points ``xy`` (one a row where ``got``) as grid columns, or None when some are not exact on it."""
    factor = 10 ** ROW_DECIMALS
    if not len(xy):
        return None
    grid = np.round(xy * factor)
    if not ((np.abs(xy) <= 180).all() and (grid / factor == xy).all()):
        return None
    out = {"e": ROW_DECIMALS, "lon": columns.pack(grid[:, 0].astype(np.int64)),
           "lat": columns.pack(grid[:, 1].astype(np.int64))}
    if not got.all():
        out["has"] = columns.pack(got)
    return out


def first_markers(layer: dict) -> dict[int, tuple[int, int]]:
    """Item index -> (lon, lat) in grid units of the first marker that draws it in a marker layer's columns."""
    items, lon, lat = first_marker_places(layer)
    return dict(zip(items.tolist(), zip(lon.tolist(), lat.tolist())))


def first_marker_places(layer: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The items a marker layer's columns draw (rising) and the lon and lat, in grid units, of the first
    marker that draws each."""
    lat, lon, record = (columns.read(layer[key]) for key in ("lat", "lon", "r"))
    drawn = np.flatnonzero(record >= 0)
    items, first = np.unique(record[drawn], return_index=True)
    return items, lon[drawn[first]], lat[drawn[first]]


def unpack_rows(spec: dict, layers: Sequence[dict] = (), ids: Sequence[str] = ()) -> list:
    """The inverse of :func:`pack_columns` (``layers``: the document's, for points kept with the markers;
    ``ids``: its items' ids, for an :class:`ItemIds` field), as the page's download reads the rows."""
    has = columns.read(spec["has"]).tolist() if "has" in spec else [1] * spec["len"]
    count = sum(has)
    fields = []
    for slot in spec["v"]:
        if "i" in slot:
            fields.append([ids[j] for j, h in enumerate(has) if h])
        elif "c" in slot:
            fields.append([slot["c"]] * count)
        elif "s" in slot:
            fields.append(columns.read(slot["s"]).tolist())
        elif "k" in slot:
            fields.append([slot["d"][k] for k in columns.read(slot["k"]).tolist()])
        else:
            fields.append(slot["j"])
    at = spec["at"]
    if "j" in at:
        points = at["j"]
    else:
        factor = 10 ** at["e"]
        with_point = columns.read(at["has"]).tolist() if "has" in at else [1] * count
        if "m" in at:  # each row's point is its item's first marker's place
            place = first_markers(layers[at["m"]])
            present = [j for j, h in enumerate(has) if h]
            lon, lat = zip(*[place[j] for j, w in zip(present, with_point) if w]) if any(with_point) else ((), ())
        else:
            lon, lat = columns.read(at["lon"]).tolist(), columns.read(at["lat"]).tolist()
        points, k = [], 0
        for w in with_point:
            points.append([lon[k] / factor, lat[k] / factor] if w else None)
            k += bool(w)
    present = iter([list(values), point] for values, point in zip(zip(*fields) if fields else [()] * count, points))
    return [next(present) if h else None for h in has]


def block(items, table, *, title: str, credits: Iterable, version: str,
          data: str) -> dict:
    """The ``report`` block of ``items`` (an ``eventblock.Rows``): ``fields``, ``rows`` (one per item, null
    when it may not be passed on; text as indexes into ``table``, a ``pagedata.StringTable``), ``colours``
    ([category, colour] in legend order) and ``cite`` (the citation's fixed parts)."""
    from . import eventblock
    from .conflictdata import feature
    from .layers import CATEGORY_SYMBOLS

    fields, has, values, lon, lat = eventblock.download_rows(items, table, feature, pack)
    return {
        "fields": fields, "pointFields": list(POINT_FIELDS), "rows": pack_columns(has, values, point_columns(lon, lat)),
        "colours": [[category_label(c), colour] for c, (colour, _) in CATEGORY_SYMBOLS.items()],
        "cite": {"title": title, "software": f"bordermap {version}", "data": data,
                 "credits": [[c.what, c.source, c.licence] for c in credits]},
    }
