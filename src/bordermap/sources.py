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


@dataclass(frozen=True)
class Relief:
    """The embedded shaded-relief image: plate carrée, so ``bounds`` (west, south, east, north) place it."""

    data: bytes
    mime: str
    bounds: tuple[float, float, float, float]
    width: int
    height: int
    credit: str

    def array(self):
        """The image as an (height, width, 3) uint8 array, top row north (for matplotlib's imshow)."""
        import io

        import numpy as np
        from PIL import Image  # Pillow comes with matplotlib

        with Image.open(io.BytesIO(self.data)) as image:
            return np.asarray(image.convert("RGB"))


_MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def _credit(record: dict, prefix: str) -> str:
    src = (record.get("sources") or [{}])[0]
    return f"{prefix}: " + (src.get("attribution") or f"{src.get('name', '?')} ({src.get('licence', '?')})")


def load_relief(folder: Path | None = None) -> Relief:
    """The shaded relief drawn under every map, checked against the manifest; bounds from its record."""
    path = catalog.verified(catalog.RELIEF_FILE, folder)
    record = catalog.files(folder)[catalog.RELIEF_FILE]
    params = record.get("parameters", {})
    try:
        bounds = tuple(float(v) for v in params["bounds_deg"])
        width, height = int(params["width_px"]), int(params["height_px"])
    except (KeyError, TypeError, ValueError):
        raise SourceError(path, f"its {catalog.MANIFEST_FILE} record lacks bounds_deg, width_px or height_px; "
                                "run `bordermap data build`") from None
    if len(bounds) != 4:
        raise SourceError(path, "bounds_deg must be [west, south, east, north]")
    return Relief(data=path.read_bytes(), mime=_MIME.get(path.suffix.lower(), "application/octet-stream"),
                  bounds=bounds, width=width, height=height, credit=_credit(record, "Relief"))  # type: ignore[arg-type]


def load_district_shapes(folder: Path | None = None) -> gpd.GeoDataFrame:
    """The embedded district polygons (geoBoundaries PAK ADM2), one row a unit.

    Columns: ``shapeID``, ``shapeName`` (as in geoBoundaries), ``parent`` (the
    admin-1 code it overlaps most), ``parent_share`` (that share of its area),
    ``district_id`` (the ``districts.json`` id it is, or ""), ``note`` (what a
    reader must know, e.g. that Kharan still includes Washuk) and ``includes``
    (``districts.json`` ids of later districts lying inside it, ";"-separated).
    """
    return read_embedded(catalog.DISTRICT_SHAPES_FILE, folder)


def load_towns(folder: Path | None = None) -> gpd.GeoDataFrame:
    """The curated towns (GeoNames points), one row a town, in label-priority order.

    Columns: ``geonameid``, ``name`` (common English), ``gazetteer_name``,
    ``country``, ``country_code`` (ISO 3166-1 alpha-2), ``admin1`` (the admin-1
    code it lies in), ``population``, ``role``, ``priority`` (1 from zoom 5, 2
    from zoom 6, 3 from zoom 8) and ``min_zoom``. The rule is in ``databuild``.
    """
    return read_embedded(catalog.TOWNS_FILE, folder)
