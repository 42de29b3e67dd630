/* Many markers on one canvas: a marker layer with more than bm.CANVAS_FROM symbols is drawn as pictures on a
   canvas, not as one DOM element each. Up to zoom bm.cluster.TOP the points are clustered by the grid of
   24-cluster.js, computed in a Web Worker: a cell with one point shows its symbol, a cell with more shows a
   circle with the count of its filtered points, and a click on it zooms in. Past that zoom (or where no worker
   can be made) every symbol in view is drawn. A click or hover finds the symbol on top; popups, tooltips and
   the hub's selection work as for DOM markers. The layer answers the few calls the panel makes of a marker
   group (clearLayers, addLayers, hasLayer) and its markers are light stand-ins with getLatLng, openPopup and
   bordermap {id, rid, start, end}. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  bm.CANVAS_FROM = 2000;

  // A stand-in for a marker: no DOM, no Leaflet layer; the canvas layer draws and opens it. Its bordermap
  // {id, rid, start, end} and options {title, alt} are made when first asked for (100k of them slow the start),
  // and so is the stand-in itself (bm.PointLayer.point).
  function Point(layer, j) { this.layer = layer; this.j = j; }
  Object.defineProperty(Point.prototype, "bordermap", {get: function () {
    return this._info || (this._info = this.layer.content.info(this.j));
  }});
  Object.defineProperty(Point.prototype, "options", {get: function () {
    var title = this.layer.content.title(this.j);
    return {title: title, alt: title};
  }});
  Point.prototype.getLatLng = function () { return L.latLng(this.layer.m.lat[this.j], this.layer.m.lon[this.j]); };
  Point.prototype.openPopup = function () { this.layer.open(this); return this; };

  // The cluster symbols' look, from the page's style sheet (.bm-cluster-s, -m, -l): fill, ring, ink, font, size.
  function clusterStyle(container) {
    return ["s", "m", "l"].map(function (k) {
      var probe = L.DomUtil.create("div", "bm-cluster bm-cluster-" + k, container), cs = root.getComputedStyle(probe);
      var out = {fill: cs.backgroundColor, ring: cs.borderTopColor, ringWidth: parseFloat(cs.borderTopWidth) || 0,
                 ink: cs.color, font: cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily,
                 r: (parseFloat(cs.width) || 30) / 2, pad: parseFloat(cs.paddingLeft) || 0};
      L.DomUtil.remove(probe);
      return out;
    });
  }

  function drawCluster(ctx, c) {
    var style = c.style;
    ctx.beginPath();
    ctx.arc(c.x, c.y, c.r - style.ringWidth / 2, 0, 2 * Math.PI);  // the ring's outer edge at c.r
    ctx.fillStyle = style.fill;
    ctx.fill();
    if (style.ringWidth) { ctx.lineWidth = style.ringWidth; ctx.strokeStyle = style.ring; ctx.stroke(); }
    ctx.fillStyle = style.ink;
    ctx.font = style.font;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(c.text, c.x, c.y);
  }

  // The markers' indexes bottom to top: by 100 z - 10 size, then index. One key a point in a native numeric sort
  // (a comparator over 100k objects costs tens of ms before the first frame); key and index in one exact double.
  function drawOrder(m) {
    var n = m.len, j, order = new Int32Array(n);
    function level(j) { return 100 * m.z[j] - 10 * m.size[j]; }
    if (n > 2097152) {
      for (j = 0; j < n; j++) { order[j] = j; }
      return order.sort(function (a, b) { return level(a) - level(b) || a - b; });
    }
    var keys = new Float64Array(n);
    for (j = 0; j < n; j++) { keys[j] = (level(j) + 1073741824) * 2097152 + j; }
    keys.sort();
    for (j = 0; j < n; j++) { order[j] = keys[j] % 2097152; }
    return order;
  }

  bm.PointLayer = L.Layer.extend({
    // m: bm.markerColumns (m.r: each marker's item index, -1: none); content: {title(j), rid(j), info(j),
    // tip(j), pop(j)} of marker j
    initialize: function (m, icons, content) {
      var self = this;
      // each symbol rasterised once into its own small canvas (drawing an SVG image 100k times is slow)
      this.icons = icons.map(function (icon) {
        var img = new Image(), ratio = root.devicePixelRatio || 1, out = {sprite: null, size: icon[1]};
        img.onload = function () {
          var c = document.createElement("canvas");
          c.width = c.height = Math.ceil(icon[1] * ratio);
          c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
          out.sprite = c;
          self.redraw();
        };
        img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(icon[0]);
        return out;
      });
      this.m = m;
      this.content = content;
      this._made = [];  // stand-ins made so far (bm.PointLayer.point); all of them once .points is asked for
      // drawn bottom to top as DOM markers stack: higher z on top, among equal z the smaller on top
      var order = this.order = drawOrder(m);
      this.rank = new Int32Array(m.len);  // a point's place in that order
      for (var k = 0; k < order.length; k++) { this.rank[order[k]] = k; }
      this.shownMask = new Uint8Array(m.len).fill(1);
      this.x = new Float64Array(m.len);  // Web Mercator pixels at zoom 0
      this.y = new Float64Array(m.len);
      var crs = L.CRS.EPSG3857, at = {lat: 0, lng: 0};  // the projection reads lat and lng only
      for (var j = 0; j < m.len; j++) {
        at.lat = m.lat[j]; at.lng = m.lon[j];
        var p = crs.latLngToPoint(at, 0);
        this.x[j] = p.x; this.y[j] = p.y;
      }
    },

    onAdd: function (map) {
      this.canvas = L.DomUtil.create("canvas", "bm-points leaflet-zoom-hide");
      this.canvas.setAttribute("aria-hidden", "true");  // the list gives the same content as text
      // above the shapes (province borders must not cross a cluster's count), below the DOM markers; events pass
      // through to the shapes and the map, whose click and mousemove find the point, as before
      var pane = map.getPane("bm-points") || map.createPane("bm-points");
      pane.style.zIndex = 450;
      pane.style.pointerEvents = "none";
      pane.appendChild(this.canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      map.on("click", this._click, this);
      map.on("mousemove", this._hover, this);
      if (this.worker === undefined) { this._startWorker(); }
      this.redraw();
    },

    // The clustering worker: given the points once, then the filtered set whenever it changes.
    _startWorker: function () {
      var self = this;
      this.worker = bm.cluster.worker();
      if (!this.worker) { return; }
      this._gen = 0;
      this._maskChanged = true;
      this.worker.onmessage = function (e) { self._answer(e.data); };
      this.worker.onerror = function (e) { if (e && e.preventDefault) { e.preventDefault(); } self._noWorker(); };
      var x = this.x.slice(), y = this.y.slice();
      this.worker.postMessage({x: x, y: y}, [x.buffer, y.buffer]);
    },

    // Where the worker cannot run (a policy, an old browser), every symbol is drawn as before.
    _noWorker: function () {
      if (this.worker) { this.worker.terminate(); }
      this.worker = null;
      this.cells = null;
      this._pending = false;
      this.redraw();
    },

    // The zoom of the cells to draw, or null when every point is drawn as itself.
    _level: function () {
      var z = Math.floor(this._map.getZoom());
      return this.worker && z <= bm.cluster.TOP ? z : null;
    },

    // The first cells are made here: Chrome starts a worker only when the main thread is idle, and a page of
    // 100k events keeps it busy building its panel (measured: the worker's first answer came 0.4 to 1.7 s late).
    // Every later question goes to the worker.
    _firstCells: function () {
      var z = this._level();
      this.cells = bm.cluster.cells(bm.cluster.index(this.x, this.y), this.shownMask, z);
      this.cells.zoom = z;
      this._maskChanged = false;
    },

    _ask: function (zoom) {
      var message = {gen: ++this._gen, zoom: zoom};
      if (this._maskChanged || !this._maskSent) {
        message.mask = this.shownMask.slice();
        this._maskChanged = false;
        this._maskSent = true;
      }
      this.worker.postMessage(message, message.mask ? [message.mask.buffer] : []);
    },

    _answer: function (data) {
      if (data.gen !== this._gen) { return; }  // a later question is on its way
      this.cells = data.cells;
      this.cells.zoom = data.zoom;
      this.workerAnswers = (this.workerAnswers || 0) + 1;
      this._update();
    },

    // Paint now, or first ask the worker for the cells of this zoom and filter (still pending until then).
    _update: function () {
      if (!this._map) { this._pending = false; return; }
      var z = this._level();
      if (z !== null && this._stale()) { this._ask(z); return; }
      this._pending = false;
      this.paint();
    },

    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      map.off("click", this._click, this);
      map.off("mousemove", this._hover, this);
      L.DomUtil.remove(this.canvas);
      this.canvas = null;
    },

    _frame: function () {
      var map = this._map, crs = map.options.crs, scale = crs.scale(map.getZoom()) / crs.scale(0);
      var origin = map.getPixelBounds().min;  // project(container 0,0) at this zoom
      return {scale: scale, origin: origin};
    },

    // One repaint per frame, however many moves, loads and filter changes asked for it. A question for the
    // worker goes at the end of the current task (after every change it makes), not a frame later.
    redraw: function () {
      var self = this;
      if (this._pending || !this._map) { return; }
      this._pending = true;
      Promise.resolve().then(function () {
        if (self._map && self._level() !== null && self._stale()) {
          if (self.cells) { self._ask(self._level()); return; }
          self._firstCells();
        }
        L.Util.requestAnimFrame(function () { self._update(); });
      });
    },

    _stale: function () { return this._maskChanged || !this.cells || this.cells.zoom !== this._level(); },

    paint: function () {
      var map = this._map, canvas = this.canvas, m = this.m;
      if (!map || !canvas) { return; }
      var size = map.getSize(), ratio = root.devicePixelRatio || 1, f = this._frame();
      canvas.width = size.x * ratio; canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var singles = [], clusters = [];
      if (this._level() !== null && this.cells) {
        this._cellsInView(f, size, singles, clusters);
      } else {
        for (var k = 0; k < this.order.length; k++) {
          var j = this.order[k];
          if (this.shownMask[j] && this._inView(j, f, size)) { singles.push(j); }
        }
      }
      for (var n = 0; n < singles.length; n++) {
        var j = singles[n], icon = this.icons[m.icon[j]], at = this._at(j, f);
        if (icon.sprite) { ctx.drawImage(icon.sprite, at.x - at.half, at.y - at.half, icon.size, icon.size); }
      }
      for (var c = 0; c < clusters.length; c++) { drawCluster(ctx, clusters[c]); }
      this.singles = singles;    // indexes of the points drawn as themselves, bottom to top
      this.clustered = clusters;  // {i, x, y, r, count, style} of the cluster symbols drawn
      this._painted = f;
      this.drawn = singles.length + clusters.length;
      if (this.drawn && !bm.drawnAt) {  // the frame that first shows data (bench/scale.py reads it)
        L.Util.requestAnimFrame(function () { bm.drawnAt = bm.drawnAt || root.performance.now(); });
      }
      this.fire("drawn", {count: this.drawn});
    },

    _inView: function (j, f, size) {
      var at = this._at(j, f), half = at.half;
      return !(at.x < -half || at.y < -half || at.x > size.x + half || at.y > size.y + half);
    },

    // Where symbol j sits on screen in frame f: its centre (container pixels) and half its size, in one object
    // reused by every call (painting 100k points makes no object a point).
    _at: function (j, f) {
      var m = this.m, at = this._spot || (this._spot = {x: 0, y: 0, half: 0});
      at.x = this.x[j] * f.scale - f.origin.x + m.dx[j];
      at.y = this.y[j] * f.scale - f.origin.y + m.dy[j];
      at.half = this.icons[m.icon[j]].size / 2;
      return at;
    },

    // The worker's cells in view: a cell of one point is that point's symbol, a bigger one a cluster symbol,
    // at its points' mean but kept inside its own cell, so that no two cluster symbols overlap.
    _cellsInView: function (f, size, singles, clusters) {
      var cells = this.cells, ctx = this.canvas.getContext("2d");
      var side = bm.cluster.CELL / Math.pow(2, cells.zoom) * f.scale;  // a cell's side on screen
      for (var i = 0; i < cells.count.length; i++) {
        var count = cells.count[i];
        if (count === 1) {
          if (this._inView(cells.one[i], f, size)) { singles.push(cells.one[i]); }
          continue;
        }
        var px = cells.x[i] * f.scale - f.origin.x, py = cells.y[i] * f.scale - f.origin.y;
        if (px < -40 || py < -40 || px > size.x + 40 || py > size.y + 40) { continue; }
        this.style = this.style || clusterStyle(this._map.getContainer());  // at the first paint: no forced layout before
        var style = this.style[count < 100 ? 0 : count < 1000 ? 1 : 2], text = String(count);
        ctx.font = style.font;
        var r = Math.min(side / 2, style.ringWidth + Math.max(style.r, ctx.measureText(text).width / 2 + style.pad));  // with its ring
        var cell = bm.cluster.cell(cells.code[i]), left = cell[0] * side - f.origin.x, top = cell[1] * side - f.origin.y;
        px = Math.min(Math.max(px, left + r), left + side - r);
        py = Math.min(Math.max(py, top + r), top + side - r);
        if (px < -r || py < -r || px > size.x + r || py > size.y + r) { continue; }
        clusters.push({i: i, x: px, y: py, r: r, count: count, text: text, style: style});
      }
      var rank = this.rank;
      singles.sort(function (a, b) { return rank[a] - rank[b]; });
    },

    // The clusters drawn at the last paint, for tests and tools: [{count, lat, lon, zoom, col, row}], where
    // col and row name the cell of 24-cluster.js's grid at that zoom.
    clusters: function () {
      var cells = this.cells, crs = L.CRS.EPSG3857;
      return (this.clustered || []).map(function (c) {
        var at = crs.pointToLatLng(L.point(cells.x[c.i], cells.y[c.i]), 0), cell = bm.cluster.cell(cells.code[c.i]);
        return {count: c.count, lat: at.lat, lon: at.lng, zoom: cells.zoom, col: cell[0], row: cell[1]};
      });
    },

    // The boxes {left, top, right, bottom} (container pixels) of every symbol and cluster drawn at the last
    // paint: the names on the map keep off them, as they keep off DOM markers.
    symbolBoxes: function () {
      var f = this._painted, out = [];
      if (!f || !this._map) { return out; }
      for (var n = 0; n < (this.singles || []).length; n++) {
        var at = this._at(this.singles[n], f);
        out.push({left: at.x - at.half, top: at.y - at.half, right: at.x + at.half, bottom: at.y + at.half});
      }
      (this.clustered || []).forEach(function (c) {
        out.push({left: c.x - c.r, top: c.y - c.r, right: c.x + c.r, bottom: c.y + c.r});
      });
      return out;
    },

    // The points drawn as their own symbol at the last paint (not inside a cluster).
    drawnPoints: function () { var self = this; return (this.singles || []).map(function (j) { return self.point(j); }); },

    // The stand-in of marker j, made when first asked for (always the same object).
    point: function (j) { return this._made[j] || (this._made[j] = new Point(this, j)); },

    // As a marker cluster group does: show point p as itself (zooming in as far as that needs), then done().
    zoomToShowLayer: function (p, done) {
      var map = this._map, zoom = map.getZoom();
      if (this.worker) {  // clustered: in as far as the point's own cell holds only it
        zoom = Math.min(map.getMaxZoom(), Math.max(zoom, bm.cluster.aloneFrom(this.x, this.y, this.shownMask, p.j)));
      }
      map.setView(p.getLatLng(), zoom, {animate: false});
      if (done) { done(); }
    },

    // A click on a cluster zooms to its points (at least one zoom in), as a marker cluster does.
    zoomToCluster: function (c) {
      var cells = this.cells, crs = L.CRS.EPSG3857, map = this._map, i = c.i;
      var b = L.latLngBounds(crs.pointToLatLng(L.point(cells.minx[i], cells.maxy[i]), 0),
                             crs.pointToLatLng(L.point(cells.maxx[i], cells.miny[i]), 0));
      var zoom = Math.min(map.getMaxZoom(), Math.max(map.getBoundsZoom(b), Math.floor(map.getZoom()) + 1));
      map.setView(b.getCenter(), zoom);
    },

    // The symbol on top under a container point, as drawn at the last paint: a cluster {i, x, y, r, count},
    // a point, or null.
    hit: function (point) {
      var clusters = this.clustered || [], singles = this.singles || [], f = this._frame(), k;
      for (k = clusters.length - 1; k >= 0; k--) {
        var c = clusters[k], dx = point.x - c.x, dy = point.y - c.y;
        if (dx * dx + dy * dy <= c.r * c.r) { return c; }
      }
      for (k = singles.length - 1; k >= 0; k--) {
        var at = this._at(singles[k], f);
        if (Math.abs(point.x - at.x) <= at.half && Math.abs(point.y - at.y) <= at.half) { return this.point(singles[k]); }
      }
      return null;
    },

    _click: function (e) {
      var p = this.hit(e.containerPoint);
      if (p instanceof Point) { this.open(p); } else if (p) { this.zoomToCluster(p); }
    },

    _hover: function (e) {
      var p = this.hit(e.containerPoint), map = this._map;
      map.getContainer().style.cursor = p ? "pointer" : "";
      if (!(p instanceof Point)) { p = null; }
      if (p === this.hovered) { return; }
      if (this.tip) { map.closeTooltip(this.tip); this.tip = null; }
      this.hovered = p;
      if (p) {
        this.tip = L.tooltip({direction: "top", offset: [0, -8]}).setLatLng(p.getLatLng())
          .setContent(bm.tipNode(this.content.tip(p.j)));
        map.openTooltip(this.tip);
      }
    },

    // Open marker p's popup; the layer fires popupopen / popupclose with {layer: p}, as a marker group does.
    open: function (p) {
      var self = this, map = this._map;
      if (!map) { return; }
      var popup = L.popup(bm.popupOptions()).setLatLng(p.getLatLng()).setContent(bm.popNode(this.content.pop(p.j)));
      popup.on("remove", function () { self.fire("popupclose", {layer: p, popup: popup}); });
      map.openPopup(popup);
      this.fire("popupopen", {layer: p, popup: popup});
    },

    // What the panel asks of a marker group.
    clearLayers: function () { this.shownMask.fill(0); this._maskChanged = true; this.redraw(); return this; },
    addLayers: function (points) {
      for (var i = 0; i < points.length; i++) { this.shownMask[points[i].j] = 1; }
      this._maskChanged = true;
      this.redraw();
      return this;
    },
    addLayer: function (p) { return this.addLayers([p]); },
    // Show the points whose item is in the Set visible (and every point of no item), in one pass; a visible
    // with a mask (bm.filter's, a byte per item) is read by item index.
    showOnly: function (visible) {
      var mask = this.shownMask, rows = this.m.r, on = visible.mask, changed = false;
      for (var j = 0; j < mask.length; j++) {
        var r = rows[j], want = r < 0 || (on ? on[r] === 1 : visible.has(this.content.rid(j))) ? 1 : 0;
        if (mask[j] !== want) { mask[j] = want; changed = true; }
      }
      if (changed) { this._maskChanged = true; this.redraw(); }
      return this;
    },
    getLayers: function () { var mask = this.shownMask; return this.points.filter(function (p) { return mask[p.j]; }); },
    hasLayer: function (p) { return p instanceof Point && p.layer === this && !!this.shownMask[p.j]; },
    getBounds: function () {
      var b = L.latLngBounds([]), self = this;
      this.points.forEach(function (p) { if (self.shownMask[p.j]) { b.extend(p.getLatLng()); } });
      return b;
    }
  });
  // Every marker's stand-in (1M of them cost a start of the page that draws none).
  Object.defineProperty(bm.PointLayer.prototype, "points", {get: function () {
    for (var j = 0; j < this.m.len; j++) { this.point(j); }
    return this._made;
  }});
})(typeof window !== "undefined" ? window : globalThis);
