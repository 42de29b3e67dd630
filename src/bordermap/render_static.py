"""Layers + recipe -> a matplotlib figure for reports (PNG, SVG, PDF). Reads and writes no files.

The figure draws the same Layer and MarkerLayer objects as the HTML map, with
the same colours, symbols and legend entries, in an equal-area projection
fitted to the map's frame, over the embedded shaded relief when it is given.
Labels are placed greedily so that none overlaps another label, a symbol, a
border line, the scale bar or the north arrow, or leaves the frame. The legend
lists only what the frame shows. Text stays text in SVG and PDF. Output bytes
carry no dates or random ids.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure as MplFigure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox, ScaledTranslation
from pyproj import CRS, Transformer

from .layers import CATEGORY_SYMBOLS, MONTHS, NOTE_COLOUR, UNCERTAINTY_LAYER, ImageLayer, Layer, LegendItem, MarkerLayer
from .recipe import Recipe

FORMATS = ("png", "svg", "pdf")
FONT = "DejaVu Sans"  # shipped with matplotlib: the same glyphs on every machine
#: Settings applied only while a figure is drawn and saved; matplotlib's global state is left alone.
#: SVG and PDF keep text as text (a report editor can change it), named "DejaVu Sans", sans-serif.
RC = {"font.family": "sans-serif", "font.sans-serif": [FONT], "text.usetex": False, "text.parse_math": False,
      "svg.fonttype": "none", "svg.hashsalt": "bordermap", "pdf.fonttype": 42,
      "text.hinting": "no_hinting"}  # Agg lays text out as the halo's outline does
#: The page's label kinds a figure names (the page shows more as a reader zooms in; a print cannot).
FIGURE_LABEL_KINDS = ("country", "province")
#: No text in a figure is smaller than this many points at the default size.
MIN_POINTS = 7.0
#: Font sizes in points, by role.
SIZES = {"title": 13.0, "description": 8.0, "country": 9.0, "province": 7.5, "place": 7.0, "event": 7.0,
         "town": 7.0, "feature": 7.0, "legend": 7.0, "legend_title": 8.0, "footer": 7.0, "scale": 7.0,
         "north": 8.0, "inset": 7.0}
#: The figure's own colours (frame, ink, paper). Map colours come from the layers only.
CHROME = {"ink": "#222222", "soft_ink": "#3b3b3b", "paper": "#fbfaf6", "outside": "#e9edf1", "spine": "#5e5e5e"}
#: marker shape -> (matplotlib marker, filled)
MARKERS = {"circle": ("o", True), "square": ("s", True), "diamond": ("D", True), "triangle": ("^", True),
           "star": ("*", True), "cross": ("P", True), "ring": ("o", False), "hexagon": ("h", True),
           "halo": ("o", False)}
MARKER_POINTS = 5.5  # symbol diameter
#: A paper-coloured outline behind map text, drawn by a twin of the text (see ``_add_halo``).
HALO = [patheffects.Stroke(linewidth=2.2, foreground=CHROME["paper"])]
_AROUND = [(1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
           (0, -1, "center", "top"), (0.8, 0.8, "left", "bottom"), (-0.8, 0.8, "right", "bottom"),
           (0.8, -0.8, "left", "top"), (-0.8, -0.8, "right", "top")]
#: Label positions around a point symbol (offset in points, alignment), nearest first.
POINT_OFFSETS = [(r * dx, r * dy, ha, va) for r in (6, 11) for dx, dy, ha, va in _AROUND]
#: An event label may also stand further off, with a leader line.
EVENT_OFFSETS = POINT_OFFSETS + [(18 * dx, 18 * dy, ha, va) for dx, dy, ha, va in _AROUND]
#: Label positions of an area name: its point, then nudged up to about 40 points away, nearest first.
AREA_OFFSETS = [(dx, dy, "center", "center") for dx, dy in sorted(
    ((dx, dy) for dx in range(-30, 31, 10) for dy in range(-40, 41, 8)), key=lambda d: (math.hypot(*d), d))]
EVENT_LINE = 24  # characters a line of a wrapped event label holds
#: Co-located point symbols are drawn side by side on a ring of this radius (points): two, or three or more.
SPREAD_POINTS = (4.2, 5.2)
RELIEF_ALPHA = 0.55  # the relief is muted so that fills, lines and labels stay readable


@dataclass
class ReliefImage:
    """A plate-carrée image (rows from north) and its west, south, east, north bounds."""

    image: np.ndarray
    bounds: tuple[float, float, float, float]
    credit: str = ""


@dataclass
class Figure:
    """The figure and what a test needs to check it."""

    figure: MplFigure
    map_axes: matplotlib.axes.Axes
    labels: list  # matplotlib Text objects that were placed
    dropped: list  # label strings that found no free place
    projection: str
    crs: CRS | None = None
    symbols: list = field(default_factory=list)  # the point symbols' Line2D artists
    border_lines: list = field(default_factory=list)  # the Line2D artists of the lines labels keep off
    furniture: list = field(default_factory=list)  # artists of the scale bar and north arrow
    legend_axes: matplotlib.axes.Axes | None = None
    inset_axes: matplotlib.axes.Axes | None = None
    footer: matplotlib.text.Text | None = None


@dataclass
class _Request:
    """A label to place: priority (lower first), anchor in map metres, text, role, and how it may move."""

    priority: float
    x: float
    y: float
    text: str
    role: str
    area: bool = False  # a unit's name: centred on its point, nudged if needed
    shared: bool = False  # one label per place: skipped near an earlier label's anchor
    dot: Line2D | None = None  # a town's dot, removed when its label finds no place


def projection_for(bounds: tuple[float, float, float, float]) -> tuple[CRS, str]:
    """Albers equal-area conic fitted to the frame: areas compare fairly, shapes stay close."""
    west, south, east, north = bounds
    lat1, lat2 = south + (north - south) / 6, north - (north - south) / 6
    lon0, lat0 = (west + east) / 2, (south + north) / 2
    crs = CRS.from_proj4(f"+proj=aea +lat_1={lat1:.2f} +lat_2={lat2:.2f} +lat_0={lat0:.2f} +lon_0={lon0:.2f} "
                         "+datum=WGS84 +units=m +no_defs")
    text = (f"Albers equal-area conic, standard parallels {lat1:.1f}°N and {lat2:.1f}°N, "
            f"central meridian {lon0:.1f}°E (WGS 84)")
    return crs, text


def render(layers: list, recipe: Recipe, bounds: tuple[float, float, float, float], *,
           size: tuple[int, int] = (1800, 1350), dpi: int = 200, context: list | None = None,
           records: Sequence = (), relief: ReliefImage | None = None, towns=None) -> Figure:
    """Draw the map. ``context`` layers (whole region) feed the inset locator map.

    ``records`` are the events and areas drawn (the footer names the articles
    their sources cite); ``relief`` is drawn under the layers; ``towns`` (a
    frame with name, priority, min_zoom and a point geometry) adds town names
    chosen for the frame's scale.
    """
    with matplotlib.rc_context(RC):
        return _render(layers, recipe, bounds, size=size, dpi=dpi, context=context, records=records,
                       relief=relief, towns=towns)


def _render(layers, recipe, bounds, *, size, dpi, context, records, relief, towns) -> Figure:
    width, height = size[0] / dpi, size[1] / dpi
    # A Figure with its own Agg canvas: no pyplot, so the user's backend and figure list stay untouched.
    fig = MplFigure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    crs, projection_text = projection_for(bounds)
    to_map = Transformer.from_crs(4326, crs, always_xy=True)
    # the page's picture layers (the relief, in Web Mercator) are not drawn: the figure warps ``relief`` itself
    shown = [layer for layer in layers if layer.show and not isinstance(layer, ImageLayer)]
    credits = list(dict.fromkeys(c for layer in shown for c in layer.attribution))
    # the footer first: the map and the legend stand above however many lines it takes
    # the legend's explanatory notes go in the footer's words: the legend keeps to what the symbols mean
    notes = list(dict.fromkeys(i.label for layer in shown for i in layer.legend if i.colour == NOTE_COLOUR))
    footer = _text(fig, 0.02, 0.012, _footer(credits, records, shown, relief, projection_text, notes),
                   fontsize=SIZES["footer"], va="bottom", color=CHROME["soft_ink"], linespacing=1.25)
    above_footer = fig.transFigure.inverted().transform(
        footer.get_window_extent(fig.canvas.get_renderer()).corners()[1])[1] + 0.02
    ax = fig.add_axes((0.02, above_footer, 0.60, 0.885 - above_footer))
    ax.set_facecolor(CHROME["outside"])
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color(CHROME["spine"])
        spine.set_linewidth(0.6)
    _set_extent(ax, bounds, to_map, fig)
    frame = _frame_box(ax)
    if relief is not None:
        _draw_relief(ax, relief, crs)

    projected = {id(layer): layer.frame.to_crs(crs) for layer in shown
                 if isinstance(layer, Layer) and not layer.labels}
    in_frame = {id(layer): _in_frame(layer, projected.get(id(layer)), frame, to_map) for layer in shown}
    visible = {key for layer in shown for key in _records_of(layer, in_frame[id(layer)])}
    circled = {i.id for layer in shown if isinstance(layer, MarkerLayer) for i in layer.items if i.radius}
    legend_items: list[LegendItem] = []
    requests: list[_Request] = []
    lines: list = []
    points: list = []  # an analyst layer's point symbols
    for layer in shown:
        entries = _legend_in_frame(layer, in_frame[id(layer)], visible, circled)
        legend_items.extend(i for i in entries if i not in legend_items and i.colour != NOTE_COLOUR)
        if isinstance(layer, MarkerLayer):
            continue
        if layer.labels:
            for lat, lon, text, css in layer.labels:
                if css not in FIGURE_LABEL_KINDS:  # towns come from ``towns``, by the figure's own scale
                    continue
                x, y = to_map.transform(lon, lat)
                role = "country" if css == "country" else "province" if css == "province" else "feature"
                requests.append(_Request(0 if role == "country" else 1, x, y, text, role, area=True))
        else:
            drawn_lines, drawn_points = _draw_layer(ax, layer, projected[id(layer)])
            lines.extend(drawn_lines)
            points.extend(drawn_points)
            for lat, lon, text, _ in layer.feature_labels:
                x, y = to_map.transform(lon, lat)
                requests.append(_Request(6, x, y, text, "feature", shared=True))
    marker_layers = [layer for layer in shown if isinstance(layer, MarkerLayer)]
    symbols = _draw_markers(ax, marker_layers, to_map, requests, _event_labels(marker_layers, recipe))
    if towns is not None:
        requests.extend(_town_requests(ax, towns, to_map, bounds))

    fig.canvas.draw()  # text extents and the axes' final position need a renderer
    renderer = fig.canvas.get_renderer()
    line_index = _LineIndex(ax, lines)
    # town dots are obstacles as well: a unit's name must not sit on an unnamed dot
    symbol_boxes = [s.get_window_extent(renderer) for s in symbols + points + [r.dot for r in requests if r.dot]]
    anchors = ax.transData.transform(np.array([(r.x, r.y) for r in requests]).reshape(-1, 2))
    furniture = _scale_bar(ax, renderer, line_index, symbol_boxes, anchors)
    furniture += _north_arrow(ax, crs, renderer, line_index, symbol_boxes + _extents(furniture, renderer))
    centres = np.array([((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2) for b in symbol_boxes]).reshape(-1, 2)
    placed, dropped = _place_labels(ax, requests, symbol_boxes + _extents(furniture, renderer), line_index, centres)
    for text in placed + [a for a in furniture if isinstance(a, matplotlib.text.Text)]:
        _add_halo(text)
    inset = _inset(fig, context or layers, bounds, crs)
    legend_ax = _legend(fig, legend_items, bottom=above_footer, top=0.755)

    _text(fig, 0.02, 0.975, recipe.title, fontsize=SIZES["title"], fontweight="bold", va="top")
    if recipe.description:
        _text(fig, 0.02, 0.935, textwrap.fill(recipe.description, 100), fontsize=SIZES["description"], va="top",
              color=CHROME["soft_ink"])
    return Figure(figure=fig, map_axes=ax, labels=placed, dropped=dropped, projection=projection_text, crs=crs,
                  symbols=symbols, border_lines=lines, furniture=furniture, legend_axes=legend_ax,
                  inset_axes=inset, footer=footer)


def to_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure in ``fmt``, with no timestamps or tool versions in its metadata."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}[fmt]
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.figure.savefig(buffer, format=fmt, dpi=fig.figure.dpi, metadata=metadata)
    return buffer.getvalue()


def relief_from(source) -> ReliefImage:
    """A ReliefImage from ``sources.load_relief()``'s record (an image with bounds and a credit)."""
    return ReliefImage(image=source.array(), bounds=tuple(source.bounds), credit=source.credit)


# --- text -------------------------------------------------------------------------------------

def _text(target, x, y, text: str, **kw):
    """Every free text of a figure goes through here: plain text, never mathtext or TeX."""
    return target.text(x, y, text, parse_math=False, **kw)


def _annotate(ax, text: str, xy, **kw):
    """A text tied to a map position (labels, the north arrow): plain text, like ``_text``."""
    return ax.annotate(text, xy, parse_math=False, **kw)


def _add_halo(text):
    """A paper-coloured outline behind ``text``, drawn by a twin so that the text itself stays text in SVG.

    (A path effect on the text would turn it into outlines.) The twin has the
    text's place, font and alignment, no arrow, and sits just below it.
    """
    ax = text.axes
    if isinstance(text, matplotlib.text.Annotation):
        twin = ax.annotate(text.get_text(), text.xy, xytext=text.xyann, xycoords=text.xycoords,
                           textcoords=text.anncoords, annotation_clip=text.get_annotation_clip(), parse_math=False)
    else:
        twin = ax.text(*text.get_position(), text.get_text(), transform=text.get_transform(), parse_math=False)
    twin.update_from(text)
    twin.set_color(CHROME["paper"])
    twin.set_path_effects(HALO)
    twin.set_zorder(text.get_zorder() - 0.01)
    return text


# --- drawing ----------------------------------------------------------------------------------

def _mpl_style(style: dict) -> dict:
    dash = style.get("dashArray")
    return {
        "edgecolor": style.get("color"),
        "facecolor": style.get("fillColor", "none") if style.get("fill", True) else "none",
        "fill_alpha": style.get("fillOpacity", 0.2) if style.get("fill", True) else 0.0,
        "linewidth": float(style.get("weight", 1.0)) * 0.45,
        "linestyle": (0, tuple(float(v) * 0.6 for v in dash.split())) if dash else "solid",
        "alpha": float(style.get("opacity", 1.0)),
    }


def _frame_box(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return shapely.box(x0, y0, x1, y1)


def _draw_layer(ax, layer: Layer, frame) -> tuple[list, list]:
    """Draw one layer (already projected); return the artists labels keep off: solid lines, point symbols."""
    records = layer.frame.drop(columns=layer.frame.geometry.name).to_dict("records")
    lines, points = [], []
    for geom, props in zip(frame.geometry.values, records):
        if geom is None or geom.is_empty:
            continue
        s = _mpl_style(layer.style.for_feature(props))
        kind = geom.geom_type
        if kind in ("Polygon", "MultiPolygon"):
            path = _polygon_path(geom)
            if s["fill_alpha"] > 0:
                ax.add_patch(PathPatch(path, facecolor=s["facecolor"], alpha=s["fill_alpha"], linewidth=0,
                                       edgecolor="none"))
            ax.add_patch(PathPatch(path, facecolor="none", edgecolor=s["edgecolor"], linewidth=s["linewidth"],
                                   linestyle=s["linestyle"], alpha=s["alpha"]))
        elif kind in ("LineString", "MultiLineString"):
            for part in shapely.get_parts(geom):
                xy = np.asarray(part.coords)
                (line,) = ax.plot(xy[:, 0], xy[:, 1], color=s["edgecolor"], linewidth=s["linewidth"],
                                  linestyle=s["linestyle"], alpha=s["alpha"], solid_capstyle="round")
                if s["linestyle"] == "solid":  # lines in force; labels may cross a dashed former boundary
                    lines.append(line)
        elif kind in ("Point", "MultiPoint"):
            for part in shapely.get_parts(geom):
                points += ax.plot(part.x, part.y, marker="o", markersize=layer.style.radius * 0.7,
                                  markerfacecolor=s["facecolor"], markeredgecolor=s["edgecolor"],
                                  markeredgewidth=0.5, linestyle="none")
    return lines, points


def _polygon_path(geom) -> MplPath:
    vertices, codes = [], []
    for poly in shapely.get_parts(geom):
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            vertices.append(xy)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY])
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _draw_relief(ax, relief: ReliefImage, crs) -> None:
    """Warp the plate-carrée relief into the map's projection.

    Each pixel of the map axes is taken back to longitude and latitude (the
    inverse projection) and the source image is sampled there, bilinearly;
    the result is desaturated and drawn faint under every layer.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bbox = ax.get_window_extent()
    nx, ny = max(2, int(round(bbox.width))), max(2, int(round(bbox.height)))
    xs = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    ys = y1 - (np.arange(ny) + 0.5) * (y1 - y0) / ny  # top row first
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(*np.meshgrid(xs, ys))
    image = relief.image[..., :3].astype(np.float32)
    west, south, east, north = relief.bounds
    rows, cols = image.shape[:2]
    # pixel centres: column c covers west + c .. c+1 image widths
    fc = (np.asarray(lon) - west) / (east - west) * cols - 0.5
    fr = (north - np.asarray(lat)) / (north - south) * rows - 0.5
    inside = np.isfinite(fc) & np.isfinite(fr) & (fc >= -0.5) & (fc <= cols - 0.5) & (fr >= -0.5) & (fr <= rows - 0.5)
    fc, fr = np.clip(np.nan_to_num(fc), 0, cols - 1), np.clip(np.nan_to_num(fr), 0, rows - 1)
    c0, r0 = np.minimum(fc.astype(int), cols - 2), np.minimum(fr.astype(int), rows - 2)
    tc, tr = (fc - c0)[..., None], (fr - r0)[..., None]
    rgb = (image[r0, c0] * (1 - tc) * (1 - tr) + image[r0, c0 + 1] * tc * (1 - tr)
           + image[r0 + 1, c0] * (1 - tc) * tr + image[r0 + 1, c0 + 1] * tc * tr)
    rgb = 0.45 * rgb + 0.55 * rgb.mean(axis=2, keepdims=True)  # muted: mostly grey, a little of the colour
    out = np.zeros((ny, nx, 4), dtype=np.uint8)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    out[..., 3] = np.where(inside, 255, 0).astype(np.uint8)
    ax.imshow(out, extent=(x0, x1, y0, y1), origin="upper", interpolation="nearest", alpha=RELIEF_ALPHA,
              zorder=0.5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _category_rank(marker) -> int:
    """Order of drawing at a shared place: the attack last (on top), as CATEGORY_SYMBOLS lists it first."""
    symbols = list(CATEGORY_SYMBOLS.values())
    key = (marker.colour, marker.shape)
    return symbols.index(key) if key in symbols else len(symbols)


def _draw_markers(ax, marker_layers, to_map, requests, event_labels: dict) -> list:
    """Draw every point symbol; symbols at one place are spread on a small ring, the attack on top."""
    fig = ax.figure
    points_per_metre = ax.get_window_extent().width / (ax.get_xlim()[1] - ax.get_xlim()[0]) * 72 / fig.dpi
    markers = [m for layer in marker_layers for m in layer.markers]
    radius = {item.id: item.radius for layer in marker_layers for item in layer.items if item.radius}
    spread = [m for m in markers if m.shape != "ring"]  # rings at one town are concentric by design
    groups: list[list] = []
    for m in sorted(spread, key=_category_rank):
        x, y = to_map.transform(m.lon, m.lat)
        for group in groups:
            gx, gy = group[0][1], group[0][2]
            if math.hypot(x - gx, y - gy) * points_per_metre < MARKER_POINTS:
                group.append((m, x, y))
                break
        else:
            groups.append([(m, x, y)])
    offsets: dict[int, tuple[float, float]] = {}
    for group in groups:
        n = len(group)
        for k, (m, _, _) in enumerate(group):
            if n == 1:
                offsets[id(m)] = (0.0, 0.0)
            else:  # the first (the attack, when there is one) at the top, the others round the ring
                angle = math.pi / 2 + 2 * math.pi * k / n if n > 2 else math.pi * k
                ring = SPREAD_POINTS[0] if n == 2 else SPREAD_POINTS[1]
                offsets[id(m)] = (ring * math.cos(angle), ring * math.sin(angle))
    symbols = []
    for m in sorted(markers, key=lambda m: -_category_rank(m)):
        x, y = to_map.transform(m.lon, m.lat)
        if m.record in radius:  # the projection is equal-area and in metres: the circle is to scale
            ax.add_patch(Circle((x, y), radius[m.record], facecolor=m.colour, alpha=0.15, edgecolor="none",
                                zorder=4))
            ax.add_patch(Circle((x, y), radius[m.record], facecolor="none", edgecolor=CHROME["soft_ink"],
                                linewidth=0.5, linestyle=(0, (2, 1.5)), zorder=4))
        marker, filled = MARKERS.get(m.shape, ("o", True))
        size = MARKER_POINTS * (m.size / 22) if m.shape == "ring" else MARKER_POINTS
        dx, dy = offsets.get(id(m), (0.0, 0.0))
        transform = ax.transData + ScaledTranslation(dx / 72, dy / 72, fig.dpi_scale_trans)
        (symbol,) = ax.plot(x, y, marker=marker, markersize=size * (1.35 if marker == "*" else 1),
                            markerfacecolor=m.colour if filled else "none",
                            markeredgecolor=CHROME["ink"] if filled else m.colour,
                            markeredgewidth=0.5 if filled else 1.0, linestyle="none",
                            zorder=5 + (len(CATEGORY_SYMBOLS) - _category_rank(m)) / 100, transform=transform)
        symbols.append(symbol)
        if m.label:
            requests.append(_Request(2, x, y, m.label, "place", shared=True))
        key = m.record or m.id
        if key in event_labels:
            # the attack's label first, as its symbol is drawn on top
            requests.append(_Request(3 + _category_rank(m) / 100, x, y, event_labels.pop(key), "event"))
    return symbols


def _event_labels(marker_layers, recipe: Recipe) -> dict[str, str]:
    """Record id -> short label ("Serena Hotel bombing, Apr 2021") for the events the recipe labels."""
    wanted = recipe.label_events
    if not wanted:
        return {}
    from .events import CATEGORIES

    items = {i.id: i for layer in marker_layers for i in layer.items}
    given = dict(wanted) if not isinstance(wanted, bool) else {
        i.id: "" for i in items.values() if CATEGORIES.get(i.category) == "event"}
    return {key: text or _short_label(items[key]) for key, text in given.items() if key in items}


def _short_label(item) -> str:
    """An item's title with a short date: 'Taliban take control of Kabul, Aug 2021'.

    The date's words are joined by a no-break space, so a wrapped label keeps them on one line.
    """
    start, end = item.start, item.end
    if not start:
        return item.title
    if start[:7] == end[:7]:
        when = f"{MONTHS[int(start[5:7]) - 1][:3]}\u00a0{start[:4]}"
    elif start[:4] == end[:4]:
        when = start[:4]
    else:
        when = f"{start[:4]}–{end[:4]}"
    return f"{item.title}, {when}"


def _town_requests(ax, towns, to_map, bounds) -> list[_Request]:
    """Town names for the frame's scale: the priorities a web map would show at this figure's zoom."""
    west, south, east, north = bounds
    inches = ax.get_window_extent().width / ax.figure.dpi
    zoom = math.log2(360 * inches * 96 / (256 * (east - west)))  # the web zoom showing this span at 96 px/in
    out = []
    for row in towns.itertuples(index=False):
        if row.min_zoom > zoom + 1.5:  # print is denser than a screen
            continue
        x, y = to_map.transform(row.geometry.x, row.geometry.y)
        (dot,) = ax.plot(x, y, marker="o", markersize=2.6, markerfacecolor=CHROME["ink"],
                         markeredgecolor=CHROME["paper"], markeredgewidth=0.5, linestyle="none", zorder=4.5)
        out.append(_Request(5 + row.priority / 10, x, y, str(row.name), "town", shared=True, dot=dot))
    return out


def _set_extent(ax, bounds, to_map, fig) -> None:
    west, south, east, north = bounds
    lons = np.concatenate([np.linspace(west, east, 50), np.full(50, east), np.linspace(east, west, 50),
                           np.full(50, west)])
    lats = np.concatenate([np.full(50, south), np.linspace(south, north, 50), np.full(50, north),
                           np.linspace(north, south, 50)])
    xs, ys = to_map.transform(lons, lats)
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    # widen the short side so the axes' aspect holds the frame without distortion
    box = ax.get_position()
    aspect = (box.height * fig.get_figheight()) / (box.width * fig.get_figwidth())
    if (y1 - y0) / (x1 - x0) < aspect:
        pad = ((x1 - x0) * aspect - (y1 - y0)) / 2
        y0, y1 = y0 - pad, y1 + pad
    else:
        pad = ((y1 - y0) / aspect - (x1 - x0)) / 2
        x0, x1 = x0 - pad, x1 + pad
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_autoscale_on(False)


# --- what labels keep off ---------------------------------------------------------------------

class _LineIndex:
    """Drawn border lines in window coordinates, to ask whether a box touches one."""

    def __init__(self, ax, lines: list):
        self.tree = shapely.STRtree([shapely.LineString(ax.transData.transform(line.get_xydata()))
                                     for line in lines if len(line.get_xydata()) >= 2])

    def touches(self, box: Bbox) -> bool:
        return len(self.tree.query(shapely.box(box.x0, box.y0, box.x1, box.y1), predicate="intersects")) > 0


def _extents(artists, renderer) -> list[Bbox]:
    return [a.get_window_extent(renderer) for a in artists]


def _free(box: Bbox, frame: Bbox, boxes: Iterable[Bbox], lines: _LineIndex) -> bool:
    inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    return inside and not any(box.overlaps(b) for b in boxes) and not lines.touches(box)


def _place_labels(ax, requests: list[_Request], obstacles: list[Bbox], lines: _LineIndex,
                  points: np.ndarray) -> tuple[list, list]:
    """Greedy placement: by priority, each label takes the first candidate position that is free.

    Free means inside the frame, off every placed label, symbol, scale bar and
    north arrow, and crossing no border line. Unit names start at their point
    and are nudged; point labels try positions around the symbol, and prefer
    one that is nearer their own symbol than any other symbol or dot
    (``points``, window pixels), so that no name reads as another place's.
    """
    renderer = ax.figure.canvas.get_renderer()
    dpp = ax.figure.dpi / 72  # pixels per point
    frame = ax.get_window_extent(renderer)
    taken, placed, dropped = [], [], []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    near = (x1 - x0) / 100  # one label per place: anchors within about 1% of the frame share it
    done: list[tuple[str, float, float]] = []
    said: set[str] = set()
    for r in sorted(requests, key=lambda r: (r.priority, r.text, r.x, r.y)):
        if not (x0 <= r.x <= x1 and y0 <= r.y <= y1):
            if r.dot is not None:
                r.dot.remove()
            continue  # the anchor is outside the frame
        if r.shared and any(abs(r.x - dx) < near and abs(r.y - dy) < near for _, dx, dy in done):
            if r.dot is not None:
                r.dot.remove()
            continue  # several symbols at one town share one label
        if r.text in said:  # as on the page, a name already shown is not repeated (a district named after its town)
            if r.dot is not None:
                r.dot.remove()
            continue
        if r.shared:
            done.append((r.text, r.x, r.y))
        weight = "bold" if r.role == "country" else "normal"
        style = "italic" if r.role in ("province", "event") else "normal"
        colour = CHROME["soft_ink"] if r.role == "event" else CHROME["ink"]
        # a long unit name may break onto two lines to fit between borders, as on a printed map
        texts = [r.text] + ([textwrap.fill(r.text, len(r.text) // 2 + 1)] if r.area and " " in r.text else [])
        if r.role == "event" and len(r.text) > EVENT_LINE:  # an event's label may take two or three lines
            texts += [textwrap.fill(r.text, max(EVENT_LINE, len(r.text) // 2 + 1)), textwrap.fill(r.text, EVENT_LINE)]
        spots = AREA_OFFSETS if r.area else EVENT_OFFSETS if r.role == "event" else POINT_OFFSETS
        candidates = [(t, *spot) for t in texts for spot in spots]
        own = ax.transData.transform((r.x, r.y))
        others = points[np.hypot(*(points - own).T) > MARKER_POINTS * dpp * 2] if len(points) else points
        fallback = None  # a free place that stands nearer another symbol or dot than its own
        for text, dx, dy, ha, va in candidates:
            label = _annotate(ax, text, (r.x, r.y), multialignment="center" if r.area else ha, xytext=(dx, dy),
                              textcoords="offset points", ha=ha, va=va,
                              fontsize=SIZES[r.role], fontweight=weight, fontstyle=style, color=colour,
                              zorder=8, annotation_clip=True)
            box = label.get_window_extent(renderer).expanded(1.04, 1.1)
            if _free(box, frame, taken + obstacles, lines):
                if r.area or not len(others) or _gap(box, own) < _gap(box, others).min():
                    fallback = None
                    break
                if fallback is None:
                    fallback = (text, dx, dy, ha, va)
            label.remove()
        else:
            label = None
        if label is None and fallback is not None:
            text, dx, dy, ha, va = fallback
            label = _annotate(ax, text, (r.x, r.y), multialignment=ha, xytext=(dx, dy), textcoords="offset points",
                              ha=ha, va=va, fontsize=SIZES[r.role], fontweight=weight, fontstyle=style,
                              color=colour, zorder=8, annotation_clip=True)
            box = label.get_window_extent(renderer).expanded(1.04, 1.1)
        if label is None:
            dropped.append(r.text)
            if r.dot is not None:
                r.dot.remove()
            continue
        taken.append(box)
        placed.append(label)
        said.add(r.text)
        if r.role == "event" and math.hypot(dx, dy) > POINT_OFFSETS[0][0] + 1:
            _leader(ax, (r.x, r.y), box)
    return placed, dropped


def _gap(box: Bbox, xy: np.ndarray):
    """Distance in pixels from a box to a point, or to each of an (n, 2) array of points."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    dx = np.maximum(np.maximum(box.x0 - xy[:, 0], xy[:, 0] - box.x1), 0)
    dy = np.maximum(np.maximum(box.y0 - xy[:, 1], xy[:, 1] - box.y1), 0)
    gaps = np.hypot(dx, dy)
    return gaps if len(gaps) > 1 else gaps[0]


def _leader(ax, anchor, box: Bbox) -> None:
    """A thin line from a symbol to its label when the label had to stand off."""
    to_window = ax.transData.transform
    start = np.asarray(to_window(anchor))
    end = np.array([min(max(start[0], box.x0), box.x1), min(max(start[1], box.y0), box.y1)])
    gap = MARKER_POINTS * ax.figure.dpi / 72  # leave the symbol (and the ring of its neighbours) clear
    length = float(np.hypot(*(end - start)))
    if length <= gap:
        return
    start = start + (end - start) * gap / length
    xy = ax.transData.inverted().transform(np.array([start, end]))
    ax.plot(xy[:, 0], xy[:, 1], color=CHROME["soft_ink"], linewidth=0.5, zorder=7.5, solid_capstyle="butt")


# --- furniture --------------------------------------------------------------------------------

#: Where the scale bar may stand (axes fractions of its left end, bottom), in order of preference.
SCALE_SPOTS = [(x, y) for y in (0.04, 0.93) for x in (0.04, 0.22, 0.40, 0.58)] + [
    (x, y) for y in (0.2, 0.5, 0.75) for x in (0.04, 0.58)]


def _scale_bar(ax, renderer, lines: _LineIndex, symbols: list[Bbox], anchors: np.ndarray) -> list:
    """A scale bar where it crosses no border, covers no symbol, and has the fewest places to name nearby.

    ``anchors`` are the window positions of the labels still to place: the bar
    keeps away from what the map is about.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5 / 1000
    length_km = max(v for v in (10, 20, 25, 50, 100, 200, 250, 500, 1000) if v <= max(target, 10))
    h = (y1 - y0) * 0.008
    frame = ax.get_window_extent(renderer)
    artists: list = []
    scores = []
    for spot in SCALE_SPOTS:
        artists = _draw_scale_bar(ax, spot, length_km, h, artists)
        box = Bbox.union(_extents(artists, renderer)).expanded(1.05, 1.2)
        if _free(box, frame, symbols, lines):
            near = box.expanded(1.4, 3.0)
            scores.append((int(near.count_contains(anchors)) if len(anchors) else 0, len(scores), spot))
        else:
            scores.append((10**6, len(scores), spot))
    return _draw_scale_bar(ax, min(scores)[2], length_km, h, artists)


def _draw_scale_bar(ax, spot, length_km: int, h: float, previous: list) -> list:
    """The bar with its left end at ``spot`` (axes fractions), replacing ``previous``."""
    for a in previous:
        a.remove()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = length_km * 1000
    bx, by = x0 + (x1 - x0) * spot[0], y0 + (y1 - y0) * spot[1]
    artists = [ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h,
                                      facecolor=[CHROME["ink"], CHROME["paper"]][i], edgecolor=CHROME["ink"],
                                      linewidth=0.5, zorder=9)) for i in range(2)]
    half = f"{length_km // 2 if length_km % 2 == 0 else length_km / 2:g}"
    for frac, text in ((0, "0"), (0.5, half), (1, f"{length_km}")):
        artists.append(_text(ax, bx + frac * length, by + h * 1.8, text, fontsize=SIZES["scale"], ha="center",
                             va="bottom", zorder=9))
    # the unit follows the last number on its line, leaving the numbers centred on their ticks
    last = artists[-1].get_window_extent(ax.figure.canvas.get_renderer())
    ux, uy = ax.transData.inverted().transform((last.x1, last.y0))
    artists.append(_text(ax, ux, by + h * 1.8, "\u00a0km", fontsize=SIZES["scale"], ha="left", va="bottom",
                         zorder=9))
    return artists


def _north_arrow(ax, crs, renderer, lines: _LineIndex, taken: list[Bbox]) -> list:
    """An arrow to true north at its own position (meridians converge in a conic projection)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    back = Transformer.from_crs(crs, 4326, always_xy=True)
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    frame = ax.get_window_extent(renderer)
    arrow = None
    for fx, fy in [(0.95, 0.05), (0.95, 0.82), (0.05, 0.82), (0.85, 0.05), (0.95, 0.05)]:
        if arrow is not None:
            arrow.remove()
        ax_x, ax_y = x0 + (x1 - x0) * fx, y0 + (y1 - y0) * fy
        lon, lat = back.transform(ax_x, ax_y)
        nx, ny = fwd.transform(lon, lat + 0.5)
        dx, dy = nx - ax_x, ny - ax_y
        scale = (y1 - y0) * 0.06 / np.hypot(dx, dy)
        arrow = _annotate(ax, "N", (ax_x + dx * scale, ax_y + dy * scale), xytext=(ax_x, ax_y),
                          arrowprops={"arrowstyle": "-|>", "color": CHROME["ink"], "lw": 0.8},
                          fontsize=SIZES["north"], fontweight="bold", ha="center", va="top", zorder=9)
        if _free(arrow.get_window_extent(renderer).expanded(1.1, 1.05), frame, taken, lines):
            break
    return [arrow]


def _inset(fig, layers, bounds, crs):
    """A small locator map: the whole embedded region with this map's frame outlined."""
    ax = fig.add_axes((0.70, 0.775, 0.28, 0.2))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(CHROME["outside"])
    for layer in layers:
        if isinstance(layer, Layer) and not layer.labels and layer.name in (
                "Neighbouring countries", "Provinces (first-level units)"):
            frame = layer.frame.to_crs(crs)
            records = layer.frame.drop(columns=layer.frame.geometry.name).to_dict("records")
            patches, faces = [], []
            for g, props in zip(frame.geometry.values, records):
                if g is not None and g.geom_type in ("Polygon", "MultiPolygon"):
                    patches.append(PathPatch(_polygon_path(g)))
                    faces.append(_mpl_style(layer.style.for_feature(props))["facecolor"])
            ax.add_collection(PatchCollection(patches, facecolor=faces, alpha=0.5, edgecolor=CHROME["paper"],
                                              linewidth=0.15))
    west, south, east, north = bounds
    to_map = Transformer.from_crs(4326, crs, always_xy=True)
    ring = np.array([(west, south), (east, south), (east, north), (west, north), (west, south)])
    dense = np.concatenate([np.linspace(ring[i], ring[i + 1], 20) for i in range(4)])
    xs, ys = to_map.transform(dense[:, 0], dense[:, 1])
    ax.plot(xs, ys, color=CHROME["ink"], linewidth=1.1)
    ax.autoscale_view()
    ax.set_aspect("equal")
    _add_halo(_text(ax, 0.02, 0.03, "Where this map sits", transform=ax.transAxes, fontsize=SIZES["inset"],
                    ha="left", va="bottom", zorder=5))
    for spine in ax.spines.values():
        spine.set_linewidth(0.5)
    return ax


# --- legend -----------------------------------------------------------------------------------

def _in_frame(layer, projected, frame, to_map) -> list[bool]:
    """Which of a layer's features (rows, or markers) the frame shows."""
    if isinstance(layer, MarkerLayer):
        return [frame.contains(shapely.Point(*to_map.transform(m.lon, m.lat))) for m in layer.markers]
    if projected is None or not len(projected):
        return []
    return [bool(v) for v in projected.geometry.intersects(frame).values]


def _records_of(layer, shown: list[bool]) -> set[str]:
    """The record ids (or, for a layer without records, the feature ids) of what the frame shows."""
    if isinstance(layer, MarkerLayer):
        return {m.record or m.id for m, keep in zip(layer.markers, shown) if keep}
    if "record" not in layer.frame.columns:
        return set()
    return {str(v) for v, keep in zip(layer.frame["record"], shown) if keep}


def _legend_in_frame(layer, shown: list[bool], visible: set[str], circled: set[str]) -> list[LegendItem]:
    """A layer's legend entries for what the frame shows.

    An entry naming one of the layer's records ("BLA, BLF: <title>") is listed
    when that record is in the frame, whichever layer draws it; an entry whose
    colour (and, for symbols, shape) features draw, when one of those is; the
    location-uncertainty note when one of its units or a record with an
    uncertainty circle (``circled``) is; any other entry (a note on the whole layer) when any of the layer is.
    """
    if isinstance(layer, MarkerLayer):
        drawn = [(m.colour, m.shape) for m in layer.markers]
        seen = {(m.colour, m.shape) for m, keep in zip(layer.markers, shown) if keep}
        approximate = any(m.approximate for m, keep in zip(layer.markers, shown) if keep)
    else:
        styles = [layer.style.for_feature(p) for p in
                  layer.frame.drop(columns=layer.frame.geometry.name).to_dict("records")]
        drawn = [s.get(k) for s in styles for k in ("color", "fillColor")]
        seen = {s.get(k) for s, keep in zip(styles, shown) if keep for k in ("color", "fillColor")}
        approximate = False
    titles = {i.title: i.id for i in layer.items}
    out = []
    for item in layer.legend:
        owner = next((rid for title, rid in titles.items() if item.label.endswith(f": {title}")), None)
        key = (item.colour, item.shape) if isinstance(layer, MarkerLayer) else item.colour
        if owner is not None:
            show = owner in visible
        elif layer.name == UNCERTAINTY_LAYER:
            show = any(shown) or bool(visible & circled)
        elif key in drawn:
            show = key in seen
        elif item.shape == "halo":
            show = approximate
        else:
            show = any(shown)
        if show:
            out.append(item)
    return out


def _legend(fig, items: list[LegendItem], *, bottom: float, top: float):
    """The legend between ``bottom`` and ``top`` (figure fractions): short symbol entries in two columns,
    the rest in one, spaced tighter when they would not fit, and last in slightly smaller type."""
    ax = fig.add_axes((0.65, bottom, 0.33, top - bottom))
    ax.axis("off")
    if not items:
        return ax
    short = [i for i in items if i.shape not in ("area", "line") and len(i.label) <= 20]
    rest = [i for i in items if i not in short]
    renderer = fig.canvas.get_renderer()
    parts: list = []
    for spacing, size in ((0.45, SIZES["legend"]), (0.3, SIZES["legend"]), (0.15, SIZES["legend"]),
                          (0.15, SIZES["legend"] * 0.88)):
        for legend in parts:
            legend.remove()
        parts, anchor_y = [], 1.0
        for entries, columns, title in ((short, 2, "Legend"), (rest, 1, None if short else "Legend")):
            if not entries:
                continue
            handles = [_handle(i) for i in entries]
            legend = Legend(ax, handles, [h.get_label() for h in handles], loc="upper left",
                            bbox_to_anchor=(0, anchor_y), ncols=columns, fontsize=size, frameon=False,
                            title=title,
                            title_fontsize=SIZES["legend_title"], alignment="left", borderaxespad=0,
                            handlelength=1.6, labelspacing=spacing, columnspacing=1.2)
            ax.add_artist(legend)
            for t in [legend.get_title(), *legend.get_texts()]:
                t.set_parse_math(False)
            parts.append(legend)
            box = legend.get_window_extent(renderer)
            anchor_y = ax.transAxes.inverted().transform((box.x0, box.y0))[1] - 0.015
        if anchor_y >= 0:
            break
    return ax


def _handle(item: LegendItem):
    label = textwrap.fill(item.label, 52, break_on_hyphens=False)
    if item.shape == "area":
        return Patch(facecolor=item.colour, edgecolor=item.colour, alpha=0.6, linestyle="--" if item.dashed else "-",
                     label=label)
    if item.shape == "line":
        return Line2D([], [], color=item.colour, linewidth=1.6 if not item.dashed else 0.9,
                      linestyle="--" if item.dashed else "-", label=label)
    marker, filled = MARKERS.get(item.shape, ("o", True))
    return Line2D([], [], marker=marker, linestyle="none", markersize=5,
                  markerfacecolor=item.colour if filled else "none",
                  markeredgecolor=CHROME["ink"] if filled else item.colour, label=label)


# --- footer -----------------------------------------------------------------------------------

def articles(records: Iterable) -> list[str]:
    """The works the events' claims come from or reach us through, each once, as its record cites it."""
    records = list(records)
    direct = [s for r in records for s in r.sources if not s.via]
    out = dict.fromkeys(s.text() for s in direct)
    # a via names a work within its own words, or as the work with other words in the brackets
    # ("… (policy brief, 2021; its author is not named)" for "… (policy brief, 2021)")
    works = {d.work for d in direct if d.work}
    titles = {w.split(" (")[0] for w in works}
    for r in records:
        for s in r.sources:
            if s.via and s.via.split(" (")[0] not in titles and not any(w in s.via for w in works):
                out.setdefault(s.via)
    return list(out)


def _footer(credits: list[str], records, shown, relief: ReliefImage | None, projection_text: str,
            notes: Iterable[str] = ()) -> str:
    drawn = {i.id for layer in shown for i in getattr(layer, "items", ())}
    drawn_records = [r for r in records if r.id in drawn]
    # a dataset's events cite one work each (ACLED event PAK1234, …): the dataset is named once, under Data
    works = articles(r for r in drawn_records if not r.dataset)
    parts = [textwrap.fill(". ".join(notes) + ".", 165)] if notes else []
    if works:
        parts.append(textwrap.fill("Events and areas: bordermap's own summaries of the claims made or cited in "
                                   + "; ".join(works) + ".", 165))
    if any(r.dataset for r in drawn_records):
        parts.append("Events from conflict datasets: as each dataset codes them, with its own notes and sources "
                     "(the datasets are named under Data).")
    # the page's credit that points to its popups has nothing to point to on paper: the articles are named above
    data = [c for c in credits if "popup" not in c.lower()]
    if relief is not None and relief.credit:
        data.append(relief.credit)
    if data:
        parts.append(textwrap.fill("Data: " + "; ".join(data) + ".", 165))
    parts.append(f"Projection: {projection_text}. Boundaries shown are not an endorsement of any claim.")
    return "\n".join(parts)
