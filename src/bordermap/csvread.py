"""Plain CSV events files read with pyarrow's CSV reader, to the frame GDAL would have read.

GDAL's CSV driver (through pyogrio) takes about four times as long on a 100,000-row file, most
of it counting and splitting lines. A file is read here only when nothing in it is read by GDAL in
a way of its own: one header line of distinct plain names including the schema's required fields
and one longitude and one latitude column; no sidecar (``.csvt`` types, ``.prj``), no ``WKT`` or
``geometry`` column, no double quote inside a value, no NUL byte or lone carriage return, every row
with the header's number of fields, UTF-8 throughout, and coordinates written as plain decimals (or
both empty). Anything else returns None and the caller reads the file with GDAL, whose messages name
the problem; tests/test_csvread.py checks the two readers give the same frame.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Sequence

import geopandas as gpd
import numpy as np
import shapely

try:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
except ImportError:  # the GDAL reader alone
    pa = None

#: The names GDAL takes as coordinates (its X_POSSIBLE_NAMES / Y_POSSIBLE_NAMES open options).
X_NAMES = ("longitude", "lon", "lng", "x")
Y_NAMES = ("latitude", "lat", "y")
#: Column names GDAL reads as geometry or as feature ids, or that clash with the frame's geometry.
_GDAL_NAMES = {"wkt", "_wkt", "geometry", "geom", "the_geom", "wkb_geometry", "fid", "ogc_fid"}
#: Sidecars GDAL's CSV driver reads beside a file: column types and a coordinate system.
_SIDECARS = (".csvt", ".prj")
#: A coordinate as GDAL and Python read alike.
_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
_NAME = re.compile(r"^[^\s\"',;|]([^\"',;\t]*[^\s\"',;|])?$")


def gdal_options() -> dict[str, str]:
    """The pyogrio open options the GDAL reader of a CSV events file takes, matching this reader."""
    return {"X_POSSIBLE_NAMES": ",".join(X_NAMES), "Y_POSSIBLE_NAMES": ",".join(Y_NAMES),
            "KEEP_GEOM_COLUMNS": "NO", "AUTODETECT_TYPE": "NO"}


def read(path: Path, required: Sequence[str]) -> gpd.GeoDataFrame | None:
    """The frame of a plain CSV file (text columns, points in ``geometry``, no CRS, as GDAL reads it),
    or None when the file is not plain (see the module's docstring)."""
    if pa is None or _has_sidecar(path):
        return None
    data = Path(path).read_bytes()
    if b"\x00" in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    names = _header(data)
    if names is None or not set(required) <= set(names):
        return None
    lower = [n.lower() for n in names]
    xs, ys = [n for n, k in zip(names, lower) if k in X_NAMES], [n for n, k in zip(names, lower) if k in Y_NAMES]
    if len(xs) != 1 or len(ys) != 1 or len(set(lower)) != len(lower) or _GDAL_NAMES & set(lower):
        return None
    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False,
                                          block_size=max(1 << 20, len(data) + 1)),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                strings_can_be_null=False))
    except pa.ArrowException:  # rows of other widths, bytes that are not UTF-8, …
        return None
    if b'"' in data and any(pc.any(pc.match_substring(table[n], '"')).as_py() for n in names):
        return None
    x, y = table[xs[0]], table[ys[0]]
    given = pc.not_equal(x, "")
    if pc.all(pc.equal(given, pc.not_equal(y, ""))).as_py() is False:
        return None
    plain = pc.and_(pc.match_substring_regex(x, _DECIMAL), pc.match_substring_regex(y, _DECIMAL))
    if pc.all(pc.equal(given, plain)).as_py() is False:
        return None
    at = np.asarray(given.to_numpy(zero_copy_only=False), dtype=bool)
    geometry = np.full(len(table), None, dtype=object)
    geometry[at] = shapely.points(pc.cast(pc.filter(x, given), pa.float64()).to_numpy(),
                                  pc.cast(pc.filter(y, given), pa.float64()).to_numpy())
    frame = table.drop_columns([xs[0], ys[0]]).to_pandas()
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, index=frame.index))


def _header(data: bytes) -> list[str] | None:
    """The first line's names, when every one is a plain name (no quote, separator or outer space)."""
    end = data.find(b"\n")
    line = data[:end if end >= 0 else len(data)].removeprefix(b"\xef\xbb\xbf").removesuffix(b"\r")
    try:
        names = next(csv.reader([line.decode("utf-8")]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    return names if names and all(_NAME.match(n) for n in names) else None


def _has_sidecar(path: Path) -> bool:
    path = Path(path)
    wanted = {path.stem.lower() + s for s in _SIDECARS}
    try:
        return any(p.name.lower() in wanted for p in path.parent.iterdir())
    except OSError:
        return True
