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
            for row in report["rows"]]


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
        "fields": fields, "pointFields": list(POINT_FIELDS), "rows": rows,
        "colours": [[category_label(c), colour] for c, (colour, _) in CATEGORY_SYMBOLS.items()],
        "cite": {"title": title, "software": f"bordermap {version}", "data": data,
                 "credits": [[c.what, c.source, c.licence] for c in credits]},
    }
