"""Inputs -> GeoDataFrames in EPSG:4326. Knows files, never folium."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from . import databuild, manifest, settings
from .errors import SourceError


@dataclass(frozen=True)
class Boundaries:
    """The embedded open boundary layers and what to credit for them."""

    admin1: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame
    former: gpd.GeoDataFrame
    attribution: tuple[str, ...]


def read_embedded(name: str, folder: Path | None = None) -> gpd.GeoDataFrame:
    """Read one embedded layer after checking its sha256 against the manifest."""
    path = manifest.verified_path(folder or settings.geodata_dir(), name)
    from .layerio import READ_ERRORS
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except READ_ERRORS as exc:
        raise SourceError(path, f"cannot read ({type(exc).__name__}: {exc})") from None
    if frame.crs is None:
        frame = frame.set_crs(settings.CRS)
    return frame.to_crs(settings.CRS)


def load_boundaries(folder: Path | None = None) -> Boundaries:
    folder = Path(folder or settings.geodata_dir())
    if not folder.is_dir():
        raise SourceError(folder, "geodata folder not found; reinstall bordermap or set $BORDERMAP_GEODATA")
    files = manifest.load(folder)["files"]
    credits = []
    for name in (databuild.ADMIN1_FILE, databuild.COUNTRIES_FILE):
        for src in files.get(name, {}).get("sources", []):
            text = "Boundaries: " + (src.get("attribution") or f"{src['name']} ({src['licence']})")
            if text not in credits:
                credits.append(text)
    return Boundaries(
        admin1=read_embedded(databuild.ADMIN1_FILE, folder),
        countries=read_embedded(databuild.COUNTRIES_FILE, folder),
        borders=read_embedded(databuild.BORDERS_FILE, folder),
        former=read_embedded(databuild.FORMER_FILE, folder),
        attribution=tuple(credits),
    )
