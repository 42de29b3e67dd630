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


# --- limits on what is read: a hostile or broken file gets one clear error, never a hang -------------
# Each is a plain module variable; tests and notebooks may lower or raise them.

#: int, default 512 MB: the largest analyst's file (layer, events file) read.
MAX_FILE_BYTES: int = 512 * 1024 * 1024

#: int, default 1 MB: the largest recipe (TOML) or small JSON document read.
MAX_TEXT_BYTES: int = 1024 * 1024

#: int, default 1 GB: the most a zip may expand to, by its declared sizes (checked before reading).
MAX_UNZIPPED_BYTES: int = 1024 * 1024 * 1024

#: int, default 200: the largest expansion ratio of one zip member (zip bombs reach thousands).
MAX_ZIP_RATIO: int = 200

#: int, default 1_000_000: the most event and place points a page draws one by one; past it the build
#: says so and draws them aggregated by province (a recipe's own ``[aggregate]`` level wins).
MAX_PAGE_POINTS: int = 1_000_000

#: int, default 500_000: the most features one layer may hold.
MAX_FEATURES: int = 500_000

#: int, default 5_000_000: the most records one events file may hold (read column by column, past
#: ``MAX_PAGE_POINTS`` they are aggregated).
MAX_EVENTS: int = 5_000_000

#: int, default 64: the deepest nesting of arrays and tables accepted in JSON and TOML.
MAX_NESTING: int = 64

#: float, default 120: seconds one file may take to read before it is refused.
MAX_READ_SECONDS: float = 120.0

#: float, default 300: seconds `bordermap data fetch` may take for one release, all requests included.
FETCH_DEADLINE: float = 300.0

#: float, default 300: seconds after which a leftover ``.NAME.*.tmp`` file in an output folder
#: (from a run that was killed) is removed by the next run writing there.
STALE_TMP_SECONDS: float = 300.0

#: float, default 0.01 (about 1 km): the smallest width and height of a recipe's bounds, in degrees.
#: Much smaller frames make matplotlib rasterise country outlines millions of pixels across (minutes).
MIN_BOUNDS_DEGREES: float = 0.01
