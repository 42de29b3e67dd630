"""Map recipes: ``maps/*.toml`` -> frozen dataclasses, strictly checked.

A recipe names its title, frame, built-in layers and extra files. Every
unknown key or wrong type is reported with the file, the key's path and, when
it can be found, its line; paths are resolved relative to the recipe.
"""

from __future__ import annotations

import codecs
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import settings, story as story_mod
from .errors import RecipeError, SourceError
from .layerio import ReadOptions, regular_file

#: Built-in layers a recipe can include, with what they show.
BUILTIN_LAYERS: dict[str, str] = {
    "terrain": "shaded relief (Natural Earth), drawn offline under everything",
    "countries": "neighbouring countries, for context",
    "provinces": "first-level units of Pakistan, Afghanistan and Iran",
    "former_units": "the former F.A.T.A., merged into Khyber Pakhtunkhwa in 2018",
    "borders": "international borders, Pakistan's western borders emphasised",
    "labels": "names of countries, provinces and towns, placed by zoom",
    "events": "curated events and places, with sources",
    "areas": "curated group areas, refugee-hosting provinces, cross-border movement",
}
_OUTPUT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_COLOUR = re.compile(r"^(#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|[a-z]{3,20})$")


@dataclass(frozen=True)
class LayerSpec:
    """An analyst's file on the map, and how it looks."""

    path: Path
    name: str
    read: ReadOptions = ReadOptions()
    color: str = "#0072B2"
    fill_color: str | None = None
    fill_opacity: float = 0.3
    opacity: float = 1.0
    weight: float = 2.0
    radius: float = 6.0
    color_by: str | None = None
    palette: tuple[str, ...] = ()
    tooltip: tuple[str, ...] = ()
    popup: tuple[str, ...] = ()
    label: str | None = None
    show: bool = True
    simplify: float = 0.0


AGGREGATE_LEVELS = ("district", "province", "hexagon")
AGGREGATE_SCHEMES = ("quantiles", "natural_breaks", "equal_interval", "breaks")
AGGREGATE_MEASURES = ("events", "fatalities")


@dataclass(frozen=True)
class AggregateSpec:
    """An aggregate layer: the recipe's [aggregate] table, or ``--aggregate LEVEL``."""

    level: str
    scheme: str = "quantiles"
    classes: int = 5
    breaks: tuple[float, ...] = ()
    measure: str = "events"
    hex_km: float = 25.0  # the hexagons' circumradius (centre to corner)

    @property
    def name(self) -> str:
        what = "Events" if self.measure == "events" else "Fatalities"
        size = f" ({self.hex_km:g} km)" if self.level == "hexagon" else ""
        return f"{what} by {self.level}{size}"


@dataclass(frozen=True)
class Recipe:
    """A map definition. ``focus`` lists unit codes (or ISO3 country codes) to frame and stress."""

    name: str
    title: str
    description: str = ""
    focus: tuple[str, ...] = ()
    bounds: tuple[float, float, float, float] | None = None  # west, south, east, north
    center: tuple[float, float] | None = None  # lat, lon
    zoom: int | None = None
    basemap: bool = True
    include: tuple[str, ...] = tuple(BUILTIN_LAYERS)
    events: tuple[Path, ...] = ()
    layers: tuple[LayerSpec, ...] = ()
    aggregate: AggregateSpec | None = None
    #: Event symbols labelled in static figures: True for all, or (event id, label text or "") pairs.
    label_events: bool | tuple[tuple[str, str], ...] = False
    stories: tuple[story_mod.StorySpec, ...] = ()  # [[story]] tables: guided readings, step by step
    source: Path | None = field(default=None, compare=False)

    def with_extra(self, layers: tuple[LayerSpec, ...] = (), events: tuple[Path, ...] = ()) -> "Recipe":
        """The same recipe with command-line layers and events added."""
        return replace(self, layers=self.layers + tuple(layers), events=self.events + tuple(events))


# --- the schema: key -> (checker, description) ---------------------------------------

def _str(v): return isinstance(v, str)
def _bool(v): return isinstance(v, bool)
def _num(v): return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
def _int(v): return isinstance(v, int) and not isinstance(v, bool)
def _strs(v): return isinstance(v, list) and all(isinstance(x, str) for x in v)
def _nums(n): return lambda v: isinstance(v, list) and len(v) == n and all(_num(x) for x in v)
def _colour(v): return isinstance(v, str) and bool(_COLOUR.match(v))
def _fraction(v): return _num(v) and 0 <= v <= 1
def _nonneg(v): return _num(v) and v >= 0
def _colours(v): return isinstance(v, list) and v and all(_colour(x) for x in v)


def _event_labels(v):
    if isinstance(v, bool):
        return True
    pairs = v.items() if isinstance(v, dict) else [(x, "") for x in v] if isinstance(v, list) else None
    return pairs is not None and all(isinstance(k, str) and isinstance(t, str) for k, t in pairs)


def _encoding(v):
    if not isinstance(v, str):
        return False
    try:
        codecs.lookup(v)
    except LookupError:
        return False
    return True


TOP_KEYS = {
    "title": (_str, "a string"),
    "description": (_str, "a string"),
    "output": (lambda v: _str(v) and bool(_OUTPUT.match(v)),
               "a file name without folders (letters, digits, '.', '_', '-')"),
    "focus": (_strs, "a list of unit codes, e.g. [\"PK-BA\", \"AFG\"]"),
    "bounds": (_nums(4), "[west, south, east, north] in degrees"),
    "center": (lambda v: _nums(2)(v) and -90 <= v[0] <= 90 and -180 <= v[1] <= 180,
               "[latitude, longitude] in degrees (latitude -90 to 90, longitude -180 to 180)"),
    "zoom": (lambda v: _int(v) and 1 <= v <= 18, "a whole number from 1 to 18"),
    "basemap": (_bool, "true or false"),
    "include": (lambda v: _strs(v) and all(x in BUILTIN_LAYERS for x in v),
                "a list of built-in layers: " + ", ".join(BUILTIN_LAYERS)),
    "events": (_strs, "a list of events files (paths relative to the recipe)"),
    "layers": (lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v), "[[layers]] tables"),
    "aggregate": (lambda v: isinstance(v, dict), "an [aggregate] table"),
    "label_events": (_event_labels, "true, a list of event ids, or a table of event id = \"label text\""),
    "story": (lambda v: isinstance(v, list), "[[story]] tables"),
}
AGGREGATE_KEYS = {
    "level": (lambda v: v in AGGREGATE_LEVELS, "one of: " + ", ".join(AGGREGATE_LEVELS)),
    "scheme": (lambda v: v in AGGREGATE_SCHEMES, "one of: " + ", ".join(AGGREGATE_SCHEMES)),
    "classes": (lambda v: _int(v) and 2 <= v <= 9, "a whole number from 2 to 9"),
    "breaks": (lambda v: isinstance(v, list) and v and all(_num(x) and x >= 0 for x in v)
               and list(v) == sorted(set(v)), "a rising list of numbers, e.g. [5, 20, 100]"),
    "measure": (lambda v: v in AGGREGATE_MEASURES, "one of: " + ", ".join(AGGREGATE_MEASURES)),
    "hex_km": (lambda v: _num(v) and 2 <= v <= 500, "a size in km from 2 to 500"),
}
LAYER_KEYS = {
    "path": (_str, "a path relative to the recipe"),
    "name": (_str, "a string"),
    "layer": (_str, "the layer inside the file: a GeoPackage table, KML folder, GPX layer, TopoJSON object, or a .shp in a zip"),
    "encoding": (_encoding, "a text encoding such as \"latin-1\""),
    "crs": (_str, "a CRS such as \"EPSG:32642\""),
    "x": (_str, "the CSV longitude column"),
    "y": (_str, "the CSV latitude column"),
    "color": (_colour, "a colour such as \"#1b9e77\""),
    "fill_color": (_colour, "a colour such as \"#1b9e77\""),
    "fill_opacity": (_fraction, "a number from 0 to 1"),
    "opacity": (_fraction, "a number from 0 to 1"),
    "weight": (lambda v: _nonneg(v) and v <= 100, "a number of pixels from 0 to 100"),
    "radius": (lambda v: _num(v) and 0 < v <= 200, "a number of pixels, more than 0 and at most 200"),
    "color_by": (_str, "a property name"),
    "palette": (_colours, "a list of colours"),
    "tooltip": (_strs, "a list of property names"),
    "popup": (_strs, "a list of property names"),
    "label": (_str, "a property name"),
    "show": (_bool, "true or false"),
    "simplify": (lambda v: _nonneg(v) and v <= 1, "a tolerance in degrees from 0 to 1"),
}


def load(path: Path) -> Recipe:
    """Read and check one recipe file; one RecipeError lists every problem in it."""
    path = Path(path)
    try:
        regular_file(path, settings.MAX_TEXT_BYTES)
    except SourceError as exc:
        raise RecipeError(path, "recipe file not found" if exc.problem == "file not found" else exc.problem) \
            from None
    try:
        with open(path, "rb") as fh:  # read at most the limit: the file may have grown since
            text = fh.read(settings.MAX_TEXT_BYTES + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(path, f"cannot read ({exc})") from None
    if len(text) > settings.MAX_TEXT_BYTES:
        raise RecipeError(path, f"recipe is larger than {settings.MAX_TEXT_BYTES:,} bytes")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem, line = _toml_problem(exc)
        raise RecipeError(path, f"not valid TOML: {problem}", line=line) from None
    except RecursionError:
        raise RecipeError(path, "not valid TOML: nested too deeply") from None
    if _depth(data) > settings.MAX_NESTING:
        raise RecipeError(path, f"nested more than {settings.MAX_NESTING} levels deep")
    return parse(data, path, text)


def _depth(value: Any, level: int = 0) -> int:
    """How deeply lists and tables nest (stops counting past the limit)."""
    if level > settings.MAX_NESTING or not isinstance(value, (list, dict)):
        return level
    children = value.values() if isinstance(value, dict) else value
    return max((_depth(v, level + 1) for v in children), default=level + 1)


def parse(data: dict[str, Any], path: Path, text: str = "") -> Recipe:
    """Check a recipe's data (``text`` is its TOML, to find lines); collect every problem, then raise once."""
    found = _Problems(path, text)
    ok = _check_table(data, TOP_KEYS, found, prefix="", table=None)
    if "title" not in data:
        found.add("title", "missing (every recipe needs a title)")
    if "bounds" in data and "center" in data:
        found.add("center", "give bounds or center, not both")
    if "zoom" in data and "center" not in data:
        found.add("zoom", "zoom needs a center")
    if "bounds" in ok:
        w, s, e, n = data["bounds"]
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            found.add("bounds", "must be [west, south, east, north] with west < east and south < north")
        elif min(e - w, n - s) < settings.MIN_BOUNDS_DEGREES:
            found.add("bounds", f"must span at least {settings.MIN_BOUNDS_DEGREES:g} degrees each way "
                                f"(it spans {e - w:g} by {n - s:g})")
    base = path.parent
    tables = data["layers"] if "layers" in ok else []
    for i, table in enumerate(tables):
        prefix = f"layers[{i + 1}]."
        good = _check_table(table, LAYER_KEYS, found, prefix=prefix, table=i)
        if "path" not in table:
            found.add(prefix + "path", "missing (each [[layers]] table needs a path)", table=i)
        elif "path" in good and not _resolve(base, table["path"]).exists():
            found.add(prefix + "path", f"file not found: {_resolve(base, table['path'])}", table=i)
    aggregate = None
    if "aggregate" in ok:
        table = data["aggregate"]
        good = _check_table(table, AGGREGATE_KEYS, found, prefix="aggregate.", table=-1)
        if "level" not in table:
            found.add("aggregate.level", "missing (" + AGGREGATE_KEYS["level"][1] + ")", table=-1)
        if table.get("scheme") == "breaks" and "breaks" not in table:
            found.add("aggregate.breaks", "missing: scheme = \"breaks\" needs breaks = [...]", table=-1)
        if "breaks" in good and table.get("scheme", "breaks") != "breaks":
            found.add("aggregate.breaks", "given, but scheme is not \"breaks\"", table=-1)
        if set(table) <= good and "level" in good:
            aggregate = AggregateSpec(**{k: tuple(v) if k == "breaks" else v for k, v in table.items()},
                                      **({"scheme": "breaks"} if "breaks" in table and "scheme" not in table
                                         else {}))
    for n, name in enumerate(data["events"] if "events" in ok else [], 1):
        if not (base / name).exists():
            found.add(f"events[{n}]", f"file not found: {base / name}")
    stories = story_mod.parse(data["story"], found, text) if "story" in ok else ()
    found.raise_any()
    return Recipe(
        name=data.get("output", path.stem), title=data["title"], description=data.get("description", ""),
        focus=tuple(data.get("focus", ())), bounds=tuple(data["bounds"]) if "bounds" in data else None,
        center=tuple(data["center"]) if "center" in data else None, zoom=data.get("zoom"),
        basemap=data.get("basemap", True), include=tuple(data.get("include", BUILTIN_LAYERS)),
        events=tuple(base / p for p in data.get("events", ())),
        layers=tuple(layer_spec(table, base) for table in tables), aggregate=aggregate,
        label_events=_label_events(data.get("label_events", False)), stories=stories, source=path)


def _label_events(value: bool | list | dict) -> bool | tuple[tuple[str, str], ...]:
    """A checked ``label_events`` value in the Recipe's form: True/False, or (id, text) pairs."""
    if isinstance(value, bool):
        return value
    return tuple(value.items()) if isinstance(value, dict) else tuple((x, "") for x in value)


def layer_spec(table: dict[str, Any], base: Path = Path(".")) -> LayerSpec:
    """A LayerSpec from a (checked) [[layers]] table or command-line options."""
    read = ReadOptions(layer=table.get("layer"), encoding=table.get("encoding"), crs=table.get("crs"),
                       x=table.get("x"), y=table.get("y"))
    style = {k: table[k] for k in ("color", "fill_color", "fill_opacity", "opacity", "weight", "radius",
                                   "color_by", "label", "show", "simplify") if k in table}
    lists = {k: tuple(table[k]) for k in ("palette", "tooltip", "popup") if k in table}
    return LayerSpec(path=_resolve(base, table["path"]), name=table.get("name") or Path(table["path"]).stem,
                     read=read, **style, **lists)


def _resolve(base: Path, text: str) -> Path:
    """A recipe's path setting: relative to the recipe's folder unless absolute."""
    path = Path(text)
    return path if path.is_absolute() else base / path


def _check_table(data: dict, schema: dict, found: "_Problems", prefix: str, table: int | None) -> set[str]:
    """Report every unknown key and wrong value of one table; return the keys that are fine."""
    good = set()
    for key, value in data.items():
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(schema)})"
            found.add(prefix + key, f"unknown key{hint}", table=table)
            continue
        check, expected = schema[key]
        if check(value):
            good.add(key)
        else:
            found.add(prefix + key, f"expected {expected}, got {_describe(value)}", table=table)
    return good


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
    shown = repr(value)
    return f"{kind} {shown}" if len(shown) <= 40 else kind


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _toml_problem(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """tomllib's message without its '(at line N, column M)', and N (tomllib has no lineno before 3.14)."""
    text = str(exc)
    m = _TOML_AT.search(text)
    if not m:
        return text, None
    return f"{text[:m.start()]} (column {m.group(2)})", int(m.group(1))


class _Problems:
    """Every problem found in one recipe file, each with its key and line; raised together."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = _KeyLines(text)
        self.found: list[RecipeError] = []

    def add(self, key: str, problem: str, table: int | None = None) -> None:
        """``key`` is the dotted path ('layers[2].color'); its last name is looked up in ``table``."""
        name = key.rsplit(".", 1)[-1].split("[")[0]
        self.found.append(RecipeError(self.path, problem, key=key, line=self.lines.line(name, table)))

    def add_at(self, key: str, problem: str, line: int | None) -> None:
        """A problem whose line the caller found (the keys of [[story]] and [[story.step]] tables)."""
        self.found.append(RecipeError(self.path, problem, key=key, line=line))

    def raise_any(self) -> None:
        if self.found:
            in_file_order = sorted(self.found, key=lambda e: float("inf") if e.line is None else e.line)
            raise RecipeError.collect(in_file_order)


class _KeyLines:
    """Finds the line a key is set on: top level, or in the n-th [[layers]] table."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")

    def __init__(self, text: str):
        self.found: dict[tuple[int | None, str], int] = {}
        section: int | None = None
        layers_seen = -1
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                self.found.setdefault((None, header.group(1).split(".")[0]), number)
                if header.group(1) == "layers" and line.strip().startswith("[["):
                    layers_seen += 1
                    section = layers_seen
                else:
                    section = -1  # some other table
                continue
            key = self._KEY.match(line)
            if key:
                self.found.setdefault((section, key.group(1).strip('"')), number)

    def line(self, key: str, table: int | None) -> int | None:
        """The line ``key`` is set on at top level (``table`` None) or in the n-th [[layers]] table."""
        return self.found.get((table, key))


def builtin_recipes() -> dict[str, Path]:
    """Recipe name -> file, for the recipes shipped in ``maps/``."""
    folder = settings.recipes_dir()
    return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}


def find(name_or_path: str | Path | None) -> Recipe:
    """A recipe by file path, or by the name of a built-in one; the default when None."""
    if name_or_path is None:
        name_or_path = settings.DEFAULT_RECIPE
    candidate = Path(name_or_path)
    if candidate.suffix.lower() == ".toml" or candidate.exists():
        return load(candidate)
    known = builtin_recipes()
    if str(name_or_path) in known:
        return load(known[str(name_or_path)])
    raise RecipeError(None, f"no recipe file or built-in recipe named {str(name_or_path)!r} "
                            f"(built-in: {', '.join(known) or 'none found'})")
