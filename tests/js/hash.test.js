"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "60-hash.js");
const KEYS = ["category", "actors"];

test("a full state survives encode then parse", () => {
  const state = {view: [30.1234, 66.5, 7], layers: ["Events and places", "Group areas"],
                 facets: {category: ["Attack"], actors: ["TTP", "Jaish ul-Adl (JA)"]},
                 from: "2021-04", to: "2022-01", item: "serena-hotel-bombing-2021"};
  const text = bm.hash.encode(state, KEYS);
  const back = bm.hash.parse("#" + text, KEYS);
  assert.deepEqual(JSON.parse(JSON.stringify(back)), state);
});

test("no layer on is written and read as an empty list, not as 'not recorded'", () => {
  const text = bm.hash.encode({view: null, layers: [], facets: {}, from: null, to: null, item: null}, KEYS);
  assert.equal(text, "layer=");
  assert.deepEqual(plain(bm.hash.parse(text, KEYS).layers), []);
  assert.equal(bm.hash.parse("item=x", KEYS).layers, null);
});

test("anything that is not a view state gives null; a broken view is ignored", () => {
  assert.equal(bm.hash.parse("", KEYS), null);
  assert.equal(bm.hash.parse("#section-2", KEYS), null);
  assert.equal(bm.hash.parse("#view=1,2", KEYS).view, null);
  assert.equal(bm.hash.parse("#view=a,b,c", KEYS).view, null);
  assert.equal(bm.hash.parse("#view=1,,3", KEYS).view, null);
  assert.deepEqual(plain(bm.hash.parse("#view=30,66,7", KEYS).view), [30, 66, 7]);
});

test("values with commas, ampersands and spaces keep their exact text", () => {
  const facets = {category: ["a&b=c"], actors: ["Government of Pakistan, army"]};
  const back = bm.hash.parse(bm.hash.encode({view: null, layers: null, facets, from: null, to: null, item: null}, KEYS), KEYS);
  assert.deepEqual(JSON.parse(JSON.stringify(back.facets)), facets);
});
