/* Playback: a window of months that steps through the time span. Play/pause, window length and speed are
   controls in the time box; Space plays or pauses and the arrow keys step while focus is in it; a live region
   says which window is shown. The window is the filter state's time span, so the URL hash records it.
   bm.playback.next is pure (tests/js/chart.test.js). */
(function (root) {
  "use strict";
  var bm = root.bordermap;
  var WINDOWS = [1, 3, 6, 12], SPEEDS = [["Slow", 2000], ["Normal", 1000], ["Fast", 400]];

  // The window after (step 1) or before (step -1) [from, to] with `length` months, inside months 0..last;
  // null when it would leave the span. A window of another length first becomes `length` months from `from`.
  function next(from, to, length, step, last) {
    length = Math.min(length, last + 1);
    if (to - from + 1 !== length) { return [Math.min(from, last - length + 1), Math.min(from, last - length + 1) + length - 1]; }
    var a = from + step;
    if (a < 0 || a + length - 1 > last) { return null; }
    return [a, a + length - 1];
  }

  bm.playback = function (ctx) {
    var months = ctx.months, box = document.getElementById("bm-time"), el = bm.el;
    if (!months.length || !box) { return; }
    var group = el("div", "bm-play"), timer = null;
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Playback of the time window (Space plays or pauses, arrow keys step)");
    var button = el("button", "bm-play-button", "Play");
    button.type = "button";
    button.setAttribute("aria-pressed", "false");
    function select(label, options, chosen) {
      var wrap = el("label", "", label + " "), s = el("select");
      options.forEach(function (o) {
        var opt = el("option", "", o[0]);
        opt.value = o[1];
        s.appendChild(opt);
      });
      s.value = chosen;
      wrap.appendChild(s);
      group.appendChild(wrap);
      return s;
    }
    group.appendChild(button);
    var length = select("Window", WINDOWS.map(function (n) { return [n + (n === 1 ? " month" : " months"), n]; }), 3);
    var speed = select("Speed", SPEEDS, 1000);
    var said = el("p", "bm-note bm-play-status");
    said.setAttribute("role", "status");
    said.setAttribute("aria-live", "polite");
    box.appendChild(group);
    box.appendChild(said);

    function move(step) {
      var s = ctx.state, w = next(Math.min(s.from, s.to), Math.max(s.from, s.to), +length.value, step, months.length - 1);
      if (!w) { return false; }
      s.from = w[0]; s.to = w[1];
      ctx.time.show();
      ctx.apply();
      said.textContent = "Window " + months[w[0]].label + (w[1] !== w[0] ? " to " + months[w[1]].label : "") + ": " +
        ctx.visible.size + " of " + ctx.items.length + " items shown.";
      return true;
    }
    function stop() {
      clearInterval(timer);
      timer = null;
      button.textContent = "Play";
      button.setAttribute("aria-pressed", "false");
    }
    function play() {
      var s = ctx.state;
      if (Math.max(s.from, s.to) >= months.length - 1 && Math.max(s.from, s.to) - Math.min(s.from, s.to) + 1 === +length.value) {
        s.from = 0; s.to = 0;  // at the end: start again from the first window
      }
      if (!move(1) && !move(0)) { return; }
      button.textContent = "Pause";
      button.setAttribute("aria-pressed", "true");
      timer = setInterval(function () { if (!move(1)) { stop(); } }, +speed.value);
    }
    function toggle() { if (timer) { stop(); } else { play(); } }
    button.addEventListener("click", toggle);
    speed.addEventListener("change", function () { if (timer) { stop(); play(); } });
    group.addEventListener("keydown", function (event) {
      if (event.key === " " && event.target.tagName !== "BUTTON") { event.preventDefault(); toggle(); }
      if (event.target.tagName === "SELECT") { return; }  // a select's own arrows choose its value
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        stop();
        move(event.key === "ArrowRight" ? 1 : -1);
      }
    });
    return {play: play, stop: stop, step: move};
  };
  bm.playback.next = next;
})(typeof window !== "undefined" ? window : globalThis);
