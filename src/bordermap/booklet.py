"""A story booklet for reports: one page per step, as PNG or SVG files and one multi-page PDF.

Each page is the step's map, drawn by ``render_static`` from the same layers as the page with the
step's records highlighted and the rest paled (the same view, highlights and arrows), and beside it
the step's title, text and the sources it rests on with their quote locators. The map figure's own
footer carries the data credits. Same inputs, same bytes: no dates or tool versions in any format.
"""

from __future__ import annotations

import dataclasses
import io
import textwrap

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure as MplFigure

from .layers import Layer, MarkerLayer
from .render_static import CHROME, RC

#: How much of its opacity a record that is not the step's keeps (the page dims by the same share).
DIM = 0.3
#: The text column beside the map, as a share of the page's width; the default page (2770x1350 pixels)
#: leaves the map the width of a default figure (1800), for which its legend and footer are laid out.
TEXT_SHARE = 0.35
PAGE_SIZE = (2770, 1350)
#: The page's text sizes in points.
TEXT_SIZES = {"count": 8.0, "title": 12.0, "text": 9.0, "head": 8.0, "source": 7.5}
#: The widest frame a step's view shows at zoom z is this many degrees / 2**z wide, like a page's map pane.
DEGREES_AT_ZOOM_0 = 1440.0


def step_layers(layers: list, step) -> list:
    """The layers as the step shows them: its layers on, its records highlighted, every other record paled."""
    ids, on = set(step.ids), set(step.layers)
    out = []
    for layer in layers:
        if layer.name in on:
            layer = dataclasses.replace(layer, show=True)
        if isinstance(layer, MarkerLayer):
            layer = dataclasses.replace(layer, markers=tuple(
                m if not m.record or m.record in ids else dataclasses.replace(m, colour=_pale(m.colour))
                for m in layer.markers))
        elif isinstance(layer, Layer) and "record" in layer.frame.columns and len(layer.frame):
            style = layer.style
            base = {"opacity": style.opacity, "fillOpacity": style.fill_opacity, "weight": style.weight}
            classes = {}
            for rid in dict.fromkeys(layer.frame["record"]):
                own = dict(style.classes.get(rid, {})) if style.by == "record" else {}
                merged = {**base, **own}
                if rid in ids:
                    own["weight"] = float(merged["weight"]) + 1.5
                else:
                    own.update(opacity=float(merged["opacity"]) * DIM, fillOpacity=float(merged["fillOpacity"]) * DIM)
                classes[rid] = own
            layer = dataclasses.replace(layer, style=dataclasses.replace(style, by="record", classes=classes))
        others = [i.title for i in layer.items if i.id not in ids]
        if others:  # the legend names the step's areas; the paled ones are context, not what the step is about
            layer = dataclasses.replace(layer, legend=tuple(
                i for i in layer.legend if not any(i.label.endswith(": " + title) for title in others)))
        out.append(layer)
    return out


def _pale(colour: str) -> str:
    """A symbol's colour mixed with the paper: still readable, plainly not the step's."""
    c = matplotlib.colors.to_rgb(colour)
    paper = matplotlib.colors.to_rgb(CHROME["paper"])
    return matplotlib.colors.to_hex([DIM * a + (1 - DIM) * b for a, b in zip(c, paper)])


def step_frame(step, aspect: float) -> tuple[float, float, float, float]:
    """The step's frame, grown as the page's fit would show it: no closer than its maximum zoom."""
    w, s, e, n = step.frame
    least = DEGREES_AT_ZOOM_0 / 2 ** step.max_zoom
    width, height = max(e - w, least) * 1.1, max(n - s, least / aspect) * 1.1
    cx, cy = (w + e) / 2, (s + n) / 2
    return (round(cx - width / 2, 4), round(max(-85.0, cy - height / 2), 4),
            round(cx + width / 2, 4), round(min(85.0, cy + height / 2), 4))


def page_figure(map_rgba: np.ndarray, story, number: int, step, *, size: tuple[int, int], dpi: int,
                credits: list[str] = ()) -> MplFigure:
    """One booklet page: the step's map as drawn, and its title, text, sources and data credits as text."""
    width, height = size[0] / dpi, size[1] / dpi
    fig = MplFigure(figsize=(width, height), dpi=dpi, facecolor=CHROME["paper"])
    FigureCanvasAgg(fig)
    map_ax = fig.add_axes((0.0, 0.0, 1 - TEXT_SHARE, 1.0))
    map_ax.imshow(map_rgba, interpolation="nearest")
    map_ax.set_axis_off()
    x, y = 1 - TEXT_SHARE + 0.015, 0.965
    chars = int(TEXT_SHARE * width * 72 / (TEXT_SIZES["text"] * 0.6))  # DejaVu Sans: about 0.55 em a character
    count_chars = int(chars * TEXT_SIZES["text"] / TEXT_SIZES["count"])
    lines = [(textwrap.fill(f"{story.title}: step {number} of {len(story.steps)}", count_chars),
              TEXT_SIZES["count"], "normal"),
             (textwrap.fill(step.title, int(chars * TEXT_SIZES["text"] / TEXT_SIZES["title"])),
              TEXT_SIZES["title"], "bold"),
             (textwrap.fill(step.text, chars), TEXT_SIZES["text"], "normal"),
             ("Sources of this step", TEXT_SIZES["head"], "bold")]
    src_chars = int(chars * TEXT_SIZES["text"] / TEXT_SIZES["source"])
    for cite in step.cites:
        lines.append((textwrap.fill(cite.title, src_chars), TEXT_SIZES["source"], "bold"))
        body = [textwrap.fill(s, src_chars, initial_indent="  ", subsequent_indent="  ") for s in cite.sources]
        if cite.quote:
            body.append(textwrap.fill(f"Passage: \u201c{cite.quote}\u201d ({cite.article})", src_chars,
                                      initial_indent="  ", subsequent_indent="  "))
        lines.append(("\n".join(body), TEXT_SIZES["source"], "normal"))
    renderer = fig.canvas.get_renderer()
    if credits:
        fig.text(x, 0.02, textwrap.fill("Data: " + "; ".join(credits) + ".", src_chars), fontsize=TEXT_SIZES["count"],
                 va="bottom", ha="left", color=CHROME["soft_ink"], linespacing=1.25, parse_math=False)
    for text, points, weight in lines:
        artist = fig.text(x, y, text, fontsize=points, fontweight=weight, va="top", ha="left",
                          color=CHROME["ink"], linespacing=1.3, parse_math=False)
        box = artist.get_window_extent(renderer)
        y -= box.height / fig.bbox.height + 0.012
    return fig


def render(a, story_id: str, *, size: tuple[int, int], dpi: int) -> list[tuple[MplFigure, object]]:
    """Every page of one story of an assembled recipe (``build.Assembled``): (page figure, step)."""
    story = next(s for s in a.stories if s.id == story_id)
    map_size = (round(size[0] * (1 - TEXT_SHARE)), size[1])
    pages = []
    with matplotlib.rc_context(RC):
        for number, step in enumerate(story.steps, 1):
            pages.append((_page(a, story, number, step, map_size, size, dpi), step))
    return pages


def _page(a, story, number: int, step, map_size, size, dpi) -> MplFigure:
    """The step's map drawn by render_static in the step's frame, then set on its page."""
    from . import sources
    from .build import static_figure

    recipe = dataclasses.replace(a.recipe, title=step.title,
                                 description=f"{story.title}, step {number} of {len(story.steps)}")
    frame = step_frame(step, map_size[0] * 0.6 / (map_size[1] * 0.75))
    shown = step_layers(a.layers, step)
    drawn = static_figure(a._replace(layers=shown, recipe=recipe, bounds=frame), size=map_size, dpi=dpi)
    # the data credits as the figure's footer gives them, also as text (the map beside them is an image)
    everything = [c for layer in shown if layer.show for c in layer.attribution] + [sources.load_relief().credit]
    credits = [c for c in dict.fromkeys(everything) if "popup" not in c.lower()]
    drawn.figure.canvas.draw()
    rgba = np.asarray(drawn.figure.canvas.buffer_rgba()).copy()
    return page_figure(rgba, story, number, step, size=size, dpi=dpi, credits=credits)


def to_bytes(fig: MplFigure, fmt: str) -> bytes:
    """One page as PNG or SVG, with no dates or tool versions."""
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}[fmt]
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format=fmt, dpi=fig.dpi, metadata=metadata, facecolor=fig.get_facecolor())
    return buffer.getvalue()


def pdf_bytes(figures: list[MplFigure], title: str) -> bytes:
    """Every page in one PDF, its metadata fixed: the title, and no creation date or producer."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        with PdfPages(buffer, metadata={"Title": title, "CreationDate": None, "Creator": None,
                                        "Producer": None}) as pdf:
            for fig in figures:
                pdf.savefig(fig, facecolor=fig.get_facecolor())
    return buffer.getvalue()
