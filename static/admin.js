// Every console page: the menu stays open on a wide screen (it folds into "Menu" on a phone),
// and the page's form starts with its first field focused (or the first one in error).
(function () {
  "use strict";
  var menu = document.getElementById("admin-menu");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48em)");
    var fit = function () { menu.open = wide.matches; };
    fit();
    wide.addEventListener("change", fit);
  }

  var active = document.activeElement;
  if (location.hash || (active && active !== document.body)) { return; }  // autofocus won
  var form = document.querySelector("main > form:not(.inline):not([role=search])");
  // A closing form (resolve, cancel, …) opens without the phone's keyboard over it.
  if (!form || form.hasAttribute("data-no-autofocus")) { return; }
  var fields = "input:not([type=hidden]):not([type=submit]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  var first = form.querySelector("[aria-invalid=true]") || form.querySelector(fields);
  if (first && first.offsetParent !== null) { first.focus(); }
})();
