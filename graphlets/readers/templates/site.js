/* graphlets report: sortable tables (the vendored tablesort) and filter boxes.
   A page address may carry "#sort=<table id>:<column>[:desc]&filter=<table id>:<text>"
   to open with a table sorted or filtered (links and tests use it). */
(function () {
  var sorters = {};
  document.querySelectorAll("table.sortable").forEach(function (table) {
    sorters[table.id] = new Tablesort(table);
  });
  function applyFilter(table, text) {
    var needle = text.toLowerCase();
    table.querySelectorAll("tbody tr").forEach(function (row) {
      row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
    });
  }
  document.querySelectorAll("input[data-filter-for]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter-for"));
    if (!table) { return; }
    input.addEventListener("input", function () { applyFilter(table, input.value); });
  });
  var state = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var i = part.indexOf("=");
    if (i > 0) { state[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1)); }
  });
  if (state.sort) {
    var s = state.sort.split(":");
    var table = document.getElementById(s[0]);
    var th = table && table.querySelectorAll("thead th")[Number(s[1])];
    if (th) {
      th.click();
      if (s[2] === "desc" && th.getAttribute("aria-sort") !== "descending") { th.click(); }
      if (s[2] !== "desc" && th.getAttribute("aria-sort") !== "ascending") { th.click(); }
    }
  }
  if (state.filter) {
    var f = state.filter.split(":");
    var target = document.getElementById(f[0]);
    var box = document.querySelector('input[data-filter-for="' + f[0] + '"]');
    var text = f.slice(1).join(":");
    if (box) { box.value = text; }
    if (target) { applyFilter(target, text); }
  }
})();
