"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load} = require("./load.js");

const bm = load("00-core.js", "24-cluster.js");
const C = bm.cluster;

// n points in zoom-0 pixels from a small seeded generator (the same every run)
function points(n, seed) {
  let s = seed;
  const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) { x[i] = 170 + 6 * rand(); y[i] = 100 + 4 * rand(); }
  return {x, y};
}

// The cell of a point at a zoom, straight from the grid's definition: CELL screen pixels a side.
function cellOf(x, y, zoom) {
  const side = 256 * 2 ** zoom / C.CELL;
  return [Math.floor(x * side / 256), Math.floor(y * side / 256)];
}

test("a cell's code gives back its column and row at every zoom", () => {
  const {x, y} = points(200, 7);
  for (let i = 0; i < x.length; i++) {
    for (const zoom of [0, 3, 9, C.TOP]) {
      const code = C.code(x[i], y[i]) >>> (2 * (C.TOP - zoom));
      assert.deepEqual([...C.cell(code)], cellOf(x[i], y[i], zoom));
    }
  }
});

test("each cell counts exactly the shown points inside it, at every zoom", () => {
  const {x, y} = points(3000, 11), ix = C.index(x, y);
  const mask = new Uint8Array(x.length).map((_, i) => (i % 3 ? 1 : 0));
  for (const zoom of [0, 4, 7, 10, C.TOP]) {
    const cells = C.cells(ix, mask, zoom), expected = new Map();
    for (let i = 0; i < x.length; i++) {
      if (!mask[i]) { continue; }
      const key = cellOf(x[i], y[i], zoom).join(",");
      expected.set(key, (expected.get(key) || 0) + 1);
    }
    const got = new Map();
    for (let c = 0; c < cells.count.length; c++) {
      const key = [...C.cell(cells.code[c])].join(",");
      assert.ok(!got.has(key), "one entry per cell");
      got.set(key, cells.count[c]);
    }
    assert.deepEqual([...got.entries()].sort(), [...expected.entries()].sort());
  }
});

test("a cell's position is its members' mean, its bounds theirs, and a lone point is named", () => {
  const x = Float64Array.from([10.1, 10.3, 10.2, 200]), y = Float64Array.from([20.1, 20.4, 20.2, 30]);
  const cells = C.cells(C.index(x, y), Uint8Array.from([1, 1, 0, 1]), 3);
  const two = [...cells.count].indexOf(2), one = [...cells.count].indexOf(1);
  assert.equal(cells.count.length, 2);
  assert.ok(Math.abs(cells.x[two] - 10.2) < 1e-12 && Math.abs(cells.y[two] - 20.25) < 1e-12);
  assert.deepEqual([cells.minx[two], cells.maxx[two], cells.miny[two], cells.maxy[two]], [10.1, 10.3, 20.1, 20.4]);
  assert.equal(cells.one[one], 3);
});

test("the worker's side answers a zoom with that zoom's cells for the last mask it was sent", () => {
  const {x, y} = points(500, 3), sent = [], scope = {postMessage: (m) => sent.push(m)};
  C.serve(scope);
  scope.onmessage({data: {x, y}});
  scope.onmessage({data: {gen: 1, zoom: 5}});  // no mask yet: nothing to answer
  assert.equal(sent.length, 0);
  scope.onmessage({data: {gen: 2, zoom: 5, mask: new Uint8Array(500).fill(1)}});
  scope.onmessage({data: {gen: 3, zoom: 12}});
  const mask = new Uint8Array(500); mask[4] = mask[9] = 1;
  scope.onmessage({data: {gen: 4, zoom: 12, mask}});
  assert.deepEqual(sent.map((m) => [m.gen, m.zoom]), [[2, 5], [3, 12], [4, 12]]);
  const total = (m) => m.cells.count.reduce((a, b) => a + b, 0);
  assert.deepEqual(sent.map(total), [500, 500, 2]);
});

test("the worker's source is this module's clusterer", () => {
  const made = new Function("self", C.source.replace(".serve(self);", ".serve(self); return true;"));
  const scope = {postMessage: () => {}};
  assert.equal(made(scope), true);
  assert.equal(typeof scope.onmessage, "function");
});

test("the zoom from which a point stands alone is one past the deepest zoom where it shares a cell", () => {
  const {x, y} = points(400, 5), ix = C.index(x, y), mask = new Uint8Array(400).fill(1);
  mask[5] = 0;  // a hidden point never keeps another company
  for (const j of [0, 17, 123, 399]) {
    const z = C.aloneFrom(x, y, mask, j), alone = (zoom) => {
      const cells = C.cells(ix, mask, zoom), c = [...cells.code].indexOf(C.code(x[j], y[j]) >>> (2 * (C.TOP - zoom)));
      return cells.count[c] === 1;
    };
    if (z <= C.TOP) { assert.ok(alone(z), `alone at ${z}`); }
    if (z > 0) { assert.ok(!alone(z - 1), `not alone at ${z - 1}`); }
  }
});
