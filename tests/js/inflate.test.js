"use strict";
// The page's own inflate (browsers without DecompressionStream) against Node's zlib, at every level and
// strategy zlib has, so fixed, dynamic and stored blocks and long back-references are all read.
const test = require("node:test");
const assert = require("node:assert/strict");
const zlib = require("node:zlib");
const {load} = require("./load.js");

const bm = load("00-core.js", "08-inflate.js");

function inputs() {
  let seed = 7;
  const random = (n) => Uint8Array.from({length: n}, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  const text = Array.from({length: 3000}, (_, j) => `{"id":"ev-${j}","place":"Kech, Balochistan — ünïcode"}`).join(",");
  return {
    empty: new Uint8Array(0), one: Uint8Array.of(65), random: random(70000),
    text: Buffer.from(text, "utf8"), runs: new Uint8Array(100000).fill(9),
    mixed: Buffer.concat([random(5000), Buffer.from(text.slice(0, 20000)), random(300), new Uint8Array(40000)]),
  };
}

const STRATEGIES = {default: zlib.constants.Z_DEFAULT_STRATEGY, fixed: zlib.constants.Z_FIXED,
                    huffman: zlib.constants.Z_HUFFMAN_ONLY, rle: zlib.constants.Z_RLE,
                    filtered: zlib.constants.Z_FILTERED};

test("inflateBytes gives back what zlib deflated, at every level and strategy", () => {
  for (const [name, data] of Object.entries(inputs())) {
    for (let level = 0; level <= 9; level++) {
      for (const [s, strategy] of Object.entries(STRATEGIES)) {
        const z = zlib.deflateSync(data, {level, strategy});
        const back = bm.inflateBytes(new Uint8Array(z));
        assert.equal(Buffer.compare(Buffer.from(back), Buffer.from(data)), 0, `${name}, level ${level}, ${s}`);
      }
    }
  }
});

test("a damaged or cut stream is refused, never read as something else", () => {
  const data = inputs().text;
  const z = new Uint8Array(zlib.deflateSync(data, {level: 9}));
  const cases = {cut: z.subarray(0, z.length - 9), header: Uint8Array.from(z, (b, i) => (i === 0 ? 0x79 : b)),
                 body: Uint8Array.from(z, (b, i) => (i === z.length >> 1 ? b ^ 0x10 : b)),
                 checksum: Uint8Array.from(z, (b, i) => (i === z.length - 1 ? b ^ 1 : b)),
                 "not zlib": Buffer.from("not zlib at all", "utf8")};
  for (const [name, bytes] of Object.entries(cases)) {
    assert.throws(() => bm.inflateBytes(bytes), /damaged/, name);
  }
});
