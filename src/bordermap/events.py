"""The events / places / group-areas schema and its loader.

The curated layer in ``geodata/events.geojson`` and an analyst's own GeoJSON or
CSV go through the same code: read with pyogrio (a plain CSV file with pyarrow,
see :mod:`bordermap.csvread`), every record checked, every
problem collected, then one ``LayerError`` naming the file, the record id and
the field. See the README's "Events schema" for the fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import catalog, csvread, layerio, settings
from .errors import LayerError, SourceError
from .layerio import READ_ERRORS
from .sources import read_embedded

#: category -> what it is. "event" and "place" records are markers; areas are shaded units.
CATEGORIES: dict[str, str] = {
    "attack": "event",
    "raid": "event",
    "border clash": "event",
    "political event": "event",
    "diplomatic event": "event",
    "recruitment": "event",
    "border crossing": "place",
    "place": "place",
    "group area": "area",
    "cross-border movement": "area",
    "refugee-hosting area": "area",
}

#: Location precision, finest first (in the spirit of UCDP's where_prec / ACLED's geo_precision).
PRECISIONS: dict[str, str] = {
    "site": "the exact site",
    "town": "a town or city (the point is the town's)",
    "near": "near a named place (within about 25 km)",
    "district": "a district (second-level unit)",
    "province": "a province (first-level unit)",
    "region": "a region spanning or within units, not named precisely by the source",
    "country": "a country",
}

#: The same, as a reader's filter names them.
PRECISION_LABELS: dict[str, str] = {
    "site": "Exact site", "town": "Town or city", "near": "Near a named place", "district": "District",
    "province": "Province", "region": "Region", "country": "Country",
}

#: The category whose records may claim a movement (``move_from`` -> ``move_to``), drawn as an arrow.
MOVEMENT_CATEGORY = "cross-border movement"
#: A movement may start or end in a whole country, named by its ISO3 code, when the text names only the country.
MOVEMENT_COUNTRIES = ("AFG", "IRN", "PAK")

DATE_PRECISIONS = ("day", "month", "year", "range", "undated")
#: Fields a record may list in ``inferred`` (the map's editors supplied them; the sources do not say
#: them), with the name a reader sees.
INFERABLE: dict[str, str] = {
    "title": "title", "category": "category", "actors": "actors", "date": "date", "place": "place",
    "units": "extent (units drawn)", "geometry": "point", "location_precision": "location precision",
}
#: The longest ``quote``: a locator of the passage, not a copy of it.
QUOTE_WORDS = 12
_DATE_FORMS = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_LIST_FIELDS = ("actors", "units")
REQUIRED = ("id", "title", "category", "date_precision", "location_precision", "location_basis", "summary", "sources")


@dataclass(frozen=True)
class Source:
    """Who made the claim, where, and through which article it reached us."""

    author: str
    work: str
    via: str = ""
    url: str = ""

    def text(self) -> str:
        out = f"{self.author}, {self.work}"
        return out + (f"; via {self.via}" if self.via else "")


@dataclass(frozen=True)
class Fatalities:
    """Deaths as a dataset counts them: a best figure and, where the dataset gives one, a range."""

    best: int
    low: int | None = None
    high: int | None = None
    note: str = ""  # what the figure is, in the dataset's terms

    def text(self) -> str:
        low = self.best if self.low is None else self.low
        high = self.best if self.high is None else self.high
        out = f"{self.best}" if low == high == self.best else f"{self.best} (range {low}–{high})"
        return f"{out}; {self.note}" if self.note else out


@dataclass(frozen=True)
class Record:
    id: str
    title: str
    category: str
    date: str
    date_precision: str
    actors: tuple[str, ...]
    location_precision: str
    units: tuple[str, ...]
    admin1: str
    place: str
    location_basis: str
    summary: str
    sources: tuple[Source, ...]
    date_note: str = ""
    lon: float | None = None
    lat: float | None = None
    inferred: tuple[str, ...] = ()  # field names from INFERABLE
    quote: str = ""  # at most QUOTE_WORDS consecutive words of the passage, verbatim
    context: str = ""  # the editors' outside knowledge, with its own basis; no source vouches for it
    move_from: tuple[str, ...] = ()  # a movement: the units it comes from (drawn as an arrow, see movement.py)
    move_to: tuple[str, ...] = ()  # ... and the units it goes to

    @property
    def date_inferred(self) -> bool:
        """The date is not in the sources: the editors supplied it (``date_note`` says from where)."""
        return "date" in self.inferred
    fatalities: Fatalities | None = None
    dataset: str = ""  # the citation of the dataset the record comes from (ACLED, UCDP GED), if any
    redistributable: bool = True  # False: shown on the page but never offered for download (ACLED's terms)

    @property
    def kind(self) -> str:
        return CATEGORIES[self.category]

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """First and last day the date covers; None when undated."""
        return date_period(self.date, self.date_precision)


@dataclass(frozen=True)
class Actors:
    """Canonical actor names and the aliases that map to them."""

    names: dict[str, dict]  # canonical -> registry entry
    lookup: dict[str, str]  # lower-cased alias or name -> canonical

    def canonical(self, name: str) -> str:
        return self.lookup.get(name.strip().lower(), name.strip())

    def short(self, canonical: str) -> str:
        return self.names.get(canonical, {}).get("short", canonical)


@dataclass(frozen=True)
class District:
    id: str
    name: str
    parent: str
    aliases: tuple[str, ...]
    hq_name: str
    hq_lon: float
    hq_lat: float
    hq_geonameid: int
    note: str = ""


def date_period(value: str, precision: str) -> tuple[dt.date, dt.date] | None:
    if precision == "undated" or not value:
        return None
    if precision == "range":
        a, b = value.split("/")
        return _bounds(a)[0], _bounds(b)[1]
    return _bounds(value)


def _bounds(value: str) -> tuple[dt.date, dt.date]:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        d = dt.date(*parts)
        return d, d
    if len(parts) == 2:
        start = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return start, nxt - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


def load_actors(folder: Path | None = None) -> Actors:
    path = catalog.verified(catalog.ACTORS_FILE, folder)
    data = _read_json(path)
    names, lookup = {}, {}
    for entry in data.get("actors", []):
        names[entry["name"]] = entry
        for alias in [entry["name"], entry.get("short", ""), *entry.get("aliases", [])]:
            if alias:
                lookup[alias.lower()] = entry["name"]
    return Actors(names=names, lookup=lookup)


def load_districts(folder: Path | None = None) -> dict[str, District]:
    path = catalog.verified(catalog.DISTRICTS_FILE, folder)
    out = {}
    for d in _read_json(path).get("districts", []):
        hq = d["hq"]
        out[d["id"]] = District(id=d["id"], name=d["name"], parent=d["parent"], aliases=tuple(d.get("aliases", [])),
                                hq_name=hq["name"], hq_lon=hq["lon"], hq_lat=hq["lat"],
                                hq_geonameid=hq["geonameid"], note=d.get("note", ""))
    return out


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(path, f"not readable JSON ({exc})") from None


try:
    import pyarrow  # optional: the faster reader of CSV events files
    import pyarrow.compute as pc
    _HAS_ARROW, _ARROW_ERRORS = True, (pyarrow.ArrowException,)
except ImportError:
    _HAS_ARROW, _ARROW_ERRORS = False, ()

#: What Python's ``str.strip()`` strips: Unicode's white space and the separators \x1c-\x1f.
_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
          "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def read_frame(path: Path) -> gpd.GeoDataFrame:
    """Read an events file (GeoJSON, or CSV with longitude/latitude columns) with pyogrio, or a plain CSV
    file with pyarrow (:mod:`bordermap.csvread`: the same frame, four times faster)."""
    path = Path(path)
    limit = (settings.MAX_EVENTS, "MAX_EVENTS")
    try:  # a regular file, in an allowed format, that references no other file or URL
        layerio.vet_bytes(path)
        # a plain CSV file is read without GDAL (see csvread), else GDAL opens it with an allowed driver
        frame = csvread.read(path, REQUIRED) if path.suffix.lower() == ".csv" else None
        if frame is None:
            layerio.vet_driver(path, limit)
        else:
            layerio.check_feature_count(path, len(frame), limit)
    except SourceError as exc:
        if exc.problem == "file not found":
            raise
        raise SourceError(path, f"not a readable events file ({exc.problem})") from None
    except OSError as exc:
        raise SourceError(path, f"not a readable events file (cannot read: {exc.strerror or exc})") from None
    if frame is not None:
        return frame
    # Dates stay strings: GDAL would otherwise parse them, and fail on a bad one
    # before the schema check can name the record.
    options: dict[str, Any] = {"DATE_AS_STRING": "YES"}
    if path.suffix.lower() == ".csv":
        options = csvread.gdal_options()
        if _HAS_ARROW:  # the same text columns, read in about a third of the time
            options["use_arrow"] = True
    try:
        with layerio.gdal_lockdown(), layerio.literal(path) as target:  # "a!b.csv" is no archive path
            frame = gpd.read_file(target, engine="pyogrio", **options)
    except READ_ERRORS + _ARROW_ERRORS as exc:  # e.g. text that is not UTF-8
        raise SourceError(path, f"not a readable events file ({_short(exc)})") from None
    if options.get("use_arrow"):
        _check_utf8(frame, path)
    if not isinstance(frame, gpd.GeoDataFrame):  # a CSV without coordinate columns
        frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs=4326)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame


def _check_utf8(frame, path: Path) -> None:
    """The arrow reader keeps bytes that are not UTF-8 as they are; refuse them as the other reader does."""
    for name in frame.columns:
        array = frame[name].array
        if hasattr(array, "__arrow_array__"):
            try:
                array.__arrow_array__().validate(full=True)
            except _ARROW_ERRORS:
                raise SourceError(path, f"not a readable events file (column {name!r} is not UTF-8 text; "
                                        "save it as UTF-8)") from None


def load_events(path: Path | None = None, *, units: Iterable[str] | None = None,
                folder: Path | None = None) -> tuple[Record, ...]:
    """Read and validate an events file; the embedded, checksummed one by default.

    ``units`` are the admin-unit codes records may reference (first-level codes
    and district ids); the embedded boundary and district tables by default.
    """
    folder = Path(folder or settings.geodata_dir())
    if path is None:
        path = catalog.verified(catalog.EVENTS_FILE, folder)
    actors = load_actors(folder)
    if units is None:
        units = set(read_embedded(catalog.ADMIN1_FILE, folder)["code"]) | set(load_districts(folder))
    from . import conflictdata  # ACLED and UCDP GED exports are read as published
    if conflictdata.detect(Path(path)):
        return conflictdata.load(Path(path), folder=folder).records
    return parse(read_frame(Path(path)), Path(path), actors=actors, units=set(units))


def load_table(path: Path, *, units: Iterable[str], folder: Path | None = None) -> Table:
    """An analyst's events file (not an ACLED or UCDP export) read and checked, as columns."""
    folder = Path(folder or settings.geodata_dir())
    return check(read_frame(Path(path)), Path(path), actors=load_actors(folder), units=set(units))


def parse(frame: gpd.GeoDataFrame, path: Path, *, actors: Actors, units: set[str]) -> tuple[Record, ...]:
    """Validate every row; raise one LayerError listing every problem found."""
    return check(frame, path, actors=actors, units=units).records()


@dataclass(frozen=True)
class Table:
    """Checked records as columns, one row a record: text stripped, list fields dictionary-encoded.

    ``text`` holds every text field (empty when absent) and ``lon``/``lat`` (NaN without a point);
    ``coded`` maps each list field (actors, units, sources, inferred, move_from, move_to, and
    fatalities) to the codes of its rows and its distinct values, so a million rows naming two
    actors are two tuples and a column of small integers.
    """

    text: dict[str, np.ndarray]
    coded: dict[str, tuple[np.ndarray, list]]
    redistributable: np.ndarray
    #: Each row's own text that its list values hold as a placeholder (``eventblock.placeholder(name)``), so
    #: that rows differing only in it share their values (an export's sources name each row's event).
    own: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.text["id"])

    def take(self, rows: np.ndarray) -> "Table":
        """The rows ``rows`` (indexes or a mask), in that order, as a table."""
        return Table(text={k: v[rows] for k, v in self.text.items()},
                     coded={k: (codes[rows], values) for k, (codes, values) in self.coded.items()},
                     redistributable=self.redistributable[rows], own={k: v[rows] for k, v in self.own.items()})

    def values(self, name: str) -> list:
        """One list field's value for every row."""
        codes, values = self.coded[name]
        return [values[c] for c in codes.tolist()]

    def records(self) -> tuple[Record, ...]:
        """The rows as Record objects, for the maps and figures that draw records one by one."""
        t, n = self.text, len(self)
        cols = {k: t[k].tolist() for k in _TEXT_FIELDS}
        lists = {k: self.values(k) for k in self.coded}
        if self.own:
            lists = {k: self._own_put(v) for k, v in lists.items()}
        lon, lat = t["lon"].tolist(), t["lat"].tolist()
        shared = self.redistributable.tolist()
        return tuple(Record(
            **{k: cols[k][i] for k in _TEXT_FIELDS}, **{k: lists[k][i] for k in lists},
            lon=None if lon[i] != lon[i] else lon[i], lat=None if lat[i] != lat[i] else lat[i],
            redistributable=shared[i]) for i in range(n))

    def _own_put(self, values: list) -> list:
        """Each row's value with its own text put into the placeholders."""
        from .eventblock import placeholder

        marks = [(placeholder(k), column) for k, column in self.own.items()]
        cache: dict = {}

        def put(value: Any, i: int) -> Any:
            if isinstance(value, str):
                for mark, column in marks:
                    if mark in value:
                        value = value.replace(mark, column[i])
                return value
            if isinstance(value, tuple):
                return tuple(put(v, i) for v in value)
            if isinstance(value, Source):
                return dataclasses.replace(value, **{f.name: put(getattr(value, f.name), i)
                                                     for f in dataclasses.fields(value)})
            return value

        def marked(value: Any) -> bool:
            if isinstance(value, str):
                return any(mark in value for mark, _ in marks)
            if isinstance(value, tuple):
                return any(marked(v) for v in value)
            return isinstance(value, Source) and marked(dataclasses.astuple(value))

        out = []
        for i, value in enumerate(values):
            key = id(value)
            if key not in cache:
                cache[key] = marked(value)
            out.append(put(value, i) if cache[key] else value)
        return out


#: The text fields of a Record, as a Table holds them.
_TEXT_FIELDS = ("id", "title", "category", "date", "date_precision", "date_note", "location_precision", "admin1",
                "place", "location_basis", "summary", "quote", "context", "dataset")


def check(frame: gpd.GeoDataFrame, path: Path, *, actors: Actors, units: set[str]) -> Table:
    """Validate the rows column by column; raise one LayerError listing every problem, record by record.

    Rules that read one field or a few (dates, sources, lists, provenance, fatalities, movement) run
    once per distinct combination of their fields and their verdict is spread to every row that has
    it; the rest are masks. Messages are worded only for the rows that fail.
    """
    missing_cols = [c for c in REQUIRED if c not in frame.columns]
    if missing_cols:
        raise LayerError(path, [f"missing column(s): {', '.join(missing_cols)}"])
    n = len(frame)
    if n == 0:
        raise LayerError(path, ["no records"])
    codes_of = _column_codes(frame)
    text = {k: _texts(frame, k, codes_of) for k in _TEXT_FIELDS + ("redistributable",)}
    found: list[tuple[int, int, int, str, str]] = []  # row, rule, order within the rule, field, message

    def rows_bad(rule: int, mask: np.ndarray, field: str, message) -> None:
        for i in np.flatnonzero(mask).tolist():
            found.append((i, rule, 0, field, message(i) if callable(message) else message))

    rid = text["id"]
    has_id = rid != ""
    ids = pd.Series(rid, dtype=object)
    if _HAS_ARROW:  # RE2 anchored at both ends is Python's fullmatch
        form = pc.match_substring_regex(pyarrow.array(rid, type=pyarrow.string()), _ID.pattern)
        well_formed = has_id & form.to_numpy(zero_copy_only=False).astype(bool)
    else:
        well_formed = has_id & ids.str.fullmatch(_ID.pattern.strip("^$")).fillna(False).to_numpy(bool)
    rows_bad(0, ~has_id, "id", "missing")
    rows_bad(0, has_id & ~well_formed, "id", lambda i: f"{rid[i]!r} must be lower-case letters, digits and hyphens")
    rows_bad(0, well_formed & ids.duplicated().to_numpy(), "id", "used by an earlier record")
    for k, name in enumerate(("title", "summary", "location_basis")):
        rows_bad(1 + k, text[name] == "", name, "missing")
    category = text["category"]
    rows_bad(4, ~_isin(category, CATEGORIES), "category",
             lambda i: f"{category[i]!r} is not one of: {', '.join(CATEGORIES)}")
    _by_distinct(frame, codes_of, ("date", "date_precision"), 5, found,
                 lambda row, bad: _check_date(_text(row["date"]), _text(row["date_precision"]), bad))
    loc = text["location_precision"]
    rows_bad(6, ~_isin(loc, PRECISIONS), "location_precision",
             lambda i: f"{loc[i]!r} is not one of: {', '.join(PRECISIONS)}")
    coded = {}
    codes, pairs = _by_distinct(frame, codes_of, ("actors", "units"), 7, found,
                                lambda row, bad: _actors_units(row, actors, units, bad))
    coded["actors"] = _split(codes, [p[0] for p in pairs])
    coded["units"] = _split(codes, [p[1] for p in pairs])
    admin1 = text["admin1"]
    _by_distinct(frame, codes_of, ("admin1",), 8, found,
                 lambda row, bad: bad("admin1", f"unknown unit code {_text(row['admin1'])!r}")
                 if _text(row["admin1"]) and _text(row["admin1"]) not in units else None)
    lon, lat = _points(frame, found, admin1, coded["units"])
    text["lon"], text["lat"] = lon, lat
    coded["sources"] = _by_distinct(frame, codes_of, ("sources",), 10, found,
                                    lambda row, bad: _sources(row["sources"], bad))
    provenance = _by_distinct(frame, codes_of, ("inferred", "date_precision", "date_note", "quote"), 11, found,
                              lambda row, bad: _provenance(row, _text(row["date_precision"]), bad))
    coded["inferred"] = _split(provenance[0], [p[0] for p in provenance[1]])
    quote_codes, quotes = _split(provenance[0], [p[1] for p in provenance[1]])
    text["quote"] = np.array(quotes, dtype=object)[quote_codes] if len(quotes) else text["quote"]
    coded["fatalities"] = _by_distinct(frame, codes_of, ("fatalities", "fatalities_low", "fatalities_high",
                                                         "fatalities_note"), 12, found, _fatalities)
    move_codes, moves = _by_distinct(frame, codes_of, ("move_from", "move_to", "category"), 13, found,
                                     lambda row, bad: _movement(row, _text(row["category"]), units, bad))
    coded["move_from"] = _split(move_codes, [m[0] for m in moves])
    coded["move_to"] = _split(move_codes, [m[1] for m in moves])
    if found:
        found.sort(key=lambda f: f[:3])
        raise LayerError(path, [f"{_label(rid[i], i)}: {field}: {message}" for i, _, _, field, message in found])
    codes, distinct = pd.factorize(text.pop("redistributable"))  # numpy's text drops trailing NULs
    shared = ~np.array([v.rstrip("\x00").lower() in ("no", "false", "0") for v in distinct] or [False])[codes]
    return Table(text=text, coded=coded, redistributable=shared)


def _isin(values: np.ndarray, allowed: Iterable[str]) -> np.ndarray:
    """``np.isin`` for text, by hashing instead of sorting."""
    return pd.Series(values, dtype=object).isin(list(allowed)).to_numpy(dtype=bool)


def _label(rid: str, i: int) -> str:
    return f"record {rid!r}" if rid else f"record #{i + 1}"


def _texts(frame: pd.DataFrame, name: str, codes_of=None) -> np.ndarray:
    """A field as stripped text for every row ("" when absent), as :func:`_text` reads one cell;
    ``codes_of``: :func:`_column_codes` of the frame."""
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    column = frame[name]
    text = pd.api.types.is_string_dtype(column.dtype) and not pd.api.types.is_object_dtype(column.dtype)
    if text and _HAS_ARROW and hasattr(column.array, "__arrow_array__"):  # stripped as str.strip does, in one pass
        cells = pc.fill_null(column.array.__arrow_array__(), "")
        coded = pc.dictionary_encode(cells)
        coded = coded.combine_chunks() if isinstance(coded, pyarrow.ChunkedArray) else coded
        if 4 * len(coded.dictionary) > len(cells):  # mostly distinct: every cell its own string
            return pc.utf8_trim(cells, characters=_SPACE).to_numpy(zero_copy_only=False)
        # few distinct values: each made once, the rows refer to it
        values = np.array(pc.utf8_trim(coded.dictionary, characters=_SPACE).to_pylist(), dtype=object)
        return values[coded.indices.to_numpy(zero_copy_only=False)]
    if text:
        stripped = column.fillna("").str.strip()  # Unicode's white space, without a Python loop
        values = stripped.to_numpy(dtype=object)
        # Python's str.strip also strips the separators \x1c-\x1f: those few cells go through it
        odd = stripped.str.contains("^[\x1c-\x1f]|[\x1c-\x1f]$", regex=True).to_numpy(dtype=bool)
        values[odd] = [v.strip() for v in values[odd]]
        return values
    codes, first = (codes_of or _column_codes(frame))(name)
    values = column.iloc[first].tolist()
    return np.array([_text(v) for v in values] + [""], dtype=object)[codes]


def _column_codes(frame: pd.DataFrame):
    """:func:`_codes` of a frame's columns by name, each worked out once (several rules read one column)."""
    done: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def codes_of(name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in done:
            done[name] = _codes(frame[name])
        return done[name]
    return codes_of


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code among the column's distinct values (-1: missing) and the first row of each value.

    Cells are told apart by type as well as value (``1`` and ``True`` are different answers), and a list
    by its items.
    """
    if pd.api.types.is_object_dtype(column.dtype):
        column = column.map(_hashable)
    codes, _ = pd.factorize(column)
    present = codes >= 0
    _, first = np.unique(codes[present], return_index=True)
    return codes, np.flatnonzero(present)[first]


def _hashable(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.ndarray, list, dict, tuple)):
        return ("json", json.dumps(value.tolist() if isinstance(value, np.ndarray) else value, sort_keys=True,
                                   default=str))
    return (type(value).__name__, value)


def _by_distinct(frame: pd.DataFrame, codes_of, fields: tuple[str, ...], rule: int, found: list,
                 check) -> tuple[np.ndarray, list]:
    """``check(row, bad)`` once per distinct combination of ``fields`` (a row dict of the cells as read);
    returns each row's combination code and the results, and adds each failing row's messages to ``found``.
    ``codes_of``: :func:`_column_codes` of the frame."""
    n = len(frame)
    combined = np.zeros(n, dtype=np.int64)
    for name in fields:
        if name not in frame.columns:
            continue
        codes, first = codes_of(name)
        combined, _ = pd.factorize(combined * (len(first) + 1) + codes + 1)
    _, first = np.unique(combined, return_index=True)
    cells = {name: frame[name].iloc[first].tolist() if name in frame.columns else [None] * len(first)
             for name in fields}
    results, failing = [], {}
    for k in range(len(first)):
        errs: list[tuple[str, str]] = []
        results.append(check({name: cells[name][k] for name in fields}, lambda f, m: errs.append((f, m))))
        if errs:
            failing[k] = errs
    if failing:
        for i in np.flatnonzero(np.isin(combined, list(failing))).tolist():
            found.extend((i, rule, order, f, m) for order, (f, m) in enumerate(failing[int(combined[i])]))
    return combined, results


def _split(codes: np.ndarray, values: list) -> tuple[np.ndarray, list]:
    """Codes of combinations re-coded to the distinct values one part of them takes."""
    index: dict = {}
    remap = np.array([index.setdefault(v, len(index)) for v in values] or [0], dtype=np.int64)
    return remap[codes], list(index)


def _actors_units(row: dict, actors: Actors, units: set[str], bad) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        actor_list = tuple(dict.fromkeys(actors.canonical(a) for a in _as_list(row["actors"]) if a))
        unit_list = tuple(_as_list(row["units"]))
    except ValueError as exc:
        bad("actors/units", str(exc))
        actor_list, unit_list = (), ()
    for code in unit_list:
        if code not in units:
            bad("units", f"unknown unit code {code!r}")
    return actor_list, unit_list


def _points(frame: gpd.GeoDataFrame, found: list, admin1: np.ndarray, units: tuple[np.ndarray, list]) \
        -> tuple[np.ndarray, np.ndarray]:
    """Each row's point (NaN when none), rounded to 6 decimals as Python rounds; the geometry rules."""
    n = len(frame)
    geometry = getattr(frame, "geometry", None)
    geoms = np.asarray(geometry.values) if geometry is not None else np.full(n, None, dtype=object)
    kinds = shapely.get_type_id(geoms)
    present = (kinds >= 0) & ~shapely.is_empty(geoms)
    point = present & (kinds == 0)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    lon[point], lat[point] = shapely.get_x(geoms[point]), shapely.get_y(geoms[point])
    for values in (lon, lat):
        rounded = np.round(values, 6)
        for i in np.flatnonzero(point & (rounded != values)).tolist():  # numpy and Python round ties apart
            rounded[i] = round(float(values[i]), 6)
        values[:] = rounded
    for i in np.flatnonzero(present & ~point).tolist():
        found.append((i, 9, 0, "geometry", f"must be a Point (areas reference units instead), not "
                                           f"{geoms[i].geom_type}"))
    outside = point & ~((np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    for i in np.flatnonzero(outside).tolist():
        found.append((i, 9, 0, "geometry", f"coordinates ({float(lon[i])}, {float(lat[i])}) are outside the world"))
    for i in np.flatnonzero(point & (admin1 == "")).tolist():
        found.append((i, 9, 1, "admin1", "missing: a point names the first-level unit it lies in"))
    codes, values = units
    no_units = np.array([not v for v in values] or [True])[codes]
    for i in np.flatnonzero(~present & no_units).tolist():
        found.append((i, 9, 0, "geometry", "missing: give a point, or unit codes in 'units'"))
    return lon, lat


def _check_date(date: str, precision: str, bad) -> None:
    if precision not in DATE_PRECISIONS:
        bad("date_precision", f"{precision!r} is not one of: {', '.join(DATE_PRECISIONS)}")
        return
    if precision == "undated":
        if date:
            bad("date", f"{date!r} given but date_precision is 'undated'")
        return
    parts = date.split("/") if precision == "range" else [date]
    if precision == "range" and len(parts) != 2:
        bad("date", f"{date!r}: a range is written START/END, e.g. 2021-08/2021-09")
        return
    for part in parts:
        forms = list(_DATE_FORMS.values()) if precision == "range" else [_DATE_FORMS[precision]]
        if not any(re.fullmatch(f, part) for f in forms):
            want = "YYYY-MM-DD, YYYY-MM or YYYY" if precision == "range" else \
                {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}[precision]
            bad("date", f"{date!r} does not match date_precision {precision!r} ({want})")
            return
        try:
            _bounds(part)
        except ValueError:
            bad("date", f"{part!r} is not a real date")
            return
    if precision == "range" and _bounds(parts[0])[0] > _bounds(parts[1])[1]:
        bad("date", f"{date!r}: the range ends before it starts")


def _provenance(row: dict, precision: str, bad) -> tuple[tuple[str, ...], str, str]:
    """``inferred``, ``quote`` and ``context``: what the editors added, and where the passage is."""
    try:
        inferred = tuple(dict.fromkeys(_as_list(row.get("inferred"))))
    except ValueError as exc:
        bad("inferred", str(exc))
        inferred = ()
    for name in inferred:
        if name not in INFERABLE:
            bad("inferred", f"{name!r} is not a field that can be inferred (one of: {', '.join(INFERABLE)})")
    if "date" in inferred:
        if precision == "undated":
            bad("inferred", "'date' listed but the record is undated")
        elif not _text(row.get("date_note")):
            bad("inferred", "'date' listed: give a date_note saying where the date comes from")
    quote = " ".join(_text(row.get("quote")).split())
    if len(quote.split()) > QUOTE_WORDS:
        bad("quote", f"{len(quote.split())} words; a quote locates the passage in at most {QUOTE_WORDS} words")
    return inferred, quote, _text(row.get("context"))


def _movement(row: dict, category: str, units: set[str], bad) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``move_from`` and ``move_to``: a claimed movement from units to units, at the precision the text names."""
    ends = []
    for key in ("move_from", "move_to"):
        try:
            codes = tuple(dict.fromkeys(_as_list(row.get(key))))
        except ValueError as exc:
            bad(key, str(exc))
            codes = ()
        for code in codes:
            if code not in units and code not in MOVEMENT_COUNTRIES:
                bad(key, f"unknown unit code {code!r} (give unit codes, or one of {', '.join(MOVEMENT_COUNTRIES)})")
        ends.append(codes)
    if bool(ends[0]) != bool(ends[1]):
        bad("move_from" if not ends[0] else "move_to", "missing: a movement needs both move_from and move_to")
    elif ends[0] and category != MOVEMENT_CATEGORY:
        bad("move_from", f"only a {MOVEMENT_CATEGORY!r} record can draw a movement (this is {category!r})")
    elif ends[0] and set(ends[0]) & set(ends[1]):
        bad("move_to", "a movement cannot end in a unit it starts from")
    return ends[0], ends[1]


def _fatalities(row: dict, bad) -> Fatalities | None:
    """The optional ``fatalities`` (best), ``fatalities_low``, ``fatalities_high`` and ``fatalities_note``."""
    values = {}
    for key in ("fatalities", "fatalities_low", "fatalities_high"):
        text = _text(row.get(key))
        if text.endswith(".0"):
            text = text[:-2]
        if text and not text.isdigit():
            bad(key, f"{text!r} is not a whole number of 0 or more")
            return None
        values[key] = int(text) if text else None
    if values["fatalities"] is None:
        if values["fatalities_low"] is not None or values["fatalities_high"] is not None:
            bad("fatalities", "missing: a range needs the best figure too")
        return None
    f = Fatalities(values["fatalities"], values["fatalities_low"], values["fatalities_high"],
                   _text(row.get("fatalities_note")))
    if (f.low is not None and f.low > f.best) or (f.high is not None and f.high < f.best):
        bad("fatalities", f"the range {f.low}–{f.high} does not contain the best figure {f.best}")
    return f


def _sources(value: Any, bad) -> tuple[Source, ...]:
    try:
        items = _cell_items(value)
    except ValueError as exc:
        bad("sources", str(exc))
        return ()
    if not items:
        bad("sources", "at least one source is required")
        return ()
    out = []
    for n, item in enumerate(items, 1):
        if isinstance(item, str):  # CSV form: "author | work | via | url"
            item = dict(zip(("author", "work", "via", "url"), (p.strip() for p in item.split("|"))))
        if not isinstance(item, dict) or not _text(item.get("author")) or not _text(item.get("work")):
            bad("sources", f"source {n} needs an 'author' and a 'work'")
            continue
        url = _text(item.get("url"))
        if url and not re.match(r"^https?://", url, re.I):
            bad("sources", f"source {n}: url must start with http:// or https://")
            continue
        out.append(Source(author=_text(item["author"]), work=_text(item["work"]),
                          via=_text(item.get("via")), url=url))
    return tuple(out)


def _as_list(value: Any) -> list[str]:
    items = _cell_items(value)
    if not all(isinstance(v, str) for v in items):
        raise ValueError("must be a list of names")
    return [v.strip() for v in items]


def _cell_items(value: Any) -> list:
    """A list field as read: a list, a numpy array, JSON text, or ';'-separated text (CSV)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, str):
        value = value.strip()
        if not value.startswith("["):
            return [part.strip() for part in value.split(";") if part.strip()]
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg})") from None
    if not isinstance(value, list):
        raise ValueError("must be a list")
    return value


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def to_frame(records: Iterable[Record]) -> gpd.GeoDataFrame:
    """Records as a GeoDataFrame (points only where a record has one), for notebooks."""
    rows = []
    for r in records:
        rows.append({"id": r.id, "title": r.title, "category": r.category, "date": r.date,
                     "date_precision": r.date_precision, "actors": "; ".join(r.actors),
                     "location_precision": r.location_precision, "units": "; ".join(r.units),
                     "admin1": r.admin1, "place": r.place, "summary": r.summary,
                     "inferred": "; ".join(r.inferred), "quote": r.quote, "context": r.context,
                     "sources": " | ".join(s.text() for s in r.sources),
                     "move_from": "; ".join(r.move_from), "move_to": "; ".join(r.move_to),
                     "geometry": shapely.Point(r.lon, r.lat) if r.lon is not None else None})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
