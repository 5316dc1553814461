// How long, as people read it: exactly app.timefmt.format_duration ("45 s", "12 min",
// "3 h 05 min", "2 d 4 h"). Shared by the dashboard's and the incident page's countdowns.
(function () {
  "use strict";
  window.crierDuration = function (ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    if (s < 60) { return s + " s"; }
    var m = Math.floor(s / 60);
    if (m < 60) { return m + " min"; }
    var h = Math.floor(m / 60); m = m % 60;
    if (h < 48) { return h + " h " + (m < 10 ? "0" : "") + m + " min"; }
    return Math.floor(h / 24) + " d " + (h % 24) + " h";
  };
})();
