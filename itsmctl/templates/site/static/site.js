/* Search, and sorting and filtering of register tables, for the catalog site: reads the
   prebuilt index and the page's own table, no network, no libraries. Without JavaScript every
   table is still complete (in name order) and the search points to the services table. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !list || !status) { return; }
  var index = window.ITSMCTL_SEARCH_INDEX || [];
  var root = document.body.getAttribute("data-root") || "";
  var LIMIT = 20;
  var more = document.getElementById("search-more");
  var showAll = false;
  var shownFor = null;

  function value(id) { return document.getElementById(id).value; }

  function matches(entry, words, filters) {
    var filtered = filters.tier || filters.lifecycle || filters.owner;
    if ((filtered || !words.length) && entry.kind !== "Service") { return false; }
    if (filters.tier && entry.tier !== filters.tier) { return false; }
    if (filters.lifecycle && entry.lifecycle !== filters.lifecycle) { return false; }
    if (filters.owner && entry.owner !== filters.owner) { return false; }
    var haystack = (entry.name + " " + entry.title + " " + entry.description + " " + entry.kind +
      " " + (entry.terms || "")).toLowerCase();
    return words.every(function (word) { return haystack.indexOf(word) !== -1; });
  }

  function item(entry) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = root + entry.url;
    a.textContent = entry.title;
    li.appendChild(a);
    var kind = document.createElement("span");
    kind.className = "result-kind";
    kind.textContent = entry.kind === "Service"
      ? "Service, tier " + entry.tier + ", " + entry.lifecycle + ", owner " + entry.owner
      : entry.kind;
    li.appendChild(kind);
    if (entry.description) {
      var text = document.createElement("span");
      text.className = "result-description";
      text.textContent = entry.description;
      li.appendChild(text);
    }
    return li;
  }

  function render() {
    var words = value("search-text").toLowerCase().split(/\s+/).filter(Boolean);
    var filters = { tier: value("filter-tier"), lifecycle: value("filter-lifecycle"), owner: value("filter-owner") };
    var key = JSON.stringify([words, filters]);
    if (key === shownFor) { return; }  // a blur fires "change": keep the links being clicked
    if (shownFor !== null) { showAll = false; }  // a new query starts limited again
    shownFor = key;
    var found = index.filter(function (entry) { return matches(entry, words, filters); });
    found.sort(function (a, b) {
      return (a.kind === "Service" ? 0 : 1) - (b.kind === "Service" ? 0 : 1) ||
        a.title.localeCompare(b.title, "en");
    });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var limit = showAll ? found.length : LIMIT;
    found.slice(0, limit).forEach(function (entry) { list.appendChild(item(entry)); });
    var shown = found.length > limit ? " (first " + limit + " shown)" : "";
    status.textContent = found.length + (found.length === 1 ? " result" : " results") + shown;
    if (more) {
      more.hidden = found.length <= limit;
      more.textContent = "Show all " + found.length + " results";
    }
  }

  if (more) {
    more.addEventListener("click", function () {
      showAll = true;
      shownFor = null;
      render();
      var first = list.children[LIMIT];
      if (first) { first.querySelector("a").focus(); }  // keyboard users land on the new ones
    });
  }

  form.addEventListener("input", render);
  form.addEventListener("change", render);
  form.addEventListener("submit", function (event) { event.preventDefault(); render(); });
  window.addEventListener("pageshow", render);
  render();
})();

/* Register tables: sort by any column (buttons in the headers), filter by the form's fields. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form.table-filters"), function (form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    var status = document.getElementById("table-status");
    if (!table) { return; }
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var original = rows.slice();
    var controls = Array.prototype.slice.call(form.querySelectorAll("[data-filter]"));
    form.hidden = false;

    function filter() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = controls.every(function (control) {
          var wanted = control.value.trim().toLowerCase();
          if (!wanted) { return true; }
          var have = (row.getAttribute("data-" + control.getAttribute("data-filter")) || "").toLowerCase();
          return control.tagName === "SELECT" ? have === wanted : have.indexOf(wanted) !== -1;
        });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      if (status) { status.textContent = shown + " of " + rows.length + " shown"; }
    }

    function key(row, column, numeric) {
      var cell = row.cells[column];
      var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
      if (!numeric) { return raw.toLowerCase(); }
      var number = parseFloat(raw);
      return isNaN(number) ? Infinity : number;
    }

    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var picker = form.querySelector("select[data-sort-select]");  // phones: no headers shown

    function sortBy(column, ascending) {
      var th = headers[column];
      var numeric = th.getAttribute("data-sort") === "number";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = key(a, column, numeric), y = key(b, column, numeric);
        var order = numeric ? (x === y ? 0 : (x < y ? -1 : 1)) : x.localeCompare(y, "en");
        if (order === 0) { order = key(a, 0, false).localeCompare(key(b, 0, false), "en"); }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      if (picker) { picker.value = column + (ascending ? ":asc" : ":desc"); }
    }

    headers.forEach(function (th, column) {
      if (!th.getAttribute("data-sort")) { return; }
      var label = th.textContent;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = label;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        sortBy(column, th.getAttribute("aria-sort") !== "ascending");
      });
      if (picker) {
        [["asc", "ascending"], ["desc", "descending"]].forEach(function (way) {
          var option = document.createElement("option");
          option.value = column + ":" + way[0];
          option.textContent = label + ", " + way[1];
          picker.appendChild(option);
        });
      }
    });
    if (picker) {
      picker.addEventListener("change", function (event) {
        event.stopPropagation();
        var parts = picker.value.split(":");
        if (parts.length === 2) {
          sortBy(parseInt(parts[0], 10), parts[1] === "asc");
        } else {  // back to the order of the page
          headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
          original.forEach(function (row) { body.appendChild(row); });
          rows = original.slice();
        }
      });
    }
    form.addEventListener("input", filter);
    form.addEventListener("change", filter);
    form.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
    window.addEventListener("pageshow", filter);
    filter();
  });
})();
