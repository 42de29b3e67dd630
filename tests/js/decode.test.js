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

// A column as the build writes it (columns.py): "TYPE:BASE64" of little-endian integers.
const i4 = (values) => "i4:" + Buffer.from(new Int32Array(values).buffer).toString("base64");
const i1 = (values) => "i1:" + Buffer.from(new Int8Array(values).buffer).toString("base64");

function doc(extra) {
  // two items: "a" dated 2021-04-21 (ordinal 737901), "syn-7" undated; both with one popup shape
  return Object.assign({schema: "bordermap-page", version: 3, title: "t",
    strings: ["Attack", "Quetta", "TTP", "Pakistan", "Balochistan", "Town or city", "April 2021", "pop", "Date"],
    lists: [[0], [2], [3], [4], [5], []],
    items: {len: 2, i: {pre: ["a", "syn-"], p: i1([0, 1]), x: i4([-1, 7])}, t: i1([1, 7]), d: i1([6, 6]),
            w: i1([1, 1]), c: i1([0, 0]), a: i1([1, 1]), k: i1([2, 2]), p: i1([3, 3]), q: i1([4, 4]),
            n: i1([5, 5]), epoch: 737900, s: i4([1, 0]), e: i1([0, 0]), r: i4([10000, 0]),
            f: i4([3, 2, 5, -1, -1, -1]),
            o: {shape: i1([0, 0]), shapes: [{k: [1, 0, 0, 0], v: ["=t", 8, [[6], i1([0, 0])]]}]}},
    layers: [{name: "m", kind: "markers", len: 2, lat: i4([3012345, 2500000]), lon: i4([6700001, 6000000]),
              size: i1([22, 22]), icon: i1([0, 0]), r: i1([0, -1]), more: {"1": {id: "x", title: 0}}}]},
    extra || {});
}

test("decode reads items from their columns and shares equal facet lists", () => {
  const data = bm.decode(doc());
  const [a, b] = data.items;
  assert.equal(a.id, "a");
  assert.equal(b.id, "syn-7");
  assert.equal(a.title, "Quetta");
  assert.equal(b.title, "pop");
  assert.deepEqual([...a.actors], ["TTP"]);
  assert.equal(a.actors, b.actors);  // one shared array
  assert.deepEqual([...a.inferred], []);
  assert.equal(a.category[0], "Attack");
  assert.equal(a.start, "2021-04-21");
  assert.equal(a.end, "2021-04-21");
  assert.equal(b.start, "");
  assert.equal(a.radius, 10000);
  assert.deepEqual([...a.f], [3, 2, 5]);
  assert.equal(b.f, null);
  assert.equal(a.redistributable, true);
  assert.deepEqual(plain(a.pop), [1, [[8, 6]], [], [], []]);
  assert.deepEqual(plain(b.pop), [7, [[8, 6]], [], [], []]);
  a.parts.push("x");
  assert.deepEqual([...a.parts], ["x"]);
  assert.deepEqual([...b.parts], []);  // each item its own list
  assert.equal(data.str(0), "Attack");
});

test("decodeMarkers reads quantised coordinates and what a marker does not share with its item", () => {
  const [m, n] = bm.decodeMarkers(doc().layers[0], 5);
  assert.deepEqual(plain(m), {lat: 30.12345, lon: 67.00001, size: 22, icon: 0, dx: 0, dy: 0, z: 0, r: 0});
  assert.equal(n.r, undefined);
  assert.equal(n.id, "x");
  assert.equal(n.title, 0);
});

test("column reads every type the build writes", () => {
  assert.deepEqual([...bm.column("u1:" + Buffer.from([0, 255]).toString("base64"))], [0, 255]);
  assert.deepEqual([...bm.column("i2:" + Buffer.from(new Int16Array([-300, 300]).buffer).toString("base64"))], [-300, 300]);
  assert.deepEqual([...bm.column("c:-3:4")], [-3, -3, -3, -3]);
  assert.deepEqual([...bm.column("a:5:-2:3")], [5, 3, 1]);
  assert.deepEqual([...bm.column("+u1:70000:" + Buffer.from([0, 1, 3]).toString("base64"))], [70000, 70001, 70004]);
  assert.throws(() => bm.column("f8:AAAA"), /unknown column type/);
});

test("decode refuses another schema or version", () => {
  assert.throws(() => bm.decode({schema: "x", version: 1}), /not a bordermap page-data document/);
  assert.throws(() => bm.decode(doc({version: 1})), /version 1/);
});

test("escapeHtml and isWebLink keep text inert and links to the web", () => {
  assert.equal(bm.escapeHtml('<img src=x onerror="a">&\''), "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;");
  assert.equal(bm.isWebLink("https://example.org"), true);
  assert.equal(bm.isWebLink("HTTP://example.org"), true);
  for (const bad of ["javascript:alert(1)", "data:text/html,x", " https://x", "", null]) {
    assert.equal(bm.isWebLink(bad), false, String(bad));
  }
});

test("a lazily filled layer's parts come in the order of pushing them all at once", () => {
  const data = bm.decode(doc()), [a, b] = data.items;
  a.parts.push("shape before");  // a's parts made before the lazy layer joins: it gets the layer's at once
  bm.lazyParts(data.items, (j, parts) => parts.push("point of " + j));
  assert.deepEqual([...a.parts], ["shape before", "point of 0"]);
  b.parts.push("shape after");   // b's made now: the lazy layer's first, as pushed layer after layer
  assert.deepEqual([...b.parts], ["point of 1", "shape after"]);
  assert.equal(b.parts, b.parts);
});

test("marker columns give, marker by marker, what decodeMarkers gives", () => {
  const spec = doc().layers[0], m = bm.markerColumns(spec, 5);
  assert.deepEqual([...m.lat], [30.12345, 25]);
  assert.deepEqual([...m.r], [0, -1]);
  assert.deepEqual(plain(bm.decodeMarkers(spec, 5)), plain([0, 1].map((j) => bm.markerAt(m, j))));
  assert.deepEqual(plain(bm.markerAt(m, 1)), {lat: 25, lon: 60, size: 22, icon: 0, dx: 0, dy: 0, z: 0, id: "x", title: 0});
});
