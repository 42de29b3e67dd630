"""ACLED and UCDP GED exports, read as they are published, mapped onto the events schema.

A CSV is recognised by its header (:func:`detect`); :mod:`bordermap.acled` and
:mod:`bordermap.ucdp` turn each row into an :class:`~bordermap.events.Record`
with the dataset's own precision rules. This module holds what both share:
reading the CSV, matching admin names to the embedded units through
``geodata/admin_names.json``, collecting a note for every row that cannot be
used, and writing the mapped records as an events-schema GeoJSON.
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

from . import catalog, settings
from .errors import LayerError, SourceError

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
        try:
            lon, lat = round(float(row["longitude"]), 6), round(float(row["latitude"]), 6)
        except (KeyError, ValueError):
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


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row as text (nothing parsed or guessed), with one clear error for an unreadable file."""
    try:
        data = Path(path).read_bytes()
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceError(path, f"line {line} is not UTF-8 text (byte {exc.start}); ACLED and UCDP publish UTF-8, "
                                "download the file again") from None
    except (OSError, csv.Error) as exc:
        raise SourceError(path, f"not a readable CSV ({exc})") from None
    if not rows:
        raise LayerError(path, ["no rows"])
    if any(None in row for row in rows):  # a row with more fields than the header: a broken file
        n = next(i for i, row in enumerate(rows, 2) if None in row)
        raise SourceError(path, f"line {n} has more fields than the header; the file is damaged")
    return [{k: (v or "").strip() for k, v in row.items()} for row in rows]


def file_date(path: Path) -> str:
    """The day the file was last written (UTC): the access date when none is given."""
    return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.timezone.utc).date().isoformat()


def load(path: Path, *, folder: Path | None = None, accessed: str | None = None,
         version: str | None = None) -> Imported:
    """Read an ACLED or UCDP GED export; raise one LayerError when no row can be used."""
    from . import acled, events, sources, ucdp

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
    rows = read_rows(path)
    records, citation = (acled if kind == "acled" else ucdp).convert(rows, ctx)
    notes = ctx.notes()
    if not records:
        raise LayerError(path, ["no row can be drawn on this map"] + list(notes))
    return Imported(dataset=kind, records=tuple(records), notes=notes, citation=citation, rows=len(rows),
                    skipped=ctx.skipped)


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
