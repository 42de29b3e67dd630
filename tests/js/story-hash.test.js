"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load} = require("./load.js");

const bm = load("00-core.js", "60-hash.js");
const KEYS = ["category"];

test("a story and its step survive encode then parse", () => {
  const state = {view: [30.5, 66.25, 7], layers: null, facets: {category: []}, from: null, to: null, item: null,
                 story: "regional-stability", step: 9};
  const back = bm.hash.parse("#" + bm.hash.encode(state, KEYS), KEYS);
  assert.equal(back.story, "regional-stability");
  assert.equal(back.step, 9);
});

test("a link with a story alone opens its first step; no story, no story keys", () => {
  assert.equal(bm.hash.parse("#story=case-of-balochistan", KEYS).step, 1);
  assert.equal(bm.hash.parse("#story=case-of-balochistan&step=x", KEYS).step, 1);
  assert.equal("story" in bm.hash.parse("#item=quetta", KEYS), false);
  assert.equal(bm.hash.encode({view: null, layers: null, facets: {}, item: "quetta"}, KEYS), "item=quetta");
});
