"""Shared arcs: every stretch of border that several polygons and lines of a page draw is sent once.

Provinces and the refugee-hosting provinces, districts and the group areas made of them, and
neighbouring districts all draw the same borders. :class:`Topology` collects every ring and line
of a page's shape layers on the page's quantised grid, cuts them where their paths part (a
*junction*: a vertex whose neighbours differ between the rings through it) and at each ring's and
line's first and last vertex, and keeps each distinct piece (an *arc*) once, whichever way round it
is walked. A ring is then a list of arc references: ``i`` for arc *i* as stored, ``~i`` (``-i - 1``)
for arc *i* walked backwards; joined end to start, with the shared vertex once, they give back the
ring's quantised vertices exactly, in order, from the same first vertex. Nothing is simplified.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import columns

_SHIFT = np.int64(1) << np.int64(32)


def quantise(coords: np.ndarray, decimals: int) -> np.ndarray:
    """(lon, lat) float pairs -> (lat, lon) integers in units of 10^-decimals degrees (the page's grid)."""
    factor = 10 ** decimals
    return np.round(np.asarray(coords, dtype=np.float64)[:, [1, 0]] * factor).astype(np.int64)


def polyline(points: np.ndarray) -> str:
    """Integer (lat, lon) rows as one encoded polyline, each point the difference from the one before.

    Google's format, column-wise: each difference zigzag-signed, then 5 bits a character from the lowest,
    each but the last with 0x20 set, plus 63."""
    deltas = np.diff(np.asarray(points, dtype=np.int64).reshape(-1, 2), axis=0,
                     prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    if not len(deltas):
        return ""
    value = np.where(deltas < 0, ~(deltas << 1), deltas << 1)
    width = 1
    while (value >> (5 * width)).any():
        width += 1
    shifts = 5 * np.arange(width, dtype=np.int64)
    count = 1 + ((value[:, None] >> shifts[1:]) > 0).sum(axis=1)  # characters per value
    place = np.arange(width)
    chars = ((value[:, None] >> shifts) & 0x1F) + 0x20 * (place < count[:, None] - 1) + 63
    return chars[place < count[:, None]].astype(np.uint8).tobytes().decode("ascii")


class Topology:
    """The rings and lines of a page's shape layers, to be sent as shared arcs.

    :meth:`geometry` gives a feature's ``g`` with an empty list standing for each ring or line;
    :meth:`arcs` fills those lists with arc references and returns the document's ``arcs`` field.
    """

    def __init__(self, decimals: int) -> None:
        self.decimals = decimals
        self._paths: list[np.ndarray] = []
        self._refs: list[list[int]] = []
        self._done: dict[bytes, list] = {}  # a shape drawn again (a province for each event in it) is cut once
        self._same: dict[int, tuple] = {}

    def _path(self, coords) -> list[int]:
        ref: list[int] = []
        self._paths.append(quantise(coords, self.decimals))
        self._refs.append(ref)
        return ref

    def geometry(self, geom) -> list:
        """``[[kind, [ring or line, ...]], ...]`` as :func:`bordermap.pagedata.encode_geometry`, with each
        ring or line an arc-reference list (filled by :meth:`arcs`); a point stays an encoded polyline.
        The same shape again gives the same lists: its paths would cut into the same arcs."""
        if id(geom) in self._same:  # the very object again (kept alive, so its id stays its own)
            return self._same[id(geom)][1]
        key = geom.wkb
        if key not in self._done:
            self._done[key] = self._geometry(geom)
        self._same[id(geom)] = (geom, self._done[key])
        return self._done[key]

    def _geometry(self, geom) -> list:
        import shapely

        out: list[Any] = []
        for part in shapely.get_parts(geom):
            kind = part.geom_type
            if kind == "Polygon":
                rings = [part.exterior, *part.interiors]
                out.append([0, [self._path(shapely.get_coordinates(r)) for r in rings]])
            elif kind == "LineString":
                out.append([1, [self._path(shapely.get_coordinates(part))]])
            elif kind == "Point":
                out.append([2, [polyline(quantise(shapely.get_coordinates(part), self.decimals))]])
            else:  # a collection left by a repair: what it holds
                out.extend(self._geometry(part))
        return out

    def _cuts(self) -> list[np.ndarray]:
        """Per path, which vertices end an arc: its first and last, and every junction."""
        keys = [p[:, 0] * _SHIFT + p[:, 1] for p in self._paths]
        ends = np.concatenate([k[[0, -1]] for k in keys])
        inner = [(k[1:-1], np.minimum(k[:-2], k[2:]), np.maximum(k[:-2], k[2:])) for k in keys if k.size > 2]
        if inner:
            import pandas as pd

            # a vertex is a junction where its paths part: it has more than one distinct pair of neighbours
            # (hashed, not sorted: the uncertainty circles of 100k events are millions of vertices)
            triples = pd.DataFrame(dict(zip("vab", (np.concatenate(c) for c in zip(*inner))))).drop_duplicates()
            count = triples["v"].value_counts(sort=False)
            junctions = np.union1d(count.index[count.to_numpy() > 1].to_numpy(), ends)
        else:
            junctions = np.unique(ends)
        cut = np.isin(np.concatenate(keys), junctions)  # one pass over every path, not one per path
        out = np.split(cut, np.cumsum([k.size for k in keys])[:-1])
        for c in out:
            c[[0, -1]] = True
        return out

    def arcs(self) -> dict | None:
        """Fill every ring's and line's arc references; the document's ``arcs`` (None when there are none):
        ``n`` the number of vertices of each arc (a column), ``p`` every arc's vertices, arc after arc, as
        one encoded polyline."""
        if not self._paths:
            return None
        index: dict[bytes, int] = {}
        stored: list[np.ndarray] = []
        for path, ref, cut in zip(self._paths, self._refs, self._cuts()):
            at = np.flatnonzero(cut)
            for a, b in zip(at[:-1], at[1:]):
                piece = path[a:b + 1]
                key = piece.tobytes()
                if key in index:
                    ref.append(index[key])
                    continue
                back = piece[::-1].tobytes()
                if back in index:
                    ref.append(~index[back])
                    continue
                index[key] = len(stored)
                stored.append(piece)
                ref.append(index[key])
            if len(at) == 1:  # a one-vertex path
                piece = path[:1]
                key = piece.tobytes()
                if key not in index:
                    index[key] = len(stored)
                    stored.append(piece)
                ref.append(index[key])
        return {"n": columns.pack([len(p) for p in stored]), "p": polyline(np.concatenate(stored))}


def read_arcs(arcs: dict) -> list[np.ndarray]:
    """The document's ``arcs`` back as one (lat, lon) integer array per arc; the page does the same."""
    counts = columns.read(arcs["n"])
    points = np.cumsum(np.asarray(columns.polyline_values(arcs["p"]), dtype=np.int64).reshape(-1, 2), axis=0)
    return np.split(points, np.cumsum(counts)[:-1])


def ring(refs: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """A ring's or line's arc references -> its (lat, lon) integer vertices."""
    parts = []
    for n, r in enumerate(refs):
        piece = arcs[r] if r >= 0 else arcs[~r][::-1]
        parts.append(piece if n == 0 else piece[1:])
    return np.concatenate(parts)
