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

  // {visible: Set of ids, miss: [per item]}; items decoded from columns (bm.decode) are filtered on them, and
  // their visible also has mask (a byte per item, 1: it passes).
  filter.run = function (items, state, facets, months) {
    if (items.columns) { return filter.runColumns(items.columns, state, facets, months); }
    var visible = new Set(), miss = new Array(items.length);
    for (var i = 0; i < items.length; i++) {
      miss[i] = filter.misses(items[i], state, facets, months);
      if (miss[i] === -1) { visible.add(items[i].id); }
    }
    return {visible: visible, miss: miss};
  };

  // Live counts: for facet n, the items that pass every other filter, by value.
  filter.counts = function (items, miss, facets) {
    if (items.columns) { return filter.countsColumns(items.columns, miss, facets); }
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
    if (items.columns) {
      totals = spread(items.columns, tally(items.columns[key], items.columns.lists.length, null, 0));
    } else {
      items.forEach(function (it) { it[key].forEach(function (v) { totals[v] = (totals[v] || 0) + 1; }); });
    }
    return Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] || a.localeCompare(b); });
  };

  // --- the same rules over the columns of bm.decode (data.columns): typed arrays, no item objects ---

  var DAY_MS = 86400000, UNIX_DAY = 719163;
  function ordinal(iso) { return Date.parse(iso + "T00:00:00Z") / DAY_MS + UNIX_DAY; }

  // Per facet, which of the document's lists hold a chosen value (null: nothing chosen, all pass).
  function hits(cols, state, facets) {
    return facets.map(function (f) {
      var chosen = state.facets[f[0]];
      if (!chosen || chosen.size === 0) { return null; }
      var hit = new Uint8Array(cols.lists.length);
      cols.lists.forEach(function (values, l) {
        for (var v = 0; v < values.length; v++) { if (chosen.has(values[v])) { hit[l] = 1; break; } }
      });
      return hit;
    });
  }

  // Item id -> its index in the columns (-1: none), from a Map made on the first question.
  filter.indexOf = function (cols, id) {
    if (!cols.index) {
      cols.index = new Map();
      for (var j = 0; j < cols.ids.length; j++) { cols.index.set(cols.ids[j], j); }
    }
    var i = cols.index.get(id);
    return i === undefined ? -1 : i;
  };

  // The items that pass, as a Set of their ids answers (has, size, iteration), kept as one byte an item
  // (mask[index] 1 when it passes): a Set of 100k strings costs more to fill than the filtering itself.
  function Shown(cols, mask, size) { this.cols = cols; this.mask = mask; this.size = size; }
  Shown.prototype.has = function (id) { var i = filter.indexOf(this.cols, id); return i >= 0 && this.mask[i] === 1; };
  Shown.prototype.ids = function () {
    var mask = this.mask;
    return this.cols.ids.filter(function (id, i) { return mask[i] === 1; });
  };
  Shown.prototype.forEach = function (fn) { this.ids().forEach(function (id) { fn(id, id); }); };
  Shown.prototype[Symbol.iterator] = function () { return this.ids()[Symbol.iterator](); };

  // Every item of the columns passes.
  filter.all = function (cols) { return new Shown(cols, new Uint8Array(cols.len).fill(1), cols.len); };

  filter.runColumns = function (cols, state, facets, months) {
    var len = cols.len, miss = new Int8Array(len), mask = new Uint8Array(len), size = 0, lo = -Infinity, hi = Infinity;
    if (months.length) {
      lo = ordinal(months[Math.min(state.from, state.to)].start) - cols.epoch;
      hi = ordinal(months[Math.max(state.from, state.to)].end) - cols.epoch;
    }
    var hit = hits(cols, state, facets), keys = facets.map(function (f) { return cols[f[0]]; });
    for (var i = 0; i < len; i++) {
      var s = cols.s[i], only = -1;
      if (s && (s + cols.e[i] < lo || s > hi)) { miss[i] = -2; continue; }
      for (var n = 0; n < facets.length; n++) {
        if (hit[n] && !hit[n][keys[n][i]]) {
          if (only >= 0) { only = -2; break; }
          only = n;
        }
      }
      miss[i] = only;
      if (only === -1) { mask[i] = 1; size += 1; }
    }
    return {visible: new Shown(cols, mask, size), miss: miss};
  };

  // How many items of each list pass (miss -1, or miss === n when n >= 0; every item when miss is null).
  function tally(column, size, miss, n) {
    var out = new Int32Array(size);
    for (var i = 0; i < column.length; i++) {
      if (!miss || miss[i] === -1 || miss[i] === n) { out[column[i]] += 1; }
    }
    return out;
  }

  // List counts -> counts by value.
  function spread(cols, perList) {
    var out = Object.create(null);
    for (var l = 0; l < perList.length; l++) {
      if (!perList[l]) { continue; }
      var values = cols.lists[l];
      for (var v = 0; v < values.length; v++) { out[values[v]] = (out[values[v]] || 0) + perList[l]; }
    }
    return out;
  }

  filter.countsColumns = function (cols, miss, facets) {
    return facets.map(function (f, n) { return spread(cols, tally(cols[f[0]], cols.lists.length, miss, n)); });
  };

  filter.emptyState = function (facets, months) {
    var state = {facets: {}, from: 0, to: Math.max(months.length - 1, 0)};
    facets.forEach(function (f) { state.facets[f[0]] = new Set(); });
    return state;
  };
})(typeof window !== "undefined" ? window : globalThis);
