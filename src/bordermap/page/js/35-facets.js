/* The facet checkboxes with their live counts. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  bm.facetsPanel = function (ctx) {
    var el = bm.el, box = document.getElementById("bm-facets"), boxes = ctx.boxes;
    ctx.facets.forEach(function (f) {
      var key = f[0], values = bm.filter.values(ctx.items, key);
      if (!values.length) { return; }
      var set = el("fieldset", "bm-facet");
      set.appendChild(el("legend", "", f[1]));
      boxes[key] = Object.create(null);
      values.forEach(function (value) {
        var label = el("label"), input = el("input"), count = el("span", "bm-n");
        input.type = "checkbox"; input.value = value; input.dataset.facet = key;
        label.appendChild(input);
        label.appendChild(el("span", "", value));
        label.appendChild(count);
        boxes[key][value] = {box: input, count: count, label: label};
        input.addEventListener("change", function () {
          if (input.checked) { ctx.state.facets[key].add(value); } else { ctx.state.facets[key].delete(value); }
          ctx.apply();
        });
        set.appendChild(label);
      });
      box.appendChild(set);
    });
    ctx.hub.on("filtered", function (result) {
      var counts = bm.filter.counts(ctx.items, result.miss, ctx.facets);
      ctx.facets.forEach(function (f, n) {
        var key = f[0];
        if (!boxes[key]) { return; }
        Object.keys(boxes[key]).forEach(function (value) {
          var b = boxes[key][value], count = counts[n][value] || 0;
          b.box.checked = ctx.state.facets[key].has(value);
          b.count.textContent = " (" + count + ")";
          b.label.classList.toggle("bm-zero", count === 0);
        });
      });
    });
  };
})(typeof window !== "undefined" ? window : globalThis);
