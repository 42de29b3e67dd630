"""``build(recipe)``: the one call behind ``bordermap build``. Only here and in the CLI are files written."""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

import numpy as np

from . import events
from . import layers as layers_mod
from . import geoboundaries, guide, layerio, movement, recipe as recipe_mod, render_html, settings, sources, story, \
    validate
from ._io import write_all
from .errors import LayerError, OutputError, RecipeError
from .recipe import LayerSpec, Recipe

Note = Callable[[str], None]


#: A static figure's defaults: the CLI's ``export --dpi`` and ``--size``, and the size ``build --export`` uses.
FIGURE_DPI = 200
FIGURE_SIZE = (1800, 1350)


def build(recipe: Recipe | str | Path | None = None, out_dir: Path | None = None, *,
          events_files: Sequence[Path] = (), layers: Sequence[LayerSpec] = (),
          self_contained: bool = True, formats: Sequence[str] = (), note: Note | None = None,
          aggregate: str | None = None) -> list[Path]:
    """Render one recipe to ``out_dir/NAME.html``, and ``NAME.FORMAT`` per format; return the files written.

    ``recipe`` is a Recipe, a recipe file, a built-in recipe's name, or None for
    the default. ``events_files`` and ``layers`` add analysts' files;
    ``formats`` ("png", "svg", "pdf") adds static figures. Pages are
    self-contained (they open with no network); ``self_contained=False``
    links Leaflet from a CDN instead, for a smaller file. Everything is
    computed in memory first and written with a rename, so a failure at any
    step leaves the previous outputs as they were.
    """
    return _write(_render_recipe(recipe, out_dir, events_files=events_files, layers=layers,
                                 self_contained=self_contained, formats=formats, note=note, aggregate=aggregate))


def build_all(out_dir: Path | None = None, *, self_contained: bool = True, formats: Sequence[str] = (),
              note: Note | None = None) -> list[Path]:
    """Every built-in recipe, with a figure per format. All are rendered before any is written.

    Two recipes with the same output name are refused before any work: one would overwrite the other.
    """
    recipes = [recipe_mod.load(path) for path in recipe_mod.builtin_recipes().values()]
    seen: dict[str, Recipe] = {}
    for r in recipes:
        if r.name in seen:
            raise RecipeError(r.source, f"writes {r.name}.html, as {seen[r.name].source} does; give one of "
                                        "them another output = \"NAME\"", key="output")
        seen[r.name] = r
    rendered = [output for r in recipes
                for output in _render_recipe(r, out_dir, self_contained=self_contained, formats=formats,
                                             note=note)]
    return _write(rendered)


def render(recipe: Recipe | str | Path | None, out_dir: Path | None = None, *,
           events_files: Sequence[Path] = (), layers: Sequence[LayerSpec] = (),
           self_contained: bool = True, note: Note | None = None) -> tuple[Path, bytes]:
    """The HTML page's path and bytes, without writing anything."""
    return _page(_assemble(recipe, events_files, layers, note, columns=True), out_dir, self_contained)


def export(recipe: Recipe | str | Path | None = None, out_dir: Path | None = None, *, fmt: str = "png",
           dpi: int = FIGURE_DPI, size: tuple[int, int] = FIGURE_SIZE, events_files: Sequence[Path] = (),
           layers: Sequence[LayerSpec] = (), note: Note | None = None, aggregate: str | None = None) -> list[Path]:
    """A static figure (PNG, SVG or PDF) of the same recipe, for reports."""
    return _write([render_figure(recipe, out_dir, fmt=fmt, dpi=dpi, size=size, events_files=events_files,
                                 layers=layers, note=note, aggregate=aggregate)])


def export_story(recipe: Recipe | str | Path | None, out_dir: Path | None, story_id: str, *,
                 fmt: str = "png", dpi: int = FIGURE_DPI, size: tuple[int, int] | None = None,
                 events_files: Sequence[Path] = (), layers: Sequence[LayerSpec] = (),
                 note: Note | None = None) -> list[Path]:
    """A story's booklet: ``NAME-STORY-NN.png`` (or .svg) per step and ``NAME-STORY.pdf`` with every step.

    ``fmt`` "pdf" writes the PDF alone. The pages draw the same layers as the page, in each step's view.
    """
    from . import booklet  # matplotlib loads only when a figure is wanted

    a = _assemble(recipe, events_files, layers, note)
    known = [s.id for s in a.stories]
    if story_id not in known:
        close = difflib.get_close_matches(story_id, known, n=1)
        raise RecipeError(a.recipe.source, f"no story {story_id!r} in this recipe"
                          + (f" (did you mean {close[0]!r}?)" if close else f" (its stories: {', '.join(known) or 'none'})"),
                          key="story")
    pages = booklet.render(a, story_id, size=size or booklet.PAGE_SIZE, dpi=dpi)
    base = f"{a.recipe.name}-{story_id}"
    story = next(s for s in a.stories if s.id == story_id)
    rendered = [] if fmt == "pdf" else [
        (output_path(out_dir, f"{base}-{n:02d}", suffix=f".{fmt}"), booklet.to_bytes(fig, fmt))
        for n, (fig, _) in enumerate(pages, 1)]
    rendered.append((output_path(out_dir, base, suffix=".pdf"),
                     booklet.pdf_bytes([fig for fig, _ in pages], story.title)))
    return _write(rendered)


def render_figure(recipe: Recipe | str | Path | None = None, out_dir: Path | None = None, *, fmt: str = "png",
                  dpi: int = FIGURE_DPI, size: tuple[int, int] = FIGURE_SIZE, events_files: Sequence[Path] = (),
                  layers: Sequence[LayerSpec] = (), note: Note | None = None,
                  aggregate: str | None = None) -> tuple[Path, bytes]:
    """The static figure's path and bytes, without writing anything."""
    return _figure(_assemble(recipe, events_files, layers, note, aggregate), out_dir, fmt, dpi=dpi, size=size)


def _render_recipe(recipe, out_dir, *, events_files=(), layers=(), self_contained, formats, note, aggregate=None) \
        -> list[tuple[Path, bytes]]:
    """One recipe's page and figures, from one assembly of its layers."""
    a = _assemble(recipe, events_files, layers, note, aggregate, columns=not formats)
    return [_page(a, out_dir, self_contained)] + [_figure(a, out_dir, fmt) for fmt in dict.fromkeys(formats)]


def _page(a: Assembled, out_dir: Path | None, self_contained: bool) -> tuple[Path, bytes]:
    page_guide = guide.build(a.boundaries, a.recipe, a.layers, districts=a.districts,
                             district_shapes=a.district_shapes, releases=a.releases)
    figure = render_html.render(a.layers, a.recipe, a.bounds, offline=self_contained, guide=page_guide,
                                stories=a.stories)
    return output_path(out_dir, a.recipe.name), render_html.to_html(figure, self_contained=self_contained)


def _figure(a: Assembled, out_dir: Path | None, fmt: str, *, dpi: int = FIGURE_DPI,
            size: tuple[int, int] = FIGURE_SIZE) -> tuple[Path, bytes]:
    from . import render_static  # matplotlib loads only when a figure is wanted

    figure = static_figure(a, size=size, dpi=dpi)
    return output_path(out_dir, a.recipe.name, suffix=f".{fmt}"), render_static.to_bytes(figure, fmt)


def static_figure(a: Assembled, *, size: tuple[int, int] = FIGURE_SIZE, dpi: int = FIGURE_DPI):
    """The drawn figure (a ``render_static.Figure``) of an assembled recipe, over the embedded relief."""
    from . import render_static

    context = layers_mod.boundary_layers(a.boundaries, recipe_mod.Recipe(name="_", title="_"))
    towns = sources.load_towns() if "labels" in a.recipe.include else None
    return render_static.render(a.layers, a.recipe, a.bounds, size=size, dpi=dpi, context=context,
                                records=a.records, relief=render_static.relief_from(sources.load_relief()),
                                towns=towns)


def _write(rendered: list[tuple[Path, bytes]]) -> list[Path]:
    """Every file of one command in one transaction: all prepared, then renamed in a row."""
    write_all(rendered)
    return [path for path, _ in rendered]


class Assembled(NamedTuple):
    """A recipe made concrete: what every renderer draws, and what it was drawn from."""

    recipe: Recipe
    layers: list
    bounds: tuple[float, float, float, float]
    boundaries: sources.Boundaries
    districts: dict
    district_shapes: dict
    releases: list
    records: list  # the events, places and areas drawn, as loaded
    stories: tuple = ()  # story.Story: the recipe's stories, every reference resolved


def _assemble(recipe, events_files, layers, note, aggregate: str | None = None, *, columns: bool = False) \
        -> Assembled:
    """Recipe -> layers to draw and the map's frame: shared by every renderer.

    ``columns``: an events file of point events only is drawn from its columns (``eventblock``), with
    no Record per event; only the page can draw it so (the figures and stories draw records).
    """
    if not isinstance(recipe, Recipe):
        recipe = recipe_mod.find(recipe)
    recipe = recipe.with_extra(tuple(layers), tuple(Path(p) for p in events_files))
    if aggregate:  # the command line's level, with the recipe's other [aggregate] settings
        base = recipe.aggregate or recipe_mod.AggregateSpec(level=aggregate)
        recipe = dataclasses.replace(recipe, aggregate=dataclasses.replace(base, level=aggregate))
    output_path(None, recipe.name)  # refuse a bad output name before any work
    note = note or (lambda _: None)
    boundaries = sources.load_boundaries()
    _check_focus(recipe, boundaries)
    towns = sources.load_towns() if "labels" in recipe.include else None
    drawn = layers_mod.boundary_layers(boundaries, recipe, towns=towns)
    if "terrain" in recipe.include:
        from . import terrain  # decodes and re-encodes the relief image (Pillow)
        drawn.insert(0, terrain.terrain_layer(sources.load_relief()))
    releases = geoboundaries.cached("ADM2")
    if not any(r.country == "PAK" for r in releases):  # a fetched release wins over the embedded file
        releases.append(geoboundaries.embedded())
    drawn += [layers_mod.district_layer(r) for r in releases]
    districts: dict = {}
    shapes: dict = {}
    records: list = []
    tables: list = []  # events files drawn from their columns
    if {"events", "areas"} & set(recipe.include) or recipe.events:
        districts = events.load_districts()
        if releases:
            shapes, unmatched = geoboundaries.match_districts(districts, releases, boundaries.admin1)
            # A district the embedded file shows inside an older unit (Washuk in Kharan) is said there.
            explained = {code for r in releases if "includes" in r.frame.columns
                         for cell in r.frame["includes"] for code in str(cell or "").split(";") if code}
            # only districts of a country whose districts are on the map can be missing from them
            covered = {r.country for r in releases}
            country_of = dict(zip(boundaries.admin1["code"], boundaries.admin1["adm0_a3"]))
            for code in (c for c in unmatched if c not in explained
                         and country_of.get(districts[c].parent) in covered):
                note(f"district {code} ({districts[code].name}) has no match in the geoBoundaries "
                     "districts; it is shown as a point at its headquarters")
        records, tables = _event_records(recipe, boundaries, districts, note, columns=columns)
        if tables and recipe.stories:  # a story steps through records one by one: those it names are records
            named = list({rid for s in recipe.stories for step in s.steps for rid in (*step.records, *step.arrows)})
            records += [r for t in tables if np.isin(t.text["id"], named).any() for r in t.records()]
            tables = [t for t in tables if not np.isin(t.text["id"], named).any()]
        recipe, points = _within_point_limit(recipe, records, note, sum(len(t) for t in tables))
        drawn += layers_mod.event_layers(records, boundaries, districts, events.load_actors(),
                                         markers=points and (bool(tables) or any(r.kind != "area" for r in records)),
                                         areas=any(r.kind == "area" for r in records), district_shapes=shapes,
                                         tables=tables)
        arrows = movement.movement_layer(records, {i.id: i for layer in drawn for i in layer.items},
                                         boundaries.admin1, districts, shapes)
        if arrows is not None:
            drawn.append(arrows)
        if recipe.aggregate:
            drawn.append(_aggregate_layer(recipe.aggregate, records, boundaries, releases, shapes, note, tables))
    elif recipe.aggregate:  # never a page that silently lacks the aggregate asked for
        from .aggregate import AggregateError
        raise AggregateError(f"aggregate by {recipe.aggregate.level}: the map draws no events (add --events FILE, "
                             "or \"events\" to the recipe's include)")
    _check_event_labels(recipe, records, tables)
    names = {layer.name for layer in drawn}
    for spec in recipe.layers:
        checked = load_layer(spec)
        for text in checked.notes:
            note(f"{spec.path}: {text}")
        layer = layers_mod.analyst_layer(checked.frame, spec)
        unique, n = layer.name, 1
        while unique in names:  # the layer control needs distinct names
            n += 1
            unique = f"{layer.name} ({n})"
        names.add(unique)
        drawn.append(dataclasses.replace(layer, name=unique))
    stories = story.resolve(recipe.stories, path=recipe.source, layers=drawn, records=records,
                            admin1=boundaries.admin1, districts=districts, district_shapes=shapes) \
        if recipe.stories else ()
    return Assembled(recipe, drawn, layers_mod.frame_bounds(boundaries, recipe), boundaries, districts, shapes,
                     releases, records, stories)


def check_stories(recipe: Recipe, note: Note | None = None) -> tuple:
    """The recipe's stories resolved against what it draws; one RecipeError lists every wrong reference."""
    return _assemble(recipe, (), (), note).stories


def _within_point_limit(recipe: Recipe, records: list, note: Note, more: int = 0) -> tuple[Recipe, bool]:
    """(the recipe, whether its events are drawn as points): past ``settings.MAX_PAGE_POINTS`` they are
    aggregated instead, by the recipe's ``[aggregate]`` level or by province, and the build says so.
    ``more``: point events besides ``records`` (the rows of events files read as columns)."""
    count = sum(1 for r in records if r.kind != "area") + more
    limit = settings.MAX_PAGE_POINTS
    if count <= limit:
        return recipe, True
    spec = recipe.aggregate or recipe_mod.AggregateSpec(level="province")
    note(f"{count:,} events and places are more than a page draws as points ({limit:,}); "
         f"the page shows them aggregated by {spec.level} instead")
    if recipe.stories:  # a story step shows records one by one, which an aggregate no longer draws
        note(f"the recipe's {len(recipe.stories)} stories are left out: their records are drawn only in the aggregate")
    return dataclasses.replace(recipe, aggregate=spec, stories=()), False


def _check_focus(recipe: Recipe, boundaries: sources.Boundaries) -> None:
    """Every focus code must name a first-level unit or a country on the map."""
    known = set(boundaries.admin1["code"]) | set(boundaries.admin1["adm0_a3"])
    unknown = [code for code in recipe.focus if code not in known]
    if unknown:
        raise RecipeError(recipe.source, f"unknown unit code(s) {', '.join(map(repr, unknown))}; use codes "
                                         "such as \"PK-BA\" or ISO3 country codes such as \"AFG\"", key="focus")


def load_layer(spec: LayerSpec) -> validate.Checked:
    """Read and check an analyst's file; the fields the recipe names must exist. Every problem is reported."""
    frame = layerio.read(spec.path, spec.read)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    wanted = [("color_by", spec.color_by), ("label", spec.label)]
    wanted += [("tooltip", f) for f in spec.tooltip] + [("popup", f) for f in spec.popup]
    problems = [f"{key}: no property {name!r} (it has: {', '.join(columns) or 'none'})"
                for key, name in wanted if name and name not in columns]
    try:
        checked = validate.check(frame, spec.path, spec.read.crs)
    except LayerError as exc:
        raise LayerError(spec.path, exc.problems + problems) from None
    if problems:
        raise LayerError(spec.path, problems)
    return checked


def _check_event_labels(recipe: Recipe, records: list, tables: Sequence = ()) -> None:
    """Every id ``label_events`` names must be an event the map draws; all unknown ids are reported at once."""
    if isinstance(recipe.label_events, bool):
        return
    drawn = {r.id for r in records if r.kind != "area"} | {i for t in tables for i in t.text["id"].tolist()}
    problems = [RecipeError(recipe.source, f"{key!r} is not an event or place on this map"
                            + (f" (did you mean {close[0]!r}?)"
                               if (close := difflib.get_close_matches(key, sorted(drawn), n=1)) else ""),
                            key="label_events") for key, _ in recipe.label_events if key not in drawn]
    if problems:
        raise RecipeError.collect(problems)


def _event_records(recipe: Recipe, boundaries: sources.Boundaries, districts: dict, note: Note, *,
                   columns: bool = False) -> tuple[list, list]:
    """The curated records the recipe includes, then each events file's (ACLED and UCDP exports too).

    With ``columns``, an events file of point events only stays an ``events.Table`` (the second list).
    """
    from . import conflictdata, eventblock

    units = set(boundaries.admin1["code"]) | set(districts)
    # The recipe's include list chooses among the curated records; an analyst's
    # own files are always drawn.
    wanted = {"event", "place"} if "events" in recipe.include else set()
    wanted |= {"area"} if "areas" in recipe.include else set()
    embedded = events.load_events(units=units)
    records = [r for r in embedded if r.kind in wanted]
    taken = {r.id for r in embedded}
    tables = []

    def claim(path, ids: np.ndarray) -> None:  # one id, one item: a file may not reuse another layer's ids
        clash = np.isin(ids, list(taken))
        if clash.any():
            raise LayerError(path, [f"record {i!r}: id: already used by another events layer"
                                    for i in ids[clash].tolist()])
        taken.update(ids.tolist())

    for path in recipe.events:
        if conflictdata.detect(path):
            imported = conflictdata.load_table(path)
            for text in imported.notes:
                note(f"{path}: {text}")
            claim(path, imported.table.text["id"])
            # the point rows as columns; rows located to a unit (drawn as its shape) as records, before them
            points = ~np.isnan(imported.table.text["lon"])
            block = imported.table.take(points)
            records += imported.table.take(~points).records()
            if columns and len(block) and eventblock.eligible(block, layers_mod.UNIT_PRECISIONS):
                tables.append(block)
            else:
                records += block.records()
            continue
        table = events.load_table(path, units=units)
        claim(path, table.text["id"])
        if columns and eventblock.eligible(table, layers_mod.UNIT_PRECISIONS):
            tables.append(table)
        else:
            records.extend(table.records())
    return records, tables


def _aggregate_layer(spec, records: list, boundaries: sources.Boundaries, releases: list, shapes: dict,
                     note: Note, tables: Sequence = ()):
    """The aggregate of the events (areas are not events), at the level their precision allows; the
    events of ``tables`` (point events read as columns) are counted after the records."""
    from . import aggregate

    counted = [r for r in records if r.kind == "event"]
    rows = [np.flatnonzero(np.isin(t.text["category"], [c for c, k in events.CATEGORIES.items() if k == "event"]))
            for t in tables]
    more = [aggregate.columns_of(t, r) for t, r in zip(tables, rows)]
    if not counted and not sum(len(r) for r in rows):
        raise aggregate.AggregateError(f"aggregate by {spec.level}: there are no events to aggregate")
    result = aggregate.aggregate(counted, spec, boundaries.admin1, district_units(releases), shapes,
                                 more=tuple(np.concatenate(parts) for parts in zip(*more)) if more else ())
    for text in result.notes():
        note(f"aggregate: {text}")
    return layers_mod.aggregate_layer(result, counted, [i for t, r in zip(tables, rows) for i in t.text["id"][r]])


def district_units(releases: list):
    """Every cached district shape as (unit, name, geometry), or None when none is cached."""
    import geopandas as gpd
    import pandas as pd

    if not releases:
        return None
    frames = [gpd.GeoDataFrame({"unit": r.frame["shapeID"].astype(str),
                                "name": r.frame["shapeName"].astype(str) + f" ({r.country})"},
                               geometry=r.frame.geometry.values, crs=4326) for r in releases]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


def output_path(out_dir: Path | None, name: str, suffix: str = ".html") -> Path:
    """``out_dir/NAME.html`` (or another suffix), refusing any name that would land outside ``out_dir``."""
    folder = Path(out_dir) if out_dir is not None else settings.OUTPUT_DIR
    path = folder / f"{name}{suffix}"
    if Path(name).name != name or name.startswith(".") or not path.resolve().parent == folder.resolve():
        raise OutputError(path, "the output name must be a plain file name inside the output folder")
    return path
