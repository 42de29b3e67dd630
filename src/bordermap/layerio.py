"""Analysts' vector files -> GeoDataFrame, with one clear error per bad file.

Formats are chosen by suffix and read with pyogrio (GDAL). Before GDAL sees a
file, cheap checks catch what GDAL reports badly: text that is not JSON or not
UTF-8, a Shapefile without its sidecars, a GeoPackage with several layers and
none chosen. GDAL's own errors are translated into one plain sentence.
"""

from __future__ import annotations

import codecs
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyogrio.errors

from .errors import SourceError

#: suffix -> format name shown to users.
FORMATS = {
    ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile",
    ".zip": "zipped Shapefile", ".kml": "KML", ".fgb": "FlatGeobuf", ".csv": "CSV",
}
TEXT_FORMATS = {".geojson", ".json", ".csv", ".kml"}
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
    if not path.exists():
        raise SourceError(path, "file not found")
    if path.is_dir():
        raise SourceError(path, "is a folder, not a file")
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


def _read(path: Path, suffix: str, options: ReadOptions) -> gpd.GeoDataFrame:
    """The cheap checks, then GDAL; ``read`` translates the OSError any of them may raise."""
    if path.stat().st_size == 0:
        raise SourceError(path, "file is empty")
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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = gpd.read_file(target, engine="pyogrio", **kwargs)
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"text is not {options.encoding or 'UTF-8'} ({exc.reason} at byte "
                                f"{exc.start}); set encoding = \"latin-1\" (or the file's encoding)") from None
    except GDAL_ERRORS as exc:
        raise SourceError(path, _translate(exc, suffix)) from None
    except IndexError:
        # pyogrio (0.13) raises a bare IndexError from get_default_layer when GDAL opens
        # the file but finds no layer in it, e.g. a truncated FlatGeobuf; only this call.
        raise SourceError(path, f"not a readable {FORMATS[suffix]} file (no layer found in it)") from None
    if not isinstance(frame, gpd.GeoDataFrame):  # CSV without coordinates, or a table
        raise SourceError(path, "has no geometry column")
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
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile:
        raise SourceError(path, "not a readable zip file") from None
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
    with open(path, encoding=options.encoding or "utf-8", errors="replace") as fh:
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
