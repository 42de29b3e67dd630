/* The events-over-time chart in the panel: bars per month (per year over long spans), stacked by category in the
   legend's colours (the document's report.colours), from the same facet filters as the map. Honest dates: an event
   whose date covers one bar is counted in it; a month, year or range that covers several bars is spread over them
   by days and drawn as a paler band, never as a spike on one day. Dragging across the bars sets the time span,
   exactly as the sliders do. bm.chart.* is pure (unit-tested in tests/js/chart.test.js). */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var chart = bm.chart = {};
  var DAY = 86400000, YEARLY_FROM = 73;  // more months than this: one bar a year
  var SVG = "http://www.w3.org/2000/svg";

  function day(iso) { return Math.round(Date.parse(iso + "T00:00:00Z") / DAY); }
  var UNIX_DAY = 719163;  // the columns' day ordinal of 1970-01-01 (day() counts from there)

  // The bars: consecutive runs of months ({label, start, end}) from month first to month last (default: all);
  // from/to are indexes into months, as the time sliders count.
  chart.bins = function (months, first, last) {
    first = first === undefined ? 0 : first;
    last = last === undefined ? months.length - 1 : last;
    var span = months.slice(first, last + 1);
    if (span.length < YEARLY_FROM) {
      return span.map(function (m, i) { return {label: m.label, start: m.start, end: m.end, from: first + i, to: first + i}; });
    }
    var out = [];
    span.forEach(function (m, k) {
      var i = first + k, year = m.start.slice(0, 4), last = out[out.length - 1];
      if (last && last.label === year) { last.end = m.end; last.to = i; } else {
        out.push({label: year, start: m.start, end: m.end, from: i, to: i});
      }
    });
    return out;
  };

  // The months the chart covers: those of the dated items it draws (categories), not those of every record (a
  // movement over decades would squeeze the events into a few yearly bars); [0, -1] when none.
  chart.span = function (items, months, categories) {
    var known = new Set(categories), lo = null, hi = null, cols = items.columns;
    if (cols) {  // items of bm.decode: day numbers from the columns, each list's category looked up once
      var kept = cols.lists.map(function (values) { return known.has(values[0]); }), first = Infinity, last = -Infinity;
      for (var i = 0; i < cols.len; i++) {
        var s = cols.s[i];
        if (!s || !kept[cols.category[i]]) { continue; }
        if (s < first) { first = s; }
        if (s + cols.e[i] > last) { last = s + cols.e[i]; }
      }
      if (first !== Infinity) { lo = bm.isoDay(first + cols.epoch); hi = bm.isoDay(last + cols.epoch); }
    } else {
      items.forEach(function (it) {
        if (!it.start || !known.has(it.category[0])) { return; }
        if (lo === null || it.start < lo) { lo = it.start; }
        if (hi === null || it.end > hi) { hi = it.end; }
      });
    }
    if (lo === null) { return [0, -1]; }
    var first = months.findIndex(function (m) { return m.end >= lo; });
    var after = months.findIndex(function (m) { return m.start > hi; });
    return [first, (after < 0 ? months.length : after) - 1];
  };

  // Per bar and category: exact (the date lies within the bar) and spread (a share of a longer date, by days);
  // fatalities [best, low, high] likewise. Only items of the given categories with a date are counted.
  chart.count = function (items, keep, bins, categories) {
    var known = new Set(categories), out = bins.map(function () {
      return {exact: Object.create(null), spread: Object.create(null), total: 0, f: [0, 0, 0]};
    });
    var lo = bins.map(function (b) { return day(b.start); }), hi = bins.map(function (b) { return day(b.end); });
    var undated = 0, hasF = false, cols = items.columns;  // items of bm.decode: days read from the columns
    for (var i = 0; i < items.length; i++) {
      var it = items[i], cat = cols ? cols.lists[cols.category[i]][0] : it.category[0];
      if (!known.has(cat) || !keep(it)) { continue; }
      if (cols ? !cols.s[i] : !it.start) { undated += 1; continue; }
      var s = cols ? cols.s[i] + cols.epoch - UNIX_DAY : day(it.start), e = cols ? s + cols.e[i] : day(it.end);
      var days = e - s + 1, first = 0, top = bins.length, f = cols && !cols.f ? null : it.f;
      while (first < top) {  // the first bar that ends on or after the item's first day
        var mid = (first + top) >> 1;
        if (hi[mid] < s) { first = mid + 1; } else { top = mid; }
      }
      for (var b = first; b < bins.length && lo[b] <= e; b++) {
        var a = Math.max(s, lo[b]), z = Math.min(e, hi[b]);
        var whole = s >= lo[b] && e <= hi[b], share = whole ? 1 : (z - a + 1) / days, bin = out[b];
        var into = whole ? bin.exact : bin.spread;
        into[cat] = (into[cat] || 0) + share;
        bin.total += share;
        if (f) {
          hasF = true;
          for (var k = 0; k < 3; k++) { bin.f[k] += f[k] * share; }
        }
      }
    }
    return {bins: out, undated: undated, hasF: hasF};
  };

  // A count as a reader reads it: whole numbers as they are, shares to one decimal.
  chart.fmt = function (v) { return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(1); };

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  bm.timeChart = function (ctx) {
    var months = ctx.months, report = ctx.data.report || {}, colours = report.colours || [];
    var time = document.getElementById("bm-time");
    if (!months.length || !time || !colours.length) { return {counts: function () { return null; }}; }
    var el = bm.el, categories = colours.map(function (c) { return c[0]; });
    var span = chart.span(ctx.items, months, categories);
    if (span[1] < span[0]) { return {counts: function () { return null; }}; }
    var bins = chart.shown = chart.bins(months, span[0], span[1]);
    var colourOf = Object.create(null);
    colours.forEach(function (c) { colourOf[c[0]] = c[1]; });
    var W = 340, H = 150, FH = 46, PAD = 24, bw = (W - PAD) / bins.length, last = null;
    var box = el("div", "bm-chart");
    box.id = "bm-chart";
    box.appendChild(el("h3", "", "Events over time"));
    var picture = svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": "bm-chart-desc"});
    var desc = el("p", "bm-note", "");
    desc.id = "bm-chart-desc";
    var key = el("ul", "bm-chart-key");
    var tableBox = el("details", "bm-chart-table"), table = el("table");
    tableBox.appendChild(el("summary", "", "The chart as a table"));
    tableBox.appendChild(table);
    box.appendChild(picture);
    box.appendChild(key);
    box.appendChild(desc);
    box.appendChild(tableBox);
    time.parentNode.insertBefore(box, time);

    // what passes the filter state without its time span (the chart shows the whole span): the filter's own
    // result when the span is whole already
    function facetsOnly(filtered) {
      var whole = Math.min(ctx.state.from, ctx.state.to) === 0 && Math.max(ctx.state.from, ctx.state.to) >= months.length - 1;
      if (whole && filtered && filtered.visible) { return filtered.visible; }
      var state = {facets: ctx.state.facets, from: 0, to: months.length - 1};
      return bm.filter.run(ctx.items, state, ctx.facets, months).visible;
    }
    function draw(filtered) {
      var pass = facetsOnly(filtered), mask = pass.mask;
      var result = chart.count(ctx.items, function (it) { return mask ? mask[it.index] === 1 : pass.has(it.id); }, bins, categories);
      last = result;
      var full = result.hasF ? H : H - FH, top = 6, base = full - (result.hasF ? FH : 0) - 16;
      picture.setAttribute("viewBox", "0 0 " + W + " " + full);
      picture.textContent = "";
      var max = Math.ceil(Math.max.apply(null, result.bins.map(function (b) { return b.total; }).concat([1])) - 1e-9);
      var scale = (base - top) / max, from = Math.min(ctx.state.from, ctx.state.to), to = Math.max(ctx.state.from, ctx.state.to);
      if (from > 0 || to < months.length - 1) {
        picture.appendChild(svg("rect", {x: PAD + bw * binOf(from), y: 0, width: bw * (binOf(to) - binOf(from) + 1),
                                          height: base, "class": "bm-chart-span"}));
      }
      result.bins.forEach(function (b, n) {
        var y = base, inSpan = n >= binOf(from) && n <= binOf(to);
        ["exact", "spread"].forEach(function (kind) {
          categories.forEach(function (cat) {
            var v = b[kind][cat];
            if (!v) { return; }
            var h = v * scale, r = svg("rect", {x: (PAD + n * bw + 0.5).toFixed(2), y: (y - h).toFixed(2),
              width: Math.max(bw - 1, 0.5).toFixed(2), height: h.toFixed(2), fill: colourOf[cat],
              "class": "bm-bar bm-" + kind + (inSpan ? "" : " bm-out")});
            r.dataset.bin = n; r.dataset.category = cat; r.dataset.kind = kind; r.dataset.value = v;
            var tip = svg("title");
            tip.textContent = bins[n].label + ": " + cat + " " + chart.fmt(v) + (kind === "spread" ? " (share of a longer date)" : "");
            r.appendChild(tip);
            picture.appendChild(r);
            y -= h;
          });
        });
      });
      bins.forEach(function (b, n) {  // each bar's column, under everything (where a drag starts and ends)
        var hit = svg("rect", {x: (PAD + n * bw).toFixed(2), y: 0, width: bw.toFixed(2), height: base, "class": "bm-hit-bin"});
        hit.dataset.bin = n;
        picture.insertBefore(hit, picture.firstChild);
      });
      var axis = svg("line", {x1: PAD, x2: W, y1: base + 0.5, y2: base + 0.5, "class": "bm-axis"});
      picture.appendChild(axis);
      text(PAD - 3, top + 8, chart.fmt(max), "end");
      text(PAD - 3, base, "0", "end");
      var LABEL_PX = 30, lastX = -Infinity;  // a year's label is about 24 px wide: never closer than this
      bins.forEach(function (b, n) {
        var x = PAD + n * bw, yearStart = b.label.length === 4 || b.start.slice(5, 7) === "01" || n === 0;
        if (yearStart && x - lastX >= LABEL_PX && x + LABEL_PX - 6 <= W) {
          text(x, base + 12, b.start.slice(0, 4), "start");
          lastX = x;
        }
      });
      if (result.hasF) { fatalities(result, base + 18, full - 2); }
      describe(result, from, to);
    }
    function text(x, y, words, anchor) {
      var t = svg("text", {x: x, y: y, "text-anchor": anchor, "class": "bm-chart-text"});
      t.textContent = words;
      picture.appendChild(t);
    }
    function fatalities(result, top, bottom) {
      var max = Math.ceil(Math.max.apply(null, result.bins.map(function (b) { return b.f[2]; }).concat([1])) - 1e-9);
      var y = function (v) { return (bottom - (bottom - top) * v / max).toFixed(2); };
      var x = function (n) { return (PAD + (n + 0.5) * bw).toFixed(2); };
      var band = result.bins.map(function (b, n) { return x(n) + "," + y(b.f[2]); })
        .concat(result.bins.map(function (b, n) { return x(n) + "," + y(b.f[1]); }).reverse());
      picture.appendChild(svg("polygon", {points: band.join(" "), "class": "bm-f-range"}));
      picture.appendChild(svg("polyline", {points: result.bins.map(function (b, n) { return x(n) + "," + y(b.f[0]); }).join(" "),
                                           "class": "bm-f-best"}));
      text(PAD - 3, top + 6, chart.fmt(max), "end");
      text(PAD + 2, top + 6, "Fatalities: best figure (line), low–high range (band)", "start");
    }
    function binOf(month) {
      for (var n = 0; n < bins.length; n++) { if (month >= bins[n].from && month <= bins[n].to) { return n; } }
      return 0;
    }
    function describe(result, from, to) {
      var total = 0, spread = 0;
      result.bins.forEach(function (b) {
        total += b.total;
        Object.keys(b.spread).forEach(function (c) { spread += b.spread[c]; });
      });
      desc.textContent = "Events per " + (bins[0].label.length === 4 ? "year" : "month") + ", " + bins[0].label + " to " +
        bins[bins.length - 1].label + ", stacked by category: " + chart.fmt(total) + " dated events under the filters" +
        (spread ? ", of which " + chart.fmt(spread) + " spread over the months or years their dates cover (paler bars)" : "") +
        (result.undated ? "; " + result.undated + " undated, not drawn" : "") + ". " +
        (from > 0 || to < months.length - 1 ? "Shaded: the time span, " + months[from].label + " to " + months[to].label +
         ". " : "") + "Drag across the bars to choose a time span.";
      table.textContent = "";
      var head = el("tr");
      ["Period", "Events", "Of which spread", "By category"].concat(result.hasF ? ["Fatalities (low–high)"] : [])
        .forEach(function (h) { var th = el("th", "", h); th.scope = "col"; head.appendChild(th); });
      table.appendChild(head);
      result.bins.forEach(function (b, n) {
        if (!b.total) { return; }
        var tr = el("tr"), spreadHere = 0, cats = [];
        categories.forEach(function (c) {
          var v = (b.exact[c] || 0) + (b.spread[c] || 0);
          spreadHere += b.spread[c] || 0;
          if (v) { cats.push(c + " " + chart.fmt(v)); }
        });
        var th = el("th", "", bins[n].label);
        th.scope = "row";
        tr.appendChild(th);
        [chart.fmt(b.total), chart.fmt(spreadHere), cats.join("; ")].concat(result.hasF ?
          [chart.fmt(b.f[0]) + " (" + chart.fmt(b.f[1]) + "–" + chart.fmt(b.f[2]) + ")"] : [])
          .forEach(function (v) { tr.appendChild(el("td", "", v)); });
        table.appendChild(tr);
      });
    }
    // the key: each category's colour as the legend has it, and what a pale bar means
    categories.forEach(function (cat) {
      if (!ctx.items.some(function (it) { return it.start && it.category[0] === cat; })) { return; }
      var li = el("li"), swatch = svg("svg", {width: 10, height: 10, "aria-hidden": "true"});
      swatch.appendChild(svg("rect", {width: 10, height: 10, fill: colourOf[cat], "class": "bm-bar"}));
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(cat));
      key.appendChild(li);
    });
    key.appendChild(el("li", "bm-note", "Paler: a date known only to the month or year, or a range, spread over it"));

    // brushing: a drag across the bars sets the span exactly as the sliders do
    var anchor = null;
    function binAt(event) {
      var r = picture.getBoundingClientRect(), x = (event.clientX - r.left) * W / r.width;
      return Math.max(0, Math.min(bins.length - 1, Math.floor((x - PAD) / bw)));
    }
    function brush(a, b) {
      ctx.state.from = bins[Math.min(a, b)].from;
      ctx.state.to = bins[Math.max(a, b)].to;
      ctx.time.show();
      ctx.apply();
    }
    picture.addEventListener("pointerdown", function (event) {
      anchor = binAt(event);
      if (picture.setPointerCapture) { picture.setPointerCapture(event.pointerId); }
      brush(anchor, anchor);
    });
    picture.addEventListener("pointermove", function (event) { if (anchor !== null) { brush(anchor, binAt(event)); } });
    picture.addEventListener("pointerup", function () { anchor = null; });
    picture.addEventListener("pointercancel", function () { anchor = null; });
    ctx.hub.on("filtered", draw);
    return {counts: function () { return last; }, bins: bins};
  };
})(typeof window !== "undefined" ? window : globalThis);
