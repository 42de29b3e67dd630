/* Shareable views: the URL hash holds the view, the visible layers, the filters, the time span and the
   selected item. bm.hash.encode/parse are a pure codec; bm.hashSync keeps the address bar and the page in step. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var hash = bm.hash = {};

  // view: [lat, lng, zoom] or null; layers: [names] or null (not recorded); facets: {key: [values]};
  // from/to: "YYYY-MM" or null; item: id or null; story: id or null, with step: its 1-based step.
  hash.encode = function (s, facetKeys) {
    var p = new URLSearchParams();
    if (s.view) { p.set("view", [s.view[0].toFixed(4), s.view[1].toFixed(4), s.view[2]].join(",")); }
    if (s.layers) {
      if (s.layers.length) { s.layers.forEach(function (n) { p.append("layer", n); }); } else { p.set("layer", ""); }
    }
    facetKeys.forEach(function (k) { ((s.facets || {})[k] || []).forEach(function (v) { p.append(k, v); }); });
    if (s.from) { p.set("from", s.from); }
    if (s.to) { p.set("to", s.to); }
    if (s.item) { p.set("item", s.item); }
    if (s.story) { p.set("story", s.story); p.set("step", String(s.step || 1)); }
    return p.toString();
  };

  // null when the text holds no view state (e.g. an empty hash or a plain anchor)
  hash.parse = function (text, facetKeys) {
    text = String(text || "").replace(/^#/, "");
    if (!text || text.indexOf("=") < 0) { return null; }
    var p = new URLSearchParams(text), out = {view: null, layers: null, facets: {}, from: p.get("from"),
                                                 to: p.get("to"), item: p.get("item")};
    if (p.has("story")) { out.story = p.get("story"); out.step = parseInt(p.get("step"), 10) || 1; }
    var view = (p.get("view") || "").split(",").map(Number);
    if (view.length === 3 && view.every(isFinite) && p.get("view").split(",").every(function (x) { return x !== ""; })) {
      out.view = view;
    }
    if (p.has("layer")) { out.layers = p.getAll("layer").filter(function (n) { return n !== ""; }); }
    facetKeys.forEach(function (k) { out.facets[k] = p.getAll(k); });
    return out;
  };

  bm.hashSync = function (ctx) {
    var map = ctx.map, overlays = ctx.overlays, names = Object.keys(overlays), months = ctx.months;
    var keys = ctx.facets.map(function (f) { return f[0]; }), timer = null;
    ctx.restoring = true;  // no hash is written before the page's own hash is read
    function current() {
      var c = map.getCenter(), s = ctx.state;
      var span = months.length && (s.from !== 0 || s.to !== months.length - 1);
      var facets = {};
      keys.forEach(function (k) { facets[k] = Array.from(s.facets[k]); });
      return {view: [c.lat, c.lng, map.getZoom()], layers: names.filter(function (n) { return map.hasLayer(overlays[n]); }),
              facets: facets, from: span ? months[s.from].start.slice(0, 7) : null,
              to: span ? months[s.to].start.slice(0, 7) : null, item: s.sel,
              story: ctx.story && ctx.story.where() ? ctx.story.where().story : null,
              step: ctx.story && ctx.story.where() ? ctx.story.where().step : null};
    }
    function write() {
      if (ctx.restoring) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () { history.replaceState(null, "", "#" + hash.encode(current(), keys)); }, 100);
    }
    function month(v, fallback) {
      for (var i = 0; v && i < months.length; i++) { if (months[i].start.slice(0, 7) === v) { return i; } }
      return fallback;
    }
    // true when the address held a view to restore
    function read() {
      var s = hash.parse(location.hash, keys);
      if (!s) { ctx.restoring = false; return false; }
      ctx.restoring = true;
      if (s.layers) {
        var want = new Set(s.layers);
        names.forEach(function (n) {
          var on = want.has(n);
          if (on && !map.hasLayer(overlays[n])) { map.addLayer(overlays[n]); }
          if (!on && map.hasLayer(overlays[n])) { map.removeLayer(overlays[n]); }
        });
      }
      keys.forEach(function (k) {
        ctx.state.facets[k] = new Set(s.facets[k].filter(function (v) { return ctx.boxes[k] && ctx.boxes[k][v]; }));
      });
      ctx.state.from = month(s.from, 0);
      ctx.state.to = month(s.to, Math.max(months.length - 1, 0));
      ctx.time.show();
      if (s.view) { map.setView([s.view[0], s.view[1]], s.view[2], {animate: false}); }
      ctx.apply();
      ctx.restoring = false;
      if (s.item && ctx.item(s.item) && ctx.visible.has(s.item)) {
        ctx.select(s.item, {reveal: true, keepView: !!s.view, scroll: true});
      } else {
        ctx.select(null);
      }
      if (ctx.story) { ctx.story.fromHash(s.story, s.step); }  // 85-story.js: a link to a story's step
      return true;
    }
    map.on("moveend", write);
    map.on("overlayadd overlayremove", write);
    window.addEventListener("hashchange", read);
    return {write: write, read: read, hasView: function () { return !!(hash.parse(location.hash, keys) || {}).view; }};
  };
})(typeof window !== "undefined" ? window : globalThis);
