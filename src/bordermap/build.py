"""``build(recipe)``: the one call behind ``bordermap build``. Only here and in the CLI are files written."""

from __future__ import annotations

from pathlib import Path

from . import events
from . import layers as layers_mod
from . import render_html, settings, sources
from ._io import write_atomic
from .recipe import DEFAULT, Recipe


def build(recipe: Recipe = DEFAULT, out_dir: Path | None = None) -> list[Path]:
    """Render ``recipe`` to ``out_dir/NAME.html``; return the files written.

    Everything is computed in memory first and written with a rename, so a
    failure at any step leaves the previous output as it was.
    """
    out_dir = Path(out_dir) if out_dir is not None else settings.OUTPUT_DIR
    boundaries = sources.load_boundaries()
    districts = events.load_districts()
    records = events.load_events(units=set(boundaries.admin1["code"]) | set(districts))
    layers = layers_mod.boundary_layers(boundaries, recipe) + layers_mod.event_layers(
        records, boundaries, districts, events.load_actors())
    bounds = layers_mod.frame_bounds(boundaries, recipe)
    html = render_html.to_html(render_html.render(layers, recipe, bounds))
    path = out_dir / f"{recipe.name}.html"
    write_atomic(path, html)
    return [path]
