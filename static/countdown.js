// The incident page's countdown to the next update, as the dashboard's: every second, on the
// server's clock (data-now), "in 4 min" then "Overdue by 32 s" in red.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-countdown]");
  if (!boxes.length) { return; }
  var skew = Date.parse(boxes[0].dataset.now) - Date.now();

  // Exactly app.timefmt.format_duration: "45 s", "12 min", "3 h 05 min", "2 d 4 h".
  function duration(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    if (s < 60) { return s + " s"; }
    var m = Math.floor(s / 60);
    if (m < 60) { return m + " min"; }
    var h = Math.floor(m / 60); m = m % 60;
    if (h < 48) { return h + " h " + (m < 10 ? "0" : "") + m + " min"; }
    return Math.floor(h / 24) + " d " + (h % 24) + " h";
  }

  function tick() {
    var now = Date.now() + skew;
    boxes.forEach(function (box) {
      var left = Date.parse(box.dataset.countdown) - now;
      box.classList.toggle("is-overdue", left < 0);
      var out = box.querySelector(".countdown");
      if (out) { out.textContent = left < 0 ? "Overdue by " + duration(left) : "in " + duration(left); }
    });
  }
  tick();
  setInterval(tick, 1000);
})();
