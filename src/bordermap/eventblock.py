"""Many point events as columns: their items, markers and download rows, made without a Python object per event.

An events file whose every record is a point event or place becomes one :class:`Rows` block. Its
records are grouped by the combination of the fields that shape an item and a popup (category,
date precision, actors, units, location precision, sources, …); ``layers.record_item`` and
``conflictdata.feature`` run once per combination, on a record whose own-text fields (title, date,
place, summary, …) are placeholders, and each row's text is its template with its own text put in,
column by column (a date's words and first and last days too: ``_days``). The rules of an
item, a popup and a download row keep their one owner, and the page document is the one the
records would have made, byte for byte. Items made one by one (the curated layer) are a block too,
each its own template, so the page-data writer has one encoder for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from . import events
from .takeaway import Column, ItemIds, objects

#: Fields whose text is the row's own (often different on every row): templates hold a placeholder.
OWN_FIELDS = ("id", "title", "date", "place", "location_basis", "summary", "date_note", "quote", "context")
#: A placeholder is the field's name between two of these; a file whose text holds one is not a block.
MARK = "\x00"
#: Own fields whose emptiness changes the text around them (an empty place: "Where" names the units).
_EMPTY_MATTERS = ("place", "date_note", "quote", "context")


def placeholder(name: str) -> str:
    """Where a value of a table's row holds the row's own text ``name`` (``events.Table.own``)."""
    return f"{MARK}{name}{MARK}"


def eligible(table: events.Table, unit_precisions: Sequence[str]) -> bool:
    """Every record is a point event or place located finer than a unit (``layers.UNIT_PRECISIONS`` draw
    the unit's shape too), and no text holds the placeholder mark."""
    kinds = {events.CATEGORIES[c] for c in pd.unique(table.text["category"])}
    if "area" in kinds or np.isnan(table.text["lon"]).any() or events._isin(table.text["location_precision"],
                                                                            unit_precisions).any():
        return False
    return not any(MARK in "".join(table.text[k]) for k in events._TEXT_FIELDS)


@dataclass(frozen=True)
class Rows:
    """Items as rows: each row's template (``codes``), the templates (``layers.Item``, whose ``record``
    is a template Record), and the rows' own text put into the templates' placeholders."""

    codes: np.ndarray
    templates: list
    own: dict[str, np.ndarray] = field(default_factory=dict)
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def ids(self) -> np.ndarray:
        """Every row's id, made once (the placing, the items and their index all ask)."""
        if "ids" not in self._cache:
            self._cache["ids"] = self.text(lambda item: item.id)
        return self._cache["ids"]

    @property
    def days(self) -> tuple[np.ndarray, np.ndarray]:
        """Every row's first and last day (ISO, "" when undated), made once (the items' columns and
        :attr:`span` ask)."""
        if "days" not in self._cache:
            self._cache["days"] = (self.text(lambda item: item.start), self.text(lambda item: item.end))
        return self._cache["days"]

    @property
    def span(self) -> tuple[str, str] | None:
        """The earliest first day and the latest last day of the dated rows (ISO), None when none is dated:
        the time sliders' months and a story's span."""
        if "span" not in self._cache:
            starts, ends = (pd.unique(np.asarray(days, dtype=object)) for days in self.days)
            dated = [day for day in starts if day]
            self._cache["span"] = (min(dated), max(day for day in ends if day)) if dated else None
        return self._cache["span"]

    def text(self, part: Callable[[Any], str]) -> np.ndarray:
        """One text of every row: ``part(template)`` with the row's own text put in."""
        return fill([part(t) for t in self.templates], self.codes, self.own)

    def template_of(self, row: int):
        """Row ``row``'s template: for an item made one by one, the item itself."""
        return self.templates[self.codes[row]]

    def first_of_template(self) -> np.ndarray:
        """The first row of each template."""
        if "first" not in self._cache:
            self._cache["first"] = np.unique(self.codes, return_index=True)[1]
        return self._cache["first"]

    def first_rows(self) -> np.ndarray:
        """The templates in the order their first row comes."""
        return np.argsort(self.first_of_template(), kind="stable")


def of_items(items: Sequence) -> Rows:
    """Items made one by one: each its own template."""
    points = [(r.lon, r.lat) if (r := item.record) is not None and r.lon is not None else (np.nan, np.nan)
              for item in items]
    lon, lat = np.array(points, dtype=float).reshape(-1, 2).T
    return Rows(codes=np.arange(len(items), dtype=np.int64), templates=list(items), lon=lon, lat=lat)


def of_layers(layers: Sequence) -> Rows:
    """Every item of ``layers`` once, in layer order: a layer's own items, then its block."""
    seen: set[str] = set()
    parts, current = [], []
    for layer in layers:
        for item in getattr(layer, "items", ()):
            if item.id not in seen:
                seen.add(item.id)
                current.append(item)
        block = getattr(layer, "block", None)
        if block is not None:
            parts += [of_items(current), block]
            current = []
    return concat(parts + [of_items(current)])


def download_rows(rows: Rows, table, feature: Callable,
                  pack: Callable) -> tuple[list, np.ndarray, list, np.ndarray, np.ndarray]:
    """The page's download, column by column: its fields, which items have a row (not one that may not be
    passed on), each field's values over those rows (a ``takeaway.Column``, text as indexes into ``table``,
    a ``pagedata.StringTable``; ``takeaway.ItemIds`` for the id, which is the item's) and their lon/lat
    (NaN: no point); ``feature`` is ``conflictdata.feature`` and ``pack`` ``takeaway.pack``, each run once
    per template."""
    templates = rows.templates
    features = [feature(t.record) if t.record is not None and t.redistributable else None for t in templates]
    fields = list(dict.fromkeys(name for k in rows.first_rows().tolist() if features[k]
                                for name in features[k]["properties"]))
    # the id field is each row's item's id (a template's feature and item hold the same id, or the same
    # placeholder for it): the page reads it from the items, and the ids are not sent twice
    ids = "id" if all(f["properties"].get("id") == t.id for t, f in zip(templates, features) if f) else None
    strings: list[list] = [[] for _ in templates]
    packed = []
    for k, f in enumerate(features):  # each string a token, its slot: a bare int (pack wraps numbers)
        def token(text, mine=strings[k]):
            mine.append(text)
            return len(mine) - 1
        if f is None:
            packed.append(None)
            continue
        values = [f["properties"].get(name) for name in fields]
        packed.append([None if name == ids else token(v) if type(v) is str else pack(v, token)
                       for name, v in zip(fields, values)])
    index = add_in_order(table, Rows(rows.codes, list(range(len(templates))), rows.own, _cache=rows._cache),
                         lambda k: strings[k])
    first = rows.first_of_template().tolist()
    has = np.array([f is not None for f in features] or [False])[rows.codes]
    there = np.flatnonzero(has)
    codes = rows.codes[there]
    out = []
    for j in range(len(fields) if len(there) else 0):
        if fields[j] == ids:
            out.append(ItemIds())
            continue
        values, own_slot = [None] * len(templates), np.full(len(templates), -1, dtype=np.int64)
        deep = []  # templates whose value holds a row's own text inside a list or table (an export's sources)
        for k, p in enumerate(packed):
            if p is None:
                continue
            v = p[j]
            if type(v) is int:  # a top-level string: the row's own, or the template's
                if MARK in strings[k][v]:
                    own_slot[k] = v
                else:
                    values[k] = int(index[v][first[k]])
            elif _holds_own(v, strings[k]):
                deep.append(k)
            else:
                values[k] = _resolve(v, index, first[k])
        slot = own_slot[codes]
        own = np.zeros(len(there), dtype=np.int64)
        for n in np.unique(slot[slot >= 0]).tolist():
            mine = slot == n
            own[mine] = index[n][there[mine]]
        row_codes = codes
        if deep:  # each of their rows a value of its own, after the templates'
            at = np.flatnonzero(np.isin(codes, deep))
            row_codes = codes.copy()
            row_codes[at] = len(values) + np.arange(len(at))
            values = values + [_resolve(packed[k][j], index, r) for k, r in zip(codes[at].tolist(), there[at].tolist())]
        out.append(Column.of_templates(values, row_codes, slot >= 0, own))
    return fields, has, out, rows.lon[there], rows.lat[there]


def _holds_own(value: Any, strings: list) -> bool:
    """A packed value holds a string with a placeholder for the row's own text (tokens as in ``_resolve``)."""
    if type(value) is int:
        return MARK in strings[value]
    if isinstance(value, dict):
        return list(value) != ["n"] and any(_holds_own(v, strings) for v in value.values())
    if isinstance(value, list):
        return any(_holds_own(v, strings) for v in value)
    return False


def _resolve(value: Any, index: list[np.ndarray], row: int) -> Any:
    """A packed value with each token (a bare int: a string's slot in its template's packed download row)
    replaced by its string's index in ``row`` (a row of the template)."""
    if type(value) is int:
        return int(index[value][row])
    if isinstance(value, dict):  # {"n": number} is a number, as takeaway.unpack reads it
        return value if list(value) == ["n"] else {k: _resolve(v, index, row) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, index, row) for v in value]
    return value


def concat(blocks: Sequence[Rows]) -> Rows:
    """Blocks one after another, as one."""
    blocks = [b for b in blocks if len(b)] or list(blocks[:1])
    if len(blocks) == 1:
        return blocks[0]
    names = {k for b in blocks for k in b.own}
    offsets = np.cumsum([0] + [len(b.templates) for b in blocks])
    return Rows(codes=np.concatenate([b.codes + o for b, o in zip(blocks, offsets)]),
                templates=[t for b in blocks for t in b.templates],
                own={k: np.concatenate([b.own.get(k, np.full(len(b), "", dtype=object)) for b in blocks])
                     for k in names},
                lon=np.concatenate([b.lon for b in blocks]), lat=np.concatenate([b.lat for b in blocks]))


def of_table(table: events.Table, item: Callable) -> Rows:
    """The rows of ``table`` as templates; ``item(record)`` is ``layers.record_item`` with its tables bound."""
    t = table.text
    keys = [t["category"], t["date_precision"], t["location_precision"], t["admin1"], t["dataset"],
            table.redistributable] + [table.coded[k][0] for k in ("actors", "units", "sources", "inferred",
                                                                   "fatalities", "move_from", "move_to")]
    keys += [t[k] != "" for k in _EMPTY_MATTERS]
    combined = np.zeros(len(table), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(np.asarray(key))
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes + 1)
    _, first = np.unique(combined, return_index=True)
    templates = []
    for row in first.tolist():
        fields = {k: t[k][row] for k in events._TEXT_FIELDS}
        fields.update({k: placeholder(k) if (k not in _EMPTY_MATTERS or t[k][row]) else "" for k in OWN_FIELDS})
        fields.update({k: values[codes[row]] for k, (codes, values) in table.coded.items()})
        record = events.Record(**fields, lon=float(t["lon"][row]), lat=float(t["lat"][row]),
                               redistributable=bool(table.redistributable[row]))
        templates.append(item(record))
    return Rows(codes=combined, templates=templates,
                own={**{k: t[k] for k in OWN_FIELDS}, **_days(t["date"], t["date_precision"]), **table.own},
                lon=t["lon"], lat=t["lat"])


def _days(date: np.ndarray, precision: np.ndarray) -> dict[str, np.ndarray]:
    """Each row's date in words and its first and last day (ISO), the own text a template's date stands
    for (``layers.date_text``, ``layers.record_item``), worked out once per distinct date."""
    from .layers import date_text

    dates, distinct_dates = pd.factorize(np.asarray(date, dtype=object))
    kinds, distinct_kinds = pd.factorize(np.asarray(precision, dtype=object))
    _, first, which = np.unique(dates * max(len(distinct_kinds), 1) + kinds, return_index=True,
                                return_inverse=True)
    words, starts, ends = [], [], []
    for row in first.tolist():
        value, kind = distinct_dates[dates[row]], distinct_kinds[kinds[row]]
        period = events.date_period(value, kind)
        words.append(date_text(value, kind) if period else "")
        starts.append(period[0].isoformat() if period else "")
        ends.append(period[1].isoformat() if period else "")
    return {name: objects(values)[which.ravel()] for name, values in
            (("date_words", words), ("start", starts), ("end", ends))}


def fill(values: Sequence, codes: np.ndarray, own: dict[str, np.ndarray]) -> np.ndarray:
    """Each row's value: its template's (``values[code]``), with the row's own text put into a string's
    placeholders; anything else (None, numbers, lists) as it is."""
    table = objects(values)
    out = table[codes]
    marked = {text for text in values if isinstance(text, str) and MARK in text}
    if not marked:
        return out
    which, distinct = pd.factorize(pd.Series(table, dtype=object).where(
        [isinstance(v, str) and v in marked for v in values], None))
    row_which = which[codes]
    for n, text in enumerate(distinct):
        rows = np.flatnonzero(row_which == n)
        parts = text.split(MARK)
        value = np.asarray(own[parts[1]][rows], dtype=object)  # "" + text is the text: one step fewer
        if parts[0]:
            value = parts[0] + value
        for m, part in enumerate(parts[2:], 2):
            if part:
                value = value + (own[part][rows] if m % 2 else part)
        out[rows] = value
    return out


def add_in_order(table, rows: Rows, sequence: Callable[[Any], list]) -> list[np.ndarray]:
    """Add each row's strings (``sequence(template)``, ``None`` for a slot that adds nothing) to a
    ``pagedata.StringTable`` in the order a loop over the rows would, and return the index of each slot of
    each row: one array per slot, -1 where nothing was added (rows whose template has fewer slots too).

    A string first met in row r at slot j goes before one first met later. A slot whose templates hold
    no placeholder is worked out per template; one that holds the rows' own text, per distinct value.
    """
    sequences = [sequence(t) for t in rows.templates]
    first_of_template = rows.first_of_template()
    found, coded = [], []
    # the page's items and its download share the rows' own text: worked out once, and once in a table
    cache = rows._cache.setdefault("own text", {})
    for j, strings in enumerate(zip_longest(*sequences)):  # slot by slot, None past a shorter sequence
        if not _marked(strings):
            codes, uniques = pd.factorize(pd.Series(strings, dtype=object))
            at = pd.Series(first_of_template).groupby(codes).min() if len(codes) else pd.Series([], dtype=int)
            at = at[at.index >= 0]
            found.append(pd.DataFrame({"s": pd.Series(uniques, dtype=object)[at.index], "at": at.to_numpy(),
                                       "slot": j}))
            coded.append((np.append(codes, -1)[rows.codes], uniques, None))
            continue
        key = tuple(strings)
        if key not in cache:
            codes, uniques = pd.factorize(pd.Series(fill(strings, rows.codes, rows.own), dtype=object))
            cache[key] = {"codes": codes, "uniques": uniques, "at": _first_seen(codes)}
        entry = cache[key]
        if entry.get("table") is not table:  # else every one of its strings is in the table already
            found.append(pd.DataFrame({"s": pd.Series(entry["uniques"], dtype=object), "at": entry["at"],
                                       "slot": j}))
        coded.append((entry["codes"], entry["uniques"], entry))
    if found:
        order = pd.concat(found, ignore_index=True).sort_values(["at", "slot"], kind="stable")
        table.extend(order["s"].tolist())
    out = []
    for codes, uniques, entry in coded:
        if entry is None or entry.get("table") is not table:
            index = np.append(table.indexes(uniques), -1)[codes]
            if entry is not None:
                entry.update(table=table, index=index)
        out.append(entry["index"] if entry is not None else index)
    return out


def _marked(strings: Sequence) -> bool:
    """Whether any of ``strings`` (str or None) holds a placeholder."""
    try:
        return MARK in "".join(filter(None, strings))
    except TypeError:  # not all text
        return any(isinstance(v, str) and MARK in v for v in strings)


def _first_seen(codes: np.ndarray) -> np.ndarray:
    """The row where each code first appears; ``pd.factorize`` numbers values in the order they appear."""
    seen = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]])) if len(codes) else codes
    return np.flatnonzero(codes > seen)
