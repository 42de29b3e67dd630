/* Filtering, pure: which items pass the facets and the time span, and the live counts of each facet value.
   state = {facets: {key: Set of values}, from: month index, to: month index}; facets = [[key, label], ...]. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var filter = bm.filter = {};

  // -1 when the item passes; n when only facet n rules it out (it still counts in facet n's live counts);
  // -2 when the time span or two facets rule it out.
  filter.misses = function (it, state, facets, months) {
    if (it.start && months.length) {
      var lo = months[Math.min(state.from, state.to)].start, hi = months[Math.max(state.from, state.to)].end;
      if (it.end < lo || it.start > hi) { return -2; }
    }
    var only = -1;
    for (var n = 0; n < facets.length; n++) {
      var chosen = state.facets[facets[n][0]], values = it[facets[n][0]], hit = !chosen || chosen.size === 0;
      for (var v = 0; !hit && v < values.length; v++) { hit = chosen.has(values[v]); }
      if (!hit) {
        if (only >= 0) { return -2; }
        only = n;
      }
    }
    return only;
  };

  // {visible: Set of ids, miss: [per item]}
  filter.run = function (items, state, facets, months) {
    var visible = new Set(), miss = new Array(items.length);
    for (var i = 0; i < items.length; i++) {
      miss[i] = filter.misses(items[i], state, facets, months);
      if (miss[i] === -1) { visible.add(items[i].id); }
    }
    return {visible: visible, miss: miss};
  };

  // Live counts: for facet n, the items that pass every other filter, by value.
  filter.counts = function (items, miss, facets) {
    var counts = facets.map(function () { return Object.create(null); });
    for (var i = 0; i < items.length; i++) {
      for (var n = 0; n < facets.length; n++) {
        if (miss[i] === -1 || miss[i] === n) {
          var values = items[i][facets[n][0]];
          for (var v = 0; v < values.length; v++) { counts[n][values[v]] = (counts[n][values[v]] || 0) + 1; }
        }
      }
    }
    return counts;
  };

  // Every value of each facet with its total, most frequent first (ties by name).
  filter.values = function (items, key) {
    var totals = Object.create(null);
    items.forEach(function (it) { it[key].forEach(function (v) { totals[v] = (totals[v] || 0) + 1; }); });
    return Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] || a.localeCompare(b); });
  };

  filter.emptyState = function (facets, months) {
    var state = {facets: {}, from: 0, to: Math.max(months.length - 1, 0)};
    facets.forEach(function (f) { state.facets[f[0]] = new Set(); });
    return state;
  };
})(typeof window !== "undefined" ? window : globalThis);
