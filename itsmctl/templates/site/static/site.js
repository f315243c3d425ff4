/* Search and filters for the catalog site: reads the prebuilt index, no network, no libraries. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !list || !status) { return; }
  var index = window.ITSMCTL_SEARCH_INDEX || [];
  var root = document.body.getAttribute("data-root") || "";
  var LIMIT = 50;
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
    shownFor = key;
    var found = index.filter(function (entry) { return matches(entry, words, filters); });
    found.sort(function (a, b) {
      return (a.kind === "Service" ? 0 : 1) - (b.kind === "Service" ? 0 : 1) ||
        a.title.localeCompare(b.title, "en");
    });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    found.slice(0, LIMIT).forEach(function (entry) { list.appendChild(item(entry)); });
    var shown = found.length > LIMIT ? " (first " + LIMIT + " shown)" : "";
    status.textContent = found.length + (found.length === 1 ? " result" : " results") + shown;
  }

  form.addEventListener("input", render);
  form.addEventListener("change", render);
  form.addEventListener("submit", function (event) { event.preventDefault(); render(); });
  window.addEventListener("pageshow", render);
  render();
})();
