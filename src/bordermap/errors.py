"""Errors a user can act on.

Every failure the user can cause is one of these; anything else that escapes
is a bug. Lower-level exceptions (pyogrio, pyproj, json, tomllib, OSError) are
translated at the boundary where they happen::

    BordermapError        .path, .key, .line (each None when not applicable), .problem
    ├── SourceError       an input file is missing, unreadable or fails its checksum
    │   ├── LayerError    a layer was read but its content is unusable (.problems: every one)
    │   └── FetchError    a download failed or did not verify (.url); the cache is unchanged
    ├── RecipeError       a map definition is wrong (.key: 'layers[1].color', .line; .problems)
    ├── OutputError       an output cannot be written
    └── ErrorGroup        errors found in several files at once (.errors), e.g. a recipe's layers

``str(error)`` is always one line, ``PATH: KEY (line N): problem`` with the
parts that apply. An error holding several problems also gives one line per
problem through ``lines()``, which is what the command line prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

#: How many problems ``str()`` of a multi-problem error shows before "and N more".
SHOWN = 5


class BordermapError(Exception):
    """Base class: a problem the user can fix, located by path, key and line where they apply."""

    path: Path | None
    key: str | None
    line: int | None
    problem: str

    def __init__(self, problem: str, *, path: Path | str | None = None, key: str | None = None,
                 line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.key = key
        self.line = line
        self.problem = problem
        super().__init__(self._located(problem))

    def _where(self) -> str | None:
        """What the message starts with: the file (or URL) the problem is in."""
        return str(self.path) if self.path is not None else None

    def _located(self, problem: str, where: bool = True) -> str:
        """``PATH: KEY (line N): problem``, leaving out the parts that do not apply."""
        spot = self.key or ""
        if self.line is not None:
            spot += f" (line {self.line})" if spot else f"line {self.line}"
        return ": ".join(part for part in (self._where() if where else None, spot, problem) if part)

    def lines(self) -> list[str]:
        """One line per problem, for printing."""
        return [str(self)]


def _joined(lines: Sequence[str]) -> str:
    shown = "; ".join(lines[:SHOWN])
    more = len(lines) - SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


class SourceError(BordermapError):
    """An input file is missing, unreadable, or not what its manifest promises."""

    def __init__(self, path: Path | str, problem: str):
        super().__init__(problem, path=path)


class LayerError(SourceError):
    """A file was read but its features are unusable; ``problems`` lists every problem found."""

    def __init__(self, path: Path | str, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(path, _joined(self.problems))

    def lines(self) -> list[str]:
        return [self._located(problem) for problem in self.problems]


class FetchError(SourceError):
    """A download failed or did not verify; the cache is unchanged. ``url`` is what was fetched."""

    def __init__(self, url: str, problem: str):
        self.url = url  # kept as text: a Path would fold the '//' of 'https://'
        BordermapError.__init__(self, problem)  # .path stays None: a URL is not a file

    def _where(self) -> str:
        return self.url


class RecipeError(BordermapError):
    """A map definition is wrong: ``key`` is the setting's dotted path, ``line`` its line.

    A recipe with several problems raises one RecipeError whose ``problems``
    are single-problem RecipeErrors (its own key, line and problem are the
    first one's); a single problem's ``problems`` is ``[itself]``.
    """

    def __init__(self, path: Path | str | None, problem: str, key: str | None = None,
                 line: int | None = None):
        super().__init__(problem, path=path, key=key, line=line)
        self.problems: list[RecipeError] = [self]

    @classmethod
    def collect(cls, problems: Sequence["RecipeError"]) -> "RecipeError":
        """One error holding every problem found in a file (at least one)."""
        if len(problems) == 1:
            return problems[0]
        first = problems[0]
        error = cls(first.path, first.problem, first.key, first.line)
        error.problems = list(problems)
        shown = _joined([p._located(p.problem, where=False) for p in problems])
        error.args = (": ".join(part for part in (first._where(), shown) if part),)
        return error

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class OutputError(BordermapError):
    """An output file cannot be written; the previous output is left untouched."""

    def __init__(self, path: Path | str, problem: str):
        super().__init__(problem, path=path)

    def _where(self) -> str:
        return f"cannot write {self.path}"


class ErrorGroup(BordermapError):
    """Errors from several files, reported together: checking one file does not stop at another's problem."""

    def __init__(self, errors: Sequence[BordermapError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.problem, path=first.path, key=first.key, line=first.line)
        self.args = (_joined([str(e) for e in self.errors]),)

    def lines(self) -> list[str]:
        return [line for error in self.errors for line in error.lines()]
