// The incident page's countdown to the next update, as the dashboard's: every second, on the
// server's clock (data-now), "in 4 min" then "Overdue by 32 s" in red.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-countdown]");
  if (!boxes.length) { return; }
  var skew = Date.parse(boxes[0].dataset.now) - Date.now();

  var duration = window.crierDuration;

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
