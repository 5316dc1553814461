// Changing the state refills both texts from the templates; without JS a button does it.
document.querySelectorAll("form[data-prefill]").forEach(function (form) {
  form.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });
  var state = form.querySelector("[data-refill=state]");
  if (!state) return;
  state.addEventListener("change", function () {
    var params = new URLSearchParams({ state: state.value });
    ["title", "severity"].forEach(function (name) {
      if (form.elements[name]) params.set(name, form.elements[name].value);
    });
    form.querySelectorAll("select[name^=component-]").forEach(function (el) {
      if (el.value) params.append("component", el.name.slice("component-".length));
    });
    var url = form.dataset.prefill + (form.dataset.prefill.indexOf("?") < 0 ? "?" : "&") + params;
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (texts) {
      ["external", "internal"].forEach(function (audience) {
        var area = form.querySelector("[data-audience=" + audience + "]");
        if (area && texts[audience]) area.value = texts[audience].body;
      });
      form.dataset.refilled = state.value;
    }).catch(function () { /* keep the texts; the Refill button still works on reload */ });
  });
});
