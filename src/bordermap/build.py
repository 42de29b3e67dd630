"""``build(recipe)``: the one call behind ``bordermap build``. Only here and in the CLI are files written."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

from . import events
from . import layers as layers_mod
from . import geoboundaries, guide, layerio, recipe as recipe_mod, render_html, settings, sources, validate
from ._io import write_atomic
from .errors import LayerError, OutputError
from .recipe import LayerSpec, Recipe

Note = Callable[[str], None]


#: A static figure's defaults: the CLI's ``export --dpi`` and ``--size``, and the size ``build --export`` uses.
FIGURE_DPI = 200
FIGURE_SIZE = (1800, 1350)


def build(recipe: Recipe | str | Path | None = None, out_dir: Path | None = None, *,
          events_files: Sequence[Path] = (), layers: Sequence[LayerSpec] = (),
          self_contained: bool = True, formats: Sequence[str] = (), note: Note | None = None) -> list[Path]:
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
                                 self_contained=self_contained, formats=formats, note=note))


def build_all(out_dir: Path | None = None, *, self_contained: bool = True, formats: Sequence[str] = (),
              note: Note | None = None) -> list[Path]:
    """Every built-in recipe, with a figure per format. All are rendered before any is written."""
    rendered = [output for path in recipe_mod.builtin_recipes().values()
                for output in _render_recipe(path, out_dir, self_contained=self_contained, formats=formats,
                                             note=note)]
    return _write(rendered)


def render(recipe: Recipe | str | Path | None, out_dir: Path | None = None, *,
           events_files: Sequence[Path] = (), layers: Sequence[LayerSpec] = (),
           self_contained: bool = True, note: Note | None = None) -> tuple[Path, bytes]:
    """The HTML page's path and bytes, without writing anything."""
    return _page(_assemble(recipe, events_files, layers, note), out_dir, self_contained)


def export(recipe: Recipe | str | Path | None = None, out_dir: Path | None = None, *, fmt: str = "png",
           dpi: int = FIGURE_DPI, size: tuple[int, int] = FIGURE_SIZE, events_files: Sequence[Path] = (),
           layers: Sequence[LayerSpec] = (), note: Note | None = None) -> list[Path]:
    """A static figure (PNG, SVG or PDF) of the same recipe, for reports."""
    return _write([render_figure(recipe, out_dir, fmt=fmt, dpi=dpi, size=size, events_files=events_files,
                                 layers=layers, note=note)])


def render_figure(recipe: Recipe | str | Path | None = None, out_dir: Path | None = None, *, fmt: str = "png",
                  dpi: int = FIGURE_DPI, size: tuple[int, int] = FIGURE_SIZE, events_files: Sequence[Path] = (),
                  layers: Sequence[LayerSpec] = (), note: Note | None = None) -> tuple[Path, bytes]:
    """The static figure's path and bytes, without writing anything."""
    return _figure(_assemble(recipe, events_files, layers, note), out_dir, fmt, dpi=dpi, size=size)


def _render_recipe(recipe, out_dir, *, events_files=(), layers=(), self_contained, formats, note) \
        -> list[tuple[Path, bytes]]:
    """One recipe's page and figures, from one assembly of its layers."""
    a = _assemble(recipe, events_files, layers, note)
    return [_page(a, out_dir, self_contained)] + [_figure(a, out_dir, fmt) for fmt in dict.fromkeys(formats)]


def _page(a: Assembled, out_dir: Path | None, self_contained: bool) -> tuple[Path, bytes]:
    page_guide = guide.build(a.boundaries, a.recipe, a.layers, districts=a.districts,
                             district_shapes=a.district_shapes, releases=a.releases)
    figure = render_html.render(a.layers, a.recipe, a.bounds, offline=self_contained, guide=page_guide)
    return output_path(out_dir, a.recipe.name), render_html.to_html(figure, self_contained=self_contained)


def _figure(a: Assembled, out_dir: Path | None, fmt: str, *, dpi: int = FIGURE_DPI,
            size: tuple[int, int] = FIGURE_SIZE) -> tuple[Path, bytes]:
    from . import render_static  # matplotlib loads only when a figure is wanted

    context = layers_mod.boundary_layers(a.boundaries, recipe_mod.Recipe(name="_", title="_"))
    figure = render_static.render(a.layers, a.recipe, a.bounds, size=size, dpi=dpi, context=context)
    return output_path(out_dir, a.recipe.name, suffix=f".{fmt}"), render_static.to_bytes(figure, fmt)


def _write(rendered: list[tuple[Path, bytes]]) -> list[Path]:
    for path, data in rendered:
        write_atomic(path, data)
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


def _assemble(recipe, events_files, layers, note) -> Assembled:
    """Recipe -> layers to draw and the map's frame: shared by every renderer."""
    if not isinstance(recipe, Recipe):
        recipe = recipe_mod.find(recipe)
    recipe = recipe.with_extra(tuple(layers), tuple(Path(p) for p in events_files))
    output_path(None, recipe.name)  # refuse a bad output name before any work
    note = note or (lambda _: None)
    boundaries = sources.load_boundaries()
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
    if {"events", "areas"} & set(recipe.include) or recipe.events:
        districts = events.load_districts()
        if releases:
            shapes, unmatched = geoboundaries.match_districts(districts, releases, boundaries.admin1)
            # A district the embedded file shows inside an older unit (Washuk in Kharan) is said there.
            explained = {code for r in releases if "includes" in r.frame.columns
                         for cell in r.frame["includes"] for code in str(cell or "").split(";") if code}
            for code in (c for c in unmatched if c not in explained):
                note(f"district {code} ({districts[code].name}) has no match in the cached geoBoundaries "
                     "districts; it is shown as a point at its headquarters")
        drawn += _event_layers(recipe, boundaries, districts, shapes)
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
    return Assembled(recipe, drawn, layers_mod.frame_bounds(boundaries, recipe), boundaries, districts, shapes,
                     releases)


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


def _event_layers(recipe: Recipe, boundaries: sources.Boundaries, districts: dict, shapes: dict) -> list:
    units = set(boundaries.admin1["code"]) | set(districts)
    # The recipe's include list chooses among the curated records; an analyst's
    # own files are always drawn.
    wanted = {"event", "place"} if "events" in recipe.include else set()
    wanted |= {"area"} if "areas" in recipe.include else set()
    embedded = events.load_events(units=units)
    records = [r for r in embedded if r.kind in wanted]
    taken = {r.id for r in embedded}
    for path in recipe.events:
        extra = events.load_events(path, units=units)
        clashes = [f"record {r.id!r}: id: already used by another events layer" for r in extra if r.id in taken]
        if clashes:
            raise LayerError(path, clashes)
        records.extend(extra)
        taken |= {r.id for r in extra}
    return layers_mod.event_layers(records, boundaries, districts, events.load_actors(),
                                   markers=any(r.kind != "area" for r in records),
                                   areas=any(r.kind == "area" for r in records), district_shapes=shapes)


def output_path(out_dir: Path | None, name: str, suffix: str = ".html") -> Path:
    """``out_dir/NAME.html`` (or another suffix), refusing any name that would land outside ``out_dir``."""
    folder = Path(out_dir) if out_dir is not None else settings.OUTPUT_DIR
    path = folder / f"{name}{suffix}"
    if Path(name).name != name or name.startswith(".") or not path.resolve().parent == folder.resolve():
        raise OutputError(path, "the output name must be a plain file name inside the output folder")
    return path
