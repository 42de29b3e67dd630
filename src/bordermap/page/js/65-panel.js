/* The side panel's frame: collapsible, a bottom sheet on a phone, the skip link, the layer switches. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  bm.panelFrame = function (ctx) {
    var $ = function (id) { return document.getElementById(id); }, map = ctx.map, toggle = $("bm-toggle");
    function open(on) {
      document.body.classList.toggle("bm-collapsed", !on);
      toggle.setAttribute("aria-expanded", on ? "true" : "false");
      map.invalidateSize();
    }
    toggle.addEventListener("click", function () { open(document.body.classList.contains("bm-collapsed")); });
    $("bm-skip").addEventListener("click", function () {
      open(true);
      $("bm-events").open = true;
      ((ctx.list && ctx.list.first()) || $("bm-q")).focus();  // the list is built just after the frame
    });
    // the layer switches live in the panel, where they cover no part of the map
    if (ctx.control && $("bm-layer-list")) {
      $("bm-layer-list").appendChild(ctx.control.getContainer());
      ctx.control.expand();
    }
    // the credits line: one line, opened and closed by its own button (links inside stay plain links)
    var credits = map.attributionControl && map.attributionControl.getContainer();
    if (credits) {
      credits.classList.add("bm-attr");
      var more = bm.el("button", "bm-attr-toggle", "Credits");
      more.type = "button";
      more.setAttribute("aria-expanded", "false");
      more.addEventListener("click", function () {
        var open = credits.classList.toggle("bm-open");
        more.setAttribute("aria-expanded", open ? "true" : "false");
      });
      credits.insertBefore(more, credits.firstChild);
    }
    if (window.matchMedia("(max-width: 760px)").matches) {
      open(false);
      var legend = $("bm-legend");
      if (legend) { legend.open = false; }
    }
  };
})(typeof window !== "undefined" ? window : globalThis);
