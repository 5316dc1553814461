// The component picker of Declare and Post update: a filter box that narrows the components
// (opening the groups with a match), a count per group, and one line saying what will change.
(function () {
  "use strict";
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var selects = Array.prototype.slice.call(picker.querySelectorAll("select[data-component]"));
    var summary = picker.querySelector(".picker-summary");
    var filter = picker.querySelector("#component-filter");
    var groups = Array.prototype.slice.call(picker.querySelectorAll(".picker-group"));
    var wasOpen = groups.map(function (g) { return g.open; });

    function label(select) { return select.options[select.selectedIndex].text; }

    function summarise() {
      var changes = selects.filter(function (s) { return s.value; });
      var parts = changes.map(function (s) { return s.dataset.component + " → " + label(s); });
      parts.push((selects.length - changes.length) + " unchanged");
      summary.textContent = parts.join("; ");
      groups.forEach(function (group) {
        var mine = Array.prototype.slice.call(group.querySelectorAll("select[data-component]"));
        var n = mine.filter(function (s) { return s.value; }).length;
        group.querySelector(".picker-count").textContent =
          "(" + mine.length + (n ? ", " + n + " changing" : "") + ")";
      });
    }

    function narrow() {
      var words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      groups.forEach(function (group, i) {
        var shown = 0;
        group.querySelectorAll(".picker-row").forEach(function (row) {
          var hit = words.every(function (w) { return row.dataset.name.indexOf(w) >= 0; });
          row.hidden = !hit;
          if (hit) { shown += 1; }
        });
        group.hidden = shown === 0;
        // While filtering every group with a match is open; clearing the box restores them.
        group.open = words.length ? shown > 0 : wasOpen[i] || group.open;
      });
    }

    picker.addEventListener("change", function (event) {
      if (event.target.matches("select[data-component]")) { summarise(); }
    });
    if (filter) {
      filter.parentNode.hidden = false;
      filter.addEventListener("input", narrow);
      // Enter in the filter must not submit the whole form.
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }
      });
    }
    groups.forEach(function (group, i) {
      group.addEventListener("toggle", function () { if (!filter || !filter.value) { wasOpen[i] = group.open; } });
    });
    summarise();
  });
})();
