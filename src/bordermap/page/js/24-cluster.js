/* Clusters of many points on a grid of cells whose side halves at each zoom, so that a cell's four quarters
   are the cells of the next zoom; a cluster's count is exactly the points of its cell that the filters let
   through. Plain data in, data out, no DOM and no Leaflet: the page runs it in a Web Worker made from this
   same source (a Blob URL, so it works from file://), and the Node tests run it as it is. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  function clusterer() {
    var CELL = 64;  // a cell's side in screen pixels, at every zoom
    var TOP = 14;   // zooms 0..TOP cluster; past TOP every point is drawn as itself
    var SIDE = 65536;  // cells a side at zoom TOP: 256 * 2^TOP / CELL
    var api = {CELL: CELL, TOP: TOP};

    function spread(v) {  // the 16 bits of v onto the even bits of 32
      v &= 0xffff;
      v = (v | (v << 8)) & 0x00ff00ff;
      v = (v | (v << 4)) & 0x0f0f0f0f;
      v = (v | (v << 2)) & 0x33333333;
      return (v | (v << 1)) & 0x55555555;
    }
    function squeeze(v) {  // the even bits of v back to 16
      v &= 0x55555555;
      v = (v | (v >>> 1)) & 0x33333333;
      v = (v | (v >>> 2)) & 0x0f0f0f0f;
      v = (v | (v >>> 4)) & 0x00ff00ff;
      return (v | (v >>> 8)) & 0x0000ffff;
    }
    // The Z-order code of the zoom-TOP cell of a point in zoom-0 pixels (0..256); at zoom z a cell's code is
    // this code >>> 2 (TOP - z).
    api.code = function (x, y) {
      var cx = Math.min(SIDE - 1, Math.max(0, Math.floor(x * (SIDE / 256))));
      var cy = Math.min(SIDE - 1, Math.max(0, Math.floor(y * (SIDE / 256))));
      return ((spread(cy) << 1) | spread(cx)) >>> 0;
    };
    // A code at any zoom -> [column, row] of its cell at that zoom.
    api.cell = function (code) { return [squeeze(code), squeeze(code >>> 1)]; };

    // Points (zoom-0 pixels) in Z order, once: filtering then only skips points, it never sorts again.
    api.index = function (x, y) {
      var n = x.length, codes = new Uint32Array(n), order = new Int32Array(n), j;
      for (j = 0; j < n; j++) { codes[j] = api.code(x[j], y[j]); }
      if (n <= 2097152) {  // code and index in one exact double: a native numeric sort
        var keys = new Float64Array(n);
        for (j = 0; j < n; j++) { keys[j] = codes[j] * 2097152 + j; }
        keys.sort();
        for (j = 0; j < n; j++) { order[j] = keys[j] % 2097152; }
      } else {
        for (j = 0; j < n; j++) { order[j] = j; }
        order.sort(function (a, b) { return codes[a] - codes[b] || a - b; });
      }
      return {x: x, y: y, codes: codes, order: order};
    };

    // The lowest zoom at which point j is alone in its cell (TOP + 1 when it never is): one past the deepest zoom
    // at which another shown point shares its cell, i.e. the leading bits of its Z-order code. One pass.
    api.aloneFrom = function (x, y, mask, j) {
      var mine = api.code(x[j], y[j]), deepest = -1;
      for (var k = 0; k < x.length && deepest < TOP; k++) {
        if (k === j || !mask[k]) { continue; }
        var diff = (api.code(x[k], y[k]) ^ mine) >>> 0;
        deepest = Math.max(deepest, TOP - Math.ceil((32 - Math.clz32(diff)) / 2));
      }
      return deepest + 1;
    };

    // The cells at one zoom of the points whose mask byte is set, as compact arrays for drawing:
    // {code, count, one (a member: the point when count is 1), x, y (the members' mean), minx, miny, maxx, maxy}.
    // Points are in Z order, so a cell at any zoom is one run of them: one pass, no sorting.
    api.cells = function (ix, mask, zoom) {
      var shift = 2 * (TOP - Math.max(0, Math.min(TOP, zoom))), order = ix.order, codes = ix.codes;
      var n = 0, last = -1, k, j, code;
      for (k = 0; k < order.length; k++) {
        j = order[k];
        if (mask[j] && (code = codes[j] >>> shift) !== last) { n += 1; last = code; }
      }
      var out = {code: new Uint32Array(n), count: new Int32Array(n), one: new Int32Array(n), x: new Float64Array(n),
                 y: new Float64Array(n), minx: new Float64Array(n), miny: new Float64Array(n),
                 maxx: new Float64Array(n), maxy: new Float64Array(n)};
      var c = -1, px = ix.x, py = ix.y;
      last = -1;
      for (k = 0; k < order.length; k++) {
        j = order[k];
        if (!mask[j]) { continue; }
        var x = px[j], y = py[j];
        code = codes[j] >>> shift;
        if (code !== last) {
          c += 1; last = code;
          out.code[c] = code; out.one[c] = j; out.minx[c] = out.maxx[c] = x; out.miny[c] = out.maxy[c] = y;
        }
        out.count[c] += 1; out.x[c] += x; out.y[c] += y;
        if (x < out.minx[c]) { out.minx[c] = x; } else if (x > out.maxx[c]) { out.maxx[c] = x; }
        if (y < out.miny[c]) { out.miny[c] = y; } else if (y > out.maxy[c]) { out.maxy[c] = y; }
      }
      for (c = 0; c < n; c++) { out.x[c] /= out.count[c]; out.y[c] /= out.count[c]; }
      return out;
    };

    // The worker's side: {x, y} indexes the points; {mask} sets the filtered points; every message with a
    // zoom is answered with {gen, zoom, cells} of that zoom (the cells are moved out, not copied).
    api.serve = function (scope) {
      var ix = null, mask = null;
      scope.onmessage = function (e) {
        var m = e.data;
        if (m.x) { ix = api.index(m.x, m.y); }
        if (m.mask) { mask = m.mask; }
        if (m.zoom === undefined || !ix || !mask) { return; }
        var cells = api.cells(ix, mask, m.zoom);
        scope.postMessage({gen: m.gen, zoom: m.zoom, cells: cells},
                          Object.keys(cells).map(function (k) { return cells[k].buffer; }));
      };
    };
    return api;
  }

  bm.cluster = clusterer();
  bm.cluster.source = "(" + clusterer.toString() + ")().serve(self);";

  // A worker running the clusterer, or null where workers cannot be made (no Worker, a policy forbids blob:).
  bm.cluster.worker = function () {
    if (typeof Worker === "undefined" || typeof Blob === "undefined" || !root.URL || !URL.createObjectURL) { return null; }
    try {
      var url = URL.createObjectURL(new Blob([bm.cluster.source], {type: "text/javascript"})), worker = new Worker(url);
      worker.addEventListener("message", function loaded() {  // its script is read by then
        URL.revokeObjectURL(url);
        worker.removeEventListener("message", loaded);
      });
      return worker;
    } catch (e) {
      return null;
    }
  };
})(typeof window !== "undefined" ? window : globalThis);
