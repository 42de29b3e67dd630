"""Documented defaults. Tests and notebooks may reassign these module variables."""

from __future__ import annotations

import os
from pathlib import Path

#: CRS every layer is converted to before rendering.
CRS: str = "EPSG:4326"

#: Where built maps go when ``--out`` is not given (relative to the current folder).
OUTPUT_DIR: Path = Path("outputs")

#: Name of the environment variable that points at another ``geodata`` folder.
GEODATA_ENV: str = "BORDERMAP_GEODATA"


def geodata_dir() -> Path:
    """The embedded data folder, found next to the package, never via the CWD.

    A wheel carries it as ``bordermap/geodata``; a source checkout (editable
    install) keeps it at the repository root. ``$BORDERMAP_GEODATA`` wins.
    """
    override = os.environ.get(GEODATA_ENV)
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    packaged = here / "geodata"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "geodata"
