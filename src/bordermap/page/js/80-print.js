/* The printable report of the current view: the browser's print (or the panel's "Print / save as PDF" button)
   gives the map as it is on screen, the legend, every shown item with its date, actors, place and sources, the
   citation and the data credits, on A4 or Letter. The report is made when printing starts (also when a print
   preview or a headless browser switches to print media), from the same filter state as everything else. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var MAX_ROWS = 1000;  // items listed in print: more would be hundreds of pages

  bm.printReport = function (ctx, take) {
    var el = bm.el, map = ctx.map, str = ctx.data.str, report = el("section", "bm-print");
    report.id = "bm-print";
    report.setAttribute("aria-label", "Printed report");
    document.body.appendChild(report);
    var saved = null;

    function sources(it) {
      return ((it.pop && it.pop[3]) || []).map(function (s) { return str(s[0]); });
    }
    function build() {
      report.textContent = "";
      var shown = ctx.items.filter(function (it) { return ctx.visible.has(it.id); }).sort(bm.byDate);
      report.appendChild(el("h2", "", "Legend"));
      var legend = document.getElementById("bm-legend-list");
      if (legend) { report.appendChild(legend.cloneNode(true)).removeAttribute("id"); }
      report.appendChild(el("h2", "", "Shown: " + shown.length + " of " + ctx.items.length + " items"));
      report.appendChild(el("p", "bm-note", (bm.download.filters(ctx).join("; ") || "No filters") + ". Time span: " +
                                            bm.download.span(ctx) + "."));
      var list = el("ol", "bm-print-list");
      shown.slice(0, MAX_ROWS).forEach(function (it) {
        var li = el("li");
        li.appendChild(el("b", "", it.title));
        li.appendChild(el("div", "", [it.date, it.category[0], it.actors.join("; "), it.where]
          .filter(function (t) { return t; }).join(" · ")));
        var src = sources(it);
        if (src.length) { li.appendChild(el("div", "bm-note", "Sources: " + src.join("; "))); }
        list.appendChild(li);
      });
      report.appendChild(list);
      if (shown.length > MAX_ROWS) {
        report.appendChild(el("p", "bm-note", "The first " + MAX_ROWS + " of the " + shown.length + " shown items are listed, by date. " +
                                              "Narrow the filters to print the others, or download them."));
      }
      report.appendChild(el("h2", "", "How to cite"));
      report.appendChild(el("p", "", take.citation()));
      var credits = document.querySelector("#bm-sources ul");
      report.appendChild(el("h2", "", "Data credits"));
      if (credits) { report.appendChild(credits.cloneNode(true)); }
      report.appendChild(el("p", "bm-note", (ctx.data.attribution || []).join("; ")));
    }
    // the printed map shows what the screen shows: the same frame, fitted to the page's narrower box
    function start() {
      if (saved) { return; }
      saved = {center: map.getCenter(), zoom: map.getZoom(), bounds: map.getBounds(), snap: map.options.zoomSnap};
      build();
      document.body.classList.add("bm-printing");
      map.options.zoomSnap = 0;
      map.invalidateSize({pan: false});
      map.fitBounds(saved.bounds, {animate: false, padding: [0, 0]});
      if (ctx.labels) { ctx.labels.place(); }
    }
    function end() {
      if (!saved) { return; }
      var view = saved;
      saved = null;
      document.body.classList.remove("bm-printing");
      map.options.zoomSnap = view.snap;
      map.invalidateSize({pan: false});
      map.setView(view.center, view.zoom, {animate: false});
      if (ctx.labels) { ctx.labels.place(); }
    }
    window.addEventListener("beforeprint", start);
    window.addEventListener("afterprint", end);
    var media = window.matchMedia && window.matchMedia("print");
    if (media && media.addEventListener) {
      media.addEventListener("change", function (e) { if (e.matches) { start(); } else { end(); } });
    }
    if (take.buttons) {
      var paper = el("label", "", "Paper "), choose = el("select");
      [["A4", "a4"], ["Letter", "letter"]].forEach(function (p) {
        var o = el("option", "", p[0]);
        o.value = p[1];
        choose.appendChild(o);
      });
      choose.addEventListener("change", function () { document.body.classList.toggle("bm-letter", choose.value === "letter"); });
      var button = el("button", "", "Print / save as PDF");
      button.type = "button";
      button.addEventListener("click", function () { start(); window.print(); });
      take.buttons.insertBefore(button, take.buttons.lastChild);
      paper.appendChild(choose);
      take.buttons.insertBefore(paper, take.buttons.lastChild);
    }
    return {start: start, end: end};
  };
})(typeof window !== "undefined" ? window : globalThis);
