"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load, plain} = require("./load.js");

const bm = load("00-core.js", "10-decode.js");

// encoded polylines: the reference example of the format (lat, lng pairs at 5 decimals)
test("decodeLine reads the format's reference example", () => {
  assert.deepEqual(JSON.parse(JSON.stringify(bm.decodeLine("_p~iF~ps|U_ulLnnqC_mqNvxq`@", 5))),
                   [[38.5, -120.2], [40.7, -120.95], [43.252, -126.453]]);
});

function doc(extra) {
  return Object.assign({schema: "bordermap-page", version: 1, title: "t",
    strings: ["Attack", "Quetta", "TTP", "Pakistan", "Balochistan", "Town or city", "April 2021", "pop"],
    items: [{i: "a", t: 1, d: 6, c: 0, a: [2], k: [3], p: [4], q: 5, w: 1, o: [7, [], [], [], []], s: "2021-04-21", e: "2021-04-21"},
            {i: "b", t: 1, d: 6, c: 0, a: [2], k: [3], p: [4], q: 5, w: 1, o: [7, [], [], [], []]}],
    layers: []}, extra || {});
}

test("decode resolves items from the string table and shares equal facet lists", () => {
  const data = bm.decode(doc());
  const [a, b] = data.items;
  assert.equal(a.id, "a");
  assert.equal(a.title, "Quetta");
  assert.deepEqual([...a.actors], ["TTP"]);
  assert.equal(a.actors, b.actors);  // one shared array
  assert.equal(a.start, "2021-04-21");
  assert.equal(b.start, "");
  assert.equal(data.str(0), "Attack");
});

test("decode refuses another schema or version", () => {
  assert.throws(() => bm.decode({schema: "x", version: 1}), /not a bordermap page-data document/);
  assert.throws(() => bm.decode(doc({version: 2})), /version 2/);
});

test("escapeHtml and isWebLink keep text inert and links to the web", () => {
  assert.equal(bm.escapeHtml('<img src=x onerror="a">&\''), "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;");
  assert.equal(bm.isWebLink("https://example.org"), true);
  assert.equal(bm.isWebLink("HTTP://example.org"), true);
  for (const bad of ["javascript:alert(1)", "data:text/html,x", " https://x", "", null]) {
    assert.equal(bm.isWebLink(bad), false, String(bad));
  }
});
