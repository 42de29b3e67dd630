/* The list of items: the accessible way through the content, sorted by date. A virtual list: only the rows in
   sight (and a few either side) are in the DOM; the list's padding stands for the others, from the heights of
   rows already drawn (an estimate for the rest), so that its scroll height is that of every row. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var OVERSCAN = 6;      // rows drawn past each edge of the view
  var UNSEEN = 20;       // rows drawn while the list is out of sight (a closed section, a folded panel)
  var FIRST_GUESS = 48;  // px, a row's height until one is measured
  // px: the list's height in the DOM at most. Browsers cap an element's height (Firefox near 17.9M px, Chrome
  // near 33.5M px); a taller list (some 250k rows) is drawn this high and its scroll position scaled.
  bm.LIST_MAX_PX = bm.LIST_MAX_PX || 15000000;

  // Dated items first, by start day, then by title; undated last.
  bm.byDate = function (a, b) {
    var x = a.start || "9999", y = b.start || "9999";
    return x < y ? -1 : x > y ? 1 : a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
  };

  // The indices of items in bm.byDate's order. Items decoded from columns are put in day order by counting
  // (their day numbers are small integers, 0 for undated), then each day's few items by title.
  bm.dateIndex = function (items) {
    var n = items.length, cols = items.columns, i;
    if (!cols) {
      var all = new Array(n);
      for (i = 0; i < n; i++) { all[i] = i; }
      return Int32Array.from(all.sort(function (a, b) { return bm.byDate(items[a], items[b]) || a - b; }));
    }
    var s = cols.s, t = cols.t, strings = cols.strings, days = 0, titles = new Array(n);
    for (i = 0; i < n; i++) { days = Math.max(days, s[i]); titles[i] = strings[t[i]]; }
    var byTitle = function (a, b) { var p = titles[a], q = titles[b]; return p < q ? -1 : p > q ? 1 : a - b; };
    if (days > 8 * n + 4096) {  // days far apart: a plain sort costs less than counting
      var rest = Array.from({length: n}, function (_, j) { return j; });
      return Int32Array.from(rest.sort(function (a, b) {
        return ((s[a] || Infinity) - (s[b] || Infinity)) || byTitle(a, b);
      }));
    }
    var start = new Int32Array(days + 2), order = new Int32Array(n);
    for (i = 0; i < n; i++) { start[(s[i] || days + 1)] += 1; }  // undated after the last day
    for (var d = 0, at = 0; d < start.length; d++) { var c = start[d]; start[d] = at; at += c; }
    var end = start.slice();
    for (i = 0; i < n; i++) { order[end[s[i] || days + 1]++] = i; }
    for (d = 0; d < start.length; d++) {
      if (end[d] - start[d] > 1) { order.subarray(start[d], end[d]).sort(byTitle); }
    }
    return order;
  };

  // The items in bm.byDate's order.
  bm.dateOrder = function (items) {
    return Array.prototype.map.call(bm.dateIndex(items), function (i) { return items[i]; });
  };

  // --- the windowing arithmetic, pure (tests/js/list.test.js) ---
  var win = bm.listWindow = {};

  // The items that pass (miss[i] === -1; every item when miss is null), in `order`, into `out`; their number.
  win.shown = function (order, miss, out) {
    var size = 0;
    for (var k = 0; k < order.length; k++) {
      if (!miss || miss[order[k]] === -1) { out[size++] = order[k]; }
    }
    return size;
  };

  // The top of each of the first `size` rows of `shown` and, at [size], the height of all: a row's height is
  // heights[item] once measured (0: not yet), `guess` until then.
  win.offsets = function (shown, size, heights, guess, out) {
    var y = 0;
    for (var k = 0; k < size; k++) {
      out[k] = y;
      y += heights[shown[k]] || guess;
    }
    out[size] = y;
    return out;
  };

  // The row at height y (offsets[k] <= y < offsets[k + 1]), clamped to the rows there are.
  win.at = function (offsets, size, y) {
    var lo = 0, hi = size - 1;
    if (size <= 0) { return -1; }
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= y) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  };

  // The rows to draw for the view [top, bottom) (list coordinates): [first, last], `over` more each side.
  win.range = function (offsets, size, top, bottom, over) {
    if (size <= 0) { return [0, -1]; }
    var first = win.at(offsets, size, top), last = win.at(offsets, size, Math.max(top, bottom - 0.5));
    return [Math.max(0, first - over), Math.min(size - 1, last + over)];
  };

  // How far to scroll so that the rows' tops and bottoms (list coordinates) come into the view [top, bottom).
  win.nearest = function (rowTop, rowBottom, top, bottom) {
    if (rowTop < top) { return rowTop - top; }
    if (rowBottom > bottom) { return Math.min(rowBottom - bottom, rowTop - top); }
    return 0;
  };

  // A list taller than the DOM holds (total > cap) is drawn cap high: the top of a view h high at v in the DOM
  // shows the list from toList(v) on, linearly from the list's top to its end; toDom is the way back.
  win.toList = function (v, total, cap, h) {
    if (total <= cap) { return v; }
    var room = Math.max(1, cap - h);
    return v + Math.min(Math.max(v, 0), room) * (total - cap) / room;
  };
  win.toDom = function (y, total, cap, h) {
    if (total <= cap || y <= 0) { return y; }
    if (y >= total - h) { return y - (total - cap); }
    return y * Math.max(1, cap - h) / (total - h);
  };

  bm.listPanel = function (ctx) {
    var el = bm.el, items = ctx.items, n = items.length, list = document.getElementById("bm-list");
    var order = bm.dateIndex(items), shown = new Int32Array(n), posOf = new Int32Array(n);
    var heights = new Float32Array(n), offsets = new Float64Array(n + 1), stale = true;
    var measured = {sum: 0, count: 0}, rows = new Map(), width = -1, queued = false, cap = bm.LIST_MAX_PX;
    var size = win.shown(order, null, shown);
    list.tabIndex = -1;  // holds the focus when the focused row scrolls far out of the list

    function guess() { return measured.count ? measured.sum / measured.count : FIRST_GUESS; }
    function layout() {
      if (stale) { win.offsets(shown, size, heights, guess(), offsets); stale = false; }
    }
    function indexOf(id) {
      var it = ctx.item(id);
      return it && posOf[it.index] >= 0 ? it.index : -1;
    }
    // the element that scrolls the list, and the part of the list in sight (px from its top in the DOM;
    // null: not shown); rows start at the list's top, the padding counted in the offsets
    function scroller() {
      for (var e = list.parentElement; e && e !== document.body; e = e.parentElement) {
        var o = getComputedStyle(e).overflowY;
        if (o === "auto" || o === "scroll") { return e; }
      }
      return document.scrollingElement || document.documentElement;
    }
    function view() {
      if (!list.getClientRects().length) { return null; }
      var box = list.getBoundingClientRect(), top = 0, bottom = window.innerHeight;
      for (var e = list.parentElement; e && e !== document.body; e = e.parentElement) {
        if (getComputedStyle(e).overflowY === "visible") { continue; }
        var r = e.getBoundingClientRect();
        top = Math.max(top, r.top + e.clientTop);
        bottom = Math.min(bottom, r.top + e.clientTop + e.clientHeight);
      }
      return [top - box.top, Math.max(top, bottom) - box.top];
    }

    function makeRow(i) {
      var it = items[i], li = el("li", "bm-row"), button = el("button", "bm-pick", it.title);
      li.dataset.id = it.id;
      li.bmIndex = i;
      button.type = "button";
      button.id = "bm-pick-" + it.index;
      var meta = el("div", "bm-meta", [it.date, it.category[0], it.actors.join("; "), it.where]
        .filter(function (t) { return t; }).join(" · "));
      meta.id = "bm-meta-" + it.index;
      button.setAttribute("aria-describedby", meta.id);
      li.appendChild(button);
      li.appendChild(meta);
      markRow(li);
      return li;
    }
    function markRow(li) {
      var id = li.dataset.id, on = id === ctx.state.sel, detail = li.querySelector(".bm-detail");
      li.classList.toggle("bm-selected", on);
      li.firstChild.setAttribute("aria-expanded", on ? "true" : "false");
      if (on && !detail) {
        detail = el("div", "bm-detail");
        detail.appendChild(bm.popNode(ctx.item(id).pop));
        li.appendChild(detail);
      } else if (!on && detail) {
        li.removeChild(detail);
      }
    }
    function focusedRow() {
      var a = document.activeElement;
      return a && a.parentNode && a.parentNode.parentNode === list && rows.get(a.parentNode.bmIndex) === a.parentNode ?
        a.parentNode : null;
    }

    // Put the rows [from, to] in the DOM (reusing those already there, never moving them: a moved row loses focus),
    // the list's height `shift` above the DOM's (0 unless the list is taller than the DOM holds).
    function place(from, to, shift) {
      var keep = new Map(), k, li;
      for (k = from; k <= to; k++) {
        li = rows.get(shown[k]) || makeRow(shown[k]);
        li.setAttribute("aria-posinset", String(k + 1));
        li.setAttribute("aria-setsize", String(size));
        keep.set(shown[k], li);
      }
      rows.forEach(function (node, i) { if (!keep.has(i)) { list.removeChild(node); } });
      var ref = list.firstChild;
      for (k = from; k <= to; k++) {
        li = keep.get(shown[k]);
        if (li === ref) { ref = ref.nextSibling; } else { list.insertBefore(li, ref); }
      }
      rows = keep;
      var above = size ? Math.max(0, offsets[from] - shift) : 0, drawn = size ? offsets[to + 1] - offsets[from] : 0;
      list.style.paddingTop = above + "px";
      list.style.paddingBottom = (size ? Math.max(0, Math.min(offsets[size], cap) - above - drawn) : 0) + "px";
    }

    // Draw the rows in sight; measure them; if their heights differ from what was assumed, draw again with
    // the view held still (the row at its top stays where it is, or the list's end when that is in sight).
    function draw(want) {
      queued = false;
      for (var pass = 0; pass < 3; pass++) {
        layout();
        var v = view(), range, focus = focusedRow(), f = focus ? posOf[focus.bmIndex] : -1, y0 = 0, y1 = 0, h = 0;
        if (!v) {
          var at = want >= 0 ? want : f >= 0 ? f : 0;
          range = [Math.max(0, Math.min(at, size - UNSEEN)), Math.min(size, Math.max(at, 0) + UNSEEN) - 1];
        } else {
          h = scroller().clientHeight;
          y0 = win.toList(v[0], offsets[size], cap, h);
          y1 = y0 + v[1] - v[0];
          range = win.range(offsets, size, y0, y1, OVERSCAN);
        }
        [f, want].forEach(function (p) {  // the focused row and its neighbours stay, so Tab and the arrows go on
          if (p >= 0 && p < size && p >= range[0] - 3 * OVERSCAN && p <= range[1] + 3 * OVERSCAN) {
            range = [Math.max(0, Math.min(range[0], p - 1)), Math.min(size - 1, Math.max(range[1], p + 1))];
          }
        });
        if (focus && (f < range[0] || f > range[1])) { list.focus({preventScroll: true}); }
        place(range[0], range[1], y0 - (v ? v[0] : 0));
        if (!v) { return; }
        var changed = false, box = list.getBoundingClientRect().width;
        if (box !== width) {  // a new width wraps titles anew: forget every height
          if (width >= 0) { heights.fill(0); measured.sum = 0; measured.count = 0; changed = true; }
          width = box;
        }
        rows.forEach(function (li, i) {
          var tall = li.getBoundingClientRect().height;
          if (tall && tall !== heights[i]) {
            if (heights[i]) { measured.sum -= heights[i]; } else { measured.count += 1; }
            measured.sum += tall;
            heights[i] = tall;
            changed = true;
          }
        });
        if (!changed) { return; }
        var anchor = win.at(offsets, size, y0), before = offsets[anchor], end = Math.min(offsets[size], cap);
        var atEnd = y1 >= offsets[size] - 1;
        stale = true;
        layout();
        var shift = atEnd ? Math.min(offsets[size], cap) - end :
          win.toDom(y0 + offsets[anchor] - before, offsets[size], cap, h) - v[0];
        if (v[0] > 0 && shift) { scroller().scrollTop += shift; }
      }
    }
    function later() {
      if (!queued) { queued = true; requestAnimationFrame(function () { draw(-1); }); }
    }

    // The row at position k, drawn and scrolled into sight (again once drawn, at its measured height).
    function bring(k) {
      if (k < 0 || k >= size) { return null; }
      for (var pass = 0; pass < 2; pass++) {
        layout();
        var v = view();
        if (v) {
          var h = scroller().clientHeight, total = offsets[size], y0 = win.toList(v[0], total, cap, h);
          var by = win.nearest(offsets[k], offsets[k] + (heights[shown[k]] || guess()), y0, y0 + v[1] - v[0]);
          if (by) { scroller().scrollTop += win.toDom(y0 + by, total, cap, h) - v[0]; }
        }
        draw(k);
        if (!v) { break; }
      }
      return rows.get(shown[k]) || null;
    }

    function filtered(result) {
      size = win.shown(order, result && result.miss, shown);
      posOf.fill(-1);
      for (var k = 0; k < size; k++) { posOf[shown[k]] = k; }
      stale = true;
      document.getElementById("bm-count").textContent = size + (size === n ? "" : " of " + n);
      draw(-1);
    }

    list.addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest(".bm-pick");
      if (!button || button.parentNode.parentNode !== list) { return; }
      var id = button.parentNode.dataset.id;
      if (ctx.state.sel === id) { ctx.select(null); } else { ctx.select(id, {reveal: true}); }
    });
    // Tab goes from row to row as the browser finds them; the arrows, Home and End move too
    list.addEventListener("keydown", function (e) {
      var row = e.target.classList && e.target.classList.contains("bm-pick") ? e.target.parentNode : null;
      if (!row || row.parentNode !== list || e.altKey || e.ctrlKey || e.metaKey) { return; }
      var k = posOf[row.bmIndex], to = {ArrowDown: k + 1, ArrowUp: k - 1, Home: 0, End: size - 1}[e.key];
      if (to === undefined) { return; }
      e.preventDefault();
      var li = bring(Math.max(0, Math.min(size - 1, to)));
      if (li) { li.firstChild.focus({preventScroll: true}); }
    });
    // a focused row keeps its neighbours drawn (the browser scrolls it into sight for the keyboard, not for a click)
    list.addEventListener("focusin", function (e) {
      var row = e.target.parentNode;
      if (row && row.parentNode === list && rows.get(row.bmIndex) === row) { draw(posOf[row.bmIndex]); }
    });
    document.addEventListener("scroll", later, true);  // whichever element scrolls the list
    document.addEventListener("toggle", later, true);  // a section opened or closed above the list
    window.addEventListener("resize", later);
    if (root.ResizeObserver) { new ResizeObserver(later).observe(list); }
    ctx.hub.on("filtered", filtered);
    ctx.hub.on("selected", function () { rows.forEach(markRow); draw(-1); });
    filtered(null);
    return {
      // the row of an item, when it is drawn
      row: function (id) { var i = indexOf(id); return i >= 0 ? rows.get(i) || null : null; },
      // the row of a shown item, drawn and scrolled into sight
      show: function (id) { var i = indexOf(id); return i >= 0 ? bring(posOf[i]) : null; },
      // the first row's button
      first: function () { var li = bring(0); return li ? li.firstChild : null; }
    };
  };
})(typeof window !== "undefined" ? window : globalThis);
