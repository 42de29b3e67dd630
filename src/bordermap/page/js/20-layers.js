/* The map and its layers, made from the document's "view", "layers", "icons", "legend", "attribution"
   and "basemap". bm.layers and bm.shapes name each layer's Leaflet objects for the panel (and for tests). */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  // Maps keyed by layer names (an analyst may name a layer "__proto__"): objects without a prototype.
  bm.layers = Object.create(null);   // marker layer name -> {group, markers, shown}
  bm.shapes = Object.create(null);   // shape layer name -> {group, layers}

  function labelMarker(label) {  // [lat, lon, text, css class]
    var div = bm.el("div", "bm-label " + label[3], label[2]);
    var icon = L.divIcon({html: div, className: "bm-label-icon", iconSize: [0, 0]});
    return L.marker([label[0], label[1]], {icon: icon, interactive: false, keyboard: false});
  }

  function addLabels(group, labels) { (labels || []).forEach(function (l) { labelMarker(l).addTo(group); }); }

  // Markers: [{r: item, lat, lon, icon, size, id?, title?, tip?, pop?}]; what is left out comes from the item.
  function addMarkers(map, spec, data, done) {
    var items = data.items, str = data.str;
    var clustered = spec.cluster && typeof L.markerClusterGroup === "function";
    // chunkedLoading keeps the page responsive while tens of thousands of markers cluster
    var group = clustered ? L.markerClusterGroup({maxClusterRadius: 40, spiderfyOnMaxZoom: true,
                                                  showCoverageOnHover: false, chunkedLoading: true})
                          : L.featureGroup();
    var made = data.icons.map(function (i) {
      return L.divIcon({html: i[0], className: "bm-marker", iconSize: [i[1], i[1]], iconAnchor: [i[1] / 2, i[1] / 2]});
    });
    var markers = spec.markers.map(function (d) {
      var it = d.r === undefined ? null : items[d.r];
      var title = str(d.title !== undefined ? d.title : it.titleIndex);
      var pop = d.pop || it.pop;
      var m = L.marker([d.lat, d.lon], {icon: made[d.icon], title: title, alt: title, keyboard: true,
                                         riseOnHover: true, zIndexOffset: -10 * d.size});
      m.bindTooltip(function () { return bm.tipNode(d.tip || [it.titleIndex, [it.dateIndex]]); },
                    {direction: "top", offset: [0, -8]});
      m.bindPopup(function () { return bm.popNode(pop); }, bm.popupOptions());
      m.bordermap = {id: d.id || (it && it.id), rid: it ? it.id : null,
                     start: it ? it.start : (d.start || ""), end: it ? it.end : (d.end || "")};
      if (it) { it.parts.push({layer: m, group: group}); }
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

  // Shapes: {styles, features: [{s: style, g: [[kind, parts]], t?: tooltip, p?: popup, r?: item}]}
  function addShapes(map, spec, data) {
    var items = data.items, group = L.featureGroup(), layers = [];
    function decode(text) { return bm.decodeLine(text, data.decimals); }
    spec.features.forEach(function (feature) {
      var style = spec.styles[feature.s];
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
        layer.addTo(group);
        layers.push(layer);
      });
    });
    addLabels(group, spec.labels);
    if (spec.show) { group.addTo(map); }
    bm.shapes[spec.name] = {group: group, layers: layers};
    return group;
  }

  function legendControl(map, legend) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "bm-panel bm-legend"), el = bm.el;
      var details = el("details"), summary = el("summary"), ul = el("ul");
      details.open = true;
      summary.appendChild(el("b", "", "Legend"));
      details.appendChild(summary);
      legend.forEach(function (entry) {  // [label, symbol svg made by the build from its fixed shape table]
        var li = el("li"), icon = el("span", "bm-symbol");
        icon.innerHTML = entry[1];
        li.appendChild(icon);
        li.appendChild(el("span", "", entry[0]));
        ul.appendChild(li);
      });
      details.appendChild(ul);
      div.appendChild(details);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control.addTo(map);
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
      if (spec.kind === "markers") { pending += 1; group = addMarkers(map, spec, data, done); }
      else if (spec.kind === "shapes") { group = addShapes(map, spec, data); }
      else { group = L.featureGroup(); addLabels(group, spec.labels); if (spec.show) { group.addTo(map); } }
      if (spec.control !== false) { byName[spec.name] = group; }
    });
    Object.keys(byName).forEach(function (name) { overlays[bm.escapeHtml(name)] = byName[name]; });
    var control = L.control.layers(null, overlays, {collapsed: false}).addTo(map);
    L.control.scale().addTo(map);
    if (data.legend && data.legend.length) { legendControl(map, data.legend); }
    if (data.attribution && data.attribution.length) { map.attributionControl.addAttribution(bm.escapeHtml(data.attribution.join("; "))); }
    done();
    return {map: map, control: control, overlays: byName};
  };
})(typeof window !== "undefined" ? window : globalThis);
