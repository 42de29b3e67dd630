/* Honest precision: a circle of the stated uncertainty around approximate points, in the uncertainty layer.
   The circles are drawn on a canvas and kept from one move to the next (only those that come into view are
   made): at zoom 13 on a page of 100k events a hundred circles each wider than the screen, as dashed SVG paths
   remade at every move, took 260-350 ms a frame. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var ZOOM = 7;    // drawn from this zoom in (below it they hide under the symbol)
  var MAX = 2000;  // and at most this many, those in view
  var STYLE = {color: "#555555", weight: 1.5, dashArray: "5 4", fillColor: "#555555", fillOpacity: 0.08,
               interactive: false};

  bm.uncertainty = function (ctx) {
    var unc = bm.shapes[ctx.data.uncertainty], map = ctx.map, circles = L.layerGroup(), drawn = new Map();
    var style = Object.create(null);
    Object.keys(STYLE).forEach(function (k) { style[k] = STYLE[k]; });
    // their own pane: above the shapes (as the SVG circles were, drawn after them), below the points; events
    // pass through to the shapes beneath (the circles take no clicks)
    var pane = map.getPane("bm-uncertainty") || map.createPane("bm-uncertainty");
    pane.style.zIndex = 440;
    pane.style.pointerEvents = "none";
    style.renderer = L.canvas({pane: "bm-uncertainty"});
    if (unc) { circles.addTo(unc.group); }
    function draw() {
      var keep = new Map();
      if (unc && map.getZoom() >= ZOOM) {
        var view = map.getBounds().pad(0.3);
        Object.keys(bm.layers).forEach(function (key) {
          var group = bm.layers[key].group;  // the canvas layer: only the points drawn as themselves
          var shown = group.drawnPoints ? group.drawnPoints() : bm.layers[key].shown;
          shown.forEach(function (m) {
            if (keep.size >= MAX || keep.has(m)) { return; }
            var it = m.bordermap.rid && ctx.item(m.bordermap.rid);
            if (!it || !it.radius || !view.contains(m.getLatLng())) { return; }
            var circle = drawn.get(m);
            if (!circle || circle.getRadius() !== it.radius) { circle = L.circle(m.getLatLng(), L.extend({radius: it.radius}, style)); }
            keep.set(m, circle);
          });
        });
      }
      drawn.forEach(function (circle, m) { if (keep.get(m) !== circle) { circles.removeLayer(circle); } });
      keep.forEach(function (circle) { if (!circles.hasLayer(circle)) { circles.addLayer(circle); } });
      drawn = keep;
    }
    ctx.hub.on("filtered", draw);
    map.on("moveend", draw);
    Object.keys(bm.layers).forEach(function (key) {  // the canvas layer draws after the move, maybe later
      if (bm.layers[key].group.drawnPoints) { bm.layers[key].group.on("drawn", draw); }
    });
  };
})(typeof window !== "undefined" ? window : globalThis);
