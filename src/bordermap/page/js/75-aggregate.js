/* The aggregate layer follows the filters: each unit's events that pass are recounted, and the unit takes the
   class of its new count (the build's breaks, so colours stay comparable). Document: "aggregate" and items' "f". */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var agg = bm.aggregate = {};

  // Delta-encoded item indexes -> absolute indexes.
  agg.members = function (deltas) {
    var out = new Array(deltas.length), n = 0;
    for (var i = 0; i < deltas.length; i++) { n += deltas[i]; out[i] = n; }
    return out;
  };

  // Per unit {count, best, low, high} of the items in `visible` (a Set of ids); items[i].f = [best, low, high].
  agg.recount = function (units, items, visible) {
    return units.map(function (members) {
      var t = {count: 0, best: 0, low: 0, high: 0};
      members.forEach(function (i) {
        var it = items[i];
        if (!visible.has(it.id)) { return; }
        t.count += 1;
        if (it.f) { t.best += it.f[0]; t.low += it.f[1]; t.high += it.f[2]; }
      });
      return t;
    });
  };

  // The class of a value: the first break it does not exceed; -1 for zero (nothing left to show).
  agg.classOf = function (value, breaks) {
    if (!value) { return -1; }
    for (var i = 0; i < breaks.length; i++) { if (value <= breaks[i]) { return i; } }
    return breaks.length - 1;
  };

  agg.tipLines = function (t) {
    var range = (t.low !== t.best || t.high !== t.best) ? " (range " + t.low + "–" + t.high + ")" : "";
    return [t.count + (t.count === 1 ? " event" : " events"), "Fatalities: " + t.best + range];
  };

  bm.aggregateLayer = function (ctx) {
    var spec = ctx.data.aggregate, entry = spec && bm.shapes[spec.layer];
    if (!entry) { return; }
    var features = [];
    (ctx.data.layers || []).forEach(function (l) { if (l.name === spec.layer) { features = l.features; } });
    var units = spec.units.map(agg.members), k = 0, parts = [];
    features.forEach(function (f) { parts.push(entry.layers.slice(k, k + f.g.length)); k += f.g.length; });
    var names = features.map(function (f) { return ctx.data.str(f.t[0]); });
    function draw(result) {
      var totals = agg.recount(units, ctx.items, result.visible);
      totals.forEach(function (t, u) {
        var c = agg.classOf(spec.measure === "events" ? t.count : t.best, spec.breaks);
        (parts[u] || []).forEach(function (layer) {
          layer.setStyle(c < 0 ? {fillOpacity: 0, opacity: 0.3} : {fillColor: spec.colours[c], fillOpacity: 0.65, opacity: 1});
          layer.bordermap.total = t;
          layer.setTooltipContent(function () {
            var div = bm.el("div");
            div.appendChild(bm.el("b", "", names[u]));
            agg.tipLines(t).forEach(function (line) { div.appendChild(bm.el("div", "", line)); });
            return div;
          });
        });
      });
      entry.totals = totals;
    }
    ctx.hub.on("filtered", draw);
  };
})(typeof window !== "undefined" ? window : globalThis);
