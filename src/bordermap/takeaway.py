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
from typing import Any, Callable, Iterable, Sequence

import numpy as np

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
    """The inverse of :func:`pack`, as the page reads a row."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return strings[value]
    if isinstance(value, dict):
        return value["n"] if list(value) == ["n"] else {k: unpack(v, strings) for k, v in value.items()}
    return [unpack(v, strings) for v in value]


def rows(doc: dict) -> list:
    """A page-data document's download rows, unpacked: ``{field: value}`` and ``[lon, lat]`` or None, per item."""
    report = doc["report"]
    return [None if row is None else (dict(zip(report["fields"], unpack(row[0], doc["strings"]))), row[1])
            for row in unpack_rows(report["rows"], doc["layers"])]


#: Decimal places a download row's coordinates are sent with, when every one is exact at them.
ROW_DECIMALS = 5


def pack_rows(rows: Sequence) -> dict:
    """The rows (``[[packed values], [lon, lat] or None]`` or None per item) as columns, one per field: 100k
    events repeat most values, and their ids and titles rise with the string table (see docs/page-data.md)."""
    present = [row for row in rows if row is not None]
    out: dict[str, Any] = {"len": len(rows)}
    if len(present) < len(rows):
        out["has"] = columns.pack([row is not None for row in rows])
    width = len(present[0][0]) if present else 0
    out["v"] = [_slot([row[0][k] for row in present]) for k in range(width)]
    out["at"] = _points([row[1] for row in present])
    return out


def _slot(values: list) -> dict:
    """One field's values: ``c`` one value, ``s`` a column of string indexes, ``d``/``k`` distinct values and
    a column of codes into them, ``j`` the values as they are."""
    if not values:
        return {"j": []}
    kinds = set(map(type, values))
    ints = kinds == {int}
    # repr tells 1, True, 1.0 and {"n": 1} apart, as JSON would (packed values hold no strings)
    keys = values if ints else list(map(repr, values))
    distinct = {key: n for n, key in enumerate(dict.fromkeys(keys))}
    if len(distinct) == 1:
        return {"c": values[0]}
    if 2 * len(distinct) > len(values):
        return {"s": columns.pack(values)} if ints else {"j": values}
    first: dict = {}
    for key, v in zip(keys, values):
        first.setdefault(key, v)
    return {"d": list(first.values()), "k": columns.pack([distinct[key] for key in keys])}


def _points(points: list) -> dict:
    """The rows' points: ``lon``/``lat`` columns at ``e`` decimals (``has`` says which rows have one) when
    every coordinate is exact at them, else ``j``, the points as they are."""
    factor = 10 ** ROW_DECIMALS
    got = [p for p in points if p is not None]
    numbers = set(map(type, (c for p in got for c in p))) <= {int, float} and set(map(len, got)) == {2}
    if numbers:
        xy = np.asarray(got, dtype=np.float64)
        grid = np.round(xy * factor)
        numbers = bool((np.abs(xy) <= 180).all() and (grid / factor == xy).all())
    if not numbers:
        return {"j": points}
    out = {"e": ROW_DECIMALS, "lon": columns.pack(grid[:, 0].astype(np.int64)),
           "lat": columns.pack(grid[:, 1].astype(np.int64))}
    if len(got) < len(points):
        out["has"] = columns.pack([p is not None for p in points])
    return out


def first_markers(layer: dict) -> dict[int, tuple[int, int]]:
    """Item index -> (lon, lat) in grid units of the first marker that draws it in a marker layer's columns."""
    lat, lon, record = (columns.read(layer[key]).tolist() for key in ("lat", "lon", "r"))
    out: dict[int, tuple[int, int]] = {}
    for y, x, r in zip(lat, lon, record):
        if r >= 0 and r not in out:
            out[r] = (x, y)
    return out


def unpack_rows(spec: dict, layers: Sequence[dict] = ()) -> list:
    """The inverse of :func:`pack_rows` (``layers``: the document's, for points kept with the markers), as the
    page's download reads the rows."""
    has = columns.read(spec["has"]).tolist() if "has" in spec else [1] * spec["len"]
    count = sum(has)
    fields = []
    for slot in spec["v"]:
        if "c" in slot:
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

    fields, rows = eventblock.download_rows(items, table, feature, pack)
    return {
        "fields": fields, "pointFields": list(POINT_FIELDS), "rows": pack_rows(rows),
        "colours": [[category_label(c), colour] for c, (colour, _) in CATEGORY_SYMBOLS.items()],
        "cite": {"title": title, "software": f"bordermap {version}", "data": data,
                 "credits": [[c.what, c.source, c.licence] for c in credits]},
    }
