/* The list of items: the accessible way through the content, 100 rows at a time, sorted by date. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var PAGE = 100;  // rows drawn at a time

  // Dated items first, by start day, then by title; undated last.
  bm.byDate = function (a, b) {
    var x = a.start || "9999", y = b.start || "9999";
    return x < y ? -1 : x > y ? 1 : a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
  };

  // The items in bm.byDate's order; items decoded from columns are sorted on the columns (no getters).
  bm.dateOrder = function (items) {
    var cols = items.columns;
    if (!cols) { return items.slice().sort(bm.byDate); }
    var s = cols.s, t = cols.t, str = bm.readData().strings, order = new Array(items.length);
    for (var i = 0; i < order.length; i++) { order[i] = i; }
    order.sort(function (a, b) {
      var x = s[a] || Infinity, y = s[b] || Infinity;  // undated last
      if (x !== y) { return x - y; }
      var p = str[t[a]], q = str[t[b]];
      return p < q ? -1 : p > q ? 1 : 0;
    });
    return order.map(function (i) { return items[i]; });
  };

  bm.listPanel = function (ctx) {
    var el = bm.el, list = document.getElementById("bm-list"), more = document.getElementById("bm-more");
    var sorted = bm.dateOrder(ctx.items), limit = PAGE;
    function draw() {
      list.textContent = "";
      var rows = sorted.filter(function (it) { return ctx.visible.has(it.id); });
      rows.slice(0, limit).forEach(function (it) {
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
          if (ctx.state.sel === it.id) { ctx.select(null); } else { ctx.select(it.id, {reveal: true}); }
        });
        li.appendChild(button);
        li.appendChild(meta);
        list.appendChild(li);
      });
      document.getElementById("bm-count").textContent =
        rows.length + (rows.length === ctx.items.length ? "" : " of " + ctx.items.length);
      var rest = rows.length - limit;
      more.hidden = rest <= 0;
      more.textContent = "Show " + Math.min(rest, PAGE) + " more (" + rest + " not listed yet)";
      mark();
    }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li) {
        var on = li.dataset.id === ctx.state.sel, detail = li.querySelector(".bm-detail");
        li.classList.toggle("bm-selected", on);
        li.firstChild.setAttribute("aria-expanded", on ? "true" : "false");
        if (on && !detail) {
          detail = el("div", "bm-detail");
          detail.appendChild(bm.popNode(ctx.byId[li.dataset.id].pop));
          li.appendChild(detail);
        } else if (!on && detail) {
          li.removeChild(detail);
        }
      });
    }
    more.addEventListener("click", function () {
      var first = limit;
      limit += PAGE;
      draw();
      var next = list.children[first];
      if (next) { next.querySelector("button").focus(); }
    });
    ctx.hub.on("filtered", function () { limit = PAGE; draw(); });
    ctx.hub.on("selected", mark);
    return {
      row: function (id) { return list.querySelector('li[data-id="' + CSS.escape(id) + '"]'); },
      first: function () { return list.querySelector("button"); }
    };
  };
})(typeof window !== "undefined" ? window : globalThis);
