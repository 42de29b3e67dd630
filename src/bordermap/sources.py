"""Inputs -> GeoDataFrames in EPSG:4326. Knows files, never how a map is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from . import catalog, settings
from .errors import SourceError
from .layerio import READ_ERRORS


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
    path = catalog.verified(name, folder)
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
    files = catalog.files(folder)
    credits = []
    for name in (catalog.ADMIN1_FILE, catalog.COUNTRIES_FILE):
        for src in files.get(name, {}).get("sources", []):
            text = "Boundaries: " + (src.get("attribution") or f"{src['name']} ({src['licence']})")
            if text not in credits:
                credits.append(text)
    return Boundaries(
        admin1=read_embedded(catalog.ADMIN1_FILE, folder),
        countries=read_embedded(catalog.COUNTRIES_FILE, folder),
        borders=read_embedded(catalog.BORDERS_FILE, folder),
        former=read_embedded(catalog.FORMER_FILE, folder),
        attribution=tuple(credits),
    )
