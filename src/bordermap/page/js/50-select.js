/* Selection, both ways between the list and the map: choosing a row opens the item on the map,
   opening a marker or area selects its row. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  // Everything the given items draw: markers' points and shapes' bounds.
  bm.extent = function (items) {
    var bounds = L.latLngBounds([]);
    items.forEach(function (it) {
      it.parts.forEach(function (p) { bounds.extend(p.layer.getBounds ? p.layer.getBounds() : p.layer.getLatLng()); });
    });
    return bounds;
  };

  bm.selection = function (ctx) {
    var map = ctx.map;
    function select(id, opts) {
      opts = opts || {};
      ctx.state.sel = id;
      ctx.hub.emit("selected", id);
      ctx.writeHash();
      if (!id) { map.closePopup(); return; }
      if (opts.scroll) { ctx.list.show(id); }
      if (opts.reveal) { reveal(ctx.item(id), opts.keepView); }
    }
    function reveal(it, keepView, tries) {
      if (!ctx.visible.has(it.id) || !it.parts.length) { return; }
      var part = it.parts[0], layer = part.layer, group = part.group;
      if (!map.hasLayer(group)) { map.addLayer(group); }  // show the layer that holds it
      if (layer.getLatLng && group.zoomToShowLayer) {
        // a cluster group just added is still placing its markers
        if (!group.hasLayer(layer) && (tries || 0) < 40) {
          setTimeout(function () { reveal(it, keepView, (tries || 0) + 1); }, 50);
          return;
        }
        group.zoomToShowLayer(layer, function () { layer.openPopup(); });
      } else if (layer.getLatLng) {
        if (!keepView) { map.setView(layer.getLatLng(), Math.max(map.getZoom(), 9), {animate: false}); }
        layer.openPopup();
      } else {
        if (!keepView) { map.fitBounds(bm.extent([it]), {maxZoom: 8}); }
        layer.openPopup(layer.getCenter ? layer.getCenter() : undefined);
      }
    }
    // popups report which layer opened them through the layer's group (public events, no private fields)
    function watch(group) {
      group.on("popupopen", function (e) {
        var rid = e.layer && e.layer.bordermap && e.layer.bordermap.rid;
        if (rid && rid !== ctx.state.sel) {
          ctx.state.sel = rid;
          ctx.hub.emit("selected", rid);
          ctx.list.show(rid);
          ctx.writeHash();
        }
      });
      group.on("popupclose", function (e) {
        var rid = e.layer && e.layer.bordermap && e.layer.bordermap.rid;
        if (!ctx.applying && rid && rid === ctx.state.sel) {
          ctx.state.sel = null;
          ctx.hub.emit("selected", null);
          ctx.writeHash();
        }
      });
    }
    Object.keys(bm.layers).forEach(function (k) { watch(bm.layers[k].group); });
    Object.keys(bm.shapes).forEach(function (k) { watch(bm.shapes[k].group); });
    ctx.hub.on("filtered", function () { if (ctx.state.sel && !ctx.visible.has(ctx.state.sel)) { ctx.state.sel = null; } });
    return {select: select};
  };
})(typeof window !== "undefined" ? window : globalThis);
