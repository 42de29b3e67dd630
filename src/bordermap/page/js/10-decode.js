/* The page-data document (see docs/page-data.md): read it once, resolve items from the string table.
   Pure apart from bm.readData(), which finds the document in the page. */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  bm.SCHEMA = "bordermap-page";
  bm.VERSION = 3;

  // An encoded polyline's points, as running integer sums (grid units), one call of each(lat, lng) a point.
  bm.polylinePoints = function (text, each) {
    var index = 0, lat = 0, lng = 0;
    while (index < text.length) {
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, b;
        do { b = text.charCodeAt(index++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
        var v = (result & 1) ? ~(result >> 1) : (result >> 1);
        if (k === 0) { lat += v; } else { lng += v; }
      }
      each(lat, lng);
    }
  };

  // An encoded polyline -> [[lat, lng], ...].
  bm.decodeLine = function (text, decimals) {
    var points = [], f = Math.pow(10, decimals);
    bm.polylinePoints(text, function (lat, lng) { points.push([lat / f, lng / f]); });
    return points;
  };

  // The document's shared arcs (topology.py): "n" the vertices of each arc (a column), "p" all of them, arc
  // after arc, as one encoded polyline -> {lat, lng: Int32Array of grid units, at: each arc's first vertex}.
  bm.readArcs = function (spec) {
    var n = bm.column(spec.n), total = 0, k;
    for (k = 0; k < n.length; k++) { total += n[k]; }
    var text = spec.p, lat = new Int32Array(total), lng = new Int32Array(total), at = new Int32Array(n.length + 1);
    for (k = 0; k < n.length; k++) { at[k + 1] = at[k] + n[k]; }
    var j = 0;
    bm.polylinePoints(text, function (y, x) { if (j < total) { lat[j] = y; lng[j] = x; j++; } });
    return {lat: lat, lng: lng, at: at};
  };

  // A ring or line as arc references (i: arc i, ~i: arc i backwards; joined end to start) -> [[lat, lng], ...],
  // the same points bm.decodeLine gives for the ring's encoded polyline.
  bm.ring = function (refs, arcs, decimals) {
    var points = [], f = Math.pow(10, decimals);
    for (var n = 0; n < refs.length; n++) {
      var r = refs[n], back = r < 0, a = back ? ~r : r, from = arcs.at[a], to = arcs.at[a + 1] - 1;
      for (var k = n === 0 ? 0 : 1; k <= to - from; k++) {
        var j = back ? to - k : from + k;
        points.push([arcs.lat[j] / f, arcs.lng[j] / f]);
      }
    }
    return points;
  };

  // A column (see columns.py): "TYPE:BASE64" of little-endian integers, "+TYPE:FIRST:BASE64" of differences,
  // "c:VALUE:COUNT" or "a:FIRST:STEP:COUNT" -> a typed array.
  var TYPES = {u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i2: Int16Array, i4: Int32Array};
  bm.column = function (text) {
    var colon = text.indexOf(":"), name = text.slice(0, colon), parts, out, i;
    if (name === "c" || name === "a") {
      parts = text.split(":").map(Number);
      var count = parts[parts.length - 1], step = name === "a" ? parts[2] : 0;
      out = new Int32Array(count);
      for (i = 0; i < count; i++) { out[i] = parts[1] + step * i; }
      return out;
    }
    var delta = name.charAt(0) === "+", Type = TYPES[delta ? name.slice(1) : name];
    if (!Type) { throw new Error("unknown column type " + name); }
    var from = delta ? text.indexOf(":", colon + 1) : colon, value = delta ? +text.slice(colon + 1, from) : 0;
    var raw = new Type(base64(text, from + 1).buffer);
    if (!delta) { return raw; }
    out = new Int32Array(raw.length);
    for (i = 0; i < raw.length; i++) { value += raw[i]; out[i] = value; }
    return out;
  };

  // Base64 straight into bytes (no intermediate binary string: a 1M-point page holds megabytes of it); the
  // browser's Uint8Array.fromBase64 where there is one (Chrome 140, Firefox 133, Safari 18.2): the 100k page's
  // 2.6 MB of base64 in 4 ms.
  var SIX = new Int8Array(128).fill(-1);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(function (c, i) { SIX[c.charCodeAt(0)] = i; });
  function base64(text, from) {
    if (typeof Uint8Array.fromBase64 === "function") {  // the browser's own decoder, where it has one
      try { return Uint8Array.fromBase64(from ? text.slice(from) : text); } catch (e) { throw new Error("a column is not base64"); }
    }
    var end = text.length;
    while (end > from && text.charCodeAt(end - 1) === 61) { end--; }  // "=" padding
    var bytes = new Uint8Array(Math.floor((end - from) * 3 / 4)), o = 0, acc = 0, bits = 0;
    for (var i = from; i < end; i++) {
      var v = SIX[text.charCodeAt(i)];
      if (v < 0) { throw new Error("a column is not base64"); }
      acc = (acc << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; bytes[o++] = (acc >> bits) & 0xff; }
    }
    return bytes;
  }

  // Day ordinals (day 1 = 1 January of year 1, as Python's date.toordinal) -> "YYYY-MM-DD", each made once.
  var UNIX_DAY = 719163, isoCache = new Map();
  bm.isoDay = function (ordinal) {
    var iso = isoCache.get(ordinal);
    if (iso === undefined) {
      iso = new Date((ordinal - UNIX_DAY) * 86400000).toISOString().slice(0, 10);
      isoCache.set(ordinal, iso);
    }
    return iso;
  };

  // The popup of item j: [heading, rows, body, sources, notes] from its shape's slots.
  function popupOf(o, j) {
    var shape = o.shapes[o.shape[j]], r = o.rank[j], k = shape.k, flat = new Array(shape.v.length);
    for (var v = 0; v < flat.length; v++) {
      var slot = shape.v[v];
      flat[v] = typeof slot === "number" ? slot : slot.own ? slot.own[j] :
                slot.dict ? slot.dict[slot.codes[r]] : slot.codes[r];
    }
    var rows = [], sources = [], at = 1, n;
    for (n = 0; n < k[0]; n++, at += 2) { rows.push([flat[at], flat[at + 1]]); }
    var body = flat.slice(at, at + k[1]);
    at += k[1];
    for (n = 0; n < k[2]; n++, at += 2) { sources.push([flat[at], flat[at + 1]]); }
    return [flat[0], rows, body, sources, flat.slice(at, at + k[3])];
  }

  function decodePopups(o, len, own) {
    var shape = bm.column(o.shape), rank = new Int32Array(len), seen = new Int32Array(o.shapes.length);
    for (var j = 0; j < len; j++) { rank[j] = seen[shape[j]]++; }
    var shapes = o.shapes.map(function (s) {
      return {k: s.k, v: s.v.map(function (slot) {
        if (typeof slot === "number") { return slot; }
        if (slot.charAt && slot.charAt(0) === "=") { return {own: own[slot.slice(1)]}; }  // the item's title, …
        if (typeof slot === "string") { return {codes: bm.column(slot)}; }
        return {dict: slot[0], codes: bm.column(slot[1])};
      })};
    });
    return {shape: shape, rank: rank, shapes: shapes};
  }

  // obj[key] is make() the first time it is read, and the same value after.
  function once(obj, key, make) {
    Object.defineProperty(obj, key, {configurable: true, enumerable: true, get: function () {
      var value = make();
      Object.defineProperty(obj, key, {value: value, writable: true, enumerable: true});
      return value;
    }});
  }

  // The items' columns (docs/page-data.md, "Items"): typed arrays, facet lists resolved to shared arrays.
  bm.itemColumns = function (doc) {
    var d = doc.items || {len: 0}, len = d.len || 0, s = doc.strings || [];
    function col(key) { return d[key] ? bm.column(d[key]) : new Int8Array(len); }
    var cols = {len: len, t: col("t"), d: col("d"), w: col("w"), s: col("s"), e: col("e"), r: col("r"),
                nr: col("nr"), f: d.f ? bm.column(d.f) : null, epoch: d.epoch || 0, strings: s,
                lists: (doc.lists || []).map(function (l) { return l.map(function (i) { return s[i]; }); })};
    cols.category = col("c"); cols.actors = col("a"); cols.countries = col("k"); cols.provinces = col("p");
    cols.precision = col("q"); cols.inferred = col("n");
    // the ids and the popups' columns are made when first read (after the first frame on a page of 100k)
    once(cols, "ids", function () {
      var ids = new Array(len);
      if (len) {
        var pre = d.i.pre, p = bm.column(d.i.p), x = bm.column(d.i.x);
        for (var j = 0; j < len; j++) { ids[j] = x[j] >= 0 ? pre[p[j]] + x[j] : pre[p[j]]; }
      }
      return ids;
    });
    once(cols, "o", function () { return len ? decodePopups(d.o, len, {t: cols.t, d: cols.d, w: cols.w}) : undefined; });
    cols.fills = [];  // bm.lazyParts
    cols.made = [];   // the items whose parts are made
    return cols;
  };

  // A layer's parts of items, pushed into an item's parts when first asked for (a canvas layer of 100k points
  // would make 100k arrays before the first frame): fill(j, parts) pushes item j's. The same order as pushing
  // them all at once, layer after layer.
  bm.lazyParts = function (items, fill) {
    var cols = items.columns;
    cols.made.forEach(function (j) { fill(j, items[j].parts); });
    cols.fills.push(fill);
  };

  // One decoded item: its fields are read from the columns when asked (a page with 100k items makes no
  // per-item object graph). Fields: index, id, title, date, start, end, category, actors, countries,
  // provinces, precision, inferred (facet values: shared arrays of strings), where, pop, radius, f,
  // redistributable, parts (what draws it on the map), titleIndex, dateIndex.
  function itemProto(cols, s) {
    var lists = cols.lists, proto = {};
    function get(name, fn) { Object.defineProperty(proto, name, {get: fn, enumerable: true}); }
    get("id", function () { return cols.ids[this.index]; });
    get("title", function () { return s[cols.t[this.index]]; });
    get("date", function () { return s[cols.d[this.index]]; });
    get("where", function () { return s[cols.w[this.index]]; });
    get("titleIndex", function () { return cols.t[this.index]; });
    get("dateIndex", function () { return cols.d[this.index]; });
    get("start", function () { var v = cols.s[this.index]; return v ? bm.isoDay(v + cols.epoch) : ""; });
    get("end", function () {
      var v = cols.s[this.index];
      return v ? bm.isoDay(v + cols.epoch + cols.e[this.index]) : "";
    });
    ["category", "actors", "countries", "provinces", "precision", "inferred"].forEach(function (key) {
      get(key, function () { return lists[cols[key][this.index]]; });
    });
    get("pop", function () { return popupOf(cols.o, this.index); });
    get("radius", function () { return cols.r[this.index]; });
    get("f", function () { var f = cols.f, j = 3 * this.index; return f && f[j] >= 0 ? [f[j], f[j + 1], f[j + 2]] : null; });
    get("redistributable", function () { return !cols.nr[this.index]; });
    Object.defineProperty(proto, "parts", {enumerable: true, get: function () {
      var parts = [], j = this.index;
      Object.defineProperty(this, "parts", {value: parts, writable: true, enumerable: true});
      cols.made.push(j);
      cols.fills.forEach(function (fill) { fill(j, parts); });
      return parts;
    }});
    return proto;
  }

  // A marker layer's columns -> typed arrays {len, lat, lon (degrees), size, icon, dx, dy, z, r (-1: no item),
  // more}: what the canvas layer draws from, with no object a marker.
  bm.markerColumns = function (spec, decimals) {
    var len = spec.len || 0, f = Math.pow(10, decimals);
    function col(key) { return spec[key] ? bm.column(spec[key]) : new Int8Array(len); }
    var out = {len: len, lat: new Float64Array(len), lon: new Float64Array(len), size: col("size"), icon: col("icon"),
               dx: col("dx"), dy: col("dy"), z: col("z"), r: col("r"), more: spec.more || {}};
    var lat = col("lat"), lon = col("lon");
    for (var j = 0; j < len; j++) { out.lat[j] = lat[j] / f; out.lon[j] = lon[j] / f; }
    return out;
  };

  // Marker j of bm.markerColumns -> {lat, lon, size, icon, dx, dy, z, r?, and what "more" adds}.
  bm.markerAt = function (m, j) {
    var d = {lat: m.lat[j], lon: m.lon[j], size: m.size[j], icon: m.icon[j], dx: m.dx[j], dy: m.dy[j], z: m.z[j]};
    if (m.r[j] >= 0) { d.r = m.r[j]; }
    var extra = m.more[j];
    if (extra) { Object.keys(extra).forEach(function (k) { d[k] = extra[k]; }); }
    return d;
  };

  // A marker layer's columns -> [bm.markerAt of each marker].
  bm.decodeMarkers = function (spec, decimals) {
    var m = bm.markerColumns(spec, decimals), out = new Array(m.len);
    for (var j = 0; j < m.len; j++) { out[j] = bm.markerAt(m, j); }
    return out;
  };

  // The document with its items resolved (lazily, from the columns: see itemProto).
  bm.decode = function (doc) {
    if (!doc || doc.schema !== bm.SCHEMA) { throw new Error("not a bordermap page-data document"); }
    if (doc.version !== bm.VERSION) { throw new Error("page data version " + doc.version + "; this page reads " + bm.VERSION); }
    var s = doc.strings || [], cols = bm.itemColumns(doc), proto = itemProto(cols, s);
    var items = new Array(cols.len);
    for (var j = 0; j < cols.len; j++) {
      var it = Object.create(proto);
      it.index = j;
      items[j] = it;
    }
    items.columns = cols;  // bm.filter and the list read the columns, not the items
    var out = Object.create(null);
    Object.keys(doc).forEach(function (k) { out[k] = doc[k]; });
    out.strings = s;
    out.items = items;
    out.columns = cols;
    out.months = doc.months || [];
    out.places = doc.places || [];
    out.layers = doc.layers || [];
    out.facets = doc.facets || [];
    out.str = function (i) { return s[i]; };
    var arcs = null;  // read on the first ring asked for
    out.ring = function (value) {  // a feature's ring or line (arc references; a point's encoded polyline)
      if (typeof value === "string") { return bm.decodeLine(value, doc.decimals); }
      if (!arcs) { arcs = bm.readArcs(doc.arcs); }
      return bm.ring(value, arcs, doc.decimals);
    };
    return out;
  };

  // The deflated form {schema, version, z} (pagedata.deflate): z is zlib in base64 -> a Promise of the JSON text.
  // The browser's own DecompressionStream when it has one; else the page's (bm.inflateBytes, 08-inflate.js).
  bm.inflate = function (z) {
    if (typeof DecompressionStream === "undefined") {
      return Promise.resolve().then(function () { return new TextDecoder().decode(bm.inflateBytes(base64(z, 0))); });
    }
    var stream = new Blob([base64(z, 0)]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text();
  };

  var cache = null;
  function outer() { return JSON.parse(document.getElementById("bm-data").textContent); }
  // A Promise of the decoded document; once it is settled, bm.readData() gives it at once.
  bm.loadData = function () {
    if (cache) { return Promise.resolve(cache); }
    return Promise.resolve().then(function () {
      var doc = outer();
      // another schema or version is left to bm.decode, which says what is wrong
      if (!doc || typeof doc.z !== "string" || doc.schema !== bm.SCHEMA || doc.version !== bm.VERSION) { return doc; }
      return bm.inflate(doc.z).then(JSON.parse);
    }).then(function (doc) { cache = bm.decode(doc); return cache; });
  };
  bm.readData = function () {
    if (!cache) {
      var doc = outer();
      if (doc && typeof doc.z === "string") { throw new Error("the map's data is deflated: wait for bm.loadData()"); }
      cache = bm.decode(doc);
    }
    return cache;
  };
  bm.data = bm.readData;
})(typeof window !== "undefined" ? window : globalThis);
