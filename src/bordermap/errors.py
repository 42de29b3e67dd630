"""Errors a user can act on.

Every failure the user can fix is one of these; the CLI prints it as a single
line and exits with status 2. Lower-level exceptions (pyogrio, json, OSError)
are translated at the boundary where they happen::

    BordermapError
    ├── SourceError      an input file is missing, unreadable or fails its checksum
    │   └── LayerError   a layer was read but its content is unusable (.problems)
    ├── RecipeError      a map definition is wrong (.key names the setting)
    └── OutputError      an output cannot be written
"""

from __future__ import annotations

from pathlib import Path


class BordermapError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class SourceError(BordermapError):
    """An input file is missing, unreadable, or not what its manifest promises."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class LayerError(SourceError):
    """A file was read but its features are unusable; lists every problem found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.problems = list(problems)
        shown = "; ".join(self.problems[:5])
        more = len(self.problems) - 5
        if more > 0:
            shown += f"; and {more} more"
        super().__init__(path, shown)


class RecipeError(BordermapError):
    """A map definition is wrong; ``key`` names the offending setting."""

    def __init__(self, path: Path | str | None, problem: str, key: str | None = None):
        self.path = Path(path) if path is not None else None
        self.key = key
        where = f"{path}: " if path is not None else ""
        what = f"{key}: " if key else ""
        super().__init__(f"{where}{what}{problem}")


class OutputError(BordermapError):
    """An output file cannot be written; the previous output is left untouched."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        super().__init__(f"cannot write {path}: {problem}")
