/* Offline search: places and units from the page's own index, items, groups.
   bm.search.* are pure (index, score, rank); bm.searchBox wires them to the combobox. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var search = bm.search = {};

  // places: [name, kind, detail, west, south, east, north, [aliases]]
  search.index = function (places, items, actors) {
    var norm = bm.norm;
    var index = (places || []).map(function (p) {
      return {label: p[0], kind: p[1], detail: p[2], bounds: p.slice(3, 7), keys: [p[0]].concat(p[7] || []).map(norm)};
    });
    items.forEach(function (it) {
      index.push({label: it.title, kind: it.category[0], detail: [it.date, it.where].join(" · "), item: it,
                  keys: [norm(it.title), norm(it.where)]});
    });
    (actors || []).forEach(function (name) {
      index.push({label: name, kind: "Group or actor", detail: "shows only its items", actor: name, keys: [norm(name)]});
    });
    return index;
  };

  // 0 exact, 1 prefix, 2 word start, 3 anywhere, 9 no match; a name beats an alias or an item's place by 0.5.
  search.score = function (entry, q) {
    var best = 9;
    entry.keys.forEach(function (k, n) {
      var s = k === q ? 0 : k.indexOf(q) === 0 ? 1 : (" " + k).indexOf(" " + q) >= 0 ? 2 : k.indexOf(q) >= 0 ? 3 : 9;
      best = Math.min(best, s + (n > 0 ? 0.5 : 0));
    });
    return best;
  };

  // The best `limit` entries for the text typed (fewer than 2 characters: none).
  search.rank = function (index, text, limit) {
    var q = bm.norm(String(text).trim());
    if (q.length < 2) { return []; }
    return index.map(function (e) { return [search.score(e, q), e]; })
      .filter(function (p) { return p[0] < 9; })
      // on a tie an item (which has a popup and sources) comes before a bare place of the same name
      .sort(function (a, b) { return a[0] - b[0] || (b[1].item ? 1 : 0) - (a[1].item ? 1 : 0) ||
                                     a[1].label.localeCompare(b[1].label); })
      .slice(0, limit || 8).map(function (p) { return p[1]; });
  };

  bm.searchBox = function (ctx) {
    var el = bm.el, map = ctx.map, index = null;
    var input = document.getElementById("bm-q"), hits = document.getElementById("bm-hits");
    var found = L.layerGroup().addTo(map), active = -1, shown = [];
    function entries() {  // built on the first search: a page with 100k events opens sooner
      return index || (index = search.index(ctx.data.places, ctx.items, Object.keys(ctx.boxes.actors || {})));
    }
    function run() {
      hits.textContent = "";
      active = -1;
      shown = search.rank(entries(), input.value, 8);
      if (bm.norm(input.value.trim()).length < 2) { close(); return; }
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
      ctx.say(shown.length ? shown.length + " matches; use the arrow keys and Enter." : "No match for " + input.value.trim() + ".");
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
        if (!ctx.visible.has(entry.item.id)) { ctx.clearFilters(); }
        ctx.select(entry.item.id, {reveal: true, scroll: true});
        ctx.say(entry.label + ": opened on the map and in the list.");
      } else if (entry.actor) {
        ctx.clearFacets();
        ctx.state.facets.actors.add(entry.actor);
        ctx.apply();
        var bounds = bm.extent(ctx.items.filter(function (it) { return ctx.visible.has(it.id); }));
        if (bounds.isValid()) { map.fitBounds(bounds, {maxZoom: 8, padding: [20, 20]}); }
        ctx.say("Showing the " + ctx.visible.size + " items of " + entry.actor + ". Clear the filters to see all again.");
      } else {
        var b = entry.bounds;  // west, south, east, north
        if (b[0] === b[2] && b[1] === b[3]) {
          map.setView([b[1], b[0]], 10);
          L.circleMarker([b[1], b[0]], {radius: 14, color: "#000000", weight: 3, fill: false, interactive: false}).addTo(found);
        } else {
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: 10});
        }
        ctx.say("Zoomed to " + entry.label + " (" + entry.detail + ").");
      }
    }
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && shown.length) { e.preventDefault(); highlight((active + 1) % shown.length); }
      else if (e.key === "ArrowUp" && shown.length) { e.preventDefault(); highlight((active - 1 + shown.length) % shown.length); }
      else if (e.key === "Enter") { e.preventDefault(); if (shown.length) { choose(shown[Math.max(active, 0)]); } }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  };
})(typeof window !== "undefined" ? window : globalThis);
