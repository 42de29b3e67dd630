"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "75-aggregate.js");
const ITEMS = [{id: "a", f: [2, 1, 3]}, {id: "b", f: null}, {id: "c", f: [5, 5, 5]}, {id: "d", f: [1, 0, 4]}];

test("delta-encoded members decode to item indexes", () => {
  assert.deepEqual(plain(bm.aggregate.members([0, 2, 1])), [0, 2, 3]);
});

test("a unit counts only its visible items, and sums their fatality ranges", () => {
  const units = [[0, 1, 2], [3]];
  const all = plain(bm.aggregate.recount(units, ITEMS, new Set(["a", "b", "c", "d"])));
  assert.deepEqual(all, [{count: 3, best: 7, low: 6, high: 8}, {count: 1, best: 1, low: 0, high: 4}]);
  const some = plain(bm.aggregate.recount(units, ITEMS, new Set(["b", "d"])));
  assert.deepEqual(some, [{count: 1, best: 0, low: 0, high: 0}, {count: 1, best: 1, low: 0, high: 4}]);
});

test("a value takes the first class whose upper break it does not exceed; zero has none", () => {
  const breaks = [1, 4, 10];
  assert.deepEqual([0, 1, 2, 4, 5, 10, 99].map((v) => bm.aggregate.classOf(v, breaks)), [-1, 0, 1, 1, 2, 2, 2]);
});

test("tooltip lines show the range only when it differs from the best figure", () => {
  assert.deepEqual(plain(bm.aggregate.tipLines({count: 1, best: 2, low: 2, high: 2})), ["1 event", "Fatalities: 2"]);
  assert.deepEqual(plain(bm.aggregate.tipLines({count: 2, best: 2, low: 1, high: 5})),
                   ["2 events", "Fatalities: 2 (range 1–5)"]);
});
