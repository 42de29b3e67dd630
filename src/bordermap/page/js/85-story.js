/* Stories: a guided reading of an article, step by step, from the document's "stories".
   bm.emphasis keeps every drawn part of every item (the layers code hands them over through
   bm.emphasis.part) and highlights the step's items while dimming, never hiding, the rest.
   bm.storyPanel(ctx) is the Story view in the panel: steps, Previous/Next, left/right keys, the move to
   each step's view, its sources with their quote locators, and the way back to the reader's own filters. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var DIM = 0.3;  // how much of its opacity a part keeps while another record is the step's

  // --- emphasis: which parts are highlighted, which dimmed --------------------------------------------
  var parts = [];  // {rid, layer, kind: "marker" | "shape", icon?, style?}
  bm.emphasis = {
    // called by 20-layers.js for every marker and shape it makes
    part: function (rid, layer, kind) {
      if (!rid) { return; }  // boundaries, labels and the reader's own layers are not records
      var p = {rid: rid, layer: layer, kind: kind};
      if (kind === "marker") { p.icon = layer.options.icon; }
      else { p.style = {opacity: layer.options.opacity, fillOpacity: layer.options.fillOpacity,
                        weight: layer.options.weight, className: layer.options.className || ""}; }
      parts.push(p);
    },
    // ids: a Set of record ids to highlight, or null for the reader's map as it was
    set: function (ids) {
      parts.forEach(function (p) {
        var on = ids && p.rid && ids.has(p.rid), dim = ids && !on;
        if (p.kind === "marker") {
          var o = p.icon.options, copy = {};
          Object.keys(o).forEach(function (k) { copy[k] = o[k]; });
          copy.className = o.className + (on ? " bm-hl" : dim ? " bm-dim" : "");
          p.layer.setIcon(on || dim ? L.divIcon(copy) : p.icon);
          p.layer.setOpacity(dim ? DIM : 1);
          p.layer.setZIndexOffset((p.layer.bmZ === undefined ? (p.layer.bmZ = p.layer.options.zIndexOffset) : p.layer.bmZ) +
                                  (on ? 5000 : 0));
        } else {
          var s = p.style, cls = s.className + (on ? " bm-hl" : dim ? " bm-dim" : "");
          p.layer.options.className = cls.trim();
          p.layer.setStyle({opacity: dim ? s.opacity * DIM : s.opacity, fillOpacity: dim ? s.fillOpacity * DIM : s.fillOpacity,
                            weight: on ? s.weight + 1.5 : s.weight});
          var path = p.layer.getElement && p.layer.getElement();
          if (path) {
            path.classList.remove("bm-hl", "bm-dim");
            if (on) { path.classList.add("bm-hl"); }
            if (dim) { path.classList.add("bm-dim"); }
          }
          if (on && p.layer.bringToFront && p.layer._map) { p.layer.bringToFront(); }
        }
      });
    },
    // every part as [record id, kind, Leaflet layer], for the page's own checks and tests
    all: function () { return parts.map(function (p) { return [p.rid, p.kind, p.layer]; }); }
  };

  // --- the Story view -------------------------------------------------------------------------------
  bm.storyPanel = function (ctx) {
    var stories = ctx.data.stories || [], el = bm.el, map = ctx.map;
    if (!stories.length) { return null; }
    var body = document.getElementById("bm-body"), where = null, saved = null, settled = true;
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var box = el("details", "bm-stories"), live = el("p", "bm-story-live");
    box.id = "bm-stories"; box.open = true;
    box.appendChild(el("summary", "", "Stories: the articles step by step"));
    live.id = "bm-story-live"; live.setAttribute("role", "status"); live.setAttribute("aria-live", "polite");
    var menu = el("div", "bm-story-menu"), card = el("section", "bm-story-card");
    card.hidden = true; card.setAttribute("aria-label", "Story step");
    box.appendChild(menu); box.appendChild(card); box.appendChild(live);
    // after the search and its status line: the search stays the panel's first stop for the keyboard
    body.insertBefore(box, document.getElementById("bm-legend"));

    stories.forEach(function (story, n) {
      var block = el("div", "bm-story-entry"), start = el("button", "bm-story-start", story.title);
      start.type = "button"; start.setAttribute("data-story", story.id);
      start.addEventListener("click", function () { open(n, 0); });
      block.appendChild(start);
      if (story.description) { block.appendChild(el("p", "bm-story-about", story.description)); }
      var steps = el("ol", "bm-story-steps");
      story.steps.forEach(function (step, m) {
        var li = el("li"), b = el("button", "bm-story-step", step.title);
        b.type = "button";
        b.addEventListener("click", function () { open(n, m); });
        li.appendChild(b); steps.appendChild(li);
      });
      block.appendChild(steps);
      menu.appendChild(block);
    });

    function remember() {  // the reader's own map, restored on leaving
      var facets = {};
      Object.keys(ctx.state.facets).forEach(function (k) { facets[k] = new Set(ctx.state.facets[k]); });
      var on = Object.keys(ctx.overlays).filter(function (name) { return map.hasLayer(ctx.overlays[name]); });
      return {facets: facets, from: ctx.state.from, to: ctx.state.to, layers: on};
    }

    function setLayers(names) {
      var want = new Set(names);
      Object.keys(ctx.overlays).forEach(function (name) {
        var has = map.hasLayer(ctx.overlays[name]);
        if (want.has(name) && !has) { map.addLayer(ctx.overlays[name]); }
      });
    }

    function month(day, last) {  // the month index that holds an ISO day
      for (var i = 0; i < ctx.months.length; i++) {
        if (ctx.months[i].start <= day && day <= ctx.months[i].end) { return i; }
      }
      return last ? Math.max(ctx.months.length - 1, 0) : 0;
    }

    function padding() {  // the part of the map the title and the controls leave free
      var top = map.getContainer().getBoundingClientRect().top, title = document.querySelector(".bm-title");
      var below = title ? Math.max(0, title.getBoundingClientRect().bottom - top) : 0;
      return {paddingTopLeft: [16, below + 12], paddingBottomRight: [16, 28]};
    }

    var moves = 0;  // each move's number: a finished or timed-out earlier move must not settle a later one
    function move(step, instant) {
      var own = ++moves;
      settled = false;
      var opts = padding(), done = function () { if (own === moves && !settled) { settled = true; ctx.writeHash(); } };
      opts.maxZoom = step.maxZoom;
      map.invalidateSize();
      if (instant || reduced) {
        opts.animate = false;
        map.fitBounds(step.fit, opts);
        done();
      } else {
        opts.duration = 0.8;
        map.once("moveend", done);
        map.flyToBounds(step.fit, opts);
        setTimeout(done, 1600);  // a move to the view it already shows ends without a moveend
      }
    }

    function render(story, step, n, m) {
      card.textContent = "";
      card.appendChild(el("p", "bm-story-name", story.title));
      var count = el("p", "bm-story-count", "Step " + (m + 1) + " of " + story.steps.length);
      var h = el("h3", "bm-story-title", step.title);
      h.id = "bm-story-title"; h.tabIndex = -1;
      card.appendChild(count); card.appendChild(h);
      card.appendChild(el("p", "bm-story-text", step.text));
      var src = el("div", "bm-story-sources");
      src.appendChild(el("h4", "", "Sources of this step"));
      var ul = el("ul");
      step.cites.forEach(function (c) {  // [record id, record title, [source texts], quote, article]
        var li = el("li");
        li.appendChild(el("strong", "", c[1]));
        c[2].forEach(function (s) { li.appendChild(el("span", "bm-story-source", s)); });
        if (c[3]) {
          var q = el("span", "bm-story-quote");
          q.appendChild(el("q", "", c[3]));
          q.appendChild(document.createTextNode(" (" + c[4] + ")"));
          li.appendChild(q);
        }
        ul.appendChild(li);
      });
      src.appendChild(ul); card.appendChild(src);
      var nav = el("div", "bm-story-nav"), prev = el("button", "bm-story-prev", "Previous"),
          next = el("button", "bm-story-next", "Next"), leave = el("button", "bm-story-leave", "Leave the story");
      [prev, next, leave].forEach(function (b) { b.type = "button"; nav.appendChild(b); });
      prev.disabled = m === 0; next.disabled = m === story.steps.length - 1;
      prev.setAttribute("aria-keyshortcuts", "ArrowLeft"); next.setAttribute("aria-keyshortcuts", "ArrowRight");
      prev.addEventListener("click", function () { go(-1); });
      next.addEventListener("click", function () { go(1); });
      leave.addEventListener("click", close);
      card.appendChild(nav);
      Array.prototype.forEach.call(menu.querySelectorAll(".bm-story-step"), function (b) { b.removeAttribute("aria-current"); });
      var mine = menu.querySelectorAll(".bm-story-entry")[n].querySelectorAll(".bm-story-step")[m];
      if (mine) { mine.setAttribute("aria-current", "step"); }
      live.textContent = "Step " + (m + 1) + " of " + story.steps.length + ": " + step.title + ". " + step.text;
      return h;
    }

    // show step m of story n; instant: no animation (a link that opens on a step)
    function open(n, m, instant) {
      var story = stories[n], step = story && story.steps[m];
      if (!step) { return false; }
      if (!where) { saved = remember(); }
      where = {story: n, step: m};
      document.body.classList.add("bm-in-story");
      if (document.body.classList.contains("bm-collapsed")) { document.getElementById("bm-toggle").click(); }
      box.open = true; card.hidden = false; menu.hidden = true;
      ctx.select(null);
      ctx.clearFacets();
      ctx.state.from = step.window ? month(step.window[0], false) : 0;
      ctx.state.to = step.window ? month(step.window[1], true) : Math.max(ctx.months.length - 1, 0);
      ctx.time.show();
      setLayers(step.layers);
      ctx.apply();
      bm.emphasis.set(new Set(step.ids));
      var h = render(story, step, n, m);
      move(step, instant);
      h.focus({preventScroll: true});
      card.scrollIntoView({block: "start"});  // the sheet shows the step, not what is above it
      return true;
    }

    function go(delta) {
      if (!where) { return; }
      var story = stories[where.story], m = where.step + delta;
      if (m >= 0 && m < story.steps.length) { open(where.story, m); }
    }

    function close() {
      if (!where) { return; }
      var was = stories[where.story];
      where = null;
      bm.emphasis.set(null);
      document.body.classList.remove("bm-in-story");
      card.hidden = true; menu.hidden = false;
      Object.keys(saved.facets).forEach(function (k) { ctx.state.facets[k] = saved.facets[k]; });
      ctx.state.from = saved.from; ctx.state.to = saved.to;
      var keep = new Set(saved.layers);
      Object.keys(ctx.overlays).forEach(function (name) {
        var on = keep.has(name), has = map.hasLayer(ctx.overlays[name]);
        if (on && !has) { map.addLayer(ctx.overlays[name]); }
        if (!on && has) { map.removeLayer(ctx.overlays[name]); }
      });
      Object.keys(ctx.boxes).forEach(function (k) {  // the facet check boxes show the restored state
        Object.keys(ctx.boxes[k]).forEach(function (v) { ctx.boxes[k][v].checked = ctx.state.facets[k].has(v); });
      });
      ctx.time.show();
      saved = null;
      ctx.apply();
      live.textContent = "Left the story " + was.title + ". Your filters and layers are back.";
      var start = menu.querySelector(".bm-story-start[data-story=\"" + was.id + "\"]");
      if (start) { start.focus(); }
    }

    document.addEventListener("keydown", function (e) {
      if (!where || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") { return; }
      var t = e.target, tag = t && t.tagName;
      if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (t && t.isContentEditable)) { return; }
      if (t && map.getContainer().contains(t)) { return; }  // the map pans with its own arrow keys
      e.preventDefault();
      go(e.key === "ArrowRight" ? 1 : -1);
    });

    return bm.story = {
      open: open, go: go, close: close,
      // the story and step (1-based) for the address, or null
      where: function () { return where ? {story: stories[where.story].id, step: where.step + 1} : null; },
      settled: function () { return settled; },
      // from a link: open the named step at once, or leave a story the link does not name
      fromHash: function (id, step) {
        for (var n = 0; id && n < stories.length; n++) {
          if (stories[n].id === id) { return open(n, Math.max(0, (parseInt(step, 10) || 1) - 1), true); }
        }
        if (where) { close(); }
        return false;
      }
    };
  };
})(typeof window !== "undefined" ? window : globalThis);
