"""District boundaries from geoBoundaries (gbOpen), fetched on demand and cached.

``fetch()`` asks the geoBoundaries API for a release, downloads its GeoJSON to
a temporary file, verifies it (complete, expected checksum, readable, the
geoBoundaries fields present, licence recorded), clips and simplifies it like
the embedded data, and only then renames it into the cache with a manifest
entry. Anything that fails leaves the cache as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely

from . import layerio, settings, validate
from ._io import write_atomic
from .catalog import GEOBOUNDARIES_COUNTRIES as COUNTRIES, GEOBOUNDARIES_LEVELS as LEVELS
from .errors import BordermapError, FetchError, SourceError

API = "https://www.geoboundaries.org/api/current/gbOpen"
API_ENV = "BORDERMAP_GEOBOUNDARIES_API"
MANIFEST = "geoboundaries.json"
MAX_BYTES = 300_000_000
TIMEOUT = 60
#: Districts are smaller than provinces: a finer tolerance and grid than the embedded layers.
SIMPLIFY_TOLERANCE = 0.002
GRID = 0.0001
REQUIRED_FIELDS = ("shapeName", "shapeISO", "shapeID", "shapeGroup", "shapeType")


@dataclass(frozen=True)
class Cached:
    """A cached release: its derived layer and what to credit."""

    country: str
    level: str
    frame: gpd.GeoDataFrame
    record: dict

    @property
    def attribution(self) -> str:
        return (f"Districts: geoBoundaries gbOpen {self.country} {self.level} "
                f"({self.record['licence']}; source: {self.record['boundary_source']})")


def cache_dir() -> Path:
    """The user cache folder: ``$BORDERMAP_CACHE``, or the platform's cache location."""
    if os.environ.get(settings.CACHE_ENV):
        return Path(os.environ[settings.CACHE_ENV])
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "bordermap"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "bordermap" / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bordermap"


def api_base() -> str:
    return os.environ.get(API_ENV, API).rstrip("/")


def load_manifest(folder: Path | None = None) -> dict:
    path = (folder or cache_dir()) / MANIFEST
    if not path.exists():
        return {"releases": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError covers json's decode errors and UnicodeDecodeError
        raise SourceError(path, f"cache manifest is unreadable ({exc}); delete the cache folder and fetch "
                                "again") from None
    if not isinstance(data, dict) or not isinstance(data.get("releases"), dict):
        return {"releases": {}}
    return data


def fetch(country: str, level: str, *, expected_sha256: str | None = None,
          folder: Path | None = None) -> Path:
    """Download, verify, derive and cache one release; return the cached file."""
    country, level = country.upper(), level.upper()
    if country not in COUNTRIES:
        raise BordermapError(f"--country must be one of {', '.join(COUNTRIES)}, not {country!r}")
    if level not in LEVELS:
        raise BordermapError(f"--level must be one of {', '.join(LEVELS)}, not {level!r}")
    folder = folder or cache_dir()
    meta_url = f"{api_base()}/{country}/{level}/"
    meta = _metadata(meta_url, country, level)
    url = meta.get("gjDownloadURL") or meta.get("simplifiedGeometryGeoJSON")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise FetchError(meta_url, "the API response has no GeoJSON download link (gjDownloadURL)")
    key = f"{country}-{level}"
    previous = load_manifest(folder)["releases"].get(key, {})
    if expected_sha256 is None and previous.get("boundary_id") == meta.get("boundaryID") \
            and previous.get("build_date") == meta.get("buildDate"):
        expected_sha256 = previous.get("download_sha256")  # the same release must be the same bytes
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=folder) as tmp:
        raw = Path(tmp) / f"{key}.geojson"
        size, digest = _download(url, raw)
        if expected_sha256 and digest != expected_sha256.lower():
            raise FetchError(url, f"checksum mismatch: sha256 {digest} is not the expected {expected_sha256}; "
                                  "the cache is unchanged")
        frame = _verify(raw, url)
        derived = _derive(frame)
    out = folder / f"{key}.geojson"
    data = derived.to_json(drop_id=True, to_wgs84=True).encode("utf-8")
    write_atomic(out, data)
    record = {
        "country": country, "level": level, "file": out.name,
        "boundary_id": meta.get("boundaryID", ""), "build_date": meta.get("buildDate", ""),
        "year_represented": meta.get("boundaryYearRepresented", ""),
        "boundary_source": meta.get("boundarySource", ""), "licence": meta.get("boundaryLicense", ""),
        "licence_detail": meta.get("licenseDetail", ""), "licence_source": meta.get("licenseSource", ""),
        "source_updated": meta.get("sourceDataUpdateDate", ""), "url": url, "api": meta_url,
        "download_bytes": size, "download_sha256": digest,
        "sha256": hashlib.sha256(data).hexdigest(), "features": len(derived),
        "fetched": dt.date.today().isoformat(),
        "command": f"bordermap data fetch --country {country} --level {level}",
    }
    manifest = load_manifest(folder)
    manifest["releases"][key] = record
    write_atomic(folder / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return out


def _open(url: str):
    request = urllib.request.Request(url, headers={"User-Agent": "bordermap (+https://pypi.org)"})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection open
        raise FetchError(url, f"the server answered HTTP {exc.code} ({exc.reason})") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(url, f"cannot reach the server ({reason}); check the network connection. "
                              "Builds keep working, with districts shown as points") from None


def _metadata(url: str, country: str, level: str) -> dict:
    with _open(url) as response:
        body = response.read(5_000_000)
    try:
        meta = json.loads(body)
    except ValueError:
        raise FetchError(url, "the API answered with something that is not JSON") from None
    if isinstance(meta, list) and len(meta) == 1:
        meta = meta[0]
    if not isinstance(meta, dict):
        raise FetchError(url, "the API answer is not a release description")
    if meta.get("boundaryISO", country) != country or meta.get("boundaryType", level) != level:
        raise FetchError(url, f"the API described {meta.get('boundaryISO')} {meta.get('boundaryType')}, "
                              f"not {country} {level}")
    licence = str(meta.get("boundaryLicense", ""))
    if not licence:
        raise FetchError(url, "the release states no licence; refusing to use it")
    return meta


def _download(url: str, dest: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with _open(url) as response, open(dest, "wb") as fh:
        declared = response.headers.get("Content-Length")
        while True:
            try:
                chunk = response.read(1 << 20)
            except (OSError, ValueError) as exc:  # http.client.IncompleteRead is an OSError-like ValueError
                raise FetchError(url, f"the download broke off after {size} bytes ({exc}); the cache is unchanged") \
                    from None
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BYTES:
                raise FetchError(url, f"the download is larger than {MAX_BYTES} bytes; refusing it")
            digest.update(chunk)
            fh.write(chunk)
    if declared is not None and int(declared) != size:
        raise FetchError(url, f"truncated download: {size} of {declared} bytes; the cache is unchanged")
    if size == 0:
        raise FetchError(url, "the download is empty")
    return size, digest.hexdigest()


def _verify(raw: Path, url: str) -> gpd.GeoDataFrame:
    try:
        checked = validate.check(layerio.read(raw), raw)
    except SourceError as exc:
        raise FetchError(url, f"the downloaded file does not verify: {exc.problem}") from None
    missing = [f for f in REQUIRED_FIELDS if f not in checked.frame.columns]
    if missing:
        raise FetchError(url, f"the downloaded file lacks geoBoundaries fields: {', '.join(missing)}")
    return checked.frame


def _derive(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Clip to the region and simplify as one coverage, like the embedded layers."""
    box = shapely.box(*settings.REGION)
    frame = frame[frame.geometry.intersects(box)].copy()
    frame["geometry"] = frame.geometry.intersection(box)
    geoms = frame.geometry.values
    if shapely.coverage_is_valid(geoms):
        geoms = shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE)
    else:  # not a clean coverage: simplify each polygon on its own
        geoms = shapely.simplify(geoms, SIMPLIFY_TOLERANCE, preserve_topology=True)
    geoms = shapely.make_valid(shapely.set_precision(geoms, GRID))
    out = frame[list(REQUIRED_FIELDS)].copy()
    out = gpd.GeoDataFrame(out, geometry=list(geoms), crs=4326)
    return out[~out.geometry.is_empty].sort_values("shapeID").reset_index(drop=True)


def cached(level: str = "ADM2", folder: Path | None = None) -> list[Cached]:
    """Every cached release at ``level``, after checking each file's checksum."""
    folder = folder or cache_dir()
    out = []
    for key, record in sorted(load_manifest(folder)["releases"].items()):
        if record.get("level") != level:
            continue
        path = folder / record["file"]
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != record.get("sha256"):
            raise SourceError(path, "cached file is missing or corrupt; run "
                                    f"`{record.get('command', 'bordermap data fetch')}` again")
        out.append(Cached(country=record["country"], level=level,
                          frame=gpd.read_file(path, engine="pyogrio"), record=record))
    return out


# --- matching our district ids to geoBoundaries names ----------------------------------------

def normalise(name: str) -> str:
    """Compare names without case, accents, punctuation or spaces."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


#: An equal-area projection for the region, so overlap shares compare areas, not square degrees.
EQUAL_AREA = "+proj=aea +lat_1=25 +lat_2=37 +lat_0=30 +lon_0=65 +datum=WGS84 +units=m +no_defs"
#: A district whose largest overlap with one province is below this share is placed by its neighbours.
CLEAR_SHARE = 2 / 3


def overlap_share(geom, parent) -> float:
    """Share of ``geom``'s area inside ``parent`` (both lon/lat; areas taken in the equal-area projection)."""
    a, b = gpd.GeoSeries([geom, parent], crs=4326).to_crs(EQUAL_AREA)
    return float(a.intersection(b).area / a.area) if a.area > 0 else 0.0


def parents_by_area(frame: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame) -> list[tuple[str, float, str]]:
    """Each district's parent province: (admin-1 code, share of its area inside it, basis).

    The parent is the province holding most of the district's area (a
    representative point can fall across the line: South Waziristan's lies in
    Balochistan). Province and district lines come from different sources, so
    a narrow border district can be mostly across the line (Jafarabad is 56%
    inside Natural Earth's Sindh). Below ``CLEAR_SHARE`` the district coverage
    decides instead: the province of the clearly placed neighbours it shares
    the longest border with (basis "neighbours"; otherwise "area").
    """
    districts = frame.to_crs(EQUAL_AREA).geometry.reset_index(drop=True)
    units = admin1.to_crs(EQUAL_AREA)
    best: list[tuple[str, float]] = []
    for geom in districts:
        shares = {code: geom.intersection(unit).area / geom.area
                  for code, unit in zip(units["code"], units.geometry) if geom.intersects(unit)}
        code = max(sorted(shares), key=shares.get) if shares else ""
        best.append((code, round(float(shares.get(code, 0.0)), 3)))
    out = []
    for i, geom in enumerate(districts):
        code, share = best[i]
        if share >= CLEAR_SHARE:
            out.append((code, share, "area"))
            continue
        border: dict[str, float] = {}
        for j, other in enumerate(districts):
            if j != i and best[j][1] >= CLEAR_SHARE and geom.intersects(other):
                border[best[j][0]] = border.get(best[j][0], 0.0) + geom.boundary.intersection(other.boundary).length
        if border and max(border.values()) > 0:
            code = max(sorted(border), key=border.get)
            out.append((code, round(overlap_share(frame.geometry.iloc[i], admin1.set_index("code").geometry[code]),
                                    3), "neighbours"))
        else:
            out.append((code, share, "area"))
    return out


def match_districts(districts, releases: list[Cached], admin1: gpd.GeoDataFrame):
    """Our district id -> (polygon, geoBoundaries name, release), and the ids that found none.

    A name matches when it, or one of the district's aliases, equals a
    geoBoundaries ``shapeName`` once normalised, and the polygon lies in the
    district's parent province (a name alone could be another country's): the
    release's own ``parent`` column where it has one (the embedded file), else
    more than half of the polygon's area inside the province.
    """
    parents = admin1.set_index("code").geometry
    matched, unmatched = {}, []
    for d in districts.values():
        names = {normalise(n) for n in (d.name, *d.aliases)}
        hits = []
        for release in releases:
            frame = release.frame
            given = frame["parent"] if "parent" in frame.columns else None
            for i, (name, geom) in enumerate(zip(frame["shapeName"], frame.geometry)):
                if normalise(str(name)) not in names or d.parent not in parents.index:
                    continue
                inside = given.iat[i] == d.parent if given is not None \
                    else overlap_share(geom, parents[d.parent]) > 0.5
                if inside:
                    hits.append((geom, str(name), release))
        if hits:
            matched[d.id] = hits[0]
        else:
            unmatched.append(d.id)
    return matched, unmatched


def embedded(folder: Path | None = None) -> Cached:
    """The embedded districts (``geodata/districts.geojson``) as a release, for builds with no cached one."""
    from . import catalog, sources  # sources reads through the manifest check

    frame = sources.load_district_shapes(folder)
    src = catalog.files(folder)[catalog.DISTRICT_SHAPES_FILE]["sources"][0]
    record = {key: src.get(key, "") for key in ("boundary_id", "build_date", "year_represented", "boundary_source",
                                                "licence", "licence_source")}
    return Cached(country="PAK", level="ADM2", frame=frame, record={**record, "embedded": True})
