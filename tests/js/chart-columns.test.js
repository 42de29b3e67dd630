"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "10-decode.js", "42-chart.js");

// Items as objects, and the same items as bm.decode gives them: an array with .columns (category as an index
// into shared lists, days as ordinals past an epoch, 0 for undated) that the chart counts from.
const ITEMS = [
  {id: "a", category: ["Attack"], start: "2022-01-05", end: "2022-01-05", f: [2, 1, 3]},
  {id: "b", category: ["Raid"], start: "2022-01-20", end: "2022-03-10", f: null},
  {id: "c", category: ["Attack"], start: "", end: "", f: null},
  {id: "d", category: ["Other"], start: "2022-02-02", end: "2022-02-02", f: null},
  {id: "e", category: ["Raid"], start: "2022-02-01", end: "2022-02-28", f: [0, 0, 0]},
];

function decoded(items) {
  const ord = (iso) => Date.parse(iso + "T00:00:00Z") / 86400000 + 719163, epoch = 738000;
  const lists = [["Attack"], ["Raid"], ["Other"]];
  const f = new Int32Array(3 * items.length).fill(-1);
  items.forEach((it, i) => { if (it.f) { f.set(it.f, 3 * i); } });
  const out = items.map((it) => ({id: it.id, f: it.f, get category() { throw new Error("read from the columns"); },
                                  get start() { throw new Error("read from the columns"); }}));
  out.columns = {len: items.length, lists, epoch, f,
                 category: Int32Array.from(items, (it) => lists.findIndex((l) => l[0] === it.category[0])),
                 s: Int32Array.from(items, (it) => (it.start ? ord(it.start) - epoch : 0)),
                 e: Int32Array.from(items, (it) => (it.start ? ord(it.end) - ord(it.start) : 0))};
  return out;
}

test("the chart counts bm.decode's columns as it counts items", () => {
  const months = [["01", 31], ["02", 28], ["03", 31]].map(([m, last]) =>
    ({label: m, start: `2022-${m}-01`, end: `2022-${m}-${last}`}));
  const bins = bm.chart.bins(months), columnar = decoded(ITEMS);
  for (const keep of [() => true, (it) => it.id !== "a", (it) => it.id === "b"]) {
    const want = bm.chart.count(ITEMS, keep, bins, ["Attack", "Raid"]);
    const got = bm.chart.count(columnar, keep, bins, ["Attack", "Raid"]);
    assert.deepEqual(plain(got), plain(want));
  }
  assert.equal(bm.chart.count(columnar, () => true, bins, ["Attack", "Raid"]).undated, 1);
});

test("the chart's months are found from the columns as from the items", () => {
  const months = ["2021-12", "2022-01", "2022-02", "2022-03", "2022-04"].map((m) =>
    ({label: m, start: `${m}-01`, end: `${m}-28`}));
  for (const cats of [["Attack", "Raid"], ["Attack"], ["Raid"], ["Other"], ["None"]]) {
    assert.deepEqual(plain(bm.chart.span(decoded(ITEMS), months, cats)), plain(bm.chart.span(ITEMS, months, cats)));
  }
  assert.deepEqual(plain(bm.chart.span(decoded(ITEMS), months, ["Raid"])), [1, 3]);  // 20 January to 10 March
});
