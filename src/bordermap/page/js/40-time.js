/* The two month sliders of the time span. */
(function (root) {
  "use strict";
  var bm = root.bordermap;

  bm.timePanel = function (ctx) {
    var el = bm.el, months = ctx.months, box = document.getElementById("bm-time"), from = null, to = null;
    function make(cls, text) {
      var label = el("label", cls), input = el("input");
      input.type = "range"; input.min = 0; input.max = months.length - 1; input.step = 1;
      label.appendChild(document.createTextNode(text + " "));
      label.appendChild(el("output"));
      label.appendChild(input);
      box.appendChild(label);
      input.addEventListener("input", function () { ctx.state.from = +from.value; ctx.state.to = +to.value; show(); ctx.apply(); });
      return input;
    }
    function show() {
      if (!from) { return; }
      from.value = ctx.state.from; to.value = ctx.state.to;
      from.previousSibling.textContent = months[ctx.state.from].label;
      to.previousSibling.textContent = months[ctx.state.to].label;
      from.setAttribute("aria-valuetext", months[ctx.state.from].label);
      to.setAttribute("aria-valuetext", months[ctx.state.to].label);
    }
    if (months.length) {
      box.appendChild(el("h3", "", "Time"));
      from = make("bm-from", "From");
      to = make("bm-to", "To");
      box.appendChild(el("p", "bm-note", "Undated items are always shown; a dated item is shown when any part of its date falls in the span."));
    } else {
      box.hidden = true;
    }
    show();
    return {show: show};
  };
})(typeof window !== "undefined" ? window : globalThis);
