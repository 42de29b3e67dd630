/* Honest precision: a circle of the stated uncertainty around approximate points, in the uncertainty layer. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var ZOOM = 7;    // drawn from this zoom in (below it they hide under the symbol)
  var MAX = 2000;  // and at most this many, those in view

  bm.uncertainty = function (ctx) {
    var unc = bm.shapes[ctx.data.uncertainty], map = ctx.map, circles = L.layerGroup();
    if (unc) { circles.addTo(unc.group); }
    function draw() {
      circles.clearLayers();
      if (!unc || map.getZoom() < ZOOM) { return; }
      var view = map.getBounds().pad(0.3), n = 0;
      Object.keys(bm.layers).forEach(function (key) {
        var group = bm.layers[key].group;  // the canvas layer: only the points drawn as themselves
        var shown = group.drawnPoints ? group.drawnPoints() : bm.layers[key].shown;
        shown.forEach(function (m) {
          var it = m.bordermap.rid && ctx.item(m.bordermap.rid);
          if (!it || !it.radius || n >= MAX || !view.contains(m.getLatLng())) { return; }
          n += 1;
          L.circle(m.getLatLng(), {radius: it.radius, color: "#555555", weight: 1.5, dashArray: "5 4",
                                   fillColor: "#555555", fillOpacity: 0.08, interactive: false}).addTo(circles);
        });
      });
    }
    ctx.hub.on("filtered", draw);
    map.on("moveend", draw);
    Object.keys(bm.layers).forEach(function (key) {  // the canvas layer draws after the move, maybe later
      if (bm.layers[key].group.drawnPoints) { bm.layers[key].group.on("drawn", draw); }
    });
  };
})(typeof window !== "undefined" ? window : globalThis);
