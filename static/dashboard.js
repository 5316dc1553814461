// The live dashboard: countdowns tick every second, rows turn amber then red as they come
// due, the tab title counts what is overdue, and the rows refresh from dashboard.json (a
// conditional GET: an unchanged dashboard costs a 304). Without JavaScript the page reloads
// itself every 30 s instead (a <noscript> refresh).
(function () {
  "use strict";
  var box = document.getElementById("dashboard");
  if (!box) { return; }
  var alerts = document.getElementById("dashboard-alerts");
  var live = document.getElementById("dashboard-live");
  var pollMs = Math.max(1, parseFloat(box.dataset.poll) || 15) * 1000;
  var soonMs = (parseFloat(box.dataset.soon) || 300) * 1000;
  // The server's clock decides what is overdue; follow it, not the phone's.
  var skew = Date.parse(box.dataset.now) - Date.now();
  var baseTitle = document.title.replace(/^\(\d+ overdue\) /, "");
  var etag = null, timer = null, failing = false, lastPoll = 0;

  function now() { return Date.now() + skew; }

  var duration = window.crierDuration;

  function tick() {
    var t = now(), overdue = 0, flipped = false;
    box.querySelectorAll("tr[data-due]").forEach(function (row) {
      var left = Date.parse(row.dataset.due) - t;
      var late = left < 0, soon = !late && left < soonMs;
      if (late && !row.classList.contains("row-overdue")) { flipped = true; }
      row.classList.toggle("row-overdue", late);
      row.classList.toggle("row-soon", soon);
      var countdown = row.querySelector(".countdown");
      if (countdown) { countdown.textContent = late ? "Overdue by " + duration(left) : "in " + duration(left); }
      if (late) { overdue += 1; }
    });
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var ago = t - Date.parse(el.dataset.since);
      el.textContent = duration(ago) + (ago >= 0 ? " ago" : " from now");
    });
    document.title = (overdue ? "(" + overdue + " overdue) " : "") + baseTitle;
    // The server re-sorts an incident that has just become overdue: fetch that order now.
    if (flipped && Date.now() - lastPoll > 2000) { schedule(0); }
  }

  function say(text) {
    if (live.textContent !== text) { live.textContent = text; }
    live.hidden = false;
  }

  function swap(target, html) {
    // Keep the keyboard where it was: refocus the same link after the rows are replaced.
    var focused = target.contains(document.activeElement) && document.activeElement.getAttribute("href");
    target.innerHTML = html;
    if (focused) {
      var again = target.querySelector('a[href="' + focused + '"]');
      if (again) { again.focus(); }
    }
  }

  function poll() {
    lastPoll = Date.now();
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(box.dataset.source, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        var date = Date.parse(response.headers.get("Date"));
        if (!isNaN(date) && Math.abs(date - now()) > 2000) { skew = date - Date.now(); }
        if (response.status === 304) { return null; }
        if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        if (state) {
          swap(box, state.rows);
          swap(alerts, state.alerts);
          box.dataset.open = state.open;
        }
        failing = false;
        say("Live: this list updates itself every " + duration(pollMs) + ".");
        tick();
      })
      .catch(function () {
        failing = true;
        say("Not updating: the server cannot be reached (signed out or offline). Retrying…");
      })
      .then(function () { schedule(failing ? Math.min(pollMs * 2, 60000) : pollMs); });
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  // A phone wakes a background tab late: refresh as soon as it is looked at again.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { tick(); schedule(0); }
  });
  live.setAttribute("role", "status");
  tick();
  setInterval(tick, 1000);
  schedule(pollMs);
})();
