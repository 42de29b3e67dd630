/* Many markers on one canvas: a marker layer with more than bm.CANVAS_FROM symbols is drawn as pictures on a
   canvas, not as one DOM element each. The symbols are the same (the document's icons), every one is drawn,
   a click or hover finds the symbol on top; popups, tooltips and the hub's selection work as for DOM markers.
   The layer answers the few calls the panel makes of a marker group (clearLayers, addLayers, hasLayer) and its
   markers are light stand-ins with getLatLng, openPopup and bordermap {id, rid, start, end}. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  bm.CANVAS_FROM = 2000;

  // A stand-in for a marker: no DOM, no Leaflet layer; the canvas layer draws and opens it.
  function Point(layer, j, d, title, info) {
    this.layer = layer; this.j = j; this.d = d; this.bordermap = info;
    this.options = {title: title, alt: title};
  }
  Point.prototype.getLatLng = function () { return L.latLng(this.d.lat, this.d.lon); };
  Point.prototype.openPopup = function () { this.layer.open(this); return this; };

  bm.PointLayer = L.Layer.extend({
    // specs: bm.decodeMarkers' objects; content: {title(j), info(j), tip(j), pop(j)} of marker j
    initialize: function (specs, icons, content) {
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
      this.specs = specs;
      this.content = content;
      this.points = specs.map(function (d, j) { return new Point(self, j, d, content.title(j), content.info(j)); });
      // drawn bottom to top as DOM markers stack: higher z on top, among equal z the smaller on top
      var order = specs.map(function (d, j) { return j; });
      order.sort(function (a, b) {
        return (100 * specs[a].z - 10 * specs[a].size) - (100 * specs[b].z - 10 * specs[b].size) || a - b;
      });
      this.order = Int32Array.from(order);
      this.shownMask = new Uint8Array(specs.length).fill(1);
      this.x = new Float64Array(specs.length);  // Web Mercator pixels at zoom 0
      this.y = new Float64Array(specs.length);
      var crs = L.CRS.EPSG3857;
      specs.forEach(function (d, j) {
        var p = crs.latLngToPoint(L.latLng(d.lat, d.lon), 0);
        self.x[j] = p.x; self.y[j] = p.y;
      });
    },

    onAdd: function (map) {
      this.canvas = L.DomUtil.create("canvas", "bm-points leaflet-zoom-hide");
      this.canvas.setAttribute("aria-hidden", "true");  // the list gives the same content as text
      map.getPanes().overlayPane.appendChild(this.canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      map.on("click", this._click, this);
      map.on("mousemove", this._hover, this);
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

    // one repaint per frame, however many moves, loads and filter changes asked for it
    redraw: function () {
      var self = this;
      if (this._pending || !this._map) { return; }
      this._pending = true;
      L.Util.requestAnimFrame(function () { self._pending = false; self.paint(); });
    },

    paint: function () {
      var map = this._map, canvas = this.canvas;
      if (!map || !canvas) { return; }
      var size = map.getSize(), ratio = root.devicePixelRatio || 1, f = this._frame();
      canvas.width = size.x * ratio; canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var drawn = 0;
      for (var k = 0; k < this.order.length; k++) {
        var j = this.order[k];
        if (!this.shownMask[j]) { continue; }
        var d = this.specs[j], icon = this.icons[d.icon], half = icon.size / 2;
        var px = this.x[j] * f.scale - f.origin.x + d.dx, py = this.y[j] * f.scale - f.origin.y + d.dy;
        if (px < -half || py < -half || px > size.x + half || py > size.y + half) { continue; }
        if (icon.sprite) { ctx.drawImage(icon.sprite, px - half, py - half, icon.size, icon.size); }
        drawn += 1;
      }
      this.drawn = drawn;
      this.fire("drawn", {count: drawn});
    },

    // The symbol on top under a container point, or null.
    hit: function (point) {
      var f = this._frame();
      for (var k = this.order.length - 1; k >= 0; k--) {
        var j = this.order[k];
        if (!this.shownMask[j]) { continue; }
        var d = this.specs[j], half = this.icons[d.icon].size / 2;
        var px = this.x[j] * f.scale - f.origin.x + d.dx, py = this.y[j] * f.scale - f.origin.y + d.dy;
        if (Math.abs(point.x - px) <= half && Math.abs(point.y - py) <= half) { return this.points[j]; }
      }
      return null;
    },

    _click: function (e) { var p = this.hit(e.containerPoint); if (p) { this.open(p); } },

    _hover: function (e) {
      var p = this.hit(e.containerPoint), map = this._map;
      map.getContainer().style.cursor = p ? "pointer" : "";
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
    clearLayers: function () { this.shownMask.fill(0); this.redraw(); return this; },
    addLayers: function (points) {
      for (var i = 0; i < points.length; i++) { this.shownMask[points[i].j] = 1; }
      this.redraw();
      return this;
    },
    addLayer: function (p) { return this.addLayers([p]); },
    getLayers: function () { var mask = this.shownMask; return this.points.filter(function (p) { return mask[p.j]; }); },
    hasLayer: function (p) { return p instanceof Point && p.layer === this && !!this.shownMask[p.j]; },
    getBounds: function () {
      var b = L.latLngBounds([]), self = this;
      this.points.forEach(function (p) { if (self.shownMask[p.j]) { b.extend(p.getLatLng()); } });
      return b;
    }
  });
})(typeof window !== "undefined" ? window : globalThis);
