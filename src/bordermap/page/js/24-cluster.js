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

    function level(size) {
      return {code: new Uint32Array(size), count: new Int32Array(size), sx: new Float64Array(size),
              sy: new Float64Array(size), minx: new Float64Array(size), miny: new Float64Array(size),
              maxx: new Float64Array(size), maxy: new Float64Array(size), one: new Int32Array(size), length: 0};
    }

    // The cells of every zoom 0..TOP holding the points whose mask byte is set: [level per zoom], each
    // {code, count, sx, sy (sums), minx, miny, maxx, maxy, one (a member: the point when count is 1), length}.
    api.levels = function (ix, mask) {
      var shown = 0, k, j, c = -1, last = -1;
      for (j = 0; j < mask.length; j++) { if (mask[j]) { shown += 1; } }
      var out = new Array(TOP + 1), lv = level(shown);
      for (k = 0; k < ix.order.length; k++) {
        j = ix.order[k];
        if (!mask[j]) { continue; }
        var x = ix.x[j], y = ix.y[j];
        if (ix.codes[j] !== last) {
          c += 1; last = ix.codes[j];
          lv.code[c] = last; lv.one[c] = j; lv.minx[c] = lv.maxx[c] = x; lv.miny[c] = lv.maxy[c] = y;
        }
        lv.count[c] += 1; lv.sx[c] += x; lv.sy[c] += y;
        if (x < lv.minx[c]) { lv.minx[c] = x; } else if (x > lv.maxx[c]) { lv.maxx[c] = x; }
        if (y < lv.miny[c]) { lv.miny[c] = y; } else if (y > lv.maxy[c]) { lv.maxy[c] = y; }
      }
      lv.length = c + 1;
      out[TOP] = lv;
      for (var z = TOP - 1; z >= 0; z--) { out[z] = merge(out[z + 1]); }
      return out;
    };

    function merge(fine) {  // the next zoom out: runs of four quarters (in Z order) become one cell
      var lv = level(fine.length), c = -1, last = -1;
      for (var i = 0; i < fine.length; i++) {
        var code = fine.code[i] >>> 2;
        if (code !== last) {
          c += 1; last = code;
          lv.code[c] = code; lv.one[c] = fine.one[i];
          lv.minx[c] = fine.minx[i]; lv.miny[c] = fine.miny[i]; lv.maxx[c] = fine.maxx[i]; lv.maxy[c] = fine.maxy[i];
        }
        lv.count[c] += fine.count[i]; lv.sx[c] += fine.sx[i]; lv.sy[c] += fine.sy[i];
        lv.minx[c] = Math.min(lv.minx[c], fine.minx[i]); lv.miny[c] = Math.min(lv.miny[c], fine.miny[i]);
        lv.maxx[c] = Math.max(lv.maxx[c], fine.maxx[i]); lv.maxy[c] = Math.max(lv.maxy[c], fine.maxy[i]);
      }
      lv.length = c + 1;
      return lv;
    }

    // One zoom's cells as compact arrays for drawing: {code, count, one, x, y (the members' mean),
    // minx, miny, maxx, maxy}; copies, so they can be transferred out of the worker.
    api.cells = function (levels, zoom) {
      var lv = levels[Math.max(0, Math.min(TOP, zoom))], n = lv.length, x = new Float64Array(n), y = new Float64Array(n);
      for (var i = 0; i < n; i++) { x[i] = lv.sx[i] / lv.count[i]; y[i] = lv.sy[i] / lv.count[i]; }
      return {code: lv.code.slice(0, n), count: lv.count.slice(0, n), one: lv.one.slice(0, n), x: x, y: y,
              minx: lv.minx.slice(0, n), miny: lv.miny.slice(0, n), maxx: lv.maxx.slice(0, n), maxy: lv.maxy.slice(0, n)};
    };

    // The worker's side: {x, y} indexes the points; {mask} sets the filtered points; every message with a
    // zoom is answered with {gen, zoom, cells} of that zoom.
    api.serve = function (scope) {
      var ix = null, levels = null;
      scope.onmessage = function (e) {
        var m = e.data;
        if (m.x) { ix = api.index(m.x, m.y); }
        if (m.mask) { levels = api.levels(ix, m.mask); }
        if (m.zoom === undefined || !levels) { return; }
        var cells = api.cells(levels, m.zoom);
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
      return new Worker(URL.createObjectURL(new Blob([bm.cluster.source], {type: "text/javascript"})));
    } catch (e) {
      return null;
    }
  };
})(typeof window !== "undefined" ? window : globalThis);
