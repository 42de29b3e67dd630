/* bordermap's page script: zlib inflate (RFC 1950/1951) for browsers without DecompressionStream
   (Safari before 16.4, Firefox before 113). The page's data is deflated once by the build; a browser that
   can inflate it natively does, and this reads the same bytes otherwise. Codes are looked up in tables
   indexed by the next bits (LSB first), so each symbol costs one lookup. */
(function (root) {
  "use strict";
  var bm = root.bordermap = root.bordermap || {};

  var LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                  131, 163, 195, 227, 258];
  var LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  var DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                   2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
  var DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
                    13, 13];
  var CODE_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  function damaged(why) { return new Error("the map's data is damaged (" + why + ")"); }

  // A canonical Huffman code (code lengths per symbol) as a table: entry = symbol << 4 | length, 0 = no code.
  function codeTable(lengths) {
    var count = new Int32Array(16), next = new Int32Array(16), max = 0, i;
    for (i = 0; i < lengths.length; i++) { count[lengths[i]]++; if (lengths[i] > max) { max = lengths[i]; } }
    count[0] = 0;
    for (i = 1, next[0] = 0; i < 16; i++) { next[i] = (next[i - 1] + count[i - 1]) << 1; }
    var size = 1 << max, table = new Int32Array(size);
    for (i = 0; i < lengths.length; i++) {
      var len = lengths[i];
      if (!len) { continue; }
      var code = next[len]++, reversed = 0;
      for (var k = 0; k < len; k++) { reversed = (reversed << 1) | (code & 1); code >>= 1; }
      for (var j = reversed; j < size; j += 1 << len) { table[j] = (i << 4) | len; }
    }
    return {table: table, max: max};
  }

  var fixed = null;
  function fixedCodes() {
    if (!fixed) {
      var lit = new Uint8Array(288), dist = new Uint8Array(30).fill(5);
      lit.fill(8, 0, 144); lit.fill(9, 144, 256); lit.fill(7, 256, 280); lit.fill(8, 280, 288);
      fixed = [codeTable(lit), codeTable(dist)];
    }
    return fixed;
  }

  // The bytes a zlib stream holds (header and Adler-32 checked).
  bm.inflateBytes = function (data) {
    var pos = 2, held = 0, count = 0, out = new Uint8Array(Math.max(1024, data.length * 4)), o = 0;
    if (data.length < 6 || (data[0] & 15) !== 8 || ((data[0] << 8) | data[1]) % 31 || (data[1] & 32)) {
      throw damaged("not a zlib stream");
    }
    function bits(n) {  // the next n (<= 16) bits
      while (count < n) {
        if (pos >= data.length) { throw damaged("cut short"); }
        held |= data[pos++] << count; count += 8;
      }
      var value = held & ((1 << n) - 1);
      held >>>= n; count -= n;
      return value;
    }
    function symbol(code) {  // past the end the stream reads as zeros; the checksum's place says if it ran out
      while (count < code.max) { held |= (pos < data.length ? data[pos] : 0) << count; pos++; count += 8; }
      var entry = code.table[held & ((1 << code.max) - 1)];
      if (!entry) { throw damaged("an unknown code"); }
      held >>>= entry & 15; count -= entry & 15;
      return entry >> 4;
    }
    function room(n) {
      if (o + n > out.length) {
        var bigger = new Uint8Array(Math.max(out.length * 2, o + n));
        bigger.set(out.subarray(0, o)); out = bigger;
      }
    }
    function dynamicCodes() {
      var nlit = bits(5) + 257, ndist = bits(5) + 1, nlen = bits(4) + 4, i;
      var lengths = new Uint8Array(19);
      for (i = 0; i < nlen; i++) { lengths[CODE_ORDER[i]] = bits(3); }
      var lengthCode = codeTable(lengths), all = new Uint8Array(nlit + ndist);
      for (i = 0; i < nlit + ndist;) {
        var s = symbol(lengthCode), repeat = 0, value = 0;
        if (s < 16) { all[i++] = s; continue; }
        if (s === 16) {
          if (!i) { throw damaged("a repeat with nothing before it"); }
          value = all[i - 1]; repeat = 3 + bits(2);
        } else { repeat = s === 17 ? 3 + bits(3) : 11 + bits(7); }
        if (i + repeat > all.length) { throw damaged("too many code lengths"); }
        all.fill(value, i, i + repeat); i += repeat;
      }
      return [codeTable(all.subarray(0, nlit)), codeTable(all.subarray(nlit))];
    }
    for (var last = 0; !last;) {
      last = bits(1);
      var type = bits(2);
      if (type === 0) {  // stored: byte-aligned, its length then its one's complement
        bits(count & 7);
        var n = bits(16);
        if ((n ^ 0xffff) !== bits(16)) { throw damaged("a stored block's length"); }
        room(n);
        for (var k = 0; k < n; k++) { out[o++] = bits(8); }
        continue;
      }
      if (type === 3) { throw damaged("an unknown block type"); }
      var codes = type === 1 ? fixedCodes() : dynamicCodes();
      for (;;) {
        var s = symbol(codes[0]);
        if (s < 256) { room(1); out[o++] = s; continue; }
        if (s === 256) { break; }
        s -= 257;
        if (s >= 29) { throw damaged("an unknown length"); }
        var length = LEN_BASE[s] + bits(LEN_EXTRA[s]), d = symbol(codes[1]);
        if (d >= 30) { throw damaged("an unknown distance"); }
        var from = o - DIST_BASE[d] - bits(DIST_EXTRA[d]);
        if (from < 0) { throw damaged("a distance before the start"); }
        room(length);
        for (var m = 0; m < length; m++) { out[o++] = out[from + m]; }
      }
    }
    var at = pos - (count >> 3);  // whole bytes still held were read ahead: the checksum starts there
    if (at + 4 > data.length) { throw damaged("cut short"); }
    var a = 1, b = 0;
    for (var i = 0; i < o;) {
      for (var stop = Math.min(o, i + 5552); i < stop; i++) { a += out[i]; b += a; }
      a %= 65521; b %= 65521;
    }
    var sum = ((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0;
    if (((b << 16) | a) >>> 0 !== sum) { throw damaged("its checksum does not match"); }
    return out.subarray(0, o);
  };
})(typeof window !== "undefined" ? window : globalThis);
