/* bordermap's page script, part 1 of the files in page/js (joined in name order at build time).
   The namespace, small DOM helpers and a tiny event hub. Text reaches the page through textContent only. */
(function (root) {
  "use strict";
  var bm = root.bordermap = root.bordermap || {};

  bm.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  };

  // Search and sorting compare names without case or accents.
  bm.norm = function (text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };

  // For the few Leaflet APIs that take HTML (layer names, attribution): text made inert.
  bm.escapeHtml = function (text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  };

  // Only web links become links.
  bm.isWebLink = function (url) { return /^https?:\/\//i.test(String(url || "")); };

  // A minimal publish/subscribe hub: modules react to "filtered", "selected", "moved" without knowing each other.
  bm.hub = function () {
    var handlers = Object.create(null);
    return {
      on: function (name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
      emit: function (name, arg) { (handlers[name] || []).forEach(function (fn) { fn(arg); }); }
    };
  };
})(typeof window !== "undefined" ? window : globalThis);
