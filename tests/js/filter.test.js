"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "30-filter.js");
const FACETS = [["category", "Category"], ["actors", "Group or actor"]];
const MONTHS = [{start: "2021-01-01", end: "2021-01-31"}, {start: "2021-02-01", end: "2021-02-28"},
                {start: "2021-03-01", end: "2021-03-31"}];
const ITEMS = [
  {id: "a", category: ["Attack"], actors: ["TTP"], start: "2021-01-05", end: "2021-01-05"},
  {id: "b", category: ["Raid"], actors: ["TTP", "BLA"], start: "2021-02-01", end: "2021-03-31"},
  {id: "c", category: ["Attack"], actors: ["BLA"], start: "", end: ""},
];

function state(facets, from, to) {
  const s = bm.filter.emptyState(FACETS, MONTHS);
  for (const [k, values] of Object.entries(facets || {})) { values.forEach((v) => s.facets[k].add(v)); }
  if (from !== undefined) { s.from = from; s.to = to; }
  return s;
}

test("with no filter every item passes", () => {
  const r = bm.filter.run(ITEMS, state(), FACETS, MONTHS);
  assert.deepEqual([...r.visible].sort(), ["a", "b", "c"]);
});

test("values of one facet are OR, facets are AND", () => {
  let r = bm.filter.run(ITEMS, state({actors: ["BLA"]}), FACETS, MONTHS);
  assert.deepEqual([...r.visible].sort(), ["b", "c"]);
  r = bm.filter.run(ITEMS, state({actors: ["BLA"], category: ["Attack"]}), FACETS, MONTHS);
  assert.deepEqual([...r.visible], ["c"]);
  r = bm.filter.run(ITEMS, state({category: ["Attack", "Raid"]}), FACETS, MONTHS);
  assert.equal(r.visible.size, 3);
});

test("the time span keeps items that overlap it and every undated item", () => {
  const r = bm.filter.run(ITEMS, state({}, 2, 2), FACETS, MONTHS);  // March only
  assert.deepEqual([...r.visible].sort(), ["b", "c"]);
  const reversed = bm.filter.run(ITEMS, state({}, 1, 0), FACETS, MONTHS);  // sliders crossed: Jan–Feb
  assert.deepEqual([...reversed.visible].sort(), ["a", "b", "c"]);
});

test("live counts of a facet ignore that facet's own choice but obey the others", () => {
  const s = state({category: ["Attack"]});
  const r = bm.filter.run(ITEMS, s, FACETS, MONTHS);
  const counts = bm.filter.counts(ITEMS, r.miss, FACETS);
  // category counts: the actor filter is empty, so every item counts in its own category
  assert.deepEqual({...counts[0]}, {Attack: 2, Raid: 1});
  // actor counts: only the items passing the category filter (a, c)
  assert.deepEqual({...counts[1]}, {TTP: 1, BLA: 1});
});

test("facet values come most frequent first, ties by name", () => {
  assert.deepEqual(plain(bm.filter.values(ITEMS, "actors")), ["BLA", "TTP"]);
  assert.deepEqual(plain(bm.filter.values(ITEMS, "category")), ["Attack", "Raid"]);
});

// ITEMS as bm.decode's columns: facet values as indexes into shared lists, days as ordinals past an epoch.
function columnsOf(items) {
  const lists = [], key = new Map(), ord = (iso) => Date.parse(iso + "T00:00:00Z") / 86400000 + 719163;
  const list = (values) => {
    const k = JSON.stringify(values);
    if (!key.has(k)) { key.set(k, lists.length); lists.push(values); }
    return key.get(k);
  };
  const epoch = 737000;
  return {len: items.length, ids: items.map((it) => it.id), lists, epoch,
          category: Int32Array.from(items, (it) => list(it.category)),
          actors: Int32Array.from(items, (it) => list(it.actors)),
          s: Int32Array.from(items, (it) => (it.start ? ord(it.start) - epoch : 0)),
          e: Int32Array.from(items, (it) => (it.start ? ord(it.end) - ord(it.start) : 0))};
}

test("filtering the columns gives what filtering the items gives, counts and values too", () => {
  const columnar = ITEMS.slice();
  columnar.columns = columnsOf(ITEMS);
  const states = [state(), state({category: ["Attack"]}), state({actors: ["BLA"]}, 1, 2),
                  state({category: ["Raid"], actors: ["TTP"]}), state({category: ["Attack"], actors: ["TTP"]}, 0, 0),
                  state({}, 2, 0)];
  for (const s of states) {
    const want = bm.filter.run(ITEMS, s, FACETS, MONTHS), got = bm.filter.run(columnar, s, FACETS, MONTHS);
    assert.deepEqual([...got.visible].sort(), [...want.visible].sort());
    assert.equal(got.visible.size, want.visible.size);
    for (const it of ITEMS.concat([{id: "none"}])) { assert.equal(got.visible.has(it.id), want.visible.has(it.id)); }
    assert.deepEqual([...got.visible.mask], ITEMS.map((it) => (want.visible.has(it.id) ? 1 : 0)));
    assert.deepEqual([...got.miss], [...want.miss]);
    assert.deepEqual(plain(bm.filter.counts(columnar, got.miss, FACETS)), plain(bm.filter.counts(ITEMS, want.miss, FACETS)));
  }
  for (const [k] of FACETS) { assert.deepEqual(plain(bm.filter.values(columnar, k)), plain(bm.filter.values(ITEMS, k))); }
});
