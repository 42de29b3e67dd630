"""Stories: a recipe's ``[[story]]`` tables, a guided reading of an article, step by step.

``parse()`` checks the tables' form when the recipe is read (``recipe.parse``
calls it); ``resolve()`` checks every reference against what the map draws
(record ids, units, layers, time windows) once the layers are assembled, and
turns each step into what both renderers use: the records to highlight, the
frame to show, the layers to switch on and the passages it rests on. Every
problem of every step is collected, then raised once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

#: A step's text is short: what the step shows and who claims it, in the project's own words.
MAX_WORDS = 90
#: The zoom a step's view goes no closer than, unless the step says otherwise.
DEFAULT_MAX_ZOOM = 8
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class StepSpec:
    """One step as the recipe writes it."""

    title: str
    text: str
    records: tuple[str, ...] = ()
    arrows: tuple[str, ...] = ()  # movement records drawn as arrows (highlighted like records)
    units: tuple[str, ...] = ()  # fit the view to these units (codes, district ids or ISO3) instead
    bounds: tuple[float, float, float, float] | None = None  # or to this frame: west, south, east, north
    max_zoom: int = DEFAULT_MAX_ZOOM
    layers: tuple[str, ...] = ()  # layers switched on besides those that draw the step's records
    window: tuple[str, str] | None = None  # "YYYY-MM" months: the time span the step shows
    line: int | None = None  # the line of the step's [[story.step]] header
    key_lines: tuple[tuple[str, int], ...] = ()  # the line each of its keys is set on

    def line_of(self, key: str) -> int | None:
        return dict(self.key_lines).get(key, self.line)


@dataclass(frozen=True)
class StorySpec:
    id: str
    title: str
    steps: tuple[StepSpec, ...]
    description: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Cite:
    """A passage a step rests on: the record, the sources that make its claim, the words that find it."""

    record: str
    title: str
    sources: tuple[str, ...]
    quote: str
    article: str  # the article the quote is in (its first source's via, else its work)

    def text(self) -> str:
        where = f" ({self.article}: \u201c{self.quote}\u201d)" if self.quote else ""
        return "; ".join(self.sources) + where


@dataclass(frozen=True)
class Step:
    """A step made concrete: highlighted ids, frame, layers on, window as ISO days, passages."""

    title: str
    text: str
    ids: tuple[str, ...]
    frame: tuple[float, float, float, float]  # west, south, east, north
    max_zoom: int
    layers: tuple[str, ...]
    window: tuple[str, str] | None
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    description: str
    steps: tuple[Step, ...]

    def page(self) -> dict:
        """The story in the page-data document (see docs/page-data.md, "stories")."""
        return {"id": self.id, "title": self.title, "description": self.description, "steps": [
            {"title": s.title, "text": s.text, "ids": list(s.ids), "maxZoom": s.max_zoom, "layers": list(s.layers),
             "fit": [[s.frame[1], s.frame[0]], [s.frame[3], s.frame[2]]],
             "window": list(s.window) if s.window else None,
             "cites": [[c.record, c.title, list(c.sources), c.quote, c.article] for c in s.cites]}
            for s in self.steps]}


# --- the recipe's form ----------------------------------------------------------------------

def _str(v): return isinstance(v, str) and v.strip() != ""
def _strs(v): return isinstance(v, list) and all(isinstance(x, str) for x in v)
def _num(v): return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


STORY_KEYS = {
    "id": (lambda v: isinstance(v, str) and bool(_ID.match(v)), "lower-case letters, digits and hyphens"),
    "title": (_str, "a string"),
    "description": (lambda v: isinstance(v, str), "a string"),
    "step": (lambda v: isinstance(v, list) and v and all(isinstance(x, dict) for x in v),
             "[[story.step]] tables (at least one)"),
}
STEP_KEYS = {
    "title": (_str, "a string"),
    "text": (lambda v: _str(v) and len(v.split()) <= MAX_WORDS, f"a text of at most {MAX_WORDS} words"),
    "records": (_strs, "a list of record ids"),
    "arrows": (_strs, "a list of movement record ids"),
    "units": (_strs, "a list of unit codes, district ids or ISO3 country codes"),
    "bounds": (lambda v: isinstance(v, list) and len(v) == 4 and all(_num(x) for x in v)
               and -180 <= v[0] < v[2] <= 180 and -90 <= v[1] < v[3] <= 90,
               "[west, south, east, north] in degrees, west < east and south < north"),
    "max_zoom": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 3 <= v <= 18,
                 "a whole number from 3 to 18"),
    "layers": (_strs, "a list of layer names"),
    "window": (lambda v: isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) and _MONTH.match(x) for x in v)
               and v[0] <= v[1], "[\"YYYY-MM\", \"YYYY-MM\"], the first not after the second"),
}


def parse(value: Any, found, text: str) -> tuple[StorySpec, ...]:
    """The checked ``[[story]]`` tables; each problem goes to ``found`` (recipe._Problems) with its line."""
    if not (isinstance(value, list) and all(isinstance(x, dict) for x in value)):
        found.add("story", "expected [[story]] tables")
        return ()
    lines = _StoryLines(text)
    stories, seen = [], set()
    for n, table in enumerate(value):
        prefix = f"story[{n + 1}]."
        ok = _check(table, STORY_KEYS, found, prefix, lambda key, n=n: lines.story(n, key))
        for key in ("id", "title", "step"):
            if key not in table:
                found.add_at(prefix + key, f"missing (each [[story]] needs {'[[story.step]] tables' if key == 'step' else 'a ' + key})",
                             lines.story(n, None))
        if "id" in ok:
            if table["id"] in seen:
                found.add_at(prefix + "id", f"{table['id']!r} is used by an earlier story", lines.story(n, "id"))
            seen.add(table["id"])
        steps = []
        for m, step in enumerate(table["step"] if "step" in ok else []):
            where = f"{prefix}step[{m + 1}]."
            good = _check(step, STEP_KEYS, found, where, lambda key, n=n, m=m: lines.step(n, m, key))
            for key in ("title", "text"):
                if key not in step:
                    found.add_at(where + key, f"missing (each [[story.step]] needs a {key})", lines.step(n, m, None))
            if not step.get("records") and not step.get("arrows"):
                found.add_at(where + "records", "missing: a step shows at least one record (records or arrows)",
                             lines.step(n, m, None))
            if "units" in step and "bounds" in step:
                found.add_at(where + "bounds", "give units or bounds, not both", lines.step(n, m, "bounds"))
            if set(step) <= good and {"title", "text"} <= good:
                steps.append(StepSpec(
                    title=step["title"], text=" ".join(step["text"].split()), records=tuple(step.get("records", ())),
                    arrows=tuple(step.get("arrows", ())), units=tuple(step.get("units", ())),
                    bounds=tuple(step["bounds"]) if "bounds" in step else None,
                    max_zoom=step.get("max_zoom", DEFAULT_MAX_ZOOM), layers=tuple(step.get("layers", ())),
                    window=tuple(step["window"]) if "window" in step else None, line=lines.step(n, m, None),
                    key_lines=tuple((k, lines.step(n, m, k)) for k in step if lines.step(n, m, k) is not None)))
        if set(table) <= ok and len(steps) == len(table["step"]):
            stories.append(StorySpec(id=table["id"], title=table["title"], steps=tuple(steps),
                                     description=table.get("description", ""), line=lines.story(n, None)))
    return tuple(stories)


def _check(table: dict, schema: dict, found, prefix: str, line) -> set[str]:
    good = set()
    for key, value in table.items():
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(schema)})"
            found.add_at(prefix + key, f"unknown key{hint}", line(key))
        elif schema[key][0](value):
            good.add(key)
        else:
            found.add_at(prefix + key, f"expected {schema[key][1]}", line(key))
    return good


class _StoryLines:
    """The lines of ``[[story]]`` and ``[[story.step]]`` headers and of the keys under them."""

    _HEADER = re.compile(r"^\s*\[\[\s*(story|story\.step)\s*\]\]")
    _OTHER = re.compile(r"^\s*\[")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")

    def __init__(self, text: str):
        self.stories: list[dict] = []  # per story: {None: header line, key: line, "steps": [{...}]}
        here: dict | None = None
        for number, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header and header.group(1) == "story":
                here = {None: number, "steps": []}
                self.stories.append(here)
            elif header and self.stories:
                here = {None: number}
                self.stories[-1]["steps"].append(here)
            elif self._OTHER.match(line):
                here = None
            elif here is not None and (key := self._KEY.match(line)):
                here.setdefault(key.group(1), number)

    def story(self, n: int, key: str | None) -> int | None:
        if n >= len(self.stories):
            return None
        return self.stories[n].get(key, self.stories[n][None])

    def step(self, n: int, m: int, key: str | None) -> int | None:
        if n >= len(self.stories) or m >= len(self.stories[n]["steps"]):
            return self.story(n, None)
        step = self.stories[n]["steps"][m]
        return step.get(key, step[None])


# --- references, against what the map draws ----------------------------------------------

def resolve(specs: Sequence[StorySpec], *, path, layers: Sequence, records: Sequence, admin1,
            districts: Mapping, district_shapes: Mapping) -> tuple[Story, ...]:
    """Every step made concrete; one RecipeError lists every unknown record, unit, layer and window."""
    from .errors import RecipeError
    from .events import MOVEMENT_COUNTRIES

    problems: list[RecipeError] = []
    by_id = {r.id: r for r in records}
    drawn = {item.id for layer in layers for item in layer.items}
    names = [layer.name for layer in layers]
    holders: dict[str, list[str]] = {}  # record id -> the layers that draw it
    for layer in layers:
        for rid in [item.id for item in layer.items] + _drawn_ids(layer):
            if layer.name not in holders.setdefault(rid, []):
                holders[rid].append(layer.name)
    extents = _extents(layers)
    codes = set(admin1["code"]) | set(districts) | set(MOVEMENT_COUNTRIES)
    span = _data_span(layers)
    out = []
    for n, spec in enumerate(specs):
        steps = []
        for m, step in enumerate(spec.steps):
            where = f"story[{n + 1}].step[{m + 1}]."

            def bad(key: str, problem: str) -> None:
                problems.append(RecipeError(path, problem, key=where + key, line=step.line_of(key)))

            for key, ids in (("records", step.records), ("arrows", step.arrows)):
                for rid in ids:
                    if rid not in drawn:
                        close = difflib.get_close_matches(rid, sorted(drawn), n=1)
                        bad(key, f"{rid!r} is not a record on this map" + (f" (did you mean {close[0]!r}?)"
                                                                           if close else ""))
                    elif key == "arrows" and not (by_id.get(rid) and by_id[rid].move_to):
                        bad(key, f"{rid!r} is not a movement record (it has no move_from/move_to)")
            for code in step.units:
                if code not in codes:
                    bad("units", f"unknown unit code {code!r}")
            for name in step.layers:
                if name not in names:
                    close = difflib.get_close_matches(name, names, n=1)
                    bad("layers", f"no layer named {name!r} on this map"
                        + (f" (did you mean {close[0]!r}?)" if close else ""))
            window = None
            if step.window:
                first, last = _month_days(step.window[0])[0], _month_days(step.window[1])[1]
                if span is None:
                    bad("window", "this map has no dated records for a time window to show")
                elif last < span[0] or first > span[1]:
                    bad("window", f"{step.window[0]} to {step.window[1]} is outside the data "
                                  f"({span[0]:%Y-%m} to {span[1]:%Y-%m})")
                window = (first.isoformat(), last.isoformat())
            ids = tuple(dict.fromkeys(step.records + step.arrows))
            if any(p.key and p.key.startswith(where) for p in problems):
                continue
            frame = step.bounds or _frame([extents[i] for i in ids if i in extents] if not step.units else
                                          [_unit_extent(c, admin1, districts, district_shapes) for c in step.units])
            on = tuple(dict.fromkeys([name for i in ids for name in holders.get(i, ())] + list(step.layers)))
            steps.append(Step(title=step.title, text=step.text, ids=ids, frame=frame, max_zoom=step.max_zoom,
                              layers=on, window=window, cites=tuple(_cite(by_id[i]) for i in ids if i in by_id)))
        out.append(Story(id=spec.id, title=spec.title, description=spec.description, steps=tuple(steps)))
    if problems:
        raise RecipeError.collect(problems)
    return tuple(out)


def _cite(record) -> Cite:
    first = record.sources[0]
    return Cite(record=record.id, title=record.title, sources=tuple(s.text() for s in record.sources),
                quote=record.quote, article=first.via or first.work)


def _drawn_ids(layer) -> list[str]:
    """The records a layer's markers or shapes draw (a layer of district rings lists no items of its own)."""
    if hasattr(layer, "markers"):
        return [m.record for m in layer.markers if m.record]
    frame = getattr(layer, "frame", None)
    if frame is not None and "record" in frame.columns:
        return [rid for rid in frame["record"] if isinstance(rid, str)]
    return []


def _extents(layers: Sequence) -> dict[str, tuple[float, float, float, float]]:
    """Each item's drawn extent over every layer: its markers and its shapes (arrows included)."""
    from .layers import MarkerLayer

    out: dict[str, tuple[float, float, float, float]] = {}
    for layer in layers:
        if isinstance(layer, MarkerLayer):
            for m in layer.markers:
                if m.record:
                    out[m.record] = _union(out.get(m.record), (m.lon, m.lat, m.lon, m.lat))
        elif getattr(layer, "frame", None) is not None and "record" in layer.frame.columns:
            for rid, geom in zip(layer.frame["record"], layer.frame.geometry):
                if isinstance(rid, str) and geom is not None and not geom.is_empty:
                    out[rid] = _union(out.get(rid), tuple(geom.bounds))
    return out


def _union(a, b):
    return b if a is None else (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _frame(boxes: list) -> tuple[float, float, float, float]:
    """The boxes' union, grown to at least half a degree each way so a single point has a view."""
    box = None
    for b in boxes:
        box = _union(box, b)
    w, s, e, n = box
    grow_x, grow_y = max(0.0, 0.5 - (e - w)) / 2, max(0.0, 0.5 - (n - s)) / 2
    out = (math.floor((w - grow_x) * 1e4) / 1e4, math.floor((s - grow_y) * 1e4) / 1e4,
           math.ceil((e + grow_x) * 1e4) / 1e4, math.ceil((n + grow_y) * 1e4) / 1e4)
    return out  # rounded outwards: the frame holds all of what it was made from


def _unit_extent(code: str, admin1, districts: Mapping, district_shapes: Mapping):
    rows = admin1[(admin1["code"] == code) | (admin1["adm0_a3"] == code)]
    if len(rows):
        return tuple(rows.total_bounds)
    if code in district_shapes:
        return tuple(district_shapes[code][0].bounds)
    d = districts[code]
    return (d.hq_lon, d.hq_lat, d.hq_lon, d.hq_lat)


def _data_span(layers: Sequence) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the layers' dated items, those drawn from columns (``eventblock.Rows``)
    included."""
    days = [(item.start, item.end) for layer in layers for item in layer.items if item.start]
    days += [block.span for layer in layers if (block := getattr(layer, "block", None)) is not None and block.span]
    if not days:
        return None
    return dt.date.fromisoformat(min(d[0] for d in days)), dt.date.fromisoformat(max(d[1] for d in days))


def _month_days(month: str) -> tuple[dt.date, dt.date]:
    y, m = (int(p) for p in month.split("-"))
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return dt.date(y, m, 1), nxt - dt.timedelta(days=1)
