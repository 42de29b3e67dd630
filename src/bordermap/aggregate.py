"""Counts of events and sums of fatalities by district, province or hexagon, without inventing precision.

An event counts only at a level its location precision supports (:data:`COUNTED`):
a province-only event adds to its province and never to a hexagon or district,
and the result says how many events it could not place. Points go to units
through shapely's vectorised STRtree queries and to hexagons by arithmetic on
numpy arrays; DuckDB groups the events (and, for a large export, reads the CSV:
:func:`from_csv`). Classes come from mapclassify, so the page and the figure
share one set of breaks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .errors import BordermapError, LayerError, SourceError
from .recipe import AGGREGATE_LEVELS as LEVELS, AggregateSpec as Spec

__all__ = ["LEVELS", "Spec", "Result", "aggregate", "containing", "from_csv", "group", "place"]

#: The location precisions an event must have to be counted at each level.
COUNTED: dict[str, frozenset[str]] = {
    "province": frozenset({"site", "town", "near", "district", "province"}),
    "district": frozenset({"site", "town", "district"}),
    "hexagon": frozenset({"site", "town"}),
}
#: ColorBrewer YlOrRd (9 classes), sequential and readable in grey; k classes take evenly spaced entries.
RAMP = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026")
#: How an unplaced event's precision is said: "known only to the province".
KNOWN_TO = {"near": "located only near a place (within about 25 km)", "district": "known only to the district",
            "province": "known only to the province", "region": "known only to a region",
            "country": "known only to the country"}
PLURAL = {"district": "districts", "province": "provinces", "hexagon": "hexagons"}
#: The unit index of an event precise enough for the level but in none of its units (a point outside the
#: district shapes, a district without a shape, a province name not matched); -1 is "not precise enough".
OUTSIDE = -2
#: The equal-area projection hexagons are laid out in (Lambert azimuthal, centred on the region).
HEX_CRS = "+proj=laea +lat_0=30 +lon_0=65 +datum=WGS84 +units=m +no_defs"
INSTALL_HINT = "aggregation needs duckdb and mapclassify: pip install 'bordermap[conflict]'"


class AggregateError(BordermapError):
    """An aggregate cannot be made as asked (no district shapes, a missing library)."""


@dataclass(frozen=True)
class Result:
    spec: Spec
    units: gpd.GeoDataFrame  # unit, name, geometry, count, best, low, high, class
    members: tuple[tuple[int, ...], ...]  # per unit, the indexes of its events in the input
    unplaced: dict[str, int] = field(default_factory=dict)  # precision -> events not placed at this level
    breaks: tuple[float, ...] = ()  # upper bounds of the classes
    colours: tuple[str, ...] = ()

    def notes(self) -> tuple[str, ...]:
        """'312 events known only to the province are not in the hexagons', one per precision."""
        where = PLURAL[self.spec.level]
        return tuple(f"{n:,} event{'s' if n != 1 else ''} {'lie' if n != 1 else 'lies'} in none of the {where} drawn"
                     if p == "outside" else
                     f"{n:,} event{'s' if n != 1 else ''} {KNOWN_TO.get(p, 'without a usable location')} "
                     f"{'are' if n != 1 else 'is'} not in the {where}" for p, n in self.unplaced.items() if n)

    def labels(self) -> tuple[str, ...]:
        """A legend label per class: '1–3 events'."""
        one, many = ("event", "events") if self.spec.measure == "events" else ("fatality", "fatalities")
        out, low = [], 1 if self.spec.measure == "events" else 0
        for b in self.breaks:
            high = int(b) if float(b).is_integer() else b
            out.append(f"{low:g}–{high:g} {many}" if low != high else f"{high:g} {one if high == 1 else many}")
            low = int(b) + 1 if float(b).is_integer() else b
        return tuple(out)


def _libraries():
    try:
        import duckdb
        import mapclassify
    except ImportError:
        raise AggregateError(INSTALL_HINT) from None
    return duckdb, mapclassify


def aggregate(records, spec: Spec, admin1: gpd.GeoDataFrame, districts: gpd.GeoDataFrame | None = None,
              district_shapes: dict | None = None, more: tuple = ()) -> Result:
    """Aggregate events-schema records; ``districts`` are the district shapes (unit, name, geometry).

    ``more``: point events after the records, as columns (lon, lat, precision, province, fatalities n×3),
    from :func:`columns_of`.
    """
    if more:
        first = _columns(records, district_shapes)
        return group(spec, *(np.concatenate([a, b]) for a, b in zip(first, more)), admin1, districts)
    return group(spec, *_columns(records, district_shapes), admin1, districts)


def columns_of(table, rows: np.ndarray) -> tuple:
    """The aggregate's columns of ``rows`` of a checked ``events.Table`` of point events (admin1 is given)."""
    codes, values = table.coded["fatalities"]
    fat = np.array([(f.best, f.best if f.low is None else f.low, f.best if f.high is None else f.high)
                    if f is not None else (0, 0, 0) for f in values], dtype=np.int64).reshape(-1, 3)
    t = table.text
    return (t["lon"][rows], t["lat"][rows], t["location_precision"][rows], t["admin1"][rows], fat[codes[rows]])


def _columns(records, district_shapes: dict | None) -> tuple:
    """The records' lon, lat, precision, province and fatalities (best, low, high), as arrays."""
    n = len(records)
    lon = np.array([np.nan if r.lon is None else r.lon for r in records], dtype=float)
    lat = np.array([np.nan if r.lat is None else r.lat for r in records], dtype=float)
    precision = np.array([r.location_precision for r in records], dtype=object)
    province = np.array([r.admin1 or _province(r, district_shapes) for r in records], dtype=object)
    # A district-precision record is placed by its district's shape (a point inside it), never by a centroid.
    for i, r in enumerate(records):
        if r.location_precision == "district" and district_shapes:
            geom = next((district_shapes[u][0] for u in r.units if u in district_shapes), None)
            if geom is not None:
                p = geom.representative_point()
                lon[i], lat[i] = p.x, p.y
    fat = np.array([(f.best, f.best if f.low is None else f.low, f.best if f.high is None else f.high)
                    if (f := r.fatalities) is not None else (0, 0, 0) for r in records], dtype=np.int64).reshape(n, 3)
    return lon, lat, precision, province, fat


def _province(record, district_shapes) -> str:
    for code in record.units:
        return code.split(":")[0]
    return ""


def place(spec: Spec, lon, lat, precision, province, admin1: gpd.GeoDataFrame,
          districts: gpd.GeoDataFrame | None) -> tuple[np.ndarray, gpd.GeoDataFrame]:
    """Each event's unit index (-1: not precise enough for this level; OUTSIDE: in none of its units)."""
    counted = np.isin(precision, list(COUNTED[spec.level]))
    keys = np.full(len(lon), -1, dtype=np.int64)
    if spec.level == "province":
        units = admin1[["code", "name", "geometry"]].rename(columns={"code": "unit"}).reset_index(drop=True)
        index = {code: i for i, code in enumerate(units["unit"])}
        import pandas as pd

        keys = pd.Series(province, dtype=object).map(index).fillna(OUTSIDE).to_numpy(dtype=np.int64).copy()
        keys[~counted] = -1
        return keys, units
    has_point = counted & ~np.isnan(lon)
    keys[counted & ~has_point] = OUTSIDE  # e.g. a district-only event whose district has no shape
    if spec.level == "district":
        if districts is None or not len(districts):
            raise AggregateError("no district shapes: run `bordermap data fetch` (geoBoundaries ADM2), "
                                 "or aggregate by province or hexagon")
        units = districts.reset_index(drop=True)
        found = containing(units.geometry.values, lon[has_point], lat[has_point])
        keys[np.flatnonzero(has_point)] = np.where(found < 0, OUTSIDE, found)
        return keys, units
    q, r = hex_cells(lon[has_point], lat[has_point], spec.hex_km)
    cells, inverse = np.unique(np.stack([q, r], axis=1), axis=0, return_inverse=True) if len(q) else \
        (np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64))
    keys[np.flatnonzero(has_point)] = inverse.reshape(-1)
    units = gpd.GeoDataFrame({"unit": [f"hex:{a}:{b}" for a, b in cells],
                              "name": [f"Hexagon {a}, {b}" for a, b in cells]},
                             geometry=hex_polygons(cells, spec.hex_km), crs=4326)
    return keys, units


def containing(polygons, x, y) -> np.ndarray:
    """Per point, the index of the first polygon that contains it or has it on its edge (-1: none).

    The STRtree finds the candidates by bounding box; the exact test runs on the prepared polygons, vectorised
    over the candidate pairs (asking the tree for the predicate would prepare the points instead: ten times slower).
    """
    polygons = np.asarray(polygons, dtype=object)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    found = np.full(len(x), -1, dtype=np.int64)
    if not len(x) or not len(polygons):
        return found
    candidate_point, candidate_unit = shapely.STRtree(polygons).query(shapely.points(x, y))
    shapely.prepare(polygons)
    inside = shapely.intersects_xy(polygons[candidate_unit], x[candidate_point], y[candidate_point])
    hit_point, hit_unit = candidate_point[inside], candidate_unit[inside]
    order = np.lexsort((hit_unit, hit_point))  # shared edges go to one unit: the first in the frame
    hit_point, hit_unit = hit_point[order], hit_unit[order]
    found[hit_point[::-1]] = hit_unit[::-1]
    return found


def hex_cells(lon, lat, hex_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial coordinates of the pointy-top hexagon (circumradius ``hex_km``) each point falls in."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, HEX_CRS, always_xy=True).transform(np.asarray(lon), np.asarray(lat))
    size = hex_km * 1000.0
    fq, fr = (np.sqrt(3) / 3 * x - y / 3) / size, (2 / 3 * y) / size
    fs = -fq - fr
    q, r, s = np.round(fq), np.round(fr), np.round(fs)
    dq, dr, ds = np.abs(q - fq), np.abs(r - fr), np.abs(s - fs)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def hex_polygons(cells: np.ndarray, hex_km: float) -> list:
    """The hexagons of axial ``cells`` as lon/lat polygons."""
    from pyproj import Transformer

    if not len(cells):
        return []
    size = hex_km * 1000.0
    cx = size * np.sqrt(3) * (cells[:, 0] + cells[:, 1] / 2)
    cy = size * 1.5 * cells[:, 1]
    angles = np.radians(30 + 60 * np.arange(7))
    xs, ys = cx[:, None] + size * np.cos(angles), cy[:, None] + size * np.sin(angles)
    lon, lat = Transformer.from_crs(HEX_CRS, 4326, always_xy=True).transform(xs, ys)
    return list(shapely.polygons(np.round(np.stack([lon, lat], axis=-1), 6)))


def group(spec: Spec, lon, lat, precision, province, fatalities: np.ndarray, admin1: gpd.GeoDataFrame,
          districts: gpd.GeoDataFrame | None, members: bool = True) -> Result:
    """Place the events, then count and sum them per unit in DuckDB, then classify."""
    duckdb, _ = _libraries()
    import pandas as pd

    keys, units = place(spec, lon, lat, precision, province, admin1, districts)
    # a category column: DuckDB reads it as an ENUM, not a million Python strings
    reason = pd.Categorical(np.where(keys == OUTSIDE, "outside", precision.astype(str)))
    frame = pd.DataFrame({"unit": keys, "best": fatalities[:, 0], "low": fatalities[:, 1], "high": fatalities[:, 2],
                          "precision": reason})
    con = duckdb.connect()
    con.register("events", frame)
    sums = con.execute("SELECT unit, count(*) AS count, sum(best) AS best, sum(low) AS low, sum(high) AS high "
                       "FROM events WHERE unit >= 0 GROUP BY unit ORDER BY unit").fetchnumpy()
    lost = con.execute("SELECT precision, count(*) FROM events WHERE unit < 0 GROUP BY precision "
                       "ORDER BY precision").fetchall()
    con.close()
    rows = np.asarray(sums["unit"], dtype=np.int64)
    out = units.iloc[rows].reset_index(drop=True).copy()
    for column in ("count", "best", "low", "high"):
        out[column] = np.asarray(sums[column], dtype=np.int64)
    member_lists: tuple = ()
    if members:
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        member_lists = tuple(tuple(int(i) for i in order[np.searchsorted(sorted_keys, u, "left"):
                                                         np.searchsorted(sorted_keys, u, "right")]) for u in rows)
    values = out["count" if spec.measure == "events" else "best"].to_numpy()
    breaks = classify(values, spec)
    out["class"] = np.minimum(np.searchsorted(np.asarray(breaks), values, side="left"), len(breaks) - 1) \
        if len(breaks) else 0
    order_of = {p: i for i, p in enumerate([*KNOWN_TO, "outside"])}
    unplaced = dict(sorted(((str(p), int(c)) for p, c in lost), key=lambda pc: order_of.get(pc[0], 99)))
    return Result(spec=spec, units=out, members=member_lists, unplaced=unplaced, breaks=breaks,
                  colours=ramp(len(breaks)))


def classify(values: np.ndarray, spec: Spec) -> tuple[float, ...]:
    """Upper bounds of the classes (mapclassify); the analyst's own breaks with the scheme 'breaks'."""
    _, mapclassify = _libraries()
    if not len(values):
        return ()
    top = float(values.max())
    if spec.scheme == "breaks":
        bounds = sorted(b for b in spec.breaks if b < top) + [top]
        return tuple(float(b) for b in dict.fromkeys(bounds))
    k = max(1, min(spec.classes, len(np.unique(values))))
    if k == 1:
        return (top,)
    cls = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.NaturalBreaks,
           "equal_interval": mapclassify.EqualInterval}[spec.scheme]
    with warnings.catch_warnings():  # mapclassify warns when classes collapse; duplicates are dropped below
        warnings.simplefilter("ignore")
        bins = cls(values.astype(float), k=k).bins
    # the values are whole numbers, so v <= b holds exactly when v <= floor(b): whole breaks, same classes
    return tuple(float(b) for b in dict.fromkeys(np.floor(np.round(bins, 6)).tolist()))


def ramp(k: int) -> tuple[str, ...]:
    if k <= 0:
        return ()
    if k == 1:
        return (RAMP[5],)
    return tuple(RAMP[round(1 + i * (len(RAMP) - 2) / (k - 1))] for i in range(k))


# --- a large export, straight from its CSV ------------------------------------------------------

#: Per export: the SQL of the schema's precision (ACLED geo_precision, UCDP where_prec), the columns of the point,
#: the admin name, the fatalities (best, low, high), and the event id rows are de-duplicated by.
_COLUMNS_SQL = {
    "acled": ("CASE geo_precision WHEN '1' THEN 'town' WHEN '2' THEN 'near' WHEN '3' THEN 'province' "
              "ELSE 'unknown' END", "latitude", "longitude", "admin1", "fatalities", "fatalities", "fatalities",
              "event_id_cnty"),
    "ucdp": ("CASE where_prec WHEN '1' THEN 'town' WHEN '2' THEN 'near' WHEN '3' THEN 'province' "
             "WHEN '4' THEN 'province' WHEN '5' THEN 'region' ELSE 'country' END",
             "latitude", "longitude", "adm_1", "best", "low", "high", "id"),
}


def _sql_text(text) -> str:
    return str(text).replace("'", "''")


def from_csv(path: Path, spec: Spec, admin1: gpd.GeoDataFrame, districts: gpd.GeoDataFrame | None = None,
             aliases: dict | None = None) -> Result:
    """Aggregate an ACLED or UCDP export read by DuckDB (for files too large to draw event by event).

    The rows the record path would use: countries of the map only, one row per event id (a monadic ACLED
    export repeats an event once per actor, with the same fatalities), the province taken from the point
    when the admin name is unknown. Coarser than the record path where it must be: UCDP ADM2-only events
    count as province-only here.
    """
    from . import conflictdata

    duckdb, _ = _libraries()
    kind = conflictdata.detect(path)
    if kind is None:
        raise LayerError(path, ["not an ACLED or UCDP GED export"])
    prec, y, x, adm, best, low, high, key = _COLUMNS_SQL[kind]
    import pandas as pd

    countries = ", ".join(f"'{_sql_text(c)}'" for c in conflictdata.COUNTRIES)
    # the header is known, so DuckDB need not sniff the file: every column as text, RFC 4180 quoting
    columns = ", ".join(f"'{_sql_text(c)}': 'VARCHAR'" for c in conflictdata.header(path))
    con = duckdb.connect()
    used = ", ".join(dict.fromkeys(["country", key, prec.split()[1], y, x, adm, best, low, high]))
    # read once, only the columns used: the rows of the map's countries, one per event id
    try:
        con.execute(f"CREATE TEMP TABLE rows AS SELECT {used} FROM read_csv('{_sql_text(path)}', header = true, "
                    f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}) "
                    f"WHERE lower(country) IN ({countries}) "
                    f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {prec}, {y}, {x}, {adm}, {best}, "
                    f"{low}, {high}) = 1")  # ordered on every column used: the row kept is the same on every run
    except duckdb.Error as exc:  # a damaged file: more fields than the header, broken quoting, not UTF-8
        con.close()
        raise SourceError(path, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    pairs = con.execute(f"SELECT DISTINCT lower(country), {adm} FROM rows").fetchall()
    names = conflictdata.AdminNames(admin1, aliases or {})
    # few distinct names: each is matched once, then joined back in DuckDB
    codes = pd.DataFrame([(c, a, names.code(conflictdata.COUNTRIES.get(c or "", ""), a or "") or "")
                          for c, a in pairs], columns=["country", "adm", "code"])
    con.register("codes", codes)
    rel = con.execute(
        f"SELECT TRY_CAST({x} AS DOUBLE) AS lon, TRY_CAST({y} AS DOUBLE) AS lat, {prec} AS precision, "
        f"coalesce(codes.code, '') AS province, coalesce(TRY_CAST({best} AS BIGINT), 0) AS best, "
        f"coalesce(TRY_CAST({low} AS BIGINT), TRY_CAST({best} AS BIGINT), 0) AS low, "
        f"coalesce(TRY_CAST({high} AS BIGINT), TRY_CAST({best} AS BIGINT), 0) AS high "
        f"FROM rows AS e LEFT JOIN codes ON codes.country IS NOT DISTINCT FROM lower(e.country) "
        f"AND codes.adm IS NOT DISTINCT FROM e.{adm}").fetchnumpy()
    con.close()
    province = np.asarray(rel["province"], dtype=object)
    lon, lat = np.asarray(rel["lon"], dtype=float), np.asarray(rel["lat"], dtype=float)
    precision = np.asarray(rel["precision"], dtype=object)
    pointed = np.isin(precision, ["town", "near"]) & ~np.isnan(lon) & ~np.isnan(lat)
    unknown = np.flatnonzero(pointed & (province == ""))
    if len(unknown):  # as the record path does: the province of the point
        found = containing(admin1.geometry.values, lon[unknown], lat[unknown])
        first = np.where(found < 0, "", admin1["code"].to_numpy(dtype=object)[np.maximum(found, 0)])
        province[unknown] = first
        precision[unknown[first == ""]] = "unknown"  # outside every embedded province: the record path drops it
    fat = np.stack([np.asarray(rel[k], dtype=np.int64) for k in ("best", "low", "high")], axis=1)
    return group(spec, lon, lat, precision, province, fat, admin1, districts, members=False)
