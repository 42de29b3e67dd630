"""Analysts' vector files -> GeoDataFrame, with one clear error per bad file.

Formats are chosen by suffix and read with pyogrio (GDAL); GeoParquet, which the
GDAL in pyogrio's wheels does not read, with pyarrow (the ``parquet`` extra). Before
GDAL sees a file, cheap checks catch what GDAL reports badly: text that is not JSON
or not UTF-8, a Shapefile without its sidecars, a file of several layers and none
chosen. GDAL's, GEOS's and pyarrow's own errors are translated into one plain
sentence; file names are taken literally (a ``!`` is not an archive separator).

Analysts open files from strangers, and GDAL picks a driver by content, not by
name: an OGR VRT saved as ``.fgb`` would read ``/etc/passwd`` or fetch a URL
into a shared page. So a file is read only when (1) it is a regular file within
the size limits of :mod:`settings`, (2) its first bytes are what its suffix
promises and hold no text of a driver that references other files
(:data:`MAGIC`, :data:`REFERENCING`), checked on every member of a zip, and
(3) the driver GDAL actually opened it with is in :data:`DRIVERS` for its
suffix. While GDAL reads, its network and cross-file access is switched off
(:data:`GDAL_LOCKDOWN`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import re
import shutil
import stat
import tempfile
import threading
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyogrio._err
import pyogrio.errors
import shapely.errors

from . import settings
from .errors import SourceError

#: suffix -> format name shown to users.
FORMATS = {
    ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile",
    ".zip": "zipped Shapefile", ".kml": "KML", ".fgb": "FlatGeobuf", ".csv": "CSV",
    ".topojson": "TopoJSON", ".gpx": "GPX", ".gml": "GML", ".parquet": "GeoParquet", ".geoparquet": "GeoParquet",
}
TEXT_FORMATS = {".geojson", ".json", ".csv", ".kml", ".topojson", ".gpx", ".gml"}
#: Suffixes read by pyarrow (the ``parquet`` extra), not GDAL: GDAL never opens them.
PARQUET = {".parquet", ".geoparquet"}
#: What to install when pyarrow is missing.
PARQUET_HINT = 'reading GeoParquet needs pyarrow: pip install "bordermap[parquet]"'
#: suffix -> what one layer of a multi-layer file is called, in messages (FILE:LAYER picks one).
LAYER_WORDS = {".gpkg": "table", ".kml": "folder", ".gpx": "layer", ".topojson": "object", ".json": "object",
               ".gml": "layer"}
#: GPX layers GDAL derives from routes and tracks (one feature per point): read only when named.
DERIVED_LAYERS = {".gpx": ("route_points", "track_points")}
#: suffix -> the GDAL drivers allowed to have opened it, checked on what GDAL reports after opening.
#: To read a new format, add its suffix here, to FORMATS and, for a binary format, to MAGIC. Never add
#: a driver that can reference other files or URLs (OGR_VRT, GDALG, WFS, OAPIF, HTTP, SQLite, ...).
DRIVERS: dict[str, tuple[str, ...]] = {
    ".geojson": ("GeoJSON",), ".json": ("GeoJSON", "TopoJSON"), ".gpkg": ("GPKG",), ".shp": ("ESRI Shapefile",),
    ".zip": ("ESRI Shapefile",), ".kml": ("KML", "LIBKML"), ".fgb": ("FlatGeobuf",), ".csv": ("CSV",),
    ".topojson": ("TopoJSON",), ".gpx": ("GPX",), ".gml": ("GML",),
    # read by pyarrow, never by GDAL: the file must be Parquet (MAGIC) holding no reference to another file
    ".parquet": ("pyarrow",), ".geoparquet": ("pyarrow",),
}
#: suffix -> what a binary file must start with (offset, bytes alternatives), before GDAL sees it.
MAGIC: dict[str, tuple[int, tuple[bytes, ...]]] = {
    ".fgb": (0, (b"fgb\x03",)), ".gpkg": (0, (b"SQLite format 3\x00",)), ".shp": (0, (b"\x00\x00\x27\x0a",)),
    ".zip": (0, (b"PK\x03\x04", b"PK\x05\x06")), ".parquet": (0, (b"PAR1",)), ".geoparquet": (0, (b"PAR1",)),
}
#: XML suffix -> the element name (lower case) that must appear in the first bytes.
XML_ROOTS = {".kml": (b"<kml",), ".gpx": (b"<gpx",), ".gml": (b"gml",)}
#: GeoPackage's SQLite application_id (at byte 68): a plain SQLite file is not a GeoPackage.
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
#: Text (lower case) marking content that makes GDAL open other files or URLs; refused in the first
#: bytes of any file or zip member, whatever its suffix.
REFERENCING = (b"<ogrvrtdatasource", b"<vrtdataset", b'"gdal_streamed_alg"', b"<gdal_wms", b"<wfs_getcapabilities",
               b"<oapif", b"<wms_", b"<!entity", b"<xi:include")
#: How many first bytes are checked for :data:`MAGIC` and :data:`REFERENCING`.
HEAD_BYTES = 65536
#: GDAL configuration while analysts' files are read: no network (an unreachable proxy, no
#: /vsicurl/ file allowed, short timeouts), no remote resource reaching local files, no GML
#: schema downloads or xlink resolution.
GDAL_LOCKDOWN: dict[str, str] = {
    "GDAL_HTTP_PROXY": "127.0.0.1:9", "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".bordermap-no-network",
    "GDAL_HTTP_TIMEOUT": "1", "GDAL_HTTP_CONNECTTIMEOUT": "1", "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE": "NO", "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GML_DOWNLOAD_SCHEMA": "NO", "GML_DOWNLOAD_WFS_SCHEMA": "NO", "GML_SKIP_RESOLVE_ELEMS": "ALL",
    "OGR_VRT_MAX_OPENED": "0",
}
#: GDAL open options per suffix: GML writes no .gfs file (where pyogrio passes them; see :func:`literal`).
OPEN_OPTIONS: dict[str, dict[str, str]] = {".gml": {"WRITE_GFS": "NO"}}
#: Suffixes always read through a private link (:func:`literal`): GDAL's GML reader saves a .gfs
#: schema file beside what it reads, and pyogrio's list_layers takes no open options to stop it.
PRIVATE = {".gml"}
#: What pyogrio raises for a file GDAL cannot open or read: the roots of its error tree
#: (DataLayerError covers CRSError, FeatureError, FieldError and GeometryError).
GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)
#: The same, plus what a text file in another encoding raises; for readers with no fallbacks.
READ_ERRORS = (*GDAL_ERRORS, UnicodeDecodeError)
#: CSV column names (any case), tried in order. A WKT column wins; else longitude and latitude
#: under these spellings; ``x``/``y`` only as a pair and only when no latitude column is present.
WKT_NAMES = ("wkt", "geometry", "geom")
LON_NAMES = ("longitude", "longitud", "lon", "long", "lng")
LAT_NAMES = ("latitude", "latitud", "lat")
XY_NAMES = ("x", "y")


@dataclass(frozen=True)
class ReadOptions:
    """How to read one file; every field may come from a recipe's [[layers]] table."""

    layer: str | None = None  # a GeoPackage table, KML folder, GPX layer, TopoJSON object, or the .shp in a zip
    encoding: str | None = None  # text encoding when not UTF-8
    crs: str | None = None  # CRS to assume when the file has none
    x: str | None = None  # CSV longitude column
    y: str | None = None  # CSV latitude column


def supported(path: Path) -> bool:
    return Path(path).suffix.lower() in FORMATS


def read(path: Path, options: ReadOptions = ReadOptions()) -> gpd.GeoDataFrame:
    """Read ``path`` as it is (no cleaning); raise SourceError with one clear sentence."""
    path = Path(path)
    suffix = path.suffix.lower()
    regular_file(path)
    if suffix not in FORMATS:
        raise SourceError(path, f"unsupported file type {suffix or '(none)'!r}; use one of: "
                                + ", ".join(sorted(set(FORMATS.values()))))
    if options.encoding:
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise SourceError(path, f"unknown text encoding {options.encoding!r} (try \"latin-1\" or "
                                    "\"cp1252\")") from None
    try:
        return _read(path, suffix, options)
    except OSError as exc:  # the checks' own reads: permissions, a file that vanished, a device error
        raise SourceError(path, f"cannot read ({exc.strerror or exc})") from None


def regular_file(path: Path, limit: int | None = None) -> int:
    """Refuse anything but a regular file within ``limit`` bytes (FIFOs, devices, folders); return its size.

    A FIFO or ``/dev/zero`` would block or never end; this answers at once without opening it.
    """
    path = Path(path)
    limit = settings.MAX_FILE_BYTES if limit is None else limit
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SourceError(path, "file not found") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise SourceError(path, f"is {kind}, not a regular file; save the data to a file first")
    if info.st_size > limit:
        raise SourceError(path, f"file is {info.st_size:,} bytes, more than the limit of {limit:,} "
                                "(bordermap.settings.MAX_FILE_BYTES)")
    return info.st_size


@contextlib.contextmanager
def gdal_lockdown():
    """GDAL with :data:`GDAL_LOCKDOWN` set, restored afterwards."""
    before = {k: pyogrio.get_gdal_config_option(k) for k in GDAL_LOCKDOWN}
    pyogrio.set_gdal_config_options(GDAL_LOCKDOWN)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _check_head(path: Path, suffix: str, head: bytes, where: str = "") -> None:
    """The first bytes must be what ``suffix`` promises, and must not reference other files."""
    lowered = head.lower()
    what = f"zip member {where!r}" if where else "file"
    for marker in REFERENCING:
        if marker in lowered:
            raise SourceError(path, f"{what} is a GDAL virtual or referencing format "
                                    f"({marker.decode().strip('<')}), which may read other files or URLs; "
                                    f"refusing it (only {FORMATS.get(suffix, suffix)} content is read)")
    if suffix in MAGIC:
        offset, starts = MAGIC[suffix]
        if not any(head[offset:].startswith(m) for m in starts):
            raise SourceError(path, (f"{what}: " if where else "") + f"not a readable {FORMATS.get(suffix, suffix)} "
                                    "file (its first bytes do not match its suffix)")
    if suffix == ".gpkg" and head[68:72] not in GPKG_IDS:
        raise SourceError(path, "not a readable GeoPackage file (an SQLite database without the GeoPackage "
                                "application id)")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in XML_ROOTS and (not text.startswith(b"<") or not any(r in lowered for r in XML_ROOTS[suffix])):
        root = XML_ROOTS[suffix][0].decode().strip("<")
        raise SourceError(path, f"not {FORMATS[suffix]} (no <{root}> element at its start)")
    if suffix == ".csv" and text.startswith((b"<", b"{")):
        raise SourceError(path, "not CSV (it starts like XML or JSON)")


def _opened_driver(path: Path, target: str | bytes, suffix: str, layer: str | None,
                   limit: tuple[int, str] | None = None) -> str:
    """Check the driver GDAL actually opened ``target`` with, and its feature count; return the driver.
    ``limit``: the most features and the setting's name, when not ``MAX_FEATURES``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = pyogrio.read_info(target, layer=layer, **OPEN_OPTIONS.get(suffix, {}))
    except GDAL_ERRORS as exc:
        raise SourceError(path, _translate(exc, suffix)) from None
    except IndexError:
        raise SourceError(path, _no_layer(suffix)) from None
    driver = info.get("driver")
    if driver not in DRIVERS[suffix]:
        raise SourceError(path, f"GDAL read this {suffix} file as {driver!r}, not as "
                                f"{' or '.join(DRIVERS[suffix])}; refusing it")
    check_feature_count(path, int(info.get("features", -1)), limit)
    return driver


def check_feature_count(path: Path, features: int, limit: tuple[int, str] | None = None) -> None:
    """Refuse more than ``limit`` features (the most and the setting's name; ``MAX_FEATURES`` by default)."""
    most, name = limit or (settings.MAX_FEATURES, "MAX_FEATURES")
    if features > most:
        raise SourceError(path, f"has {features:,} features, more than the limit of {most:,} "
                                f"(bordermap.settings.{name})")


def vet_bytes(path: Path) -> None:
    """The safety checks of :func:`read` that need no GDAL, for readers with their own options (the events
    loader): a regular file within the size limit, of a suffix GDAL may open, whose first bytes are what
    the suffix promises and reference no other file."""
    path = Path(path)
    suffix = path.suffix.lower()
    regular_file(path)
    if suffix not in DRIVERS or suffix in PARQUET:
        raise SourceError(path, f"unsupported file type {suffix or '(none)'!r}")
    try:
        with open(path, "rb") as fh:
            _check_head(path, suffix, fh.read(HEAD_BYTES))
    except OSError as exc:
        raise SourceError(path, f"cannot read ({exc.strerror or exc})") from None


def vet_driver(path: Path, limit: tuple[int, str] | None = None) -> None:
    """The GDAL half of :func:`read`'s safety checks, for a file :func:`vet_bytes` has passed: an allowed
    driver opens it, within the limits (``limit``: the most features and the setting's name, when not
    ``MAX_FEATURES``)."""
    path = Path(path)
    with gdal_lockdown(), literal(path) as target:
        _opened_driver(path, target, path.suffix.lower(), None, limit)


@contextlib.contextmanager
def literal(path: Path):
    """A name for ``path`` that GDAL and pyogrio take literally, with its sidecars.

    pyogrio reads ``a!b.geojson`` as the member ``b.geojson`` of an archive ``a``; such a file (and
    any of :data:`PRIVATE`) is read through a link with a plain name in a private folder (siblings of
    the same stem linked too: a Shapefile's .shx and .dbf, a GML's .xsd), removed afterwards, with
    whatever GDAL wrote there.
    """
    path = Path(path).absolute()
    if "!" not in str(path) and path.suffix.lower() not in PRIVATE:
        yield str(path)
        return
    folder = Path(tempfile.mkdtemp(prefix="bordermap-read-"))
    try:
        for sibling in path.parent.iterdir():
            if sibling == path or sibling.name.lower().startswith(path.stem.lower() + "."):
                (folder / ("layer" + sibling.name[len(path.stem):])).symlink_to(sibling)
        yield str(folder / ("layer" + path.suffix))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _within_time(path: Path, read):
    """``read()``, or a SourceError once ``settings.MAX_READ_SECONDS`` have passed.

    GDAL cannot be interrupted, so the read runs in a daemon thread: on time-out the command reports
    the file and ends; the abandoned read stops with the process.
    """
    result: dict = {}

    def work():
        try:
            # GDAL's error handlers are per thread: without pyogrio's in this one, GDAL prints its
            # warnings raw on stderr instead of raising them as Python warnings (which become notes)
            getattr(pyogrio._err, "_register_error_handler", lambda: None)()
            result["frame"] = read()
        except BaseException as exc:  # handed back to the caller's thread, which translates it
            result["error"] = exc
    thread = threading.Thread(target=work, name=f"read {path.name}", daemon=True)
    thread.start()
    thread.join(settings.MAX_READ_SECONDS)
    if thread.is_alive():
        raise SourceError(path, f"took more than {settings.MAX_READ_SECONDS:g} s to read "
                                "(bordermap.settings.MAX_READ_SECONDS); split or simplify it")
    if "error" in result:
        raise result["error"]
    return result["frame"]


def _read(path: Path, suffix: str, options: ReadOptions) -> gpd.GeoDataFrame:
    """The cheap checks, then GDAL (or pyarrow); ``read`` translates the OSError any of them may raise."""
    if path.stat().st_size == 0:
        raise SourceError(path, "file is empty")
    with open(path, "rb") as fh:
        _check_head(path, suffix, fh.read(HEAD_BYTES))
    if suffix in TEXT_FORMATS and not options.encoding:
        _check_utf8(path)
    if suffix in PARQUET:
        return _read_parquet(path)
    with literal(path) as target:
        return _read_gdal(path, suffix, options, target)


def _read_gdal(path: Path, suffix: str, options: ReadOptions, target: str | bytes) -> gpd.GeoDataFrame:
    kwargs: dict = dict(OPEN_OPTIONS.get(suffix, {}))
    notes: list[str] = []
    if suffix in (".geojson", ".json", ".topojson"):
        if _check_json_start(path) == b"[":
            target = _feature_array(path)
    elif suffix == ".shp":
        _check_sidecars(path, [p.name for p in path.parent.iterdir()], path.stem)
    elif suffix == ".zip":
        target = _zipped_shapefile(path, options.layer)
    elif suffix == ".csv":
        kwargs.update(_csv_columns(path, options), KEEP_GEOM_COLUMNS="NO")
    if options.encoding:
        kwargs["encoding"] = options.encoding
    try:
        with gdal_lockdown(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # the driver is checked before anything else opens the file, its layers included
            driver = _within_time(path, lambda: _opened_driver(path, target, suffix, None))
            several = suffix in LAYER_WORDS and driver != "GeoJSON"  # a GeoJSON file is one layer
            # (in-memory text, a JSON array, has one layer too, and a new name at each open)
            if isinstance(target, str) and suffix != ".zip" and (several or options.layer is not None):
                kwargs["layer"] = _within_time(path, lambda: _choose_layer(path, target, suffix, options.layer,
                                                                           notes))
                _within_time(path, lambda: _opened_driver(path, target, suffix, kwargs["layer"]))  # its size
            if driver == "GeoJSON":
                kwargs["DATE_AS_STRING"] = "YES"
            # on_invalid="fix": an unclosed ring (legal to GDAL, refused by GEOS) is closed, not fatal
            frame = _within_time(path, lambda: gpd.read_file(target, engine="pyogrio", on_invalid="fix", **kwargs))
    except shapely.errors.GEOSException as exc:
        raise SourceError(path, f"has a geometry that cannot be built ({_geos_words(exc)})") from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"text is not {options.encoding or 'UTF-8'} ({exc.reason} at byte "
                                f"{exc.start}); set encoding = \"latin-1\" (or the file's encoding)") from None
    except GDAL_ERRORS as exc:
        raise SourceError(path, _translate(exc, suffix)) from None
    except IndexError:
        # pyogrio (0.13) raises a bare IndexError from get_default_layer when GDAL opens
        # the file but finds no layer in it, e.g. a truncated FlatGeobuf; only this call.
        raise SourceError(path, _no_layer(suffix)) from None
    except RecursionError:
        raise SourceError(path, "nested too deeply to read") from None
    if isinstance(target, bytes) and len(frame) == 0:
        raise SourceError(path, "a JSON array, but not of GeoJSON Features (expected [{\"type\": \"Feature\", ...}, ...])")
    # GDAL's warnings (e.g. a malformed coordinate read as no geometry) become notes, each once.
    return _checked_frame(path, frame, [*notes, *(_gdal_note(w.message) for w in caught)])


def _checked_frame(path: Path, frame, notes: list[str]) -> gpd.GeoDataFrame:
    """The frame any reader returns: a geometry column, within the feature limit, with its notes."""
    if not isinstance(frame, gpd.GeoDataFrame):  # CSV without coordinates, or a table
        raise SourceError(path, "has no geometry column")
    if len(frame) > settings.MAX_FEATURES:
        raise SourceError(path, f"has {len(frame):,} features, more than the limit of {settings.MAX_FEATURES:,} "
                                "(bordermap.settings.MAX_FEATURES)")
    frame.attrs[NOTES] = tuple(dict.fromkeys(notes))
    return frame


def _no_layer(suffix: str) -> str:
    if suffix in LAYER_WORDS:
        return f"{FORMATS[suffix]} file has no {LAYER_WORDS[suffix]}s or features in it: nothing to draw"
    return f"not a readable {FORMATS[suffix]} file (no layer found in it)"


def _geos_words(exc: Exception) -> str:
    """GEOS's message (``IllegalArgumentException: ...``) in an analyst's words."""
    text = str(exc).lower()
    if "linearring" in text and "closed" in text:
        return "a polygon ring does not end where it starts"
    if "linearring" in text or "number of points" in text:
        return "a polygon ring has fewer than 4 points"
    return "a malformed shape"


def _choose_layer(path: Path, target: str | bytes, suffix: str, wanted: str | None, notes: list[str]) -> str | None:
    """The layer to read: the one named, else the only layer, else the only layer holding features.

    Several layers with features and none named is an error listing them, with how to choose.
    """
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(target)]
    except GDAL_ERRORS as exc:
        raise SourceError(path, _translate(exc, suffix)) from None
    word = LAYER_WORDS.get(suffix, "layer")
    what = FORMATS[suffix]
    if not layers:
        raise SourceError(path, _no_layer(suffix))
    if wanted is not None:
        if wanted in layers:
            return wanted
        raise SourceError(path, f"{what} file has no {word} {wanted!r} (it has: {', '.join(layers)})")
    if len(layers) == 1:
        return layers[0]
    derived = DERIVED_LAYERS.get(suffix, ())
    counts = {name: _feature_count(target, name) for name in layers if name not in derived}
    full = [name for name, n in counts.items() if n != 0]
    if len(full) == 1:
        notes.append(f"read {word} {full[0]!r}, the only one of its {len(layers)} {word}s with features")
        return full[0]
    if not full:
        raise SourceError(path, f"no features: its {len(counts)} {word}s ({', '.join(counts)}) are all empty")
    listed = ", ".join(f"{name} ({counts[name]:,})" if counts[name] > 0 else name for name in full)
    raise SourceError(path, f"{what} file has {len(full)} {word}s with features: {listed}; choose one with "
                            f"layer = \"NAME\" in a recipe, or FILE:LAYER on the command line")


def _feature_count(target: str | bytes, layer: str) -> int:
    """Features in one layer (-1 when GDAL cannot tell without reading it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return int(pyogrio.read_info(target, layer=layer, force_feature_count=True).get("features", -1))


def _feature_array(path: Path) -> bytes:
    """A JSON array of Features, as the FeatureCollection GDAL reads: the array itself is not parsed here."""
    raw = path.read_bytes().lstrip(b"\xef\xbb\xbf")
    return b'{"type": "FeatureCollection", "features": ' + raw + b"}"


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    """GeoParquet through pyarrow: the row count and every column chunk's file checked first."""
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError(path, PARQUET_HINT) from None
    with open(path, "rb") as fh:
        try:
            meta = pq.ParquetFile(fh).metadata
        except (pyarrow.ArrowException, ValueError) as exc:
            raise SourceError(path, _parquet_words(exc)) from None
        if meta.num_rows > settings.MAX_FEATURES:
            raise SourceError(path, f"has {meta.num_rows:,} features, more than the limit of "
                                    f"{settings.MAX_FEATURES:,} (bordermap.settings.MAX_FEATURES)")
        for g in range(meta.num_row_groups):  # a column chunk may name another file to read it from
            group = meta.row_group(g)
            if any(group.column(c).file_path for c in range(group.num_columns)):
                raise SourceError(path, "Parquet file refers to other files for its data; refusing it")
        if b"geo" not in (meta.metadata or {}):
            raise SourceError(path, "Parquet without GeoParquet metadata: no geometry column (write it with "
                                    "GeoDataFrame.to_parquet, or export it as GeoParquet)")
        fh.seek(0)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                frame = _within_time(path, lambda: gpd.read_parquet(fh))
        except (pyarrow.ArrowException, ValueError, TypeError, KeyError) as exc:
            raise SourceError(path, _parquet_words(exc)) from None
        except OSError as exc:  # pyarrow reports undecodable pages as OSError too, with no errno
            raise SourceError(path, f"cannot read ({exc.strerror})" if exc.errno else _parquet_words(exc)) from None
        except shapely.errors.GEOSException as exc:
            raise SourceError(path, f"has a geometry that cannot be built ({_geos_words(exc)})") from None
    return _checked_frame(path, frame, [" ".join(str(w.message).split())[:160] for w in caught])


#: Key in ``GeoDataFrame.attrs`` under which reading notes travel to validation.
NOTES = "bordermap_read_notes"


#: GDAL warnings (a regular expression on their text) -> what they mean for the layer drawn.
GDAL_WARNINGS = {
    r"Non closed ring detected": "closed polygon rings that did not end where they started",
    r"Measured \(M\) geometry types are not supported": "dropped the M (measure) values of its geometries",
}


def _gdal_note(message) -> str:
    text = str(message).strip().split("\n")[0]
    for pattern, words in GDAL_WARNINGS.items():
        if re.search(pattern, text):
            return words
    return "GDAL: " + re.sub(r"^OGR\w+\(\):\s*", "", text)[:160]


def _check_utf8(path: Path) -> None:
    """Stream the file through a UTF-8 decoder; cheap even for large files."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise SourceError(path, f"text is not UTF-8 (byte 0x{chunk[exc.start]:02x} at offset "
                                        f"{offset + exc.start}); re-save it as UTF-8, or set "
                                        "encoding = \"latin-1\" (or the file's encoding)") from None
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise SourceError(path, "text is not UTF-8 (the file ends inside a character)") from None


def _check_json_start(path: Path) -> bytes:
    """The first character of a JSON file: ``{`` or ``[``."""
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"{", b"[")):
        raise SourceError(path, "not JSON (GeoJSON text starts with '{')")
    return head[:1]


def _check_sidecars(path: Path, names: list[str], stem: str) -> None:
    present = {n.lower() for n in names}
    missing = [ext for ext in (".shx", ".dbf") if f"{stem}{ext}".lower() not in present]
    if missing:
        raise SourceError(path, f"Shapefile is missing its {' and '.join(missing)} sidecar file(s); "
                                "copy all of .shp, .shx, .dbf (and .prj) together, or zip them")


def _zipped_shapefile(path: Path, wanted: str | None) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            # macOS's resource forks (__MACOSX/._NAME) are not part of the data; GDAL never opens them
            members = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
            _check_zip_members(path, zf, members)
            names = [i.filename for i in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise SourceError(path, f"not a readable zip file ({exc})") from None
    shps = [n for n in names if n.lower().endswith(".shp")]
    if wanted:
        shps = [n for n in shps if Path(n).stem == wanted or n == wanted]
    if not shps:
        raise SourceError(path, "zip contains no Shapefile (.shp)" + (f" named {wanted!r}" if wanted else ""))
    if len(shps) > 1:
        raise SourceError(path, f"zip contains {len(shps)} Shapefiles ({', '.join(Path(s).stem for s in shps)}); "
                                "choose one with layer = \"NAME\"")
    shp = shps[0]
    folder = str(Path(shp).parent) if "/" in shp else ""
    siblings = [Path(n).name for n in names if (str(Path(n).parent) if "/" in n else "") == folder]
    _check_sidecars(path, siblings, Path(shp).stem)
    return f"/vsizip/{path}/{shp}"


def _check_zip_members(path: Path, zf: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Declared sizes within the limits before anything is expanded; each member's name and first bytes
    checked; then each member expanded once, capped at its declared size, to prove the sizes honest."""
    total = sum(i.file_size for i in members)
    if total > settings.MAX_UNZIPPED_BYTES:
        raise SourceError(path, f"zip would expand to {total:,} bytes, more than the limit of "
                                f"{settings.MAX_UNZIPPED_BYTES:,} (bordermap.settings.MAX_UNZIPPED_BYTES)")
    for info in members:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or "\\" in name or ":" in name:
            raise SourceError(path, f"zip member {name!r} has an unsafe path")
        suffix = Path(name).suffix.lower()
        if info.file_size > settings.MAX_ZIP_RATIO * max(info.compress_size, 1) + HEAD_BYTES:
            raise SourceError(path, f"zip member {name!r} expands {info.file_size:,} bytes from "
                                    f"{info.compress_size:,}: a zip bomb? (bordermap.settings.MAX_ZIP_RATIO)")
        with zf.open(info) as fh:
            _check_head(path, suffix if suffix in MAGIC else "", fh.read(HEAD_BYTES), where=name)
            read = HEAD_BYTES
            while fh.read(1 << 20):  # zipfile stops at the declared size and checks the CRC at the end
                read += 1 << 20
                if read > info.file_size + (1 << 20):
                    raise SourceError(path, f"zip member {name!r} holds more than it declares")


def _csv_columns(path: Path, options: ReadOptions) -> dict[str, str]:
    """GDAL's options naming the geometry: the columns set, else a WKT column, else longitude and latitude
    under their common spellings (:data:`WKT_NAMES`, :data:`LON_NAMES`, :data:`LAT_NAMES`, :data:`XY_NAMES`)."""
    with open(path, encoding=options.encoding or "utf-8-sig", errors="replace", newline="") as fh:  # Excel: BOM
        line = fh.readline()
    delimiter = next((d for d in (",", ";", "\t", "|") if d in line), ",")
    header = [h.strip() for h in next(csv.reader([line], delimiter=delimiter), [])]
    lowered = {h.lower(): h for h in reversed(header)}  # the first of a name wins

    def first(names):
        return next((lowered[n] for n in names if n in lowered), None)
    if options.x or options.y:
        x, y = options.x or first(LON_NAMES), options.y or first(LAT_NAMES)
        for name in (x, y):
            if name and name.lower() not in lowered:
                raise SourceError(path, f"CSV has no column {name!r}")
    elif (wkt := first(WKT_NAMES)) is not None:
        return {"GEOM_POSSIBLE_NAMES": wkt}
    elif first(LAT_NAMES) is not None:
        x, y = first(LON_NAMES), first(LAT_NAMES)
    else:
        x, y = first(LON_NAMES), None
        if x is None and all(n in lowered for n in XY_NAMES):
            x, y = (lowered[n] for n in XY_NAMES)
    if not x or not y:
        raise SourceError(path, "CSV needs a WKT column (WKT, geometry or geom) or longitude and latitude "
                                "columns (longitude/longitud/lon/long/lng and latitude/latitud/lat, or x and y), "
                                "or set x = \"COL\" and y = \"COL\"")
    return {"X_POSSIBLE_NAMES": x, "Y_POSSIBLE_NAMES": y}


def _translate(exc: RuntimeError, suffix: str) -> str:
    """GDAL's message, as pyogrio passes it on, in one plain sentence."""
    text = str(exc)
    if "not recognized as being in a supported file format" in text or "not recognized as a supported" in text:
        if suffix in (".geojson", ".json"):
            return "JSON but not GeoJSON (expected a FeatureCollection, Feature or geometry object)"
        return f"not a readable {FORMATS.get(suffix, 'vector')} file"
    m = re.search(r"Failed to read GeoJSON data; At line (\d+), character (\d+): (.*)", text)
    if m:
        return f"truncated or malformed JSON ({m.group(3).strip().rstrip('.').lower()} at line {m.group(1)}, " \
               f"character {m.group(2)})"
    return f"cannot read: {_first_sentence(text)}"


#: pyarrow's messages (a phrase in them) -> what is wrong with the file, in the analyst's words.
_PARQUET_PROBLEMS = (
    (("magic bytes not found in footer", "smaller than the minimum file footer", "smaller than the size reported"),
     "truncated, or not a Parquet file: its footer, which lists the contents, is missing or cut short"),
    (("thrift", "deserializ", "page header"), "a damaged Parquet file: some of its data pages cannot be decoded"),
)


def _parquet_words(exc: Exception) -> str:
    """pyarrow's error in plain words; its own text never reaches the analyst."""
    text = str(exc).lower()
    for phrases, words in _PARQUET_PROBLEMS:
        if any(phrase in text for phrase in phrases):
            return words
    return "not a readable GeoParquet file (damaged, or in a form pyarrow cannot read)"


def _first_sentence(text: object) -> str:
    return re.split(r"(?<=[.;])\s", str(text).replace("\n", " "), maxsplit=1)[0][:200]
