"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "55-search.js");
const PLACES = [["Quetta", "Town", "Balochistan", 67, 30.2, 67, 30.2, []],
                ["Kech", "District", "Balochistan", 61, 25.5, 64, 27, ["Turbat"]],
                ["Balochistan", "Province", "Pakistan", 60, 24, 70, 32, ["Baluchistan"]],
                ["Zhōb", "District", "Balochistan", 69, 31, 70, 32, []]];
const ITEMS = [{id: "x", title: "Bombing at the Serena Hotel, Quetta", category: ["Attack"], date: "April 2021",
                where: "Quetta"}];
const index = bm.search.index(PLACES, ITEMS, ["Tehrik-i-Taliban Pakistan (TTP)"]);

test("exact beats prefix beats word start beats anywhere", () => {
  const entry = {keys: ["quetta"]};
  assert.equal(bm.search.score(entry, "quetta"), 0);
  assert.equal(bm.search.score(entry, "quet"), 1);
  assert.equal(bm.search.score({keys: ["serena hotel"]}, "hotel"), 2);
  assert.equal(bm.search.score(entry, "uett"), 3);
  assert.equal(bm.search.score(entry, "kabul"), 9);
  assert.equal(bm.search.score({keys: ["kech", "turbat"]}, "turbat"), 0.5);  // an alias
});

test("rank puts the town before the event at the town, and finds aliases and accents", () => {
  const hits = bm.search.rank(index, "Quetta");
  assert.deepEqual(hits.map((h) => h.label), ["Quetta", "Bombing at the Serena Hotel, Quetta"]);
  assert.equal(bm.search.rank(index, "turbat")[0].label, "Kech");
  assert.equal(bm.search.rank(index, "zhob")[0].label, "Zhōb");
  assert.equal(bm.search.rank(index, "TTP")[0].actor, "Tehrik-i-Taliban Pakistan (TTP)");
});

test("fewer than two characters find nothing; the limit holds", () => {
  assert.deepEqual(plain(bm.search.rank(index, "q")), []);
  assert.deepEqual(plain(bm.search.rank(index, "  ")), []);
  assert.equal(bm.search.rank(index, "a", 8).length, 0);
  assert.equal(bm.search.rank(index, "ba", 1).length, 1);
});

test("on a tie, the item at a place comes before the bare place of the same name", () => {
  const items = [{id: "q", title: "Quetta", category: ["Place"], date: "", where: "Quetta"}];
  const hits = bm.search.rank(bm.search.index(PLACES, items, []), "quetta");
  assert.equal(hits[0].item.id, "q");
  assert.equal(hits[1].label, "Quetta");
  assert.equal(hits[1].item, undefined);
});
