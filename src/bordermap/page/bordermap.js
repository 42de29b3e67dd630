/* bordermap's page code: markers and shapes from compact data, and the reader's panel
   (search, filters, list of items, sources, shareable views in the URL hash).
   Text reaches the page through textContent only; data comes from the JSON in #bm-data. */
(function () {
  "use strict";
  var bm = window.bordermap = window.bordermap || {};
  bm.layers = {};   // marker layer name -> {group, markers, shown}
  bm.shapes = {};   // shape layer name -> {group, layers}
  bm.pending = 0;
  bm.ready = false;
  var waiting = [];
  var cache = null;

  bm.data = function () {
    if (!cache) {
      var node = document.getElementById("bm-data");
      cache = node ? JSON.parse(node.textContent) : {};
      cache.strings = cache.strings || [];
      cache.items = (cache.items || []).map(decodeItem);
    }
    return cache;
  };
  function str(i) { return bm.data().strings[i]; }
  function strs(list) { return list.map(str); }

  // Facet values as arrays of strings, one shared array for each distinct list: 100k items repeat few.
  var lists = Object.create(null);
  function list(indexes) {
    var key = indexes.join(",");
    return lists[key] || (lists[key] = indexes.map(function (i) { return cache.strings[i]; }));
  }
  function decodeItem(d, index) {
    var s = cache.strings;
    return {index: index, id: d.i, title: s[d.t], date: s[d.d], start: d.s || "", end: d.e || "",
            category: list([d.c]), actors: list(d.a), countries: list(d.k), provinces: list(d.p),
            precision: list([d.q]), where: s[d.w], pop: d.o, titleIndex: d.t, dateIndex: d.d,
            radius: d.r || 0, parts: []};
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  bm.tipNode = function (t) {
    var div = el("div", "bm-tip");
    div.appendChild(el("b", "", str(t[0])));
    t[1].forEach(function (line) { div.appendChild(el("br")); div.appendChild(el("span", "", str(line))); });
    return div;
  };

  // [heading, rows, body, sources, notes, "Sources"] as string indexes; links only for http(s).
  bm.popNode = function (p) {
    var div = el("div", "bm-pop");
    div.appendChild(el("h3", "", str(p[0])));
    if (p[1].length) {
      var table = el("table");
      p[1].forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", "", str(row[0])));
        tr.appendChild(el("td", "", str(row[1])));
        table.appendChild(tr);
      });
      div.appendChild(table);
    }
    p[2].forEach(function (text) { div.appendChild(el("p", "", str(text))); });
    if (p[3].length) {
      div.appendChild(el("b", "", str(p[5])));
      var ol = el("ol");
      p[3].forEach(function (source) {
        var li = el("li", "", str(source[0]));
        var url = source[1] >= 0 ? str(source[1]) : "";
        if (/^https?:[/][/]/i.test(url)) {
          var a = el("a", "", "link");
          a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
          li.appendChild(document.createTextNode(" "));
          li.appendChild(a);
        }
        ol.appendChild(li);
      });
      div.appendChild(ol);
    }
    p[4].forEach(function (note) { div.appendChild(el("p", "bm-note", str(note))); });
    return div;
  };

  // narrower than the screen on a phone; tall popups scroll (see the stylesheet)
  function popupOptions() { return {maxWidth: Math.min(380, window.innerWidth - 70), autoPanPaddingTopLeft: [10, 90]}; }

  function settle() {
    if (bm.pending === 0 && !bm.ready) {
      bm.ready = true;
      waiting.splice(0).forEach(function (fn) { fn(); });
    }
  }
  bm.whenReady = function (fn) { if (bm.ready) { fn(); } else { waiting.push(fn); } };

  // Markers: [{r: item, lat, lon, icon, size, id?, title?, tip?, pop?}]; what is left out comes from the item.
  bm.addMarkers = function (group, key, data, icons) {
    var items = bm.data().items;
    var made = icons.map(function (i) {
      return L.divIcon({html: i[0], className: "bm-marker", iconSize: [i[1], i[1]], iconAnchor: [i[1] / 2, i[1] / 2]});
    });
    var markers = data.map(function (d) {
      var it = d.r === undefined ? null : items[d.r];
      var title = str(d.title !== undefined ? d.title : it.titleIndex);
      var pop = d.pop || it.pop;
      var m = L.marker([d.lat, d.lon], {icon: made[d.icon], title: title, alt: title, keyboard: true,
                                         riseOnHover: true, zIndexOffset: -10 * d.size});
      m.bindTooltip(function () { return bm.tipNode(d.tip || [it.titleIndex, [it.dateIndex]]); },
                    {direction: "top", offset: [0, -8]});
      m.bindPopup(function () { return bm.popNode(pop); }, popupOptions());
      m.bordermap = {id: d.id || (it && it.id), rid: it ? it.id : null,
                     start: it ? it.start : (d.start || ""), end: it ? it.end : (d.end || "")};
      if (it) { it.parts.push({layer: m, group: group}); }
      return m;
    });
    bm.pending += 1;
    function done() { bm.pending -= 1; settle(); }
    if (group.addLayers && group._map && group.options.chunkedLoading) {
      // chunked: the map paints first, markers join in slices; ready once the last slice is in
      group.options.chunkProgress = function (processed, total) { if (processed === total) { done(); } };
      group.addLayers(markers, true);
    } else {
      if (group.addLayers) { group.addLayers(markers, true); } else { markers.forEach(function (m) { group.addLayer(m); }); }
      done();
    }
    bm.layers[key] = {group: group, markers: markers, shown: markers};
  };

  function decodeLine(str, decimals) {
    var points = [], index = 0, lat = 0, lng = 0, f = Math.pow(10, decimals);
    while (index < str.length) {
      var values = [0, 0];
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, b;
        do { b = str.charCodeAt(index++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
        values[k] = (result & 1) ? ~(result >> 1) : (result >> 1);
      }
      lat += values[0]; lng += values[1];
      points.push([lat / f, lng / f]);
    }
    return points;
  }

  // Shapes: {decimals, styles, features: [{s: style, g: [[kind, parts]], t?: tooltip html, p?: popup html, r?: item}]}
  bm.addShapes = function (group, key, data) {
    var items = bm.data().items;
    var layers = [];
    function decode(text) { return decodeLine(text, data.decimals); }
    data.features.forEach(function (feature) {
      var style = data.styles[feature.s];
      var it = feature.r === undefined ? null : items[feature.r];
      feature.g.forEach(function (part) {
        var layer;
        if (part[0] === 0) { layer = L.polygon(part[1].map(decode), style); }
        else if (part[0] === 1) { layer = L.polyline(decode(part[1][0]), style); }
        else { layer = L.circleMarker(decode(part[1][0])[0], style); }
        if (feature.t) { layer.bindTooltip(feature.t, {sticky: true}); }
        if (feature.p) { layer.bindPopup(feature.p, popupOptions()); }
        else if (it) { layer.bindPopup(function () { return bm.popNode(it.pop); }, popupOptions()); }
        layer.bordermap = {tip: feature.t || "", pop: feature.p || "", rid: it ? it.id : null};
        if (it) { it.parts.push({layer: layer, group: group}); }
        layer.addTo(group);
        layers.push(layer);
      });
    });
    bm.shapes[key] = {group: group, layers: layers};
  };

  // ---- the reader's panel -------------------------------------------------------------------

  var FACETS = [["category", "Category"], ["actors", "Group or actor"], ["countries", "Country"],
                ["provinces", "Province"], ["precision", "Located to"]];
  var PAGE = 100;        // list rows drawn at a time
  var CIRCLE_ZOOM = 7;   // uncertainty circles are drawn from this zoom in (below it they hide under the symbol)
  var CIRCLE_MAX = 2000; // and at most this many, those in view

  function norm(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  bm.start = function (map, control, overlays) {
    settle();
    var data = bm.data(), items = data.items, months = data.months || [];
    var panel = document.getElementById("bm-panel");
    if (!panel) { return; }
    var byId = Object.create(null);
    items.forEach(function (it) { byId[it.id] = it; });
    var state = {facets: {}, from: 0, to: Math.max(months.length - 1, 0), sel: null, limit: PAGE};
    FACETS.forEach(function (f) { state.facets[f[0]] = new Set(); });
    var visible = new Set(items.map(function (it) { return it.id; }));
    var restoring = true, applying = false;  // no hash is written before the page's own hash is read
    var narrow = window.matchMedia("(max-width: 760px)");
    map.getContainer().setAttribute("role", "region");
    map.getContainer().setAttribute("aria-label", "Map: " + document.title +
      ". The list of events, places and areas in the side panel gives the same content as text.");
    var $ = function (id) { return document.getElementById(id); };
    var status = $("bm-status"), list = $("bm-list"), more = $("bm-more");
    function say(text) { status.textContent = text; }
    var sorted = items.slice().sort(function (a, b) {
      var x = a.start || "9999", y = b.start || "9999";
      return x < y ? -1 : x > y ? 1 : a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
    });

    // -- filtering: one state drives markers, shapes, circles, counts and the list.
    // misses(it): -1 when the item passes, n when only facet n rules it out (it still counts
    // in facet n's live counts), -2 when the time span or two facets rule it out.
    function misses(it) {
      if (it.start && months.length) {
        var lo = months[Math.min(state.from, state.to)].start, hi = months[Math.max(state.from, state.to)].end;
        if (it.end < lo || it.start > hi) { return -2; }
      }
      var only = -1;
      for (var n = 0; n < FACETS.length; n++) {
        var chosen = state.facets[FACETS[n][0]], values = it[FACETS[n][0]], hit = chosen.size === 0;
        for (var v = 0; !hit && v < values.length; v++) { hit = chosen.has(values[v]); }
        if (!hit) {
          if (only >= 0) { return -2; }
          only = n;
        }
      }
      return only;
    }

    function apply() {
      applying = true;
      visible = new Set();
      items.forEach(function (it) { it.miss = misses(it); if (it.miss === -1) { visible.add(it.id); } });
      Object.keys(bm.layers).forEach(function (key) {
        var entry = bm.layers[key];
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
      applying = false;
      if (state.sel && !visible.has(state.sel)) { state.sel = null; }
      drawCircles();
      updateCounts();
      state.limit = PAGE;
      drawList();
      say("Showing " + visible.size + " of " + items.length + " items.");
      writeHash();
    }

    // -- honest precision: a circle of the stated uncertainty around approximate points
    var unc = bm.shapes[data.uncertainty];
    var circles = L.layerGroup();
    if (unc) { circles.addTo(unc.group); }
    function drawCircles() {
      circles.clearLayers();
      if (!unc || map.getZoom() < CIRCLE_ZOOM) { return; }
      var view = map.getBounds().pad(0.3), n = 0;
      Object.keys(bm.layers).forEach(function (key) {
        bm.layers[key].shown.forEach(function (m) {
          var it = m.bordermap.rid && byId[m.bordermap.rid];
          if (!it || !it.radius || n >= CIRCLE_MAX || !view.contains(m.getLatLng())) { return; }
          n += 1;
          L.circle(m.getLatLng(), {radius: it.radius, color: "#555555", weight: 1.5, dashArray: "5 4",
                                   fillColor: "#555555", fillOpacity: 0.08, interactive: false}).addTo(circles);
        });
      });
    }

    // -- facets
    var facetBox = $("bm-facets");
    var boxes = {};
    FACETS.forEach(function (f) {
      var key = f[0], totals = Object.create(null);
      items.forEach(function (it) { it[key].forEach(function (v) { totals[v] = (totals[v] || 0) + 1; }); });
      var values = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] || a.localeCompare(b); });
      if (!values.length) { return; }
      var set = el("fieldset", "bm-facet");
      set.appendChild(el("legend", "", f[1]));
      boxes[key] = Object.create(null);
      values.forEach(function (value) {
        var label = el("label"), box = el("input");
        box.type = "checkbox"; box.value = value; box.dataset.facet = key;
        label.appendChild(box);
        label.appendChild(el("span", "", value));
        var count = el("span", "bm-n");
        label.appendChild(count);
        boxes[key][value] = {box: box, count: count, label: label};
        box.addEventListener("change", function () {
          if (box.checked) { state.facets[key].add(value); } else { state.facets[key].delete(value); }
          apply();
        });
        set.appendChild(label);
      });
      facetBox.appendChild(set);
    });
    function updateCounts() {
      var counts = FACETS.map(function () { return Object.create(null); });
      items.forEach(function (it) {
        FACETS.forEach(function (f, n) {
          if (it.miss === -1 || it.miss === n) {
            it[f[0]].forEach(function (v) { counts[n][v] = (counts[n][v] || 0) + 1; });
          }
        });
      });
      FACETS.forEach(function (f, n) {
        var key = f[0];
        if (!boxes[key]) { return; }
        Object.keys(boxes[key]).forEach(function (value) {
          var b = boxes[key][value], count = counts[n][value] || 0;
          b.box.checked = state.facets[key].has(value);
          b.count.textContent = " (" + count + ")";
          b.label.classList.toggle("bm-zero", count === 0);
        });
      });
    }

    // -- time
    var timeBox = $("bm-time"), from = null, to = null;
    if (months.length) {
      timeBox.appendChild(el("h3", "", "Time"));
      var make = function (cls, text) {
        var label = el("label", cls), input = el("input");
        input.type = "range"; input.min = 0; input.max = months.length - 1; input.step = 1;
        label.appendChild(document.createTextNode(text + " "));
        label.appendChild(el("output"));
        label.appendChild(input);
        timeBox.appendChild(label);
        input.addEventListener("input", function () { readTime(); apply(); });
        return input;
      };
      from = make("bm-from", "From");
      to = make("bm-to", "To");
      timeBox.appendChild(el("p", "bm-note", "Undated items are always shown; a dated item is shown when any part of its date falls in the span."));
    } else {
      timeBox.hidden = true;
    }
    function showTime() {
      if (!from) { return; }
      from.value = state.from; to.value = state.to;
      from.previousSibling.textContent = months[state.from].label;
      to.previousSibling.textContent = months[state.to].label;
      from.setAttribute("aria-valuetext", months[state.from].label);
      to.setAttribute("aria-valuetext", months[state.to].label);
    }
    function readTime() { state.from = +from.value; state.to = +to.value; showTime(); }
    showTime();
    $("bm-clear").addEventListener("click", function () { clearFilters(); });

    // -- the list: the accessible way through the content
    function drawList() {
      list.textContent = "";
      var rows = sorted.filter(function (it) { return visible.has(it.id); });
      rows.slice(0, state.limit).forEach(function (it) {
        var li = el("li", "bm-row");
        li.dataset.id = it.id;
        var button = el("button", "bm-pick", it.title);
        button.type = "button";
        button.id = "bm-pick-" + it.index;
        var meta = el("div", "bm-meta", [it.date, it.category[0], it.actors.join("; "), it.where]
          .filter(function (t) { return t; }).join(" · "));
        meta.id = "bm-meta-" + it.index;
        button.setAttribute("aria-describedby", meta.id);
        button.addEventListener("click", function () {
          if (state.sel === it.id) { select(null); } else { select(it.id, {reveal: true}); }
        });
        li.appendChild(button);
        li.appendChild(meta);
        list.appendChild(li);
      });
      $("bm-count").textContent = rows.length + (rows.length === items.length ? "" : " of " + items.length);
      var rest = rows.length - state.limit;
      more.hidden = rest <= 0;
      more.textContent = "Show " + Math.min(rest, PAGE) + " more (" + rest + " not listed yet)";
      markSelected();
    }
    more.addEventListener("click", function () {
      var first = state.limit;
      state.limit += PAGE;
      drawList();
      var next = list.children[first];
      if (next) { next.querySelector("button").focus(); }
    });
    function markSelected() {
      Array.prototype.forEach.call(list.children, function (li) {
        var on = li.dataset.id === state.sel, detail = li.querySelector(".bm-detail");
        li.classList.toggle("bm-selected", on);
        li.firstChild.setAttribute("aria-expanded", on ? "true" : "false");
        if (on && !detail) {
          detail = el("div", "bm-detail");
          detail.appendChild(bm.popNode(byId[li.dataset.id].pop));
          li.appendChild(detail);
        } else if (!on && detail) {
          li.removeChild(detail);
        }
      });
    }

    // -- selection, both ways between list and map
    function select(id, opts) {
      opts = opts || {};
      state.sel = id;
      markSelected();
      writeHash();
      if (!id) { map.closePopup(); return; }
      var row = list.querySelector('li[data-id="' + CSS.escape(id) + '"]');
      if (row && opts.scroll) { row.scrollIntoView({block: "nearest"}); }
      if (opts.reveal) { reveal(byId[id], opts.keepView); }
    }
    // everything the given items draw: markers' points and shapes' bounds
    function extent(list) {
      var bounds = L.latLngBounds([]);
      list.forEach(function (it) {
        it.parts.forEach(function (p) { bounds.extend(p.layer.getBounds ? p.layer.getBounds() : p.layer.getLatLng()); });
      });
      return bounds;
    }
    function reveal(it, keepView, tries) {
      var part = it.parts.filter(function (p) { return p.group.hasLayer(p.layer); })[0];
      if (!part) { return; }
      if (!map.hasLayer(part.group)) { map.addLayer(part.group); }  // show the layer that holds it
      var layer = part.layer;
      if (layer.getLatLng && part.group.zoomToShowLayer) {
        if (!layer.__parent && (tries || 0) < 40) {  // a cluster group just added is still placing its markers
          setTimeout(function () { reveal(it, keepView, (tries || 0) + 1); }, 50);
          return;
        }
        part.group.zoomToShowLayer(layer, function () { layer.openPopup(); });
      } else if (layer.getLatLng) {
        if (!keepView) { map.setView(layer.getLatLng(), Math.max(map.getZoom(), 7)); }
        layer.openPopup();
      } else {
        if (!keepView) { map.fitBounds(extent([it]), {maxZoom: 8}); }
        layer.openPopup(layer.getCenter ? layer.getCenter() : undefined);
      }
    }
    map.on("popupopen", function (e) {
      var source = e.popup._source, rid = source && source.bordermap && source.bordermap.rid;
      if (rid && rid !== state.sel) {
        state.sel = rid;
        markSelected();
        var row = list.querySelector('li[data-id="' + CSS.escape(rid) + '"]');
        if (row) { row.scrollIntoView({block: "nearest"}); }
        writeHash();
      }
    });
    map.on("popupclose", function (e) {
      var source = e.popup._source, rid = source && source.bordermap && source.bordermap.rid;
      if (!applying && rid && rid === state.sel) {
        state.sel = null;
        markSelected();
        writeHash();
      }
    });

    // -- search: places and units from the page's own index, items, groups
    var index = null;
    function searchIndex() {  // built on the first search: a page with 100k events opens sooner
      if (index) { return index; }
      index = (data.places || []).map(function (p) {
        return {label: p[0], kind: p[1], detail: p[2], bounds: p.slice(3, 7),
                keys: [p[0]].concat(p[7] || []).map(norm)};
      });
      items.forEach(function (it) {
        index.push({label: it.title, kind: it.category[0], detail: [it.date, it.where].join(" · "), item: it,
                    keys: [norm(it.title), norm(it.where)]});
      });
      Object.keys(boxes.actors || {}).forEach(function (name) {
        index.push({label: name, kind: "Group or actor", detail: "shows only its items", actor: name, keys: [norm(name)]});
      });
      return index;
    }
    var input = $("bm-q"), hits = $("bm-hits"), found = L.layerGroup().addTo(map), active = -1, shown = [];
    // exact, then prefix, then word start, then anywhere; a name beats an alias or an item's place
    function score(entry, q) {
      var best = 9;
      entry.keys.forEach(function (k, n) {
        var s = k === q ? 0 : k.indexOf(q) === 0 ? 1 : (" " + k).indexOf(" " + q) >= 0 ? 2 : k.indexOf(q) >= 0 ? 3 : 9;
        best = Math.min(best, s + (n > 0 ? 0.5 : 0));
      });
      return best;
    }
    function search() {
      var q = norm(input.value.trim());
      hits.textContent = "";
      active = -1;
      shown = [];
      if (q.length < 2) { close(); return; }
      shown = searchIndex().map(function (e) { return [score(e, q), e]; })
        .filter(function (p) { return p[0] < 9; })
        .sort(function (a, b) { return a[0] - b[0] || a[1].label.localeCompare(b[1].label); })
        .slice(0, 8).map(function (p) { return p[1]; });
      shown.forEach(function (entry, n) {
        var li = el("li", "bm-hit");
        li.id = "bm-hit-" + n;
        li.setAttribute("role", "option");
        li.appendChild(el("span", "bm-hit-label", entry.label));
        li.appendChild(el("span", "bm-hit-kind", " " + entry.kind + " · " + entry.detail));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(entry); });
        hits.appendChild(li);
      });
      hits.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      say(shown.length ? shown.length + " matches; use the arrow keys and Enter." : "No match for " + input.value.trim() + ".");
    }
    function close() {
      hits.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(n) {
      active = n;
      Array.prototype.forEach.call(hits.children, function (li, i) { li.setAttribute("aria-selected", i === n ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", "bm-hit-" + n);
    }
    function choose(entry) {
      close();
      input.value = entry.label;
      found.clearLayers();
      if (entry.item) {
        if (!visible.has(entry.item.id)) { clearFilters(); }
        select(entry.item.id, {reveal: true, scroll: true});
        say(entry.label + ": opened on the map and in the list.");
      } else if (entry.actor) {
        clearFacets();
        state.facets.actors.add(entry.actor);
        apply();
        var bounds = extent(items.filter(function (it) { return visible.has(it.id); }));
        if (bounds.isValid()) { map.fitBounds(bounds, {maxZoom: 8, padding: [20, 20]}); }
        say("Showing the " + visible.size + " items of " + entry.actor + ". Clear the filters to see all again.");
      } else {
        var b = entry.bounds;  // west, south, east, north
        if (b[0] === b[2] && b[1] === b[3]) {
          map.setView([b[1], b[0]], 10);
          L.circleMarker([b[1], b[0]], {radius: 14, color: "#000000", weight: 3, fill: false, interactive: false}).addTo(found);
        } else {
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: 10});
        }
        say("Zoomed to " + entry.label + " (" + entry.detail + ").");
      }
    }
    function clearFacets() { FACETS.forEach(function (f) { state.facets[f[0]].clear(); }); }
    function clearFilters() {
      clearFacets();
      state.from = 0; state.to = Math.max(months.length - 1, 0);
      showTime();
      apply();
    }
    input.addEventListener("input", search);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && shown.length) { e.preventDefault(); highlight((active + 1) % shown.length); }
      else if (e.key === "ArrowUp" && shown.length) { e.preventDefault(); highlight((active - 1 + shown.length) % shown.length); }
      else if (e.key === "Enter") { e.preventDefault(); if (shown.length) { choose(shown[Math.max(active, 0)]); } }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });

    // -- panel: collapsible, and a bottom sheet on a phone
    var toggle = $("bm-toggle");
    function openPanel(open) {
      document.body.classList.toggle("bm-collapsed", !open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      map.invalidateSize();
    }
    toggle.addEventListener("click", function () { openPanel(document.body.classList.contains("bm-collapsed")); });
    $("bm-skip").addEventListener("click", function () {
      openPanel(true);
      $("bm-events").open = true;
      var first = list.querySelector("button") || input;
      first.focus();
    });
    // the layer switches live in the panel, where they cover no part of the map
    if (control && $("bm-layer-list")) {
      $("bm-layer-list").appendChild(control.getContainer());
      control.expand();
    }
    if (narrow.matches) {
      openPanel(false);
      var legend = document.querySelector(".bm-legend details");
      if (legend) { legend.open = false; }
    }

    // -- the URL hash: view, layers, filters, time, selection
    var names = Object.keys(overlays || {});
    var hashTimer = null;
    function writeHash() {
      if (restoring) { return; }
      clearTimeout(hashTimer);
      hashTimer = setTimeout(function () {
        var p = new URLSearchParams(), c = map.getCenter();
        p.set("view", [c.lat.toFixed(4), c.lng.toFixed(4), map.getZoom()].join(","));
        var on = names.filter(function (n) { return map.hasLayer(overlays[n]); });
        if (on.length) { on.forEach(function (n) { p.append("layer", n); }); } else { p.set("layer", ""); }
        FACETS.forEach(function (f) { state.facets[f[0]].forEach(function (v) { p.append(f[0], v); }); });
        if (months.length && (state.from !== 0 || state.to !== months.length - 1)) {
          p.set("from", months[state.from].start.slice(0, 7));
          p.set("to", months[state.to].start.slice(0, 7));
        }
        if (state.sel) { p.set("item", state.sel); }
        history.replaceState(null, "", "#" + p.toString());
      }, 100);
    }
    function readHash() {
      var text = location.hash.replace(/^#/, "");
      if (!text || text.indexOf("=") < 0) { restoring = false; return false; }
      var p = new URLSearchParams(text);
      restoring = true;
      if (p.has("layer")) {
        var want = new Set(p.getAll("layer"));
        names.forEach(function (n) {
          var on = want.has(n);
          if (on && !map.hasLayer(overlays[n])) { map.addLayer(overlays[n]); }
          if (!on && map.hasLayer(overlays[n])) { map.removeLayer(overlays[n]); }
        });
      }
      FACETS.forEach(function (f) {
        state.facets[f[0]] = new Set(p.getAll(f[0]).filter(function (v) { return boxes[f[0]] && boxes[f[0]][v]; }));
      });
      var month = function (key, fallback) {
        var v = p.get(key);
        for (var i = 0; v && i < months.length; i++) { if (months[i].start.slice(0, 7) === v) { return i; } }
        return fallback;
      };
      state.from = month("from", 0);
      state.to = month("to", Math.max(months.length - 1, 0));
      showTime();
      var view = (p.get("view") || "").split(",").map(Number);
      var hasView = view.length === 3 && view.every(isFinite);
      if (hasView) { map.setView([view[0], view[1]], view[2], {animate: false}); }
      apply();
      var sel = p.get("item");
      restoring = false;
      if (sel && byId[sel] && visible.has(sel)) {
        bm.whenReady(function () { select(sel, {reveal: true, keepView: hasView, scroll: true}); });
      } else {
        select(null);
      }
      return true;
    }
    // the opening view: the recipe's frame, unless the link names a view
    if (data.fit && !/(^#|&)view=/.test(location.hash)) { map.fitBounds(data.fit, {animate: false}); }
    map.on("moveend", function () { drawCircles(); writeHash(); });
    map.on("overlayadd overlayremove", function () { writeHash(); });
    window.addEventListener("hashchange", readHash);

    // filters wait until every marker is placed: a page with 100k events clusters them in slices
    var controls = document.querySelectorAll("#bm-filters input, #bm-filters button");
    Array.prototype.forEach.call(controls, function (c) { c.disabled = true; });
    panel.setAttribute("aria-busy", "true");
    bm.whenReady(function () {
      Array.prototype.forEach.call(controls, function (c) { c.disabled = false; });
      panel.removeAttribute("aria-busy");
      if (!readHash()) { apply(); }
      bm.started = true;
    });
  };
})();
