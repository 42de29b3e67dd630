"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "42-chart.js", "43-playback.js");

function months(first, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const y = first + Math.floor(i / 12), m = i % 12 + 1, last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const mm = String(m).padStart(2, "0");
    out.push({label: `${mm}/${y}`, start: `${y}-${mm}-01`, end: `${y}-${mm}-${last}`});
  }
  return out;
}

test("one bar a month over short spans, one a year over long ones, each naming its months", () => {
  assert.equal(bm.chart.bins(months(2021, 36)).length, 36);
  const years = bm.chart.bins(months(2015, 120));
  assert.deepEqual(plain(years.map((b) => [b.label, b.from, b.to, b.start, b.end]))[3], ["2018", 36, 47, "2018-01-01", "2018-12-31"]);
  assert.equal(years.length, 10);
});

test("the chart covers the months of the items it draws, not those of every record, and keeps the sliders' indexes", () => {
  const all = months(1979, 45 * 12);  // a movement record from 1979 stretches the time span
  const items = [
    {id: "move", category: ["Cross-border movement"], start: "1979-01-01", end: "1986-12-31"},
    {id: "a", category: ["Attack"], start: "2021-08-15", end: "2021-08-15"},
    {id: "b", category: ["Raid"], start: "2023-01-01", end: "2023-03-31"},
    {id: "undated", category: ["Attack"], start: "", end: ""},
  ];
  const [first, last] = bm.chart.span(items, all, ["Attack", "Raid"]);
  assert.deepEqual([all[first].start, all[last].end], ["2021-08-01", "2023-03-31"]);
  const bins = bm.chart.bins(all, first, last);
  assert.equal(bins.length, last - first + 1);  // 20 months: one bar each, not one a year
  assert.deepEqual([bins[0].from, bins[bins.length - 1].to], [first, last]);
  assert.deepEqual(plain(bm.chart.span(items, all, ["Diplomatic event"])), [0, -1]);
});

test("a day or a month inside one bar counts whole; a year or a range is spread over its bars by days", () => {
  const bins = bm.chart.bins(months(2021, 12));
  const items = [
    {id: "d", category: ["Attack"], start: "2021-03-05", end: "2021-03-05", f: [4, 2, 9]},
    {id: "m", category: ["Raid"], start: "2021-03-01", end: "2021-03-31"},
    {id: "y", category: ["Attack"], start: "2021-01-01", end: "2021-12-31", f: [365, 365, 730]},
    {id: "r", category: ["Raid"], start: "2021-01-20", end: "2021-02-08"},  // 12 days in Jan, 8 in Feb
    {id: "u", category: ["Raid"], start: "", end: ""},
    {id: "a", category: ["Group area"], start: "2021-03-01", end: "2021-03-31"},
  ];
  const r = bm.chart.count(items, () => true, bins, ["Attack", "Raid"]);
  assert.deepEqual(plain(r.bins[2].exact), {Attack: 1, Raid: 1});
  assert.ok(Math.abs(r.bins[2].spread.Attack - 31 / 365) < 1e-12);
  assert.ok(Math.abs(r.bins[0].spread.Raid - 12 / 20) < 1e-12 && Math.abs(r.bins[1].spread.Raid - 8 / 20) < 1e-12);
  const total = r.bins.reduce((s, b) => s + b.total, 0);
  assert.ok(Math.abs(total - 4) < 1e-9);  // every dated event counted once in all, the area not at all
  assert.equal(r.undated, 1);
  assert.ok(r.hasF);
  assert.ok(Math.abs(r.bins[2].f[0] - (4 + 31)) < 1e-9 && Math.abs(r.bins[2].f[2] - (9 + 62)) < 1e-9);
});

test("only the items the filter keeps are counted", () => {
  const bins = bm.chart.bins(months(2021, 2));
  const items = [{id: "a", category: ["Attack"], start: "2021-01-02", end: "2021-01-02"},
                 {id: "b", category: ["Attack"], start: "2021-01-03", end: "2021-01-03"}];
  const r = bm.chart.count(items, (it) => it.id === "b", bins, ["Attack"]);
  assert.equal(r.bins[0].exact.Attack, 1);
  assert.equal(r.hasF, false);
  assert.equal(bm.chart.fmt(2), "2");
  assert.equal(bm.chart.fmt(0.25), "0.3");
});

test("playback steps a window of the chosen length through the span and stops at its ends", () => {
  const next = bm.playback.next;
  assert.deepEqual(plain(next(0, 11, 3, 1, 11)), [0, 2]);  // the whole span becomes the first window
  assert.deepEqual(plain(next(0, 2, 3, 1, 11)), [1, 3]);
  assert.deepEqual(plain(next(4, 6, 3, -1, 11)), [3, 5]);
  assert.equal(next(9, 11, 3, 1, 11), null);
  assert.equal(next(0, 2, 3, -1, 11), null);
  assert.deepEqual(plain(next(10, 10, 3, 1, 11)), [9, 11]);  // a window never runs past the last month
  assert.deepEqual(plain(next(0, 0, 12, 1, 1)), [0, 1]);  // longer than the span: the span
  assert.equal(next(0, 1, 12, 1, 1), null);
});
