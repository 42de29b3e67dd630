/* The page-data document (see docs/page-data.md): read it once, resolve items from the string table.
   Pure apart from bm.readData(), which finds the document in the page. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  bm.SCHEMA = "bordermap-page";
  bm.VERSION = 1;

  // An encoded polyline -> [[lat, lng], ...].
  bm.decodeLine = function (text, decimals) {
    var points = [], index = 0, lat = 0, lng = 0, f = Math.pow(10, decimals);
    while (index < text.length) {
      var values = [0, 0];
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, b;
        do { b = text.charCodeAt(index++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
        values[k] = (result & 1) ? ~(result >> 1) : (result >> 1);
      }
      lat += values[0]; lng += values[1];
      points.push([lat / f, lng / f]);
    }
    return points;
  };

  // The document with its items resolved: facet values as arrays of strings, one shared array for each
  // distinct list (100k items repeat few lists).
  bm.decode = function (doc) {
    if (!doc || doc.schema !== bm.SCHEMA) { throw new Error("not a bordermap page-data document"); }
    if (doc.version !== bm.VERSION) { throw new Error("page data version " + doc.version + "; this page reads " + bm.VERSION); }
    var s = doc.strings || [], lists = Object.create(null);
    function list(indexes) {
      var key = indexes.join(",");
      return lists[key] || (lists[key] = indexes.map(function (i) { return s[i]; }));
    }
    var items = (doc.items || []).map(function (d, index) {
      return {index: index, id: d.i, title: s[d.t], date: s[d.d], start: d.s || "", end: d.e || "",
              category: list([d.c]), actors: list(d.a), countries: list(d.k), provinces: list(d.p),
              precision: list([d.q]), inferred: list(d.n || []), where: s[d.w], pop: d.o, titleIndex: d.t,
              dateIndex: d.d, radius: d.r || 0, f: d.f || null, redistributable: !d.nr, parts: []};
    });
    var out = Object.create(null);
    Object.keys(doc).forEach(function (k) { out[k] = doc[k]; });
    out.strings = s;
    out.items = items;
    out.months = doc.months || [];
    out.places = doc.places || [];
    out.layers = doc.layers || [];
    out.facets = doc.facets || [];
    out.str = function (i) { return s[i]; };
    return out;
  };

  var cache = null;
  bm.readData = function () {
    if (!cache) {
      var node = document.getElementById("bm-data");
      cache = bm.decode(JSON.parse(node.textContent));
    }
    return cache;
  };
  bm.data = bm.readData;
})(typeof window !== "undefined" ? window : globalThis);
