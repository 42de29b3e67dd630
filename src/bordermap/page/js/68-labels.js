/* Names on the map, placed as a cartographer would: by zoom (each kind from its zoom on, in the document's
   "labelKinds"), in order of importance, never on another name, an event symbol or a control. A town's name
   may sit right, left, above or below its dot; an area's name on its point or nudged off it.
   bm.placeLabels is the pure part. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  var NOWHERE = {left: -1e9, right: 1e9, top: -1e9, bottom: 1e9};  // a position not to use: it overlaps everything
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

  // A town's name: beside its dot, right, left, above or below, then further off, clear of the symbols
  // drawn at the town. An area's name: on its point, then nudged along a widening spiral.
  // A position [fx, dx, fy, dy] moves the name by fx of its width plus dx px, and fy of its height plus dy px:
  // the page works out each position's box from one measured box (measuring every position would make the
  // browser lay the page out again for each of thousands of them), and draws it as a CSS translate.
  var TOWN = [], AREA = [[-0.5, 0, -0.5, 0]];
  [7, 22, 40].forEach(function (d) {
    TOWN.push([0, d, -0.5, 0], [-1, -d, -0.5, 0], [-0.5, 0, -1, 2 - d], [-0.5, 0, 0, d - 2]);
  });
  [16, 32, 52, 76, 104].forEach(function (r) {
    for (var k = 0; k < 8; k++) {
      var a = k * Math.PI / 4;
      AREA.push([-0.5, Math.round(r * 1.8 * Math.cos(a)), -0.5, Math.round(r * Math.sin(a))]);
    }
  });
  // Names of the areas ranked above every town (countries, the focus provinces) are always shown, if need be set
  // off their point; a lesser area's name sits on its point or within its first two rings, or is left out:
  // set further off it would name the area it lies over.
  // Such a name is first tried near its point and near the other points well inside its area the document
  // gives ("also"), then further off its own point.
  var NEAR = AREA.slice(0, 17), FAR = AREA.slice(17);
  // Each option: a position q (as above, shifted to the point used) and o, that point's offset in px.
  function options(l, major, map) {
    if (/^town/.test(l.kind)) { return TOWN.map(function (p) { return {q: p, o: [0, 0]}; }); }
    var here = map.latLngToContainerPoint(l.at), out = [];
    [[0, 0]].concat(l.also.map(function (a) {
      var c = map.latLngToContainerPoint(a);
      return [Math.round(c.x - here.x), Math.round(c.y - here.y)];
    })).forEach(function (o) {
      NEAR.forEach(function (p) { out.push({q: [p[0], p[1] + o[0], p[2], p[3] + o[1]], o: o}); });
    });
    if (major) { FAR.forEach(function (p) { out.push({q: p, o: [0, 0]}); }); }
    return out;
  }
  function axis(f, d) { return "calc(" + (f * 100) + "% + " + d + "px)"; }
  bm.labelTransform = function (p) { return "translate(" + axis(p[0], p[1]) + ", " + axis(p[2], p[3]) + ")"; };
  // The box of a name at position p, from its box with no transform.
  bm.labelBox = function (base, p) {
    var w = base.right - base.left, h = base.bottom - base.top;
    var x = base.left + p[0] * w + p[1], y = base.top + p[2] * h + p[3];
    return {left: x, top: y, right: x + w, bottom: y + h};
  };

  // An area's name nudged off its point keeps a thin line back to it, so that it is never read as the name of
  // the area it now lies over. Returns {length, angle} in px and degrees from the point to the name's box, or
  // null when the name is on or right beside its point (LEADER_FROM px).
  var LEADER_FROM = 10;
  bm.leaderLine = function (at, box) {
    var x = Math.max(box.left + 2, Math.min(at.x, box.right - 2)), y = Math.max(box.top + 2, Math.min(at.y, box.bottom - 2));
    var dx = x - at.x, dy = y - at.y, length = Math.sqrt(dx * dx + dy * dy);
    return length < LEADER_FROM ? null : {length: Math.round(length), angle: Math.round(Math.atan2(dy, dx) * 1800 / Math.PI) / 10};
  };
  function leader(l, line, o) {
    if (!line) { if (l.leader) { l.leader.style.display = "none"; } return; }
    if (!l.leader) { l.leader = l.el.insertBefore(bm.el("span", "bm-leader"), l.el.lastChild); }
    l.leader.style.display = "";
    l.leader.style.left = o[0] + "px";
    l.leader.style.top = o[1] + "px";
    l.leader.style.width = line.length + "px";
    l.leader.style.transform = "rotate(" + line.angle + "deg)";
  }

  bm.labelLayout = function (ctx) {
    var kinds = ctx.data.labelKinds || [], map = ctx.map, minZoom = {};
    var order = kinds.map(function (k) { minZoom[k[0]] = k[1]; return k[0]; });
    var box = map.getContainer(), pending = null;
    function rank(l) { var n = order.indexOf(l.kind); return n < 0 ? order.length : n; }
    var firstTown = order.findIndex(function (k) { return /^town/.test(k); });
    function major(l) { return firstTown < 0 || rank(l) < firstTown; }
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
      // symbols and clusters drawn on a canvas: town names keep off them (an area's name may lie over a
      // cluster, as over a shape: many clusters would push it far from its area)
      var drawn = [];
      Object.keys(bm.layers || {}).forEach(function (name) {
        var group = bm.layers[name].group;
        if (!group || typeof group.symbolBoxes !== "function" || !map.hasLayer(group)) { return; }
        group.symbolBoxes().forEach(function (b) {
          drawn.push({left: view.left + b.left, top: view.top + b.top, right: view.left + b.right,
                      bottom: view.top + b.bottom});
        });
      });
      var title = document.querySelector(".bm-title");
      if (title) { obstacles.push(title.getBoundingClientRect()); }
      // every write first, then every read: one layout for all the names
      labels.forEach(function (l) { l.el.lastChild.style.transform = "none"; });
      var anchors = [], opts = labels.map(function (l) { return options(l, major(l), map); });
      function inView(x, y) { return x >= view.left && x <= view.right && y >= view.top && y <= view.bottom; }
      var candidates = labels.map(function (l, n) {
        var base = l.el.lastChild.getBoundingClientRect(), at = l.el.getBoundingClientRect(), area = !/^town/.test(l.kind);
        anchors.push({x: at.left, y: at.top});
        return opts[n].map(function (opt) {
          var name = bm.labelBox(base, opt.q);
          // a name must lie inside the map to count as shown, and an area's name beside a point in view
          return (!area || inView(at.left + opt.o[0], at.top + opt.o[1])) && name.left >= view.left &&
            name.right <= view.right && name.top >= view.top && name.bottom <= view.bottom
            ? name : NOWHERE;
        });
      });
      labels.forEach(function (l, n) {
        if (!drawn.length || !/^town/.test(l.kind)) { return; }
        candidates[n] = candidates[n].map(function (c) {
          return drawn.some(function (b) { return overlaps(c, b); }) ? NOWHERE : c;
        });
      });
      var dots = labels.map(function (l) {  // a town's dot: later names keep off it
        var dot = l.el.querySelector(".bm-dot");
        return dot ? dot.getBoundingClientRect() : null;
      });
      var chosen = bm.placeLabels(candidates, obstacles, dots,
                                  labels.map(function (l) { return l.el.lastChild.textContent; }));
      labels.forEach(function (l, n) {
        var line = null, opt = opts[n][chosen[n]];
        if (opt) {
          l.el.lastChild.style.transform = bm.labelTransform(opt.q);
          l.el.style.visibility = "visible";
          if (!/^town/.test(l.kind)) {
            l.point = {x: anchors[n].x + opt.o[0], y: anchors[n].y + opt.o[1]};  // the point the name is set by
            line = bm.leaderLine(l.point, candidates[n][chosen[n]]);
          }
        }
        leader(l, line, opt && opt.o);
      });
      bm.labelsPlaced = (bm.labelsPlaced || 0) + 1;
    }
    function later() { if (!pending) { pending = setTimeout(place, 30); } }
    map.on("zoomend moveend overlayadd overlayremove resize", later);
    Object.keys(bm.layers || {}).forEach(function (name) {  // a canvas layer's symbols come after its worker answers
      var group = bm.layers[name].group;
      if (group && typeof group.symbolBoxes === "function") { group.on("drawn", later); }
    });
    ctx.hub.on("filtered", later);
    return {place: place};
  };
})(typeof window !== "undefined" ? window : globalThis);
