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
from typing import Iterable, Sequence

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


def block(items: Sequence, *, title: str, credits: Iterable, version: str, data: str) -> dict:
    """The ``report`` block: ``fields``, ``rows`` (one per item, null when it may not be passed on),
    ``colours`` ([category, colour] in legend order) and ``cite`` (the citation's fixed parts)."""
    from .conflictdata import feature
    from .layers import CATEGORY_SYMBOLS

    features = [feature(item.record) if item.record is not None and item.redistributable else None
                for item in items]
    fields = list(dict.fromkeys(k for f in features if f for k in f["properties"]))
    rows = []
    for f in features:
        if f is None:
            rows.append(None)
            continue
        point = f["geometry"]["coordinates"] if f["geometry"] else None
        rows.append([[f["properties"].get(k) for k in fields], point])
    return {
        "fields": fields, "pointFields": list(POINT_FIELDS), "rows": rows,
        "colours": [[category_label(c), colour] for c, (colour, _) in CATEGORY_SYMBOLS.items()],
        "cite": {"title": title, "software": f"bordermap {version}", "data": data,
                 "credits": [[c.what, c.source, c.licence] for c in credits]},
    }
