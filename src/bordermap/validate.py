"""Check and clean a layer that was read: collect every problem, then raise once.

Fatal problems (no features, no usable geometry, no CRS, coordinates outside
the world or probably swapped) raise one ``LayerError``. Repairs that leave a
usable layer (reprojection, dropping Z, fixing invalid geometries, dropping
empty ones, floating-point noise at the edge of the world) are applied and
reported as notes, and so is a layer that lies outside the map's region: it is
drawn, never refused for where it is.

The "swapped" rule (:func:`_coordinate_problems`): latitude and longitude are
called swapped only when the coordinates as read lie outside the world and,
with x and y exchanged, inside it (a latitude column holding 120 cannot be a
latitude). Data inside the world is never refused for where it lies: Finland
exchanged would sit in Iran, so a layer outside the region whose exchanged
coordinates fall inside it is drawn, with a note that says so and how to swap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from . import settings
from .errors import LayerError
from .layerio import NOTES

#: Formats whose coordinates are WGS84 by definition when no CRS is stated.
WGS84_BY_SPEC = {".geojson", ".json", ".kml", ".csv", ".topojson", ".gpx"}


@dataclass(frozen=True)
class Checked:
    frame: gpd.GeoDataFrame  # EPSG:4326, 2D, valid, no empty geometries
    notes: tuple[str, ...]  # what was repaired or dropped, for the user

    def summary(self) -> str:
        kinds = sorted(set(self.frame.geometry.geom_type))
        w, s, e, n = self.frame.total_bounds
        text = f"{len(self.frame)} features ({', '.join(kinds)}), bounds {w:.3f},{s:.3f} to {e:.3f},{n:.3f}"
        return text + (f"; {'; '.join(self.notes)}" if self.notes else "")


def check(frame: gpd.GeoDataFrame, path: Path, crs: str | None = None) -> Checked:
    """Clean a layer that was read; raise one LayerError listing every problem found.

    Checks that need a CRS (reprojection, the coordinates' range) are skipped
    when the CRS is itself a problem, so one mistake is not reported twice.
    """
    path = Path(path)
    notes: list[str] = list(frame.attrs.get(NOTES, ()))
    if len(frame) == 0:
        raise LayerError(path, ["no features"])
    geoms = frame.geometry
    missing = geoms.isna()
    if missing.all():
        raise LayerError(path, [f"no geometry: none of the {len(frame)} features has one"])
    problems: list[str] = []
    frame = _set_crs(frame, path, crs, notes, problems)
    if missing.any():
        notes.append(f"dropped {int(missing.sum())} feature(s) without geometry")
        frame = frame[~missing]
    empty = frame.geometry.is_empty
    if empty.all():
        raise LayerError(path, [*problems, "no geometry: every geometry is empty"])
    if empty.any():
        notes.append(f"dropped {int(empty.sum())} empty geometr{'y' if empty.sum() == 1 else 'ies'}")
        frame = frame[~empty]
    if problems:  # without a usable CRS, check only what needs none
        raise LayerError(path, problems + _coordinate_problems(frame, in_wgs84=False))
    if frame.crs.to_epsg() != 4326:
        source = frame.crs.to_string()
        try:
            frame = frame.to_crs(settings.CRS)
        except ProjError as exc:  # e.g. a CRS of another planet: no transformation to WGS84 exists
            raise LayerError(path, [f"cannot reproject from {source} ({exc})"]) from None
        notes.append(f"reprojected from {source}")
    frame = _clamp_to_world(frame, notes)
    problems = _coordinate_problems(frame, in_wgs84=True)
    if problems:
        raise LayerError(path, problems)
    notes.extend(_region_notes(frame))
    if frame.geometry.has_z.any():
        frame = frame.set_geometry(shapely.force_2d(frame.geometry.values), crs=frame.crs)
        notes.append("dropped Z coordinates (3D to 2D)")
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        reasons = sorted({shapely.is_valid_reason(g).split("[")[0] for g in frame.geometry[invalid]})
        frame = frame.set_geometry(shapely.make_valid(frame.geometry.values), crs=frame.crs)
        notes.append(f"repaired {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} "
                     f"({', '.join(reasons)})")
    return Checked(frame=_nested_as_text(frame.reset_index(drop=True)), notes=tuple(notes))


def _nested_as_text(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Properties holding a list or an object (legal GeoJSON) become text, so every renderer shows them:
    ``["port", "CPEC"]`` as ``port, CPEC``, ``{"a": 1}`` as ``a: 1``."""
    for column in frame.columns:
        if column == frame.geometry.name or frame[column].dtype != object:
            continue
        values = frame[column]
        if any(isinstance(v, (list, tuple, dict, np.ndarray)) for v in values):
            frame[column] = [_as_text(v) if isinstance(v, (list, tuple, dict, np.ndarray)) else v for v in values]
    return frame


def _as_text(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, np.generic):
        value = value.item()
    return "" if value is None else str(value)


def _set_crs(frame: gpd.GeoDataFrame, path: Path, crs: str | None, notes: list[str],
             problems: list[str]) -> gpd.GeoDataFrame:
    """The frame in its stated (or given) CRS; a CRS problem is added to ``problems``."""
    if crs:
        try:
            given = CRS.from_user_input(crs)
        except CRSError:
            problems.append(f"unknown CRS {crs!r} (use a code such as \"EPSG:32642\")")
            return frame
        if frame.crs is not None and CRS.from_user_input(frame.crs) != given:
            notes.append(f"file says {frame.crs.to_string()}, using the recipe's {crs}")
        return frame.set_crs(given, allow_override=True)
    if frame.crs is None:
        if path.suffix.lower() in WGS84_BY_SPEC:
            return frame.set_crs(settings.CRS)
        problems.append("unknown CRS: the file states none (a Shapefile's .prj is missing?); "
                        "set crs = \"EPSG:...\" for this layer")
        return frame
    try:
        frame.crs.to_wkt()
        if not frame.crs.is_geographic and not frame.crs.is_projected:
            raise CRSError("neither geographic nor projected")
    except CRSError as exc:
        problems.append(f"unknown CRS ({exc}); set crs = \"EPSG:...\" for this layer")
    return frame


#: Degrees beyond ±180/±90 taken as floating-point noise and moved onto the edge of the world
#: (Natural Earth's Russia reaches x = 180.00000000000006).
EDGE_TOLERANCE = 1e-9
#: The note for a layer that lies wholly outside ``settings.REGION``.
OUTSIDE_REGION = "this layer lies outside the map's region; the map's opening view does not change"


def _clamp_to_world(frame: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Coordinates within :data:`EDGE_TOLERANCE` beyond the world's edges are moved onto them, with a note."""
    coords = shapely.get_coordinates(frame.geometry.values)
    limits = np.array([180.0, 90.0])
    beyond = np.abs(coords) > limits
    if not beyond.any() or (np.abs(coords[beyond.any(axis=1)]) > limits + EDGE_TOLERANCE).any():
        return frame  # nothing to do, or truly outside: _coordinate_problems says so
    geoms = shapely.transform(frame.geometry.values, lambda c: np.clip(c, -limits, limits))
    notes.append(f"moved {int(beyond.sum())} coordinate(s) lying within {EDGE_TOLERANCE:g}° beyond ±180°/±90° "
                 "onto the edge of the world")
    return frame.set_geometry(geoms, crs=frame.crs)


def _coordinate_problems(frame: gpd.GeoDataFrame, in_wgs84: bool) -> list[str]:
    """Coordinates must be finite and, once in EPSG:4326, lie in the world.

    Outside the world but inside it with x and y exchanged is "swapped"; see the module's docstring.
    """
    coords = shapely.get_coordinates(frame.geometry.values)
    if not np.isfinite(coords).all():
        return ["coordinates include NaN or infinite values"]
    if not in_wgs84:
        return []
    (xmin, ymin), (xmax, ymax) = coords.min(axis=0), coords.max(axis=0)
    if _in_world(xmin, ymin, xmax, ymax):
        return []
    if _in_world(ymin, xmin, ymax, xmax):
        return [f"coordinates look swapped (x {xmin:g} to {xmax:g}, y {ymin:g} to {ymax:g}: y beyond ±90, "
                "x within it): GeoJSON and WKT put longitude first; swap the columns or the x/y settings"]
    return [f"coordinates outside the world (x {xmin:g} to {xmax:g}, y {ymin:g} to {ymax:g}); "
            "is the CRS wrong, or are these projected metres without a .prj?"]


def _in_world(xmin: float, ymin: float, xmax: float, ymax: float) -> bool:
    return -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90


def _region_notes(frame: gpd.GeoDataFrame) -> list[str]:
    """A note when no feature touches ``settings.REGION``; the layer is drawn all the same."""
    west, south, east, north = settings.REGION
    box = shapely.box(west, south, east, north)
    if shapely.intersects(frame.geometry.values, box).any():
        return []
    xmin, ymin, xmax, ymax = frame.total_bounds
    note = f"{OUTSIDE_REGION} (x {xmin:g} to {xmax:g}, y {ymin:g} to {ymax:g})"
    exchanged = shapely.transform(frame.geometry.values, lambda c: c[:, ::-1])
    if shapely.intersects(exchanged, box).all():
        note += ("; with x and y exchanged it would lie in the region: if latitude comes first, swap the "
                 "columns or the x/y settings (GeoJSON and WKT put longitude first)")
    return [note]
