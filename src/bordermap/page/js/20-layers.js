/* The map and its layers, made from the document's "view", "layers", "icons", "legend", "attribution"
   and "basemap". bm.layers and bm.shapes name each layer's Leaflet objects for the panel (and for tests). */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  // Maps keyed by layer names (an analyst may name a layer "__proto__"): objects without a prototype.
  bm.layers = Object.create(null);   // marker layer name -> {group, markers, shown}
  bm.shapes = Object.create(null);   // shape layer name -> {group, layers}

  bm.labels = [];  // every name on the map: {el, kind, group}; 68-labels.js decides which are shown

  function labelMarker(label, group) {  // [lat, lon, text, kind]; the kind is also the label's CSS class
    var div = bm.el("div", "bm-label " + label[3]);
    if (/^town/.test(label[3])) { div.appendChild(bm.el("span", "bm-dot")); }
    div.appendChild(bm.el("span", "bm-name", label[2]));
    var icon = L.divIcon({html: div, className: "bm-label-icon", iconSize: [0, 0]});
    bm.labels.push({el: div, kind: label[3], group: group, at: [label[0], label[1]], also: label[4] || []});
    return L.marker([label[0], label[1]], {icon: icon, interactive: false, keyboard: false, zIndexOffset: -1000});
  }

  function addLabels(group, labels) { (labels || []).forEach(function (l) { labelMarker(l, group).addTo(group); }); }

  // Markers: columns read by bm.decodeMarkers into [{r: item, lat, lon, icon, size, id?, title?, tip?, pop?}];
  // what is left out comes from the item.
  function addMarkers(map, spec, data, done) {
    var items = data.items, str = data.str;
    if ((spec.len || 0) > bm.CANVAS_FROM) { return addPoints(map, spec, data, done); }
    var clustered = spec.cluster && typeof L.markerClusterGroup === "function";
    // chunkedLoading keeps the page responsive while tens of thousands of markers cluster
    var group = clustered ? L.markerClusterGroup({maxClusterRadius: 40, spiderfyOnMaxZoom: true,
                                                  showCoverageOnHover: false, chunkedLoading: true})
                          : L.featureGroup();
    var made = data.icons.map(function (i) {
      return L.divIcon({html: i[0], className: "bm-marker", iconSize: [i[1], i[1]], iconAnchor: [i[1] / 2, i[1] / 2]});
    });
    var markers = bm.decodeMarkers(spec, data.decimals).map(function (d) {
      var it = d.r === undefined ? null : items[d.r];
      var title = str(d.title !== undefined ? d.title : it.titleIndex);
      var pop = d.pop || it.pop;
      var icon = made[d.icon];
      if (d.dx || d.dy) {  // side by side with the other symbols at this place
        var size = data.icons[d.icon][1];
        icon = L.divIcon({html: data.icons[d.icon][0], className: "bm-marker", iconSize: [size, size],
                          iconAnchor: [size / 2 - (d.dx || 0), size / 2 - (d.dy || 0)]});
      }
      var m = L.marker([d.lat, d.lon], {icon: icon, title: title, alt: title, keyboard: true,
                                         riseOnHover: true, zIndexOffset: 100 * (d.z || 0) - 10 * d.size});
      m.bindTooltip(function () { return bm.tipNode(d.tip || [it.titleIndex, [it.dateIndex]]); },
                    {direction: "top", offset: [0, -8]});
      m.bindPopup(function () { return bm.popNode(pop); }, bm.popupOptions());
      m.bordermap = {id: d.id || (it && it.id), rid: it ? it.id : null,
                     start: it ? it.start : (d.start || ""), end: it ? it.end : (d.end || "")};
      if (it) { it.parts.push({layer: m, group: group}); }
      if (bm.emphasis) { bm.emphasis.part(it ? it.id : null, m, "marker"); }  // 85-story.js: highlight and dim
      return m;
    });
    if (spec.show) { group.addTo(map); }
    if (clustered && map.hasLayer(group)) {
      // the map paints first, markers join in slices; the layer is ready once the last slice is in
      group.options.chunkProgress = function (processed, total) {
        if (processed === total) { group.options.chunkProgress = null; done(); }
      };
      group.addLayers(markers, true);
      if (!markers.length) { done(); }
    } else {
      if (clustered) { group.addLayers(markers, true); } else { markers.forEach(function (m) { group.addLayer(m); }); }
      done();
    }
    bm.layers[spec.name] = {group: group, markers: markers, shown: markers};
    return group;
  }

  // Item r -> the points drawn for it, in order (rows[j]: point j's item, < 0: none), from an index made once.
  function pointsOf(rows, n) {
    var start = null, list = null;
    return function (r) {
      if (!start) {
        start = new Int32Array(n + 1);
        list = new Int32Array(rows.length);
        var j, at = new Int32Array(n);
        for (j = 0; j < rows.length; j++) { if (rows[j] >= 0) { start[rows[j] + 1] += 1; } }
        for (j = 0; j < n; j++) { start[j + 1] += start[j]; at[j] = start[j]; }
        for (j = 0; j < rows.length; j++) { if (rows[j] >= 0) { list[at[rows[j]]++] = j; } }
      }
      return Array.prototype.slice.call(list.subarray(start[r], start[r + 1]));
    };
  }

  // Past bm.CANVAS_FROM markers: one canvas layer (25-points.js) draws them all, with the same symbols.
  function addPoints(map, spec, data, done) {
    var items = data.items, str = data.str, m = bm.markerColumns(spec, data.decimals);
    function item(j) { return m.r[j] < 0 ? null : items[m.r[j]]; }
    var group = new bm.PointLayer(m, data.icons, {
      title: function (j) { var d = bm.markerAt(m, j); return str(d.title !== undefined ? d.title : item(j).titleIndex); },
      rid: function (j) { var it = item(j); return it ? it.id : null; },
      tip: function (j) { var d = bm.markerAt(m, j); return d.tip || [item(j).titleIndex, [item(j).dateIndex]]; },
      pop: function (j) { return bm.markerAt(m, j).pop || item(j).pop; },
      info: function (j) {
        var d = bm.markerAt(m, j), it = item(j);
        return {id: d.id || (it && it.id), rid: it ? it.id : null,
                start: it ? it.start : (d.start || ""), end: it ? it.end : (d.end || "")};
      }
    });
    var of = pointsOf(m.r, items.length);
    bm.lazyParts(items, function (r, parts) {
      of(r).forEach(function (j) { parts.push({layer: group.point(j), group: group}); });
    });
    if (spec.show) { group.addTo(map); }
    var entry = bm.layers[spec.name] = {group: group};
    ["markers", "shown"].forEach(function (k) {  // every stand-in, made when asked for
      Object.defineProperty(entry, k, {enumerable: true, get: function () { return group.points; }});
    });
    done();
    return group;
  }

  // Shapes: {styles, features: [{s: style, g: [[kind, parts]], t?: tooltip, p?: popup, r?: item}]}
  function addShapes(map, spec, data) {
    var items = data.items, group = L.featureGroup(), layers = [];
    function decode(ring) { return data.ring(ring); }
    var styles = spec.styles.map(function (style) {  // a hatched fill refers to the page's pattern
      if (style.hatch === undefined) { return style; }
      var copy = {};
      Object.keys(style).forEach(function (k) { copy[k] = style[k]; });
      copy.fillColor = "url(#" + data.hatches[style.hatch][0] + ")";
      return copy;
    });
    spec.features.forEach(function (feature) {
      var style = styles[feature.s];
      var it = feature.r === undefined ? null : items[feature.r];
      var pop = feature.p || (it ? it.pop : null);
      feature.g.forEach(function (part) {
        var layer;
        if (part[0] === 0) { layer = L.polygon(part[1].map(decode), style); }
        else if (part[0] === 1) { layer = L.polyline(decode(part[1][0]), style); }
        else { layer = L.circleMarker(decode(part[1][0])[0], style); }
        if (feature.t) { layer.bindTooltip(function () { return bm.tipNode(feature.t); }, {sticky: true}); }
        if (pop) { layer.bindPopup(function () { return bm.popNode(pop); }, bm.popupOptions()); }
        layer.bordermap = {rid: it ? it.id : null};
        if (it) { it.parts.push({layer: layer, group: group}); }
        if (bm.emphasis) { bm.emphasis.part(it ? it.id : null, layer, "shape"); }  // 85-story.js: highlight and dim
        layer.addTo(group);
        layers.push(layer);
      });
    });
    addLabels(group, spec.labels);
    if (spec.show) { group.addTo(map); }
    bm.shapes[spec.name] = {group: group, layers: layers};
    return group;
  }

  // The legend lives in the side panel, where it never covers the map.
  function fillLegend(legend) {
    var ul = document.getElementById("bm-legend-list"), el = bm.el;
    if (!ul) { return; }
    legend.forEach(function (entry) {  // [label, symbol svg made by the build from its fixed shape table]
      var li = el("li"), icon = el("span", "bm-symbol");
      icon.innerHTML = entry[1];
      li.appendChild(icon);
      li.appendChild(el("span", "", entry[0]));
      ul.appendChild(li);
    });
  }

  // One SVG pattern per hatching, in a hidden SVG: map areas and legend swatches fill with the same one.
  function makeHatches(hatches) {
    if (!hatches || !hatches.length) { return; }
    var NS = "http://www.w3.org/2000/svg", svg = document.createElementNS(NS, "svg"), defs = document.createElementNS(NS, "defs");
    svg.setAttribute("width", "0"); svg.setAttribute("height", "0"); svg.setAttribute("aria-hidden", "true");
    svg.style.position = "absolute";
    hatches.forEach(function (h) {  // [id, colour, angle]
      var p = document.createElementNS(NS, "pattern"), back = document.createElementNS(NS, "rect"),
          line = document.createElementNS(NS, "line");
      p.setAttribute("id", h[0]); p.setAttribute("patternUnits", "userSpaceOnUse");
      p.setAttribute("width", "8"); p.setAttribute("height", "8");
      p.setAttribute("patternTransform", "rotate(" + Number(h[2]) + ")");
      back.setAttribute("width", "8"); back.setAttribute("height", "8");
      back.setAttribute("fill", h[1]); back.setAttribute("fill-opacity", "0.18");
      line.setAttribute("x1", "0"); line.setAttribute("y1", "0"); line.setAttribute("x2", "0"); line.setAttribute("y2", "8");
      line.setAttribute("stroke", h[1]); line.setAttribute("stroke-width", "3");
      p.appendChild(back); p.appendChild(line); defs.appendChild(p);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }

  // The map, every layer, the layer switches, scale, legend and credits; calls ready() once all markers are placed.
  bm.buildMap = function (container, data, ready) {
    var v = data.view;
    var map = L.map(container, {center: v.center, zoom: v.zoom, minZoom: v.minZoom, maxZoom: v.maxZoom,
                                zoomControl: true});
    var overlays = Object.create(null), byName = Object.create(null), pending = 1;
    function done() { pending -= 1; if (pending === 0) { ready(); } }
    if (data.basemap) {
      var b = data.basemap;
      var tiles = L.tileLayer(b.url, {maxZoom: b.maxZoom, attribution:
        '<a href="' + bm.escapeHtml(b.copyright) + '" target="_blank" rel="noopener noreferrer">' +
        bm.escapeHtml(b.attribution) + "</a>"});
      if (b.show) { tiles.addTo(map); }
      byName[b.name] = tiles;
    }
    data.layers.forEach(function (spec) {
      var group;
      if (spec.kind === "image") {
        group = L.imageOverlay(spec.url, spec.bounds, {opacity: spec.opacity, interactive: false, alt: "",
                                                      className: "bm-image"});
        if (spec.show) { group.addTo(map); }
      } else if (spec.kind === "markers") { pending += 1; group = addMarkers(map, spec, data, done); }
      else if (spec.kind === "shapes") { group = addShapes(map, spec, data); }
      else { group = L.featureGroup(); addLabels(group, spec.labels); if (spec.show) { group.addTo(map); } }
      if (spec.control !== false) { byName[spec.name] = group; }
    });
    Object.keys(byName).forEach(function (name) { overlays[bm.escapeHtml(name)] = byName[name]; });
    var control = L.control.layers(null, overlays, {collapsed: false}).addTo(map);
    L.control.scale().addTo(map);
    makeHatches(data.hatches);
    if (data.legend && data.legend.length) { fillLegend(data.legend); }
    if (data.attribution && data.attribution.length) { map.attributionControl.addAttribution(bm.escapeHtml(data.attribution.join("; "))); }
    done();
    return {map: map, control: control, overlays: byName};
  };
})(typeof window !== "undefined" ? window : globalThis);
