"""Claimed movements drawn as arrows, region to region, at the precision the text names.

A curated ``cross-border movement`` record with ``move_from`` and ``move_to``
becomes one arrow: from the middle of the units (or country) it starts in to
the middle of those it ends in. The shaft bends a little to its right, so the
two directions between the same places stay apart; the head is part of the
geometry, so the page and the figures draw the same arrow.
"""

from __future__ import annotations

import math
from typing import Mapping

import geopandas as gpd
import shapely

from .events import MOVEMENT_COUNTRIES
from .layers import NOTE_COLOUR, Item, Layer, LegendItem, Style, Text

#: The layer's name in the layer list; stories switch it on by this name.
MOVEMENT_LAYER = "Movement (claimed, region to region)"
#: The arrows' colour: a dark grey-blue that no event category or area uses.
ARROW_COLOUR = "#2f4b7c"
#: How far the shaft bows out, as a share of its length, and how many segments draw the bow.
BEND = 0.12
SEGMENTS = 24
#: The layer's legend: the arrow, and a note that it is no route.
LEGEND = (LegendItem("Movement the sources claim (arrow: from the region to the region they name)", ARROW_COLOUR, "line"),
          LegendItem("An arrow joins the middles of the regions; it shows no route", NOTE_COLOUR, "line", True))
#: The head's length as a share of the arrow's, within these limits in degrees.
HEAD_SHARE, HEAD_MIN, HEAD_MAX = 0.12, 0.12, 0.9


def end_point(codes: tuple[str, ...], admin1: gpd.GeoDataFrame, districts: Mapping,
              district_shapes: Mapping[str, tuple]) -> shapely.Point:
    """The middle of the units (or whole countries) one end names: the centroid, or a point inside."""
    parts = []
    for code in codes:
        if code in MOVEMENT_COUNTRIES:
            parts.extend(admin1.loc[admin1["adm0_a3"] == code].geometry)
        elif code in set(admin1["code"]):
            parts.extend(admin1.loc[admin1["code"] == code].geometry)
        elif code in district_shapes:
            parts.append(district_shapes[code][0])
        elif code in districts:
            parts.append(shapely.Point(districts[code].hq_lon, districts[code].hq_lat))
    area = shapely.union_all(parts)
    middle = area.centroid
    return middle if area.geom_type == "Point" or area.contains(middle) else area.representative_point()


def arrow(start: shapely.Point, end: shapely.Point) -> shapely.MultiLineString:
    """A shaft bowed to its right from ``start`` to ``end`` and a two-stroke head at ``end`` (degrees)."""
    (x0, y0), (x1, y1) = (start.x, start.y), (end.x, end.y)
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    cx, cy = (x0 + x1) / 2 + dy * BEND, (y0 + y1) / 2 - dx * BEND  # the bow's control point, to the right
    shaft = []
    for n in range(SEGMENTS + 1):
        t = n / SEGMENTS
        shaft.append(((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1,
                      (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1))
    hx, hy = x1 - cx, y1 - cy  # the direction the shaft arrives in
    norm = math.hypot(hx, hy) or 1.0
    head = min(HEAD_MAX, max(HEAD_MIN, HEAD_SHARE * length))
    strokes = []
    for turn in (math.radians(28), -math.radians(28)):
        ux = (hx * math.cos(turn) - hy * math.sin(turn)) / norm
        uy = (hx * math.sin(turn) + hy * math.cos(turn)) / norm
        strokes.append([(x1 - ux * head, y1 - uy * head), (x1, y1)])
    rounded = [[(round(x, 5), round(y, 5)) for x, y in line] for line in [shaft, *strokes]]
    return shapely.MultiLineString(rounded)


def movement_layer(records, items: Mapping[str, Item], admin1: gpd.GeoDataFrame, districts: Mapping,
                   district_shapes: Mapping[str, tuple] | None = None) -> Layer | None:
    """One arrow per record that claims a movement; None when no record does. Hidden until a reader or story shows it."""
    moving = [r for r in records if r.move_from and r.move_to]
    if not moving:
        return None
    shapes = district_shapes or {}
    rows = [{"record": r.id, "geometry": arrow(end_point(r.move_from, admin1, districts, shapes),
                                                   end_point(r.move_to, admin1, districts, shapes))}
            for r in moving]
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    style = Style(color=ARROW_COLOUR, weight=3, opacity=0.9, fill=False, fill_opacity=0)
    tips = tuple(Text(r.title, (items[r.id].where, items[r.id].date)) for r in moving)
    return Layer(name=MOVEMENT_LAYER, frame=frame, style=style, tooltip=tips, show=False, legend=LEGEND,
                 items=tuple(items[r.id] for r in moving))
