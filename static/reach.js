// Keeps "Who this reaches" in step with the form: a change of the severity, a component or a
// tick asks the server (the fan-out's own count) again. Without JS the count shown is the one
// the page was rendered with, and Preview renders it again.
document.querySelectorAll("[data-reach]").forEach(function (box) {
  "use strict";
  var form = box.closest("form") || document.querySelector("main form");
  var body = box.querySelector("[data-reach-body]");
  if (!form || !body) return;
  var skip = /^(csrf_token|external_body|internal_body|external_for|internal_for|external_hash|internal_hash|title)$/;
  var sequence = 0, timer = null;

  function refresh() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (!skip.test(name) && typeof value === "string") params.append(name, value);
    });
    var mine = ++sequence;
    var url = box.dataset.reach + (box.dataset.reach.indexOf("?") < 0 ? "?" : "&") + params;
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : Promise.reject(r.status);
    }).then(function (html) {
      if (mine !== sequence) return;
      body.innerHTML = html;  // the server's own escaped partial
      box.dataset.synced = String(mine);
    }).catch(function () { /* keep the count shown; submitting renders it again */ });
  }

  form.addEventListener("change", function (event) {
    if (event.target.tagName === "TEXTAREA") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
});
