"""Shared arcs: polygons and lines that draw the same border send it once, and every ring decodes, in Python
and in the page script, to exactly the vertices its own encoded polyline gave before (same grid, same order)."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely

from bordermap import pagedata, topology
from bordermap.build import _assemble
from bordermap.layers import ImageLayer, MarkerLayer

NODE = shutil.which("node") or shutil.which("nodejs")
LOAD_JS = Path(__file__).parent / "js" / "load.js"


def _rings_of(geom) -> list[list[tuple[float, float]]]:
    """Every ring, line and point of a geometry as the page drew them before shared arcs: each its own
    encoded polyline, decoded."""
    return [pagedata.decode_line(text) for _, texts in pagedata.encode_geometry(geom) for text in texts]


def _shape_layers(layers) -> list:
    return [layer for layer in layers if not isinstance(layer, (ImageLayer, MarkerLayer)) and not layer.labels]


def _expected(layers) -> dict[str, list]:
    """Per shape layer, per drawn feature, its rings as before."""
    out = {}
    for layer in _shape_layers(layers):
        out[layer.name] = [_rings_of(g) for g in layer.frame.geometry.values if g is not None and not g.is_empty]
    return out


def _decoded(doc) -> dict[str, list]:
    """Per shape layer, per feature, its rings as pagedata reads them from the document."""
    ring = pagedata._rings(doc)
    return {layer["name"]: [[ring(r) for _, rings in f["g"] for r in rings] for f in layer["features"]]
            for layer in doc["layers"] if layer["kind"] == "shapes"}


def _node_rings(doc, tmp_path) -> dict[str, list]:
    """The same as the page script reads it: bm.decode, then data.ring for every ring (as [lat, lng])."""
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    script = f"""
      const {{load}} = require({json.dumps(str(LOAD_JS))});
      const bm = load("00-core.js", "10-decode.js");
      const data = bm.decode(JSON.parse(require("fs").readFileSync({json.dumps(str(path))}, "utf8")));
      const out = {{}};
      data.layers.filter(l => l.kind === "shapes").forEach(l => {{
        out[l.name] = l.features.map(f => [].concat(...f.g.map(p => p[1].map(r => data.ring(r)))));
      }});
      console.log(JSON.stringify(out));
    """
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(proc.stdout)


@pytest.fixture(scope="module", params=[(None, None), ("pak-afghan-border", "district")],
                ids=["default map", "district aggregate"])
def assembled(request):
    recipe, level = request.param
    a = _assemble(recipe, (), (), None, aggregate=level)
    return a, pagedata.document(a.layers, a.recipe, a.bounds)


def test_every_ring_decodes_to_the_vertices_it_had_before(assembled):
    a, doc = assembled
    want, got = _expected(a.layers), _decoded(doc)
    assert set(got) == set(want) and len(want) >= 8
    for name in want:
        assert got[name] == want[name], name
    # decode() builds the same shapes from them
    page = pagedata.decode(doc)
    for layer in _shape_layers(a.layers):
        geoms = [g for g in layer.frame.geometry.values if g is not None and not g.is_empty]
        for f, g in zip(page.layers[layer.name].features, geoms):
            assert [list(r) for r in _rings_of(f.geometry)] == [list(r) for r in _rings_of(g)]


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_page_script_reads_the_same_rings(assembled, tmp_path):
    a, doc = assembled
    got, want = _node_rings(doc, tmp_path), _expected(a.layers)
    assert got == {name: [[[[lat, lon] for lon, lat in ring] for ring in rings] for rings in feats]
                   for name, feats in want.items()}


def test_shared_borders_are_sent_once(assembled):
    """The arcs hold far fewer vertices than the rings drawn, and shared arcs are referred to more than once."""
    a, doc = assembled
    arcs = topology.read_arcs(doc["arcs"])
    drawn = sum(len(r) for feats in _expected(a.layers).values() for rings in feats for r in rings)
    refs = [r for layer in doc["layers"] if layer["kind"] == "shapes" for f in layer["features"]
            for _, rings in f["g"] for ring in rings if not isinstance(ring, str) for r in ring]
    used = {r if r >= 0 else ~r for r in refs}
    assert used == set(range(len(arcs)))  # no arc is unused
    assert sum(len(x) for x in arcs) < 0.5 * drawn
    assert len(refs) > len(used)


def _grid(*points):
    return [(x / 1e5, y / 1e5) for x, y in points]


def test_two_squares_share_their_common_side_walked_both_ways():
    left = shapely.Polygon(_grid((0, 0), (10, 0), (10, 5), (10, 10), (0, 10), (0, 0)))
    right = shapely.Polygon(_grid((10, 5), (10, 0), (20, 0), (20, 10), (10, 10), (10, 5)))  # starts mid-side
    topo = topology.Topology(5)
    g = [topo.geometry(left), topo.geometry(right)]
    arcs = topology.read_arcs(topo.arcs())
    (ring_l,), (ring_r,) = g[0][0][1], g[1][0][1]
    # the common side is cut where the right square starts: two arcs, forwards in one ring, backwards in the other
    shared = set(ring_l) & {~r for r in ring_r}
    assert len(shared) == 2 and len(arcs) == 5
    for geom, ring in ((left, ring_l), (right, ring_r)):
        want = [(round(y * 1e5), round(x * 1e5)) for x, y in geom.exterior.coords]
        assert [tuple(p) for p in topology.ring(ring, arcs).tolist()] == want


def test_holes_lines_points_and_repeated_vertices_come_back_exactly():
    square = shapely.Polygon(_grid((0, 0), (10, 0), (10, 10), (0, 10), (0, 0)),
                             [_grid((2, 2), (2, 4), (4, 4), (4, 4), (4, 2), (2, 2))])
    edge = shapely.LineString(_grid((10, 0), (10, 10)))  # lies on the square's side
    point = shapely.Point(0.00003, 0.00004)
    topo = topology.Topology(5)
    g = [topo.geometry(square), topo.geometry(edge), topo.geometry(shapely.MultiPolygon([square])),
         topo.geometry(point)]
    doc = {"arcs": topo.arcs(), "decimals": 5}
    ring = pagedata._rings(doc)
    for geom, parts in zip((square, edge, square, point), g):
        assert [ring(r) for _, rings in parts for r in rings] == _rings_of(geom)
    assert g[3] == [[2, [pagedata.encode_line(point.coords)]]]
    assert g[1][0][1][0] == [g[0][0][1][0][1]]  # the line is the square's side: the same arc
    assert g[2] == g[0]  # the same polygon again refers to the same arcs


def test_a_page_with_no_polygons_or_lines_has_no_arcs():
    assert topology.Topology(5).arcs() is None


def _polyline_one_by_one(points) -> str:
    """Google's encoded polyline, a value at a time, as its description reads."""
    out, last = [], (0, 0)
    for point in np.asarray(points, dtype=np.int64).tolist():
        for value in (point[0] - last[0], point[1] - last[1]):
            value = ~(value << 1) if value < 0 else value << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        last = point
    return "".join(out)


@pytest.mark.parametrize("scale", [1, 16, 17, 1000, 36_000_000, 2 ** 40])
def test_the_column_wise_polyline_is_the_one_by_one_encoding(scale):
    rng = np.random.default_rng(scale)
    for n in (0, 1, 2, 7, 500):
        points = rng.integers(-scale, scale + 1, size=(n, 2))
        assert topology.polyline(points) == _polyline_one_by_one(points)
    assert topology.polyline(np.array([[3850000, -12020000], [4070000, -12095000], [4325200, -12645300]])) == \
        "_p~iF~ps|U_ulLnnqC_mqNvxq`@"  # the example in Google's description of the format
