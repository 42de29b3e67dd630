"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "45-list.js");
const win = bm.listWindow;

// A small deterministic generator, so that the cases are many but the same each run.
function random(seed) {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
}

// The row a height falls in, the slow way: the last row whose top is at or above y.
function rowAt(tops, y) {
  let k = 0;
  for (let j = 0; j < tops.length; j++) { if (tops[j] <= y) { k = j; } }
  return k;
}

test("shown keeps the order's items that pass, and every item without a filter", () => {
  const order = Int32Array.from([3, 0, 4, 1, 2]), miss = Int8Array.from([-1, 2, -1, -2, -1]), out = new Int32Array(5);
  assert.equal(win.shown(order, miss, out), 3);
  assert.deepEqual([...out.subarray(0, 3)], [...order].filter((i) => miss[i] === -1));
  assert.equal(win.shown(order, null, out), 5);
  assert.deepEqual([...out], [...order]);
});

test("offsets add measured heights and the guess for rows not yet measured", () => {
  const shown = Int32Array.from([2, 0, 1]), heights = Float32Array.from([30, 0, 55.5]);
  const out = win.offsets(shown, 3, heights, 40, new Float64Array(4));
  assert.deepEqual([...out], [0, 55.5, 55.5 + 30, 55.5 + 30 + 40]);
  // only the first `size` rows count
  assert.deepEqual([...win.offsets(shown, 1, heights, 40, new Float64Array(4)).subarray(0, 2)], [0, 55.5]);
});

test("at finds the row under a height, clamped to the rows there are", () => {
  const next = random(7);
  for (let round = 0; round < 50; round++) {
    const size = 1 + Math.floor(next() * 200), heights = new Float32Array(size), shown = new Int32Array(size);
    for (let k = 0; k < size; k++) { shown[k] = k; heights[k] = next() < 0.3 ? 0 : 20 + Math.floor(next() * 80); }
    const offsets = win.offsets(shown, size, heights, 47, new Float64Array(size + 1)), tops = [...offsets.subarray(0, size)];
    for (let probe = 0; probe < 20; probe++) {
      const y = next() * offsets[size];
      assert.equal(win.at(offsets, size, y), rowAt(tops, y));
    }
    assert.equal(win.at(offsets, size, -100), 0);
    assert.equal(win.at(offsets, size, offsets[size] + 100), size - 1);
    assert.equal(win.at(offsets, size, offsets[size - 1]), size - 1);  // a row's own top is in it
  }
  assert.equal(win.at(new Float64Array(1), 0, 10), -1);
});

test("range covers the view with the overscan, and the last row when the view reaches the end", () => {
  const size = 1000, shown = new Int32Array(size), heights = new Float32Array(size);
  for (let k = 0; k < size; k++) { shown[k] = k; heights[k] = k % 3 ? 50 : 90; }  // rows of two heights
  const offsets = win.offsets(shown, size, heights, 0, new Float64Array(size + 1));
  const top = offsets[500] + 10, bottom = top + 800;
  const [first, last] = win.range(offsets, size, top, bottom, 6);
  assert.equal(first, 500 - 6);
  assert.equal(last, rowAt([...offsets.subarray(0, size)], bottom - 0.5) + 6);
  assert.ok(offsets[first + 6] <= top && offsets[last - 6 + 1] >= bottom);  // no gap in the view
  assert.equal(win.range(offsets, size, offsets[size] - 300, offsets[size], 6)[1], size - 1);
  assert.deepEqual(plain(win.range(offsets, size, -500, -100, 6)), [0, 6]);  // the list below the view: its first rows
  assert.deepEqual(plain(win.range(offsets, 0, 0, 100, 6)), [0, -1]);
  assert.ok(last - first + 1 <= 800 / 50 + 1 + 12 + 1);  // a bound that holds for 100k rows as for 1000
});

test("nearest scrolls a row into the view by the least, its top first when it is taller", () => {
  assert.equal(win.nearest(100, 150, 0, 500), 0);
  assert.equal(win.nearest(480, 530, 0, 500), 30);
  assert.equal(win.nearest(-40, 10, 0, 500), -40);
  assert.equal(win.nearest(100, 900, 200, 500), -100);  // taller than the view: its top comes into the view
  assert.equal(win.nearest(600, 1400, 0, 500), 600);
});

test("dateIndex sorts by start day, then title, undated last, on objects and on columns alike", () => {
  const items = [
    {title: "b", start: "2021-02-01"}, {title: "undated", start: ""}, {title: "a", start: "2021-02-01"},
    {title: "z", start: "2020-12-31"}, {title: "a", start: ""},
  ];
  const want = items.map((it, i) => i).sort((i, j) => bm.byDate(items[i], items[j]) || i - j);
  assert.deepEqual([...bm.dateIndex(items)], want);
  assert.deepEqual(plain([...bm.dateIndex(items)].map((i) => items[i].title)), ["z", "a", "b", "a", "undated"]);
  // the same items as columns: day numbers past an epoch (0: undated), titles as indexes into the strings
  const epoch = 737000, day = (iso) => Date.parse(iso + "T00:00:00Z") / 86400000 + 719163 - epoch;
  const columnsOf = (list, s) => {
    const strings = [...new Set(list.map((it) => it.title))].reverse();  // not in the items' order
    return {s: Int32Array.from(list.map(s)), t: Int32Array.from(list.map((it) => strings.indexOf(it.title))), strings};
  };
  const columnar = items.map((it) => ({}));
  columnar.columns = columnsOf(items, (it) => (it.start ? day(it.start) : 0));
  assert.deepEqual([...bm.dateIndex(columnar)], want);  // counted by day
  columnar.columns = columnsOf(items, (it) => (it.start ? day(it.start) + epoch : 0));
  assert.deepEqual([...bm.dateIndex(columnar)], want);  // days too far apart to count: sorted
  const many = Array.from({length: 500}, (_, i) => ({title: "t" + ((i * 7919) % 500), start: i % 11 ? "2021-0" + (1 + (i % 9)) + "-15" : ""}));
  const manyWant = many.map((it, i) => i).sort((i, j) => bm.byDate(many[i], many[j]) || i - j);
  const manyCols = many.map((it) => ({}));
  manyCols.columns = columnsOf(many, (it) => (it.start ? day(it.start) : 0));
  assert.deepEqual([...bm.dateIndex(manyCols)], manyWant);
  assert.deepEqual(plain(bm.dateOrder(items).map((it) => it.title)), want.map((i) => items[i].title));
});

test("a list taller than the DOM holds maps the view's top linearly onto the whole list, and back", () => {
  const total = 6e6, cap = 2e5, h = 800;
  assert.equal(win.toList(12345, 1e5, cap, h), 12345);  // short enough: the same heights
  assert.equal(win.toDom(12345, 1e5, cap, h), 12345);
  assert.equal(win.toList(0, total, cap, h), 0);
  assert.equal(win.toList(cap - h, total, cap, h), total - h);  // the DOM's last view is the list's last view
  assert.equal(win.toList(-300, total, cap, h), -300);  // the list's top still below the view's top
  assert.equal(win.toList(cap + 50, total, cap, h), total + 50);  // past the list's end
  let before = -Infinity;
  for (let v = -1000; v <= cap + 1000; v += 997) {
    const y = win.toList(v, total, cap, h);
    assert.ok(y > before);  // further down the DOM is further down the list
    assert.ok(Math.abs(win.toDom(y, total, cap, h) - v) < 1e-6, String(v));
    before = y;
  }
});
