"""Layers + recipe -> a matplotlib figure for reports (PNG, SVG, PDF). Reads and writes no files.

The figure draws the same Layer and MarkerLayer objects as the HTML map, with
the same colours, symbols and legend entries, in an equal-area projection
fitted to the map's frame. Labels are placed so that none overlaps another or
leaves the frame. Output bytes carry no dates or random ids.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import matplotlib
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from pyproj import CRS, Transformer

from .layers import Layer, LegendItem, MarkerLayer
from .recipe import Recipe

FORMATS = ("png", "svg", "pdf")
FONT = "DejaVu Sans"  # shipped with matplotlib: the same glyphs on every machine
#: Settings applied only while a figure is drawn and saved; matplotlib's global state is left alone.
#: ``text.parse_math`` off: titles, labels and legend entries are drawn as plain text ("$5 and $6" stays so).
DRAW_RC = {"font.family": FONT, "text.parse_math": False}
SAVE_RC = {"svg.hashsalt": "bordermap", "svg.fonttype": "path"}
#: marker shape -> (matplotlib marker, filled)
MARKERS = {"circle": ("o", True), "square": ("s", True), "diamond": ("D", True), "triangle": ("^", True),
           "star": ("*", True), "cross": ("P", True), "ring": ("o", False), "hexagon": ("h", True),
           "halo": ("o", False)}
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
LABEL_OFFSETS = [(6, 0, "left", "center"), (-6, 0, "right", "center"), (0, 6, "center", "bottom"),
                 (0, -6, "center", "top"), (5, 5, "left", "bottom"), (-5, 5, "right", "bottom"),
                 (5, -5, "left", "top"), (-5, -5, "right", "top")]


@dataclass
class Figure:
    """The figure and what a test needs to check it: where labels ended up."""

    figure: MplFigure
    map_axes: matplotlib.axes.Axes
    labels: list  # matplotlib Text objects that were placed
    dropped: list  # label strings that found no free place
    projection: str


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
           size: tuple[int, int] = (1800, 1350), dpi: int = 200,
           context: list | None = None) -> Figure:
    """Draw the map. ``context`` layers (whole region) feed the inset locator map."""
    with matplotlib.rc_context(DRAW_RC):
        return _render(layers, recipe, bounds, size=size, dpi=dpi, context=context)


def _render(layers, recipe, bounds, *, size, dpi, context) -> Figure:
    width, height = size[0] / dpi, size[1] / dpi
    # A Figure with its own Agg canvas: no pyplot, so the user's backend and figure list stay untouched.
    fig = MplFigure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    crs, projection_text = projection_for(bounds)
    to_map = Transformer.from_crs(4326, crs, always_xy=True)
    ax = fig.add_axes((0.02, 0.13, 0.66, 0.74))
    ax.set_facecolor("#eef1f4")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#555555")
        spine.set_linewidth(0.6)

    legend_items: list[LegendItem] = []
    credits: list[str] = []
    label_requests: list[tuple[int, float, float, str, float]] = []  # priority, x, y, text, size
    for layer in layers:
        if not layer.show:
            continue
        legend_items.extend(i for i in layer.legend if i not in legend_items)
        credits.extend(c for c in layer.attribution if c not in credits)
        if isinstance(layer, MarkerLayer):
            _draw_markers(ax, layer, to_map, label_requests)
        elif layer.labels:
            for lat, lon, text, css in layer.labels:
                x, y = to_map.transform(lon, lat)
                label_requests.append((0 if css == "country" else 1, x, y, text, 8.5 if css == "country" else 7))
        else:
            _draw_layer(ax, layer, crs)
            for lat, lon, text, _ in layer.feature_labels:
                x, y = to_map.transform(lon, lat)
                label_requests.append((3, x, y, text, 6))

    _set_extent(ax, bounds, to_map, fig)
    fig.canvas.draw()  # text extents need a renderer
    placed, dropped = _place_labels(ax, label_requests)
    _scale_bar(ax)
    _north_arrow(ax, crs)
    _inset(fig, context or layers, bounds, crs)
    _legend(fig, legend_items)

    fig.text(0.02, 0.955, recipe.title, fontsize=13, fontweight="bold", va="top")
    if recipe.description:
        fig.text(0.02, 0.915, textwrap.fill(recipe.description, 120), fontsize=7.5, va="top", color="#333333")
    footer = "Sources: " + "; ".join(credits) if credits else ""
    footer = textwrap.fill(footer, 175) + f"\nProjection: {projection_text}. Boundaries shown are not an " \
                                          "endorsement of any claim."
    fig.text(0.02, 0.02, footer, fontsize=5.5, va="bottom", color="#333333", linespacing=1.3)
    return Figure(figure=fig, map_axes=ax, labels=placed, dropped=dropped, projection=projection_text)


def to_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure in ``fmt``, with no timestamps or tool versions in its metadata."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}[fmt]
    buffer = io.BytesIO()
    with matplotlib.rc_context(SAVE_RC):
        fig.figure.savefig(buffer, format=fmt, dpi=fig.figure.dpi, metadata=metadata)
    return buffer.getvalue()


# --- drawing ----------------------------------------------------------------------------------

def _mpl_style(style: dict) -> dict:
    dash = style.get("dashArray")
    return {
        "edgecolor": style.get("color", "#444444"),
        "facecolor": style.get("fillColor", "none") if style.get("fill", True) else "none",
        "fill_alpha": style.get("fillOpacity", 0.2) if style.get("fill", True) else 0.0,
        "linewidth": float(style.get("weight", 1.0)) * 0.45,
        "linestyle": (0, tuple(float(v) * 0.6 for v in dash.split())) if dash else "solid",
        "alpha": float(style.get("opacity", 1.0)),
    }


def _draw_layer(ax, layer: Layer, crs) -> None:
    frame = layer.frame.to_crs(crs)
    records = layer.frame.drop(columns=layer.frame.geometry.name).to_dict("records")
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
                ax.plot(xy[:, 0], xy[:, 1], color=s["edgecolor"], linewidth=s["linewidth"],
                        linestyle=s["linestyle"], alpha=s["alpha"], solid_capstyle="round")
        elif kind in ("Point", "MultiPoint"):
            for part in shapely.get_parts(geom):
                ax.plot(part.x, part.y, marker="o", markersize=layer.style.radius * 0.7,
                        markerfacecolor=s["facecolor"], markeredgecolor=s["edgecolor"], markeredgewidth=0.5,
                        linestyle="none")


def _polygon_path(geom) -> MplPath:
    vertices, codes = [], []
    for poly in shapely.get_parts(geom):
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            vertices.append(xy)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY])
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _draw_markers(ax, layer: MarkerLayer, to_map, label_requests) -> None:
    radius = {item.id: item.radius for item in layer.items if item.radius}
    for m in layer.markers:
        x, y = to_map.transform(m.lon, m.lat)
        if m.record in radius:  # the projection is equal-area and in metres: the circle is to scale
            ax.add_patch(Circle((x, y), radius[m.record], facecolor=m.colour, alpha=0.15, edgecolor="none",
                                zorder=4))
            ax.add_patch(Circle((x, y), radius[m.record], facecolor="none", edgecolor="#555555",
                                linewidth=0.5, linestyle=(0, (2, 1.5)), zorder=4))
        marker, filled = MARKERS.get(m.shape, ("o", True))
        size = 5.5 * (m.size / 22) if m.shape == "ring" else 5.5
        ax.plot(x, y, marker=marker, markersize=size * (1.35 if marker == "*" else 1),
                markerfacecolor=m.colour if filled else "none", markeredgecolor="#1a1a1a" if filled else m.colour,
                markeredgewidth=0.5 if filled else 1.0, linestyle="none", zorder=5)
        if m.label:
            label_requests.append((2, x, y, m.label, 6))


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


def _place_labels(ax, requests) -> tuple[list, list]:
    """Greedy placement: by priority, try eight positions around the anchor; keep the first free one."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken, placed, dropped = [], [], []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    near = (x1 - x0) / 100  # one label per place: anchors within about 1% of the frame share it
    done: list[tuple[str, float, float]] = []
    for priority, x, y, text, size in sorted(requests, key=lambda r: (r[0], r[3], r[1], r[2])):
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue  # the anchor is outside the frame
        if priority >= 2 and any(abs(x - dx) < near and abs(y - dy) < near for _, dx, dy in done):
            continue  # several symbols at one town share one label
        done.append((text, x, y))
        weight = "bold" if priority == 0 else "normal"
        style = "italic" if priority == 1 else "normal"
        for dx, dy, ha, va in ([(0, 0, "center", "center")] if priority <= 1 else []) + LABEL_OFFSETS:
            label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                fontsize=size, fontweight=weight, fontstyle=style, color="#1a1a1a",
                                path_effects=HALO, zorder=8, annotation_clip=True)
            box = label.get_window_extent(renderer).expanded(1.04, 1.1)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                placed.append(label)
                break
            label.remove()
        else:
            dropped.append(text)
    return placed, dropped


def _scale_bar(ax) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5 / 1000
    length_km = max(v for v in (10, 20, 25, 50, 100, 200, 250, 500, 1000) if v <= max(target, 10))
    length = length_km * 1000
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    h = (y1 - y0) * 0.008
    for i in range(2):
        ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h, facecolor=["#1a1a1a", "white"][i],
                               edgecolor="#1a1a1a", linewidth=0.5, zorder=9))
    for frac, text in ((0, "0"), (0.5, f"{length_km // 2 if length_km % 2 == 0 else length_km / 2:g}"),
                       (1, f"{length_km} km")):
        ax.text(bx + frac * length, by + h * 1.8, text, fontsize=5.5, ha="center", va="bottom",
                path_effects=HALO, zorder=9)


def _north_arrow(ax, crs) -> None:
    """An arrow to true north at its own position (meridians converge in a conic projection)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax_x, ax_y = x0 + (x1 - x0) * 0.95, y0 + (y1 - y0) * 0.06
    back = Transformer.from_crs(crs, 4326, always_xy=True)
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    lon, lat = back.transform(ax_x, ax_y)
    nx, ny = fwd.transform(lon, lat + 0.5)
    dx, dy = nx - ax_x, ny - ax_y
    scale = (y1 - y0) * 0.06 / np.hypot(dx, dy)
    ax.annotate("N", xy=(ax_x + dx * scale, ax_y + dy * scale), xytext=(ax_x, ax_y),
                arrowprops={"arrowstyle": "-|>", "color": "#1a1a1a", "lw": 0.8}, fontsize=7, fontweight="bold",
                ha="center", va="top", zorder=9)


def _inset(fig, layers, bounds, crs) -> None:
    """A small locator map: the whole embedded region with this map's frame outlined."""
    ax = fig.add_axes((0.715, 0.67, 0.27, 0.22))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#eef1f4")
    for layer in layers:
        if isinstance(layer, Layer) and not layer.labels and layer.name in (
                "Neighbouring countries", "Provinces (first-level units)"):
            frame = layer.frame.to_crs(crs)
            face = "#d9d9d9" if layer.name.startswith("Neighbouring") else "#9fbfad"
            patches = [PathPatch(_polygon_path(g)) for g in frame.geometry.values
                       if g is not None and g.geom_type in ("Polygon", "MultiPolygon")]
            ax.add_collection(PatchCollection(patches, facecolor=face, edgecolor="white", linewidth=0.15))
    west, south, east, north = bounds
    to_map = Transformer.from_crs(4326, crs, always_xy=True)
    ring = np.array([(west, south), (east, south), (east, north), (west, north), (west, south)])
    dense = np.concatenate([np.linspace(ring[i], ring[i + 1], 20) for i in range(4)])
    xs, ys = to_map.transform(dense[:, 0], dense[:, 1])
    ax.plot(xs, ys, color="#D55E00", linewidth=1.0)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_title("Where this map sits", fontsize=6, pad=2)
    for spine in ax.spines.values():
        spine.set_linewidth(0.5)


def _legend(fig, items: list[LegendItem]) -> None:
    ax = fig.add_axes((0.715, 0.13, 0.27, 0.52))
    ax.axis("off")
    handles = []
    for item in items:
        label = textwrap.fill(item.label, 44)
        if item.shape == "area":
            handles.append(Patch(facecolor=item.colour, edgecolor=item.colour, alpha=0.6,
                                 linestyle="--" if item.dashed else "-", label=label))
        elif item.shape == "line":
            handles.append(Line2D([], [], color=item.colour, linewidth=1.6 if not item.dashed else 0.9,
                                  linestyle="--" if item.dashed else "-", label=label))
        else:
            marker, filled = MARKERS.get(item.shape, ("o", True))
            handles.append(Line2D([], [], marker=marker, linestyle="none", markersize=5,
                                  markerfacecolor=item.colour if filled else "none",
                                  markeredgecolor="#1a1a1a" if filled else item.colour, label=label))
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize=5.2, frameon=False, title="Legend",
                  title_fontsize=6.5, alignment="left", borderaxespad=0, handlelength=1.6, labelspacing=0.55)
