/* Start-up: read the document, build the map, then the panel; one filter state drives markers, shapes,
   circles, counts and the list. Runs when the script loads (it is the page's last element). */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  bm.ready = false;
  var waiting = [];
  bm.whenReady = function (fn) { if (bm.ready) { fn(); } else { waiting.push(fn); } };

  // Show or hide every marker and shape of the items that the filter state lets through.
  function showVisible(visible) {
    Object.keys(bm.layers).forEach(function (key) {
      var entry = bm.layers[key];
      if (entry.group.showOnly) { entry.group.showOnly(visible); return; }  // the canvas layer: one pass
      var keep = entry.markers.filter(function (m) { return !m.bordermap.rid || visible.has(m.bordermap.rid); });
      var same = keep.length === entry.shown.length && keep.every(function (m, i) { return m === entry.shown[i]; });
      if (!same) {
        entry.group.clearLayers();
        if (entry.group.addLayers) { entry.group.addLayers(keep); } else { keep.forEach(function (m) { entry.group.addLayer(m); }); }
        entry.shown = keep;
      }
    });
    Object.keys(bm.shapes).forEach(function (key) {
      var entry = bm.shapes[key];
      entry.layers.forEach(function (layer) {
        var rid = layer.bordermap.rid;
        if (!rid) { return; }
        var want = visible.has(rid);
        if (want !== entry.group.hasLayer(layer)) {
          if (want) { entry.group.addLayer(layer); } else { entry.group.removeLayer(layer); }
        }
      });
    });
  }

  // fn in a task after the next frame (so that the map paints before the panel is built), or after 100 ms
  // where no frame comes (a hidden tab)
  function afterFrame(fn) {
    var called = false;
    function go() { if (!called) { called = true; setTimeout(fn, 0); } }
    L.Util.requestAnimFrame(go);
    setTimeout(go, 100);
  }

  bm.start = function () {
    var data = bm.readData(), panel = document.getElementById("bm-panel");
    var built = bm.buildMap("bm-map", data, function () {
      bm.ready = true;
      waiting.splice(0).forEach(function (fn) { fn(); });
    });
    var map = built.map;
    bm.map = map;
    var ctx = {map: map, data: data, items: data.items, months: data.months, facets: data.facets,
               overlays: built.overlays, control: built.control, hub: bm.hub(), boxes: Object.create(null),
               applying: false, restoring: true};
    // the item of an id (undefined: none), from an index made on the first question, not before the first frame
    ctx.item = function (id) { var i = bm.filter.indexOf(data.columns, id); return i >= 0 ? data.items[i] : undefined; };
    ctx.state = bm.filter.emptyState(ctx.facets, ctx.months);
    ctx.state.sel = null;
    ctx.visible = bm.filter.all(data.columns);
    map.getContainer().setAttribute("role", "region");
    map.getContainer().setAttribute("aria-label", "Map: " + document.title +
      ". The list of events, places and areas in the side panel gives the same content as text.");
    var status = document.getElementById("bm-status");
    ctx.say = function (text) { status.textContent = text; };
    ctx.writeHash = function () {};  // replaced once the hash module is up
    ctx.apply = function () {
      ctx.applying = true;
      var result = bm.filter.run(ctx.items, ctx.state, ctx.facets, ctx.months);
      ctx.visible = result.visible;
      showVisible(result.visible);
      ctx.applying = false;
      ctx.hub.emit("filtered", result);
      ctx.say("Showing " + ctx.visible.size + " of " + ctx.items.length + " items.");
      ctx.writeHash();
    };
    ctx.clearFacets = function () { ctx.facets.forEach(function (f) { ctx.state.facets[f[0]].clear(); }); };
    ctx.clearFilters = function () {
      ctx.clearFacets();
      ctx.state.from = 0; ctx.state.to = Math.max(ctx.months.length - 1, 0);
      ctx.time.show();
      ctx.apply();
    };
    if (!panel) { bm.whenReady(function () { bm.started = true; }); return; }
    // The map first, at its final size (a phone folds the panel away) and its opening view; the panel follows
    // in slices, one task each, so that a page of 100k events is drawn before its filters and list are built.
    bm.panelFrame(ctx);
    var sync = bm.hashSync(ctx);
    ctx.writeHash = sync.write;
    // the opening view: the recipe's frame, unless the link names a view
    // (inside the part of the map the title leaves free)
    if (data.view.fit && !sync.hasView()) {
      var title = document.querySelector(".bm-title"), top = map.getContainer().getBoundingClientRect().top;
      var below = title ? Math.max(0, title.getBoundingClientRect().bottom - top) : 0;
      map.fitBounds(data.view.fit, {animate: false, paddingTopLeft: [8, below + 4], paddingBottomRight: [8, 8]});
    }
    panel.setAttribute("aria-busy", "true");
    var controls = [];
    function hold() {  // the filters wait until the panel is whole and every marker is placed
      controls = document.querySelectorAll("#bm-filters input, #bm-filters button");
      Array.prototype.forEach.call(controls, function (c) { c.disabled = true; });
    }
    var steps = [
      function () { bm.uncertainty(ctx); bm.aggregateLayer(ctx); bm.facetsPanel(ctx); },
      function () { ctx.time = bm.timePanel(ctx); ctx.chart = bm.timeChart(ctx); ctx.playback = bm.playback(ctx); },
      function () { ctx.list = bm.listPanel(ctx); ctx.select = bm.selection(ctx).select; bm.searchBox(ctx); },
      function () {
        ctx.takeaway = bm.takeaway(ctx);
        ctx.print = bm.printReport(ctx, ctx.takeaway);
        document.getElementById("bm-clear").addEventListener("click", ctx.clearFilters);
        ctx.labels = bm.labelLayout(ctx);
        ctx.story = bm.storyPanel(ctx);  // null when the recipe has no stories
      },
      // a page with many markers under bm.CANVAS_FROM clusters them in slices: ready once the last is placed
      function () {
        bm.whenReady(function () {
          Array.prototype.forEach.call(controls, function (c) { c.disabled = false; });
          panel.removeAttribute("aria-busy");
          if (!sync.read()) { ctx.apply(); }
          ctx.labels.place();
          bm.started = true;
        });
      }
    ];
    function next() {  // one task a slice: a reader's input is answered between them
      steps.shift()();
      if (steps.length) { hold(); setTimeout(next, 0); }
    }
    afterFrame(next);  // the map's first frame before any of the panel
  };

  // the document is deflated: start once it is inflated (bm.loadData); a failure is said in the panel and thrown
  if (typeof document !== "undefined" && document.getElementById("bm-data")) {
    bm.loadData().then(function () { bm.start(); }).catch(function (error) {
      var status = document.getElementById("bm-status");
      if (status) { status.textContent = "The map could not be opened: " + error.message; }
      setTimeout(function () { throw error; }, 0);
    });
  }
})(typeof window !== "undefined" ? window : globalThis);
