/* The one place popups and tooltips are drawn, for the map and for the list alike. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  // [heading, [line, ...]] as string indexes.
  bm.tipNode = function (t) {
    var str = bm.readData().str, el = bm.el;
    var div = el("div", "bm-tip");
    div.appendChild(el("b", "", str(t[0])));
    t[1].forEach(function (line) { div.appendChild(el("br")); div.appendChild(el("span", "", str(line))); });
    return div;
  };

  // [heading, rows, body, sources, notes] as string indexes (a source's url -1 when none); links only for http(s).
  bm.popNode = function (p) {
    var str = bm.readData().str, el = bm.el;
    var div = el("div", "bm-pop");
    div.appendChild(el("h3", "", str(p[0])));
    if (p[1].length) {
      var table = el("table");
      p[1].forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", "", str(row[0])));
        tr.appendChild(el("td", "", str(row[1])));
        table.appendChild(tr);
      });
      div.appendChild(table);
    }
    p[2].forEach(function (text) { div.appendChild(el("p", "", str(text))); });
    if (p[3].length) {
      div.appendChild(el("b", "", "Sources"));
      var ol = el("ol");
      p[3].forEach(function (source) {
        var li = el("li", "", str(source[0]));
        var url = source[1] >= 0 ? str(source[1]) : "";
        if (bm.isWebLink(url)) {
          var a = el("a", "", "link");
          a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
          li.appendChild(document.createTextNode(" "));
          li.appendChild(a);
        }
        ol.appendChild(li);
      });
      div.appendChild(ol);
    }
    p[4].forEach(function (note) { div.appendChild(el("p", "bm-note", str(note))); });
    return div;
  };

  // Narrower than the screen on a phone; tall popups scroll (see the stylesheet).
  bm.popupOptions = function () {
    return {maxWidth: Math.min(380, window.innerWidth - 70), autoPanPaddingTopLeft: [10, 90]};
  };
})(typeof window !== "undefined" ? window : globalThis);
