/* Download what is shown: the items the filters let through, as CSV and GeoJSON in the events schema (the document's
   report.fields, the fields the events loader reads back), each with its citation; the citation is also shown for
   copying. Rows whose licence forbids passing them on are not in the page at all (report.rows has no row for
   them); the panel says how many are left out and why. Files are made as Blob URLs: no server, works from file://.
   bm.download.* is pure (tests/js/download.test.js). */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var download = bm.download = {};

  // One CSV cell (RFC 4180); a list or table as JSON (the events loader reads JSON in any list cell). A text that
  // a spreadsheet would run as a formula is prefixed with an apostrophe.
  download.cell = function (v) {
    if (v === null || v === undefined) { return ""; }
    var text = typeof v === "object" ? JSON.stringify(v) : String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(text)) { text = "'" + text; }
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  };

  // A row value as the document packs it: text as string-table indexes, a number as {n: number}; a string is
  // text already (an item's id, which the document holds with the items).
  download.unpack = function (v, str) {
    if (v === null || typeof v === "boolean" || typeof v === "string") { return v; }
    if (typeof v === "number") { return str(v); }
    if (Array.isArray(v)) { return v.map(function (x) { return download.unpack(x, str); }); }
    var keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "n") { return v.n; }
    var out = {};
    keys.forEach(function (k) { out[k] = download.unpack(v[k], str); });
    return out;
  };

  // The document's rows (takeaway.pack_columns: one slot per field, the points as columns) -> a function from an
  // item's index to its packed row, [[values in `fields` order], [lon, lat] or null], or null when it is not in
  // the page; ids(index) is the item's id (a slot {i: 1}). Nothing is made for a row until it is asked for.
  download.rows = function (spec, layers, ids) {
    var len = spec.len || 0, has = spec.has ? bm.column(spec.has) : null, read = null;
    function reader() {  // the columns, decoded on the first row asked for (the panel's counts need only has)
      var rank = new Int32Array(len), n = 0, j;
      for (j = 0; j < len; j++) { rank[j] = n; if (!has || has[j]) { n++; } }
      var slots = (spec.v || []).map(function (slot) {
        if (slot.s) { return {codes: bm.column(slot.s)}; }
        if (slot.k) { return {dict: slot.d, codes: bm.column(slot.k)}; }
        return slot;
      });
      var at = spec.at || {j: []}, point;
      if (at.j) { point = function (r) { return at.j[r]; }; } else {
        var f = Math.pow(10, at.e), with_ = at.has ? bm.column(at.has) : null, k = new Int32Array(n), m = 0, lon, lat;
        for (j = 0; j < n; j++) { k[j] = m; if (!with_ || with_[j]) { m++; } }
        if (at.m !== undefined) {  // the points are the places of the items' first markers in layer at.m
          var layer = layers[at.m], mlon = bm.column(layer.lon), mlat = bm.column(layer.lat), r = bm.column(layer.r),
              first = new Int32Array(len).fill(-1);
          for (j = 0; j < r.length; j++) { if (r[j] >= 0 && first[r[j]] < 0) { first[r[j]] = j; } }
          point = function (row, index) {
            return with_ && !with_[row] ? null : [mlon[first[index]] / f, mlat[first[index]] / f];
          };
        } else {
          lon = bm.column(at.lon); lat = bm.column(at.lat);
          point = function (row) { return with_ && !with_[row] ? null : [lon[k[row]] / f, lat[k[row]] / f]; };
        }
      }
      return function (index) {
        var r = rank[index];
        return [slots.map(function (slot) {
          return "c" in slot ? slot.c : slot.dict ? slot.dict[slot.codes[r]] : slot.codes ? slot.codes[r] :
            slot.i ? ids(index) : slot.j[r];
        }), point(r, index)];
      };
    }
    var rowOf = function (index) {
      if (has && !has[index]) { return null; }
      return (read || (read = reader()))(index);
    };
    rowOf.has = function (index) { return index < len && (!has || has[index] === 1); };  // whether it has a row
    return rowOf;
  };

  // rows: [[values in `fields` order], [lon, lat] or null]; the citation fills the first row's `citation` column.
  download.csv = function (fields, pointFields, rows, citation) {
    var lines = [fields.concat(pointFields, ["citation"]).map(download.cell).join(",")];
    rows.forEach(function (row, n) {
      var point = row[1] || [null, null];
      lines.push(row[0].concat(point, [n === 0 ? citation : null]).map(download.cell).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  };

  download.geojson = function (fields, rows, citation, name) {
    return JSON.stringify({type: "FeatureCollection", name: name, citation: citation, features: rows.map(function (row) {
      var props = {};
      fields.forEach(function (f, i) { if (row[0][i] !== null && row[0][i] !== undefined) { props[f] = row[0][i]; } });
      return {type: "Feature", properties: props, geometry: row[1] ? {type: "Point", coordinates: row[1]} : null};
    })}, null, 1) + "\n";
  };

  // The citation: the map, the software and data version, the reader's filters and span, the sources and licences.
  download.citation = function (cite, attribution, filters, span, counts, today) {
    var parts = ["“" + cite.title + "”, made with " + cite.software + " (data version " + cite.data + ")" +
                 (today ? ", downloaded " + today : "") + "."];
    parts.push("Shown: " + counts.shown + " of " + counts.total + " items" + (filters.length ? "; filters: " + filters.join("; ") : "; no filters") +
               "; time span: " + span + ".");
    if (counts.left) {
      parts.push(counts.left + " shown items are left out of this file: their licence forbids redistribution (ACLED's terms of use); cite and obtain them from their dataset.");
    }
    parts.push("Sources and licences: " + cite.credits.map(function (c) { return c[0] + ": " + c[1] + " (" + c[2] + ")"; }).join("; ") + ".");
    if (attribution.length) { parts.push("Credits: " + attribution.join("; ") + "."); }
    return parts.join(" ");
  };

  // The reader's filters in words, and the time span.
  download.filters = function (ctx) {
    var out = [];
    ctx.facets.forEach(function (f) {
      var chosen = Array.from(ctx.state.facets[f[0]]).sort();
      if (chosen.length) { out.push(f[1] + ": " + chosen.join(", ")); }
    });
    return out;
  };
  download.span = function (ctx) {
    var m = ctx.months;
    if (!m.length) { return "all dates"; }
    var a = m[Math.min(ctx.state.from, ctx.state.to)], b = m[Math.max(ctx.state.from, ctx.state.to)];
    return a.label + (a === b ? "" : " to " + b.label) + " (undated items always included)";
  };

  bm.takeaway = function (ctx) {
    var el = bm.el, report = ctx.data.report, after = document.getElementById("bm-events");
    if (!report || !after || !ctx.items.length) { return {citation: function () { return ""; }}; }
    var box = el("details", "bm-take");
    box.id = "bm-take";
    box.appendChild(el("summary", "", "Download, cite and print what is shown"));
    var buttons = el("div", "bm-take-buttons");
    function button(text, fn) {
      var b = el("button", "", text);
      b.type = "button";
      b.addEventListener("click", fn);
      buttons.appendChild(b);
      return b;
    }
    var left = el("p", "bm-note bm-left");
    var label = el("label", "bm-cite-label", "Citation of this view");
    var text = el("textarea", "bm-cite");
    text.id = "bm-cite";
    text.readOnly = true;
    text.rows = 6;
    label.htmlFor = "bm-cite";
    var copied = el("span", "bm-note");
    copied.setAttribute("role", "status");
    box.appendChild(buttons);
    box.appendChild(left);
    box.appendChild(label);
    box.appendChild(text);
    after.parentNode.insertBefore(box, after);

    var rowOf = download.rows(report.rows, ctx.data.layers, function (index) { return ctx.items[index].id; });
    function shown() {
      var rows = [], leftOut = 0;
      ctx.items.slice().sort(bm.byDate).forEach(function (it) {
        if (!ctx.visible.has(it.id)) { return; }
        var row = rowOf(it.index);
        if (row) { rows.push([download.unpack(row[0], ctx.data.str), row[1]]); } else { leftOut += 1; }
      });
      return {rows: rows, left: leftOut};
    }
    function citation(s, today) {
      return download.citation(report.cite, ctx.data.attribution || [], download.filters(ctx), download.span(ctx),
                               {shown: ctx.visible.size, total: ctx.items.length, left: s.left}, today);
    }
    function today() { return new Date().toISOString().slice(0, 10); }
    function save(name, type, body) {
      var url = URL.createObjectURL(new Blob([body], {type: type})), a = el("a");
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }
    var base = (document.title || "map").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "map";
    var csv = button("Download CSV", function () {
      var s = shown();
      save(base + "-shown.csv", "text/csv;charset=utf-8", "\ufeff" + download.csv(report.fields, report.pointFields, s.rows, citation(s, today())));
    });
    var geo = button("Download GeoJSON", function () {
      var s = shown();
      save(base + "-shown.geojson", "application/geo+json", download.geojson(report.fields, s.rows, citation(s, today()), document.title));
    });
    button("Copy citation", function () {
      text.select();
      var done = function () { copied.textContent = " Copied."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text.value).then(done, function () { document.execCommand("copy"); done(); });
      } else { document.execCommand("copy"); done(); }
    });
    buttons.appendChild(copied);
    // What update() says needs only how many shown items have rows: no sorting, no unpacking.
    function tally() {
      var rows = 0, leftOut = 0, items = ctx.items, ids = items.columns ? items.columns.ids : null, mask = ctx.visible.mask;
      for (var i = 0; i < items.length; i++) {
        if (mask ? mask[i] !== 1 : !ctx.visible.has(ids ? ids[i] : items[i].id)) { continue; }
        if (rowOf.has(items[i].index)) { rows += 1; } else { leftOut += 1; }
      }
      return {rows: {length: rows}, left: leftOut};
    }
    function update() {
      var s = tally();
      csv.disabled = geo.disabled = !s.rows.length;
      left.textContent = s.left ? s.left + " of the " + ctx.visible.size + " shown items are not in the downloads: their licence " +
        "forbids redistribution (ACLED's terms of use). The map shows them; obtain the rows from the dataset itself." :
        s.rows.length ? "The downloads hold the " + s.rows.length + " shown items in the events schema, with this citation." :
        "Nothing shown can be downloaded.";
      text.value = citation(s, "");
    }
    ctx.hub.on("filtered", update);
    return {citation: function () { return text.value; }, buttons: buttons, box: box};
  };
})(typeof window !== "undefined" ? window : globalThis);
