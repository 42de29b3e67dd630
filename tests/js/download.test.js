"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {load} = require("./load.js");

const bm = load("00-core.js", "47-download.js");

// A small RFC 4180 reader, to read back what the writer wrote.
function parse(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') { quoted = false; } else { cell += c; }
    } else if (c === '"') { quoted = true; } else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\r") { /* part of the line end */ } else if (c === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; }
    else { cell += c; }
  }
  return rows;
}

test("CSV cells: quotes, commas and line breaks survive; lists are JSON; formulas are defused", () => {
  const fields = ["id", "title", "actors", "fatalities"];
  const rows = [[["a-1", 'He said "no", then\nleft', ["TTP", "BLA"], 3], [67.1, 30.2]],
                [["a-2", "=HYPERLINK(\"x\")", [], null], null]];
  const out = parse(bm.download.csv(fields, ["longitude", "latitude"], rows, "Cite me, please"));
  assert.deepEqual(out[0], ["id", "title", "actors", "fatalities", "longitude", "latitude", "citation"]);
  assert.deepEqual(out[1], ["a-1", 'He said "no", then\nleft', '["TTP","BLA"]', "3", "67.1", "30.2", "Cite me, please"]);
  assert.deepEqual(out[2], ["a-2", "'=HYPERLINK(\"x\")", "[]", "", "", "", ""]);
});

test("GeoJSON: the schema's fields as properties, points as geometry, the citation at the top", () => {
  const doc = JSON.parse(bm.download.geojson(["id", "note"], [[["a", null], [1, 2]], [["b", "x"], null]], "C", "T"));
  assert.equal(doc.citation, "C");
  assert.deepEqual(doc.features[0], {type: "Feature", properties: {id: "a"}, geometry: {type: "Point", coordinates: [1, 2]}});
  assert.equal(doc.features[1].geometry, null);
});

test("the citation names the map, versions, filters, span, what was left out and every licence", () => {
  const cite = {title: "T", software: "bordermap 1.0", data: "abc", credits: [["Borders", "Natural Earth", "Public domain"]]};
  const text = bm.download.citation(cite, ["ACLED (accessed 2024)"], ["Category: Attack"], "Jan 2021 to Mar 2021",
                                    {shown: 3, total: 9, left: 1}, "2024-05-02");
  for (const part of ["“T”", "bordermap 1.0", "abc", "2024-05-02", "3 of 9", "Category: Attack", "Jan 2021 to Mar 2021",
                      "1 shown items are left out", "Natural Earth (Public domain)", "ACLED (accessed 2024)"]) {
    assert.ok(text.includes(part), part);
  }
});

test("a packed row value unpacks to its text, numbers and shape", () => {
  const strings = ["a", "TTP", "X"], str = (i) => strings[i];
  const packed = [0, {n: 3}, [1, 1], [{author: 2, url: 0}], null];
  assert.deepEqual(JSON.parse(JSON.stringify(packed.map((v) => bm.download.unpack(v, str)))),
                   ["a", 3, ["TTP", "TTP"], [{author: "X", url: "a"}], null]);
});
