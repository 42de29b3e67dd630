/* Names on the map, placed as a cartographer would: by zoom (each kind from its zoom on, in the document's
   "labelKinds"), in order of importance, never on another name, an event symbol or a control. A town's name
   may sit right, left, above or below its dot; an area's name on its point or a little above or below it.
   bm.placeLabels is the pure part. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  function overlaps(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }

  // candidates: [[rect, ...] per label] in order of importance (each label's positions, best first);
  // obstacles: [rect]; keep: [rect or null per label], what a placed label also occupies (a town's dot, which
  // may sit under the town's own event symbol); texts: [text per label], a text already shown is not repeated.
  // Returns, per label, the index of the position used, or -1.
  bm.placeLabels = function (candidates, obstacles, keep, texts) {
    var taken = obstacles.slice(), out = [], said = new Set();
    candidates.forEach(function (positions, n) {
      var chosen = -1;
      if (texts && said.has(texts[n])) { out.push(-1); return; }
      for (var i = 0; i < positions.length && chosen < 0; i++) {
        var r = positions[i], free = true;
        for (var k = 0; free && k < taken.length; k++) { free = !overlaps(r, taken[k]); }
        if (free) {
          chosen = i; taken.push(r);
          if (keep && keep[n]) { taken.push(keep[n]); }
          if (texts) { said.add(texts[n]); }
        }
      }
      out.push(chosen);
    });
    return out;
  };

  // a town name's positions, best first: beside its dot, then clear of the symbols drawn at the town
  var SIDES = ["bm-right", "bm-left", "bm-above", "bm-below", "bm-right2", "bm-left2", "bm-below2", "bm-above2"];
  // an area's name: on its point, or nudged a little up, down or aside
  var NUDGES = ["", "bm-up", "bm-down", "bm-up2", "bm-down2", "bm-east", "bm-west"];
  function positions(kind) { return /^town/.test(kind) ? SIDES : NUDGES; }
  var ALL = SIDES.concat(NUDGES.slice(1));

  bm.labelLayout = function (ctx) {
    var kinds = ctx.data.labelKinds || [], map = ctx.map, minZoom = {};
    var order = kinds.map(function (k) { minZoom[k[0]] = k[1]; return k[0]; });
    var box = map.getContainer(), pending = null;
    function rank(l) { var n = order.indexOf(l.kind); return n < 0 ? order.length : n; }
    function place() {
      pending = null;
      var z = map.getZoom(), view = box.getBoundingClientRect();
      var labels = bm.labels.filter(function (l) {
        var on = map.hasLayer(l.group) && z >= (minZoom[l.kind] || 0);
        l.el.style.visibility = "hidden";
        l.on = on;
        return on;
      }).sort(function (a, b) { return rank(a) - rank(b); });
      var obstacles = [];
      Array.prototype.forEach.call(box.querySelectorAll(".bm-marker, .leaflet-control, .marker-cluster"), function (e) {
        obstacles.push(e.getBoundingClientRect());
      });
      var title = document.querySelector(".bm-title");
      if (title) { obstacles.push(title.getBoundingClientRect()); }
      var candidates = labels.map(function (l) {
        return positions(l.kind).map(function (side) {
          ALL.forEach(function (s) { l.el.classList.remove(s); });
          if (side) { l.el.classList.add(side); }
          var name = l.el.lastChild.getBoundingClientRect();
          // a name must lie inside the map to count as shown
          return name.left >= view.left && name.right <= view.right && name.top >= view.top && name.bottom <= view.bottom
            ? name : {left: -1e9, right: 1e9, top: -1e9, bottom: 1e9};
        });
      });
      var dots = labels.map(function (l) {  // a town's dot: later names keep off it
        return l.el.firstChild !== l.el.lastChild ? l.el.firstChild.getBoundingClientRect() : null;
      });
      var chosen = bm.placeLabels(candidates, obstacles, dots,
                                  labels.map(function (l) { return l.el.lastChild.textContent; }));
      labels.forEach(function (l, n) {
        ALL.forEach(function (s) { l.el.classList.remove(s); });
        if (chosen[n] >= 0) {
          var side = positions(l.kind)[chosen[n]];
          if (side) { l.el.classList.add(side); }
          l.el.style.visibility = "visible";
        }
      });
      bm.labelsPlaced = (bm.labelsPlaced || 0) + 1;
    }
    function later() { if (!pending) { pending = setTimeout(place, 30); } }
    map.on("zoomend moveend overlayadd overlayremove resize", later);
    ctx.hub.on("filtered", later);
    return {place: place};
  };
})(typeof window !== "undefined" ? window : globalThis);
