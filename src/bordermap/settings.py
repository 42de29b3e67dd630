"""Documented defaults. Tests and notebooks may reassign these module variables."""

from __future__ import annotations

import os
from pathlib import Path

#: CRS every layer is converted to before rendering.
CRS: str = "EPSG:4326"

#: The region the maps are about (west, south, east, north, degrees): Pakistan,
#: Afghanistan and Iran whole, with their neighbours' edges.
REGION: tuple[float, float, float, float] = (43.0, 22.0, 79.0, 41.0)

#: Where built maps go when ``--out`` is not given (relative to the current folder).
OUTPUT_DIR: Path = Path("outputs")

#: Name of the environment variable that points at another ``geodata`` folder.
GEODATA_ENV: str = "BORDERMAP_GEODATA"

#: Name of the environment variable that points at another recipe folder.
RECIPES_ENV: str = "BORDERMAP_RECIPES"

#: Name of the environment variable that points at the download cache (geoBoundaries districts).
CACHE_ENV: str = "BORDERMAP_CACHE"

#: The recipe ``bordermap build`` uses when given none.
DEFAULT_RECIPE: str = "border-region"


def _shipped(name: str, env: str) -> Path:
    """A data folder shipped with the package: in the wheel, or at the repository root."""
    override = os.environ.get(env)
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    packaged = here / name
    if packaged.is_dir():
        return packaged
    return here.parent.parent / name


def recipes_dir() -> Path:
    """The built-in recipes (``maps/``); ``$BORDERMAP_RECIPES`` wins."""
    return _shipped("maps", RECIPES_ENV)


def geodata_dir() -> Path:
    """The embedded data folder, found next to the package, never via the CWD.

    A wheel carries it as ``bordermap/geodata``; a source checkout (editable
    install) keeps it at the repository root. ``$BORDERMAP_GEODATA`` wins.
    """
    return _shipped("geodata", GEODATA_ENV)
