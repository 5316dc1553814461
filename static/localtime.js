// Optional: show every <time datetime> in the reader's own timezone. Without JavaScript the
// page's configured timezone shows, with its name; the original text stays in the title.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime()) || el.getAttribute("datetime").length < 11) { return; }
    el.title = el.textContent;
    el.textContent = format.format(when);
  });
})();
