// Optional: each day's details under the uptime bars on hover, and on focus with the arrow
// keys (Home/End too). The bars are hidden from screen readers, which read one sentence per
// component instead; without JavaScript the outage days keep their details in a title.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC"
  });
  function label(group, bar, index) {
    var day = new Date(group.getAttribute("data-first") + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() + index);
    var text = format.format(day) + ": ";
    if (bar.classList.contains("n")) { return text + "no data"; }
    var minutes = bar.getAttribute("data-m");
    return text + (minutes ? minutes + " min downtime" : "no downtime");
  }
  function show(group, index) {
    var bars = group.querySelectorAll("i");
    if (!bars.length) { return; }
    index = Math.max(0, Math.min(bars.length - 1, index));
    group.querySelectorAll("i.cur").forEach(function (b) { b.classList.remove("cur"); });
    var bar = bars[index];
    bar.classList.add("cur");
    group.setAttribute("data-day", index);
    var tip = group.querySelector(".uptime-tip");
    if (!tip) {
      tip = document.createElement("p");
      tip.className = "uptime-tip";
      group.appendChild(tip);
    }
    tip.textContent = label(group, bar, index);
    var room = group.clientWidth - tip.offsetWidth;
    tip.style.left = Math.max(0, Math.min(room, bar.offsetLeft - tip.offsetWidth / 2)) + "px";
  }
  function hide(group) {
    var tip = group.querySelector(".uptime-tip");
    if (tip) { tip.remove(); }
    group.querySelectorAll("i.cur").forEach(function (b) { b.classList.remove("cur"); });
  }
  var keys = { ArrowLeft: -1, ArrowRight: 1, Home: -1000, End: 1000 };
  document.querySelectorAll(".uptime[data-first]").forEach(function (group) {
    var bars = function () { return Array.prototype.slice.call(group.querySelectorAll("i")); };
    group.addEventListener("mouseover", function (event) {
      var index = bars().indexOf(event.target);
      if (index >= 0) { show(group, index); }
    });
    group.addEventListener("mouseleave", function () {
      if (document.activeElement !== group) { hide(group); }
    });
    group.addEventListener("focus", function () { show(group, bars().length - 1); });
    group.addEventListener("blur", function () { hide(group); });
    group.addEventListener("keydown", function (event) {
      if (!(event.key in keys)) { return; }
      event.preventDefault();
      var current = Number(group.getAttribute("data-day") || bars().length - 1);
      show(group, current + keys[event.key]);
    });
  });
})();
