"""Analysts' vector files -> GeoDataFrame, with one clear error per bad file.

Formats are chosen by suffix and read with pyogrio (GDAL). Before GDAL sees a
file, cheap checks catch what GDAL reports badly: text that is not JSON or not
UTF-8, a Shapefile without its sidecars, a GeoPackage with several layers and
none chosen. GDAL's own errors are translated into one plain sentence.

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
import re
import stat
import threading
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyogrio.errors

from . import settings
from .errors import SourceError

#: suffix -> format name shown to users.
FORMATS = {
    ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile",
    ".zip": "zipped Shapefile", ".kml": "KML", ".fgb": "FlatGeobuf", ".csv": "CSV",
}
TEXT_FORMATS = {".geojson", ".json", ".csv", ".kml"}
#: suffix -> the GDAL drivers allowed to have opened it, checked on what GDAL reports after opening.
#: To read a new format, add its suffix here, to FORMATS and, for a binary format, to MAGIC. Never add
#: a driver that can reference other files or URLs (OGR_VRT, GDALG, WFS, OAPIF, HTTP, SQLite, ...).
DRIVERS: dict[str, tuple[str, ...]] = {
    ".geojson": ("GeoJSON",), ".json": ("GeoJSON",), ".gpkg": ("GPKG",), ".shp": ("ESRI Shapefile",),
    ".zip": ("ESRI Shapefile",), ".kml": ("KML", "LIBKML"), ".fgb": ("FlatGeobuf",), ".csv": ("CSV",),
}
#: suffix -> what a binary file must start with (offset, bytes alternatives), before GDAL sees it.
MAGIC: dict[str, tuple[int, tuple[bytes, ...]]] = {
    ".fgb": (0, (b"fgb\x03",)), ".gpkg": (0, (b"SQLite format 3\x00",)), ".shp": (0, (b"\x00\x00\x27\x0a",)),
    ".zip": (0, (b"PK\x03\x04", b"PK\x05\x06")),
}
#: GeoPackage's SQLite application_id (at byte 68): a plain SQLite file is not a GeoPackage.
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
#: Text (lower case) marking content that makes GDAL open other files or URLs; refused in the first
#: bytes of any file or zip member, whatever its suffix.
REFERENCING = (b"<ogrvrtdatasource", b"<vrtdataset", b'"gdal_streamed_alg"', b"<gdal_wms", b"<wfs_getcapabilities",
               b"<oapif", b"<wms_")
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
#: What pyogrio raises for a file GDAL cannot open or read: the roots of its error tree
#: (DataLayerError covers CRSError, FeatureError, FieldError and GeometryError).
GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)
#: The same, plus what a text file in another encoding raises; for readers with no fallbacks.
READ_ERRORS = (*GDAL_ERRORS, UnicodeDecodeError)
#: Column names tried, in order, for CSV coordinates.
LON_NAMES = ("longitude", "lon", "lng", "long", "x")
LAT_NAMES = ("latitude", "lat", "y")


@dataclass(frozen=True)
class ReadOptions:
    """How to read one file; every field may come from a recipe's [[layers]] table."""

    layer: str | None = None  # GeoPackage layer, or the .shp inside a zip
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
    if suffix == ".kml" and (not text.startswith(b"<") or b"<kml" not in lowered):
        raise SourceError(path, "not KML (no <kml> element at its start)")
    if suffix == ".csv" and text.startswith((b"<", b"{")):
        raise SourceError(path, "not CSV (it starts like XML or JSON)")


def _opened_driver(path: Path, target: str, suffix: str, layer: str | None) -> int:
    """Check the driver GDAL actually opened ``target`` with; return its feature count (-1 unknown)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = pyogrio.read_info(target, layer=layer)
    except GDAL_ERRORS as exc:
        raise SourceError(path, _translate(exc, suffix)) from None
    except IndexError:
        raise SourceError(path, f"not a readable {FORMATS[suffix]} file (no layer found in it)") from None
    driver = info.get("driver")
    if driver not in DRIVERS[suffix]:
        raise SourceError(path, f"GDAL read this {suffix} file as {driver!r}, not as "
                                f"{' or '.join(DRIVERS[suffix])}; refusing it")
    features = int(info.get("features", -1))
    if features > settings.MAX_FEATURES:
        raise SourceError(path, f"has {features:,} features, more than the limit of {settings.MAX_FEATURES:,} "
                                "(bordermap.settings.MAX_FEATURES)")
    return features


def vet(path: Path) -> None:
    """The safety checks of :func:`read` alone, for readers with their own options (the events loader):
    a regular file within the limits, first bytes as its suffix promises, an allowed GDAL driver."""
    path = Path(path)
    suffix = path.suffix.lower()
    regular_file(path)
    if suffix not in DRIVERS:
        raise SourceError(path, f"unsupported file type {suffix or '(none)'!r}")
    try:
        with open(path, "rb") as fh:
            _check_head(path, suffix, fh.read(HEAD_BYTES))
    except OSError as exc:
        raise SourceError(path, f"cannot read ({exc.strerror or exc})") from None
    with gdal_lockdown():
        _opened_driver(path, str(path), suffix, None)


def _within_time(path: Path, read):
    """``read()``, or a SourceError once ``settings.MAX_READ_SECONDS`` have passed.

    GDAL cannot be interrupted, so the read runs in a daemon thread: on time-out the command reports
    the file and ends; the abandoned read stops with the process.
    """
    result: dict = {}

    def work():
        try:
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
    """The cheap checks, then GDAL; ``read`` translates the OSError any of them may raise."""
    if path.stat().st_size == 0:
        raise SourceError(path, "file is empty")
    with open(path, "rb") as fh:
        _check_head(path, suffix, fh.read(HEAD_BYTES))
    kwargs: dict = {}
    target = str(path)
    if suffix in TEXT_FORMATS and not options.encoding:
        _check_utf8(path)
    if suffix in (".geojson", ".json"):
        _check_json_start(path)
        kwargs["DATE_AS_STRING"] = "YES"
    elif suffix == ".shp":
        _check_sidecars(path, [p.name for p in path.parent.iterdir()], path.stem)
    elif suffix == ".zip":
        target = _zipped_shapefile(path, options.layer)
    elif suffix == ".gpkg":
        kwargs["layer"] = _gpkg_layer(path, options.layer)
    elif suffix == ".csv":
        x, y = _csv_columns(path, options)
        kwargs.update(X_POSSIBLE_NAMES=x, Y_POSSIBLE_NAMES=y, KEEP_GEOM_COLUMNS="NO")
    if options.encoding:
        kwargs["encoding"] = options.encoding
    try:
        with gdal_lockdown(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _within_time(path, lambda: _opened_driver(path, target, suffix, kwargs.get("layer")))
            frame = _within_time(path, lambda: gpd.read_file(target, engine="pyogrio", **kwargs))
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"text is not {options.encoding or 'UTF-8'} ({exc.reason} at byte "
                                f"{exc.start}); set encoding = \"latin-1\" (or the file's encoding)") from None
    except GDAL_ERRORS as exc:
        raise SourceError(path, _translate(exc, suffix)) from None
    except IndexError:
        # pyogrio (0.13) raises a bare IndexError from get_default_layer when GDAL opens
        # the file but finds no layer in it, e.g. a truncated FlatGeobuf; only this call.
        raise SourceError(path, f"not a readable {FORMATS[suffix]} file (no layer found in it)") from None
    except RecursionError:
        raise SourceError(path, "nested too deeply to read") from None
    if not isinstance(frame, gpd.GeoDataFrame):  # CSV without coordinates, or a table
        raise SourceError(path, "has no geometry column")
    if len(frame) > settings.MAX_FEATURES:
        raise SourceError(path, f"has {len(frame):,} features, more than the limit of {settings.MAX_FEATURES:,} "
                                "(bordermap.settings.MAX_FEATURES)")
    # GDAL's warnings (e.g. a malformed coordinate read as no geometry) become notes.
    frame.attrs[NOTES] = tuple(dict.fromkeys(_gdal_note(w.message) for w in caught))
    return frame


#: Key in ``GeoDataFrame.attrs`` under which reading notes travel to validation.
NOTES = "bordermap_read_notes"


def _gdal_note(message) -> str:
    text = str(message).strip().split("\n")[0]
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


def _check_json_start(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"{", b"[")):
        raise SourceError(path, "not JSON (GeoJSON text starts with '{')")


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


def _gpkg_layer(path: Path, wanted: str | None) -> str:
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as exc:
        raise SourceError(path, _translate(exc, ".gpkg")) from None
    if not layers:
        raise SourceError(path, "GeoPackage has no layers")
    if wanted is None:
        if len(layers) > 1:
            raise SourceError(path, f"GeoPackage has {len(layers)} layers ({', '.join(layers)}); "
                                    "choose one with layer = \"NAME\" (or FILE:LAYER on the command line)")
        return layers[0]
    if wanted not in layers:
        raise SourceError(path, f"GeoPackage has no layer {wanted!r} (it has: {', '.join(layers)})")
    return wanted


def _csv_columns(path: Path, options: ReadOptions) -> tuple[str, str]:
    with open(path, encoding=options.encoding or "utf-8-sig", errors="replace") as fh:  # Excel writes a BOM
        header = [h.strip().strip('"').lower() for h in fh.readline().split(",")]
    x = options.x or next((n for n in LON_NAMES if n in header), None)
    y = options.y or next((n for n in LAT_NAMES if n in header), None)
    if not x or not y:
        raise SourceError(path, "CSV needs longitude and latitude columns (named longitude/lon/x and "
                                "latitude/lat/y, or set x = \"COL\" and y = \"COL\")")
    for name in (x, y):
        if name.lower() not in header:
            raise SourceError(path, f"CSV has no column {name!r}")
    return x, y


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
    first = re.split(r"(?<=[.;])\s", text.replace("\n", " "), maxsplit=1)[0]
    return f"cannot read: {first[:200]}"
