"""``build(recipe)``: the one call behind ``bordermap build``. Only here and in the CLI are files written."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from . import events
from . import layers as layers_mod
from . import render_html, settings, sources
from ._io import write_atomic
from .errors import LayerError
from .recipe import DEFAULT, Recipe


def build(recipe: Recipe = DEFAULT, out_dir: Path | None = None, events_files: Sequence[Path] = ()) -> list[Path]:
    """Render ``recipe`` to ``out_dir/NAME.html``; return the files written.

    ``events_files`` are analysts' events (GeoJSON or CSV in the events schema),
    drawn with the embedded ones. Everything is computed in memory first and
    written with a rename, so a failure at any step leaves the previous output
    as it was.
    """
    out_dir = Path(out_dir) if out_dir is not None else settings.OUTPUT_DIR
    boundaries = sources.load_boundaries()
    districts = events.load_districts()
    units = set(boundaries.admin1["code"]) | set(districts)
    records = list(events.load_events(units=units))
    for path in events_files:
        extra = events.load_events(Path(path), units=units)
        taken = {r.id for r in records}
        clashes = [f"record {r.id!r}: id: already used by another events layer" for r in extra if r.id in taken]
        if clashes:
            raise LayerError(path, clashes)
        records.extend(extra)
    layers = layers_mod.boundary_layers(boundaries, recipe) + layers_mod.event_layers(
        records, boundaries, districts, events.load_actors())
    bounds = layers_mod.frame_bounds(boundaries, recipe)
    html = render_html.to_html(render_html.render(layers, recipe, bounds))
    path = out_dir / f"{recipe.name}.html"
    write_atomic(path, html)
    return [path]
