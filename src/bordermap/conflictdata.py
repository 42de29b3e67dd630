"""ACLED and UCDP GED exports, read as they are published, mapped onto the events schema.

A CSV is recognised by its header (:func:`detect`); :mod:`bordermap.acled` and
:mod:`bordermap.ucdp` turn each row into an :class:`~bordermap.events.Record`
with the dataset's own precision rules. This module holds what both share:
reading the CSV, matching admin names to the embedded units through
``geodata/admin_names.json``, collecting a note for every row that cannot be
used, and writing the mapped records as an events-schema GeoJSON.

:func:`load_table` is :func:`load` done column by column, for the build: each
rule runs once per distinct value and the rows become one ``events.Table``
(whose ``records()`` are :func:`load`'s records); :func:`load`, which makes a
record per row, stays the reference and serves ``import`` and ``validate``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import catalog, settings
from .errors import LayerError, SourceError
from .takeaway import objects

#: Columns that identify an export (a subset of each published layout, so that older layouts match too).
SIGNATURES: dict[str, frozenset[str]] = {
    "acled": frozenset({"event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "inter1",
                        "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes",
                        "fatalities"}),
    "ucdp": frozenset({"id", "type_of_violence", "side_a", "side_b", "where_prec", "adm_1", "adm_2",
                       "latitude", "longitude", "date_prec", "date_start", "date_end", "best", "low", "high"}),
}
#: Country names as the datasets write them -> the ISO3 codes of the embedded units.
COUNTRIES = {"pakistan": "PAK", "afghanistan": "AFG", "iran": "IRN", "iran (islamic republic of)": "IRN"}
#: How many example row ids a note lists.
EXAMPLES = 5
#: The own column of each row that its sources' ``work`` holds as a placeholder ("ACLED event PAK1, accessed
#: ...", "... GED ..., event 123"), so that rows differing only in their event share their sources.
WORK = "source_work"


@dataclass(frozen=True)
class Imported:
    """An export mapped onto the events schema, with what could not be used."""

    dataset: str  # "acled" or "ucdp"
    records: tuple
    notes: tuple[str, ...]
    citation: str
    rows: int
    skipped: int


@dataclass
class Context:
    """What a row mapper needs: names of the embedded units, and a place to put notes."""

    path: Path
    names: "AdminNames"
    districts: dict
    actors: object
    accessed: str
    version: str
    _notes: dict = field(default_factory=lambda: defaultdict(list))
    _said: list = field(default_factory=list)

    def skip(self, reason: str, row_id: str) -> None:
        """A row that cannot be used, grouped by reason so the note counts them."""
        self._notes[reason].append(row_id)

    def say(self, text: str) -> None:
        """A note about the file as a whole."""
        self._said.append(text)

    def notes(self) -> tuple[str, ...]:
        out = list(self._said)
        for reason, ids in self._notes.items():
            shown = ", ".join(ids[:EXAMPLES]) + (f" and {len(ids) - EXAMPLES} more" if len(ids) > EXAMPLES else "")
            out.append(f"{len(ids)} row(s) {reason}: {shown}")
        return tuple(out)

    def point(self, row: dict, province: str | None, label: str, admin_field: str):
        """``(lon, lat, province)`` of a row located to a point, the province taken from the point when the
        row's admin name is unknown (said in a note); None, with a note, when the row cannot be used."""
        lon, lat = coordinate(row.get("longitude", "")), coordinate(row.get("latitude", ""))
        if lon is None or lat is None:
            self.skip("not used: latitude/longitude are not numbers", label)
            return None
        if province is None:
            province = self.names.at(lon, lat)
            if province is None:
                self.skip("not used: the point lies outside every embedded province", label)
                return None
            self.skip(f"kept with the province taken from the point: {admin_field} is not a known unit name",
                      f"{label} ({row.get(admin_field) or 'empty'})")
        return lon, lat, province

    @property
    def skipped(self) -> int:
        return sum(len(ids) for reason, ids in self._notes.items() if reason.startswith("not used"))


class AdminNames:
    """First-level unit names (own, Natural Earth and listed aliases) -> codes, per country."""

    def __init__(self, admin1, aliases: dict[str, list[str]]):
        self.lookup: dict[tuple[str, str], str] = {}
        self.frame = admin1
        for r in admin1.itertuples(index=False):
            for name in (r.name, r.ne_name, *aliases.get(r.code, ())):
                if name:
                    self.lookup[(r.adm0_a3, normalise(name))] = r.code

    def code(self, country: str, name: str) -> str | None:
        return self.lookup.get((country, normalise(name))) if name else None

    def at(self, lon: float, lat: float) -> str | None:
        """The code of the unit a point lies in (None outside every embedded unit)."""
        import shapely

        hits = self.frame.sindex.query(shapely.Point(lon, lat), predicate="intersects")
        return str(self.frame.iloc[int(hits[0])]["code"]) if len(hits) else None

    def at_many(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """:meth:`at` for many points in one query ("" outside every embedded unit)."""
        import shapely

        out = np.full(len(lon), "", dtype=object)
        if not len(lon):
            return out
        point, unit = self.frame.sindex.query(shapely.points(lon, lat), predicate="intersects")
        point, first = np.unique(point, return_index=True)  # a point on a border: the unit at() finds first
        out[point] = self.frame["code"].astype(str).to_numpy(dtype=object)[unit[first]]
        return out


def normalise(name: str) -> str:
    """Compare names without case, accents, punctuation, or the words 'province' and 'ostan'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(w for w in text.split() if w not in ("province", "ostan", "wilayat"))


def load_aliases(folder: Path | None = None) -> dict[str, list[str]]:
    path = catalog.verified(catalog.ADMIN_NAMES_FILE, folder)
    try:
        return json.loads(path.read_text(encoding="utf-8"))["aliases"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise SourceError(path, f"not a readable admin-name table ({exc})") from None


def header(path: Path) -> list[str]:
    """The first line of a CSV as column names ([] when it is not readable CSV); the rest of the file may be
    damaged (read_rows says how), so only that line is decoded."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 20).decode("utf-8-sig")
        return [c.strip() for c in next(csv.reader([first]), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def detect(path: Path) -> str | None:
    """"acled" or "ucdp" when the file's header is one of those exports; None otherwise."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt") or not path.is_file():
        return None
    columns = set(header(path))
    for name, needed in SIGNATURES.items():
        if needed <= columns:
            return name
    return None


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and every non-blank row of a CSV as text (what ``csv.DictReader`` reads), with one clear
    error for an unreadable file."""
    try:
        data = Path(path).read_bytes()
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        fields = next(reader, [])
        rows = [row for row in reader if row]
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(path, f"line {line} is not UTF-8 text (byte {exc.start}); ACLED and UCDP publish UTF-8, "
                                "download the file again") from None
    except (OSError, csv.Error) as exc:
        raise SourceError(path, f"not a readable CSV ({exc})") from None
    if not rows:
        raise LayerError(path, ["no rows"])
    width = len(fields)
    if any(len(row) > width for row in rows):  # a row with more fields than the header: a broken file
        n = next(i for i, row in enumerate(rows, 2) if len(row) > width)
        raise SourceError(path, f"line {n} has more fields than the header; the file is damaged")
    return fields, rows


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row as text (nothing parsed or guessed), with one clear error for an unreadable file."""
    fields, rows = _read(path)
    out = []
    for row in rows:
        cells = dict(zip(fields, row))
        cells.update((k, "") for k in fields[len(row):])  # as DictReader fills a short row
        out.append({k: v.strip() for k, v in cells.items()})
    return out


class Columns:
    """An export's cells column by column, as :func:`read_rows` reads them: ``get(name)`` is every row's
    stripped text ("" where the column is absent or the row is short), worked out when first asked for."""

    def __init__(self, path: Path) -> None:
        fields, rows = _read(path)
        self.n = len(rows)
        width = len(fields)
        cells = list(zip(*[row + [""] * (width - len(row)) if len(row) < width else row for row in rows]))
        self._raw = {name: cells[j] for j, name in enumerate(fields)}  # a repeated name: its last column
        self._done: dict[str, np.ndarray] = {}

    def get(self, name: str) -> np.ndarray:
        if name not in self._done:
            raw = self._raw.get(name)
            self._done[name] = np.full(self.n, "", dtype=object) if raw is None else \
                np.array([v.strip() for v in raw], dtype=object)
        return self._done[name]


def distinct(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's combination of ``columns`` as a code (numbered in the order they first come) and the first
    row of each code: a rule runs once per code and its verdict is spread to the rows."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
    return combined, np.unique(combined, return_index=True)[1]


def per_distinct(rule: Callable, *columns: np.ndarray) -> np.ndarray:
    """``rule(*values)`` for every row, run once per distinct combination of the rows' values."""
    codes, first = distinct(*columns)
    return objects([rule(*(c[i] for c in columns)) for i in first.tolist()])[codes]


def coded(values: np.ndarray) -> tuple[np.ndarray, list]:
    """A list field as ``events.Table`` holds it: each row's code into its distinct values."""
    none = isnone(values)
    codes, uniques = pd.factorize(np.where(none, _NONE, values))  # pandas would make None NaN
    return codes.astype(np.int64), [None if v is _NONE else v for v in uniques]


_NONE = object()


def isnone(values: np.ndarray) -> np.ndarray:
    """Which values of an object array are None."""
    return np.array([v is None for v in values.tolist()], dtype=bool)


def coordinate(text: str) -> float | None:
    """A longitude or latitude as both readers of an export take it (None: not a number)."""
    try:
        return round(float(text), 6)
    except ValueError:
        return None


def located(lon_text: np.ndarray, lat_text: np.ndarray, point: np.ndarray, province: np.ndarray,
            skipped: "Skipped", step: int, ctx: "Context", admin_field: str,
            admin: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Context.point` for the rows ``point``: their lon, lat and province (None: the row cannot be used,
    noted), the province taken from the point, in one spatial query, where the row's admin name is unknown."""
    lon, lat = np.full(len(point), np.nan), np.full(len(point), np.nan)
    province = province.copy()
    rows = np.flatnonzero(point)
    xs = [coordinate(v) for v in lon_text[rows].tolist()]
    ys = [coordinate(v) for v in lat_text[rows].tolist()]
    bad = np.array([x is None or y is None for x, y in zip(xs, ys)], dtype=bool)
    lon[rows] = [np.nan if x is None else x for x in xs]
    lat[rows] = [np.nan if y is None else y for y in ys]
    mask = np.zeros(len(point), dtype=bool)
    mask[rows[bad]] = True
    skipped.add(mask, step, "not used: latitude/longitude are not numbers")
    province[mask] = None
    ask = point & ~mask & isnone(province)
    found = ctx.names.at_many(lon[ask], lat[ask])
    outside, kept = ask.copy(), ask.copy()
    outside[ask], kept[ask] = found == "", found != ""
    skipped.add(outside, step, "not used: the point lies outside every embedded province")
    skipped.add(kept, step, f"kept with the province taken from the point: {admin_field} is not a known unit name",
                with_admin(skipped.labels, admin))
    province[ask] = np.where(found != "", found, None)
    return lon, lat, province


def with_admin(labels: np.ndarray, admin: np.ndarray) -> np.ndarray:
    """Rows' labels with the admin name they give, as a note names them: "123 (Quetta)", "123 (empty)"."""
    return labels + " (" + np.where(admin != "", admin, "empty") + ")"


def place_rows(ctx: "Context", skipped: "Skipped", step: int, alive: np.ndarray, country: np.ndarray,
               precision: np.ndarray, admin_key: np.ndarray, admin: np.ndarray, admin_field: str,
               lon_text: np.ndarray, lat_text: np.ndarray) -> tuple[np.ndarray, ...]:
    """Where the rows are, as both exports say it: the province of their admin name (``admin_key``, the
    name as looked up; ``admin``, as written), a point for rows located to a town or near one
    (:func:`located`). Returns lon, lat, province, the rows still usable and, of those, the ones located
    only to a unit."""
    province = per_distinct(lambda k, a: ctx.names.code(k, a) if k else None, country, admin_key)
    point = alive & np.isin(precision, ("town", "near"))
    lon, lat, province = located(lon_text, lat_text, point, province, skipped, step, ctx, admin_field, admin)
    alive = alive & ~(point & isnone(province))
    return lon, lat, province, alive, alive & ~point


def export_fields(prefix: str, raw_ids: np.ndarray, dates: np.ndarray, unit: np.ndarray, province: np.ndarray,
                  lon: np.ndarray, lat: np.ndarray) -> dict[str, np.ndarray]:
    """The fields both exports fill alike, for the rows used: id, date (``dates``: (date, precision,
    note) per row), first-level unit (none for a row drawn as its unit's shape) and point."""
    return {"id": np.array([record_id(prefix, r) for r in raw_ids.tolist()], dtype=object),
            "date": np.array([d[0] for d in dates], dtype=object),
            "date_precision": np.array([d[1] for d in dates], dtype=object),
            "date_note": np.array([d[2] for d in dates], dtype=object),
            "admin1": np.where(unit, "", province),
            "lon": np.where(unit, np.nan, lon).astype(float), "lat": np.where(unit, np.nan, lat).astype(float)}


def unit_lists(unit: np.ndarray, district: np.ndarray, province: np.ndarray) -> np.ndarray:
    """Each row's units: its district, else its province, for a row located only to a unit; none otherwise."""
    return per_distinct(lambda u, d, p: ((d,) if d else (p,)) if u else (), unit, district, province)


def with_sources(lists: dict, texts: np.ndarray, own_work: np.ndarray, make: Callable) -> dict[str, np.ndarray]:
    """Put each row's sources (``make(text, work)``) into ``lists``; returns the rows' own text: the row's
    own work (its event) stands in the sources as a placeholder, unless a source text holds the mark."""
    from .eventblock import MARK, placeholder

    if any(MARK in text for text in dict.fromkeys(texts.tolist())):  # a placeholder would be ambiguous
        lists["sources"] = per_distinct(make, texts, own_work)
        return {}
    lists["sources"] = per_distinct(lambda text: make(text, placeholder(WORK)), texts)
    return {WORK: own_work}


class Skipped:
    """Rows not used (or used with a caveat), gathered column by column: handed to ``Context.skip`` in the
    order a loop over the rows would have met them (row by row, each row's checks in ``step`` order)."""

    def __init__(self, labels: np.ndarray) -> None:
        self.labels = labels
        self._found: list[tuple[np.ndarray, int, str, np.ndarray]] = []

    def add(self, mask: np.ndarray, step: int, reason: str, labels: np.ndarray | None = None) -> None:
        rows = np.flatnonzero(mask)
        if len(rows):
            self._found.append((rows, step, reason, (self.labels if labels is None else labels)[rows]))

    def add_reasons(self, mask: np.ndarray, verdicts: np.ndarray, step: int) -> np.ndarray:
        """Rows of ``mask`` whose verdict is a reason (text) are not used, each noted with its own reason;
        returns which rows' verdicts are reasons."""
        why = np.array([v if isinstance(v, str) else "" for v in verdicts.tolist()], dtype=object)
        bad = why != ""
        for reason in dict.fromkeys(why[mask & bad].tolist()):
            self.add(mask & (why == reason), step, reason)
        return bad

    def say(self, ctx: "Context") -> None:
        if not self._found:
            return
        rows = np.concatenate([f[0] for f in self._found])
        steps = np.concatenate([np.full(len(f[0]), f[1]) for f in self._found])
        reasons = np.concatenate([np.full(len(f[0]), n) for n, f in enumerate(self._found)])
        labels = np.concatenate([f[3] for f in self._found])
        for k in np.lexsort((steps, rows)).tolist():
            ctx.skip(self._found[reasons[k]][2], labels[k])


def file_date(path: Path) -> str:
    """The day the file was last written (UTC): the access date when none is given."""
    return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.timezone.utc).date().isoformat()


def load(path: Path, *, folder: Path | None = None, accessed: str | None = None,
         version: str | None = None) -> Imported:
    """Read an ACLED or UCDP GED export; raise one LayerError when no row can be used."""
    from . import acled, ucdp

    kind, ctx = _context(path, folder, accessed, version)
    rows = read_rows(ctx.path)
    records, citation = (acled if kind == "acled" else ucdp).convert(rows, ctx)
    notes = ctx.notes()
    if not records:
        raise LayerError(ctx.path, ["no row can be drawn on this map"] + list(notes))
    return Imported(dataset=kind, records=tuple(records), notes=notes, citation=citation, rows=len(rows),
                    skipped=ctx.skipped)


@dataclass(frozen=True)
class ImportedTable:
    """An export mapped onto the events schema as columns (``table.records()`` are :func:`load`'s records)."""

    dataset: str  # "acled" or "ucdp"
    table: object  # events.Table
    notes: tuple[str, ...]
    citation: str
    rows: int
    skipped: int


def load_table(path: Path, *, folder: Path | None = None, accessed: str | None = None,
               version: str | None = None) -> ImportedTable:
    """:func:`load` done column by column, each rule once per distinct value: the same table of events, the
    same notes and citation, and the same error when no row can be used; no object per row."""
    from . import acled, ucdp

    kind, ctx = _context(path, folder, accessed, version)
    columns = Columns(ctx.path)
    table, citation = (acled if kind == "acled" else ucdp).table(columns, ctx)
    notes = ctx.notes()
    if not len(table):
        raise LayerError(ctx.path, ["no row can be drawn on this map"] + list(notes))
    return ImportedTable(dataset=kind, table=table, notes=notes, citation=citation, rows=columns.n,
                         skipped=ctx.skipped)


def _context(path: Path, folder: Path | None, accessed: str | None, version: str | None) -> tuple[str, Context]:
    """The export's kind and what its row mappers need, with one error for a file that is neither."""
    from . import events, sources

    path = Path(path)
    kind = detect(path)
    if kind is None:
        raise SourceError(path, "not an ACLED or UCDP GED export (its header has neither layout's columns)")
    folder = Path(folder or settings.geodata_dir())
    if accessed is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", accessed):
        raise SourceError(path, f"access date {accessed!r} is not YYYY-MM-DD")
    ctx = Context(path=path, names=AdminNames(sources.read_embedded(catalog.ADMIN1_FILE, folder),
                                              load_aliases(folder)),
                  districts=events.load_districts(folder), actors=events.load_actors(folder),
                  accessed=accessed or file_date(path), version=version or "")
    return kind, ctx


def table_of(fields: dict[str, np.ndarray], lists: dict[str, np.ndarray], n: int, *, dataset: str,
             redistributable: bool, own: dict[str, np.ndarray]):
    """The mapped rows as an ``events.Table``: ``fields`` the text fields a mapper sets (the rest empty),
    ``lists`` each list field's value per row (object arrays; the rest empty), ``own`` the rows' own text
    that list values hold as placeholders (``eventblock.placeholder``)."""
    from . import events

    text = {k: fields.get(k, np.full(n, "", dtype=object)) for k in events._TEXT_FIELDS}
    text["dataset"] = np.full(n, dataset, dtype=object)
    text["lon"], text["lat"] = fields["lon"], fields["lat"]
    empty = (np.zeros(n, dtype=np.int64), [()])
    lists = {k: coded(lists[k]) if k in lists else empty
             for k in ("actors", "units", "sources", "inferred", "move_from", "move_to")} | \
        {"fatalities": coded(lists["fatalities"])}
    return events.Table(text=text, coded=lists, redistributable=np.full(n, redistributable, dtype=bool), own=own)


def record_id(prefix: str, raw: str) -> str:
    """A schema id from a dataset's own id: 'PAK1234' -> 'acled-pak1234'."""
    return f"{prefix}-" + re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")[:70]


def district_id(ctx: Context, province: str, name: str) -> str | None:
    """An embedded district of ``province`` called ``name`` (or one of its aliases)."""
    key = normalise(name)
    for d in ctx.districts.values():
        if d.parent == province and key in {normalise(n) for n in (d.name, *d.aliases)}:
            return d.id
    return None


def coverage(countries, days) -> str:
    """The export's filters as far as its rows show them: countries and the first and last day."""
    days = sorted(d for d in days if d)
    span = f"{days[0]} to {days[-1]}" if days else "undated"
    return f"{', '.join(sorted(set(countries)))}; {span}"


# --- writing the mapped file ------------------------------------------------------------------------

def feature(record) -> dict:
    """One record as an events-schema GeoJSON Feature (the loader reads it back unchanged)."""
    props = {"id": record.id, "title": record.title, "category": record.category, "date": record.date,
             "date_precision": record.date_precision, "date_note": record.date_note,
             "actors": list(record.actors), "location_precision": record.location_precision,
             "units": list(record.units), "admin1": record.admin1, "place": record.place,
             "location_basis": record.location_basis, "summary": record.summary,
             "sources": [{"author": s.author, "work": s.work, "via": s.via, "url": s.url} for s in record.sources],
             "dataset": record.dataset, "redistributable": "yes" if record.redistributable else "no"}
    if record.fatalities is not None:
        f = record.fatalities
        props.update({"fatalities": f.best, "fatalities_low": f.low, "fatalities_high": f.high,
                      "fatalities_note": f.note})
    geometry = {"type": "Point", "coordinates": [record.lon, record.lat]} if record.lon is not None else None
    return {"type": "Feature", "properties": props, "geometry": geometry}


def to_geojson(imported: Imported) -> bytes:
    """The mapped records as events-schema GeoJSON, deterministic for the same input."""
    doc = {"type": "FeatureCollection", "name": f"{imported.dataset} export mapped by bordermap",
           "citation": imported.citation, "features": [feature(r) for r in imported.records]}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
