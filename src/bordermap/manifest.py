"""``geodata/MANIFEST.json``: what each embedded file is, where it came from, its sha256.

The loader checks every file against it before use, so a corrupt or edited
file is reported instead of silently drawn.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._io import sha256_file, write_atomic
from .errors import SourceError

FILENAME = "MANIFEST.json"


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


def load(folder: Path) -> dict[str, Any]:
    path = Path(folder) / FILENAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(path, "manifest not found; is the geodata folder complete?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(path, f"manifest is not readable JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise SourceError(path, "manifest has no 'files' table")
    return data


def update(folder: Path, entries: dict[str, dict]) -> Path:
    """Merge ``entries`` into the manifest, keeping records of other files."""
    path = Path(folder) / FILENAME
    try:
        data = load(folder)
    except SourceError:
        data = {"files": {}}
    data["files"].update(entries)
    data["files"] = dict(sorted(data["files"].items()))
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))
    return path


def verified_path(folder: Path, name: str) -> Path:
    """Path of an embedded file after checking it against its manifest record."""
    folder = Path(folder)
    record = load(folder)["files"].get(name)
    path = folder / name
    if record is None:
        raise SourceError(path, f"not listed in {FILENAME}")
    if not path.exists():
        raise SourceError(path, "file is missing; reinstall bordermap or run `bordermap data build`")
    digest = sha256_file(path)
    if digest != record.get("sha256"):
        raise SourceError(path, f"sha256 {digest[:12]}… does not match {FILENAME} "
                                f"({str(record.get('sha256'))[:12]}…); the file is corrupt or was edited")
    return path
