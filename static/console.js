// Keeps the texts in step with the form: any change of an input re-renders each text the lead
// has not edited; an edited one gets a notice saying what it was written for. The server
// checks again on submit; without JS the Refill and Preview buttons do the same.
document.querySelectorAll("form[data-prefill]").forEach(function (form) {
  form.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
  var audiences = ["external", "internal"];
  var skip = /^(csrf_token|external_body|internal_body|external_hash|internal_hash)$/;
  var latest = null, sequence = 0, timer = null;

  function area(audience) { return form.querySelector("textarea[data-audience=" + audience + "]"); }
  function hidden(name) { return form.elements[name]; }

  function apply(audience, text) {
    area(audience).value = text.body;
    area(audience).dataset.edited = "false";
    hidden(audience + "_for").value = text.for;
    hidden(audience + "_hash").value = text.hash;
  }

  function show(texts) {
    audiences.forEach(function (audience) {
      var text = texts[audience], notice = form.querySelector("[data-notice=" + audience + "]");
      if (!text || !area(audience)) return;
      if (area(audience).dataset.edited !== "true") {
        apply(audience, text);
        if (notice) notice.hidden = true;
      } else if (notice) {
        notice.querySelector("[data-written-for]").textContent = text.written_for || "";
        notice.hidden = !text.written_for;
      }
    });
  }

  function refresh() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (!skip.test(name) && typeof value === "string") params.append(name, value);
    });
    var mine = ++sequence;
    var state = form.elements.state ? form.elements.state.value : "";  // what it is written for
    form.dataset.synced = "no";
    var url = form.dataset.prefill + (form.dataset.prefill.indexOf("?") < 0 ? "?" : "&") + params;
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : Promise.reject(r.status);  // 401: signed out meanwhile
    }).then(function (texts) {
      if (mine !== sequence) return;  // a later change is on its way
      latest = texts;
      show(texts);
      var hint = form.querySelector("[data-due-hint]");
      hint = hint && hint.closest(".field").querySelector(".hint");
      if (hint && texts.due_hint) hint.textContent = texts.due_hint;
      form.dataset.refilled = state;
      form.dataset.synced = "yes";
    }).catch(function () { /* keep the texts; the server re-renders untouched ones on submit */ });
  }

  function later(delay) {
    sequence += 1;  // an answer to the inputs before this change must not be shown after it
    form.dataset.synced = "no";
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }

  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") event.target.dataset.edited = "true";
    else later(400);
  });
  // Component statuses, selects, ticks and times: whatever markup they have, it bubbles here.
  form.addEventListener("change", function (event) {
    if (event.target.tagName !== "TEXTAREA") later(0);
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=refill_text]");
    if (!button || !latest) return;
    event.preventDefault();
    apply(button.value, latest[button.value]);
    button.closest("[data-notice]").hidden = true;
  });
});
