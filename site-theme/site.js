// pm site script: sortable tables, the postmortem list's filters and the `/` shortcut to the
// search box. Plain JavaScript, no dependencies, no network. Every page is complete without it;
// this only adds interaction.
(function () {
  "use strict";

  // --- Sortable tables -------------------------------------------------------------------
  // A cell sorts by its data-sort attribute when it has one, else by its text. Numbers and
  // ISO dates compare as such; empty cells always go last.
  function cellKey(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim();
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === "") return 1;
    if (b === "") return -1;
    var na = Number(a), nb = Number(b);
    if (!isNaN(na) && !isNaN(nb)) return na - nb;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function makeSortable(table) {
    var head = table.tHead && table.tHead.rows[0];
    var body = table.tBodies[0];
    if (!head || !body) return;
    Array.prototype.forEach.call(head.cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        var keyed = rows.map(function (row, position) {
          return { row: row, key: cellKey(row, index), position: position };
        });
        keyed.sort(function (x, y) {
          var c = compare(x.key, y.key);
          if (x.key === "" || y.key === "") return c || x.position - y.position;
          return (ascending ? c : -c) || x.position - y.position;
        });
        var fragment = document.createDocumentFragment();
        keyed.forEach(function (k) { fragment.appendChild(k.row); });
        body.appendChild(fragment);
      });
    });
  }

  // --- Filters of the postmortem list ----------------------------------------------------
  // Row i of the table is entry i of the JSON facets (both in page order, before any sort),
  // so rows are tagged with their index first.
  function setupFilters() {
    var form = document.getElementById("pm-filters");
    var data = document.getElementById("pm-facets");
    var table = document.querySelector("table.pm-table");
    if (!form || !data || !table || !table.tBodies[0]) return;
    var facets;
    try {
      facets = JSON.parse(data.textContent);
    } catch (e) {
      return;
    }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    if (rows.length !== facets.length) return;
    var texts = rows.map(function (row) {
      return ((row.cells[0] ? row.cells[0].textContent : "") + " " +
        (row.cells[1] ? row.cells[1].textContent : "")).toLowerCase();
    });

    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
    selects.forEach(function (select) {
      var key = select.getAttribute("data-facet");
      var seen = {};
      facets.forEach(function (f) {
        var value = f[key];
        (Array.isArray(value) ? value : [value]).forEach(function (v) {
          if (v !== "" && v !== null && v !== undefined) seen[v] = true;
        });
      });
      var values = Object.keys(seen);
      values.sort(function (a, b) { return compare(a, b); });
      if (key === "year") values.reverse();
      values.forEach(function (v) {
        var option = document.createElement("option");
        option.value = v;
        option.textContent = v;
        select.appendChild(option);
      });
    });

    var query = document.getElementById("pm-filter-q");
    var count = document.getElementById("pm-filter-count");

    function apply(updateUrl) {
      var wanted = selects.map(function (s) { return [s.getAttribute("data-facet"), s.value]; })
        .filter(function (w) { return w[1] !== ""; });
      var q = query ? query.value.trim().toLowerCase() : "";
      var shown = 0;
      facets.forEach(function (f, i) {
        var ok = wanted.every(function (w) {
          var value = f[w[0]];
          return Array.isArray(value) ? value.indexOf(w[1]) !== -1 : value === w[1];
        });
        if (ok && q) ok = texts[i].indexOf(q) !== -1;
        rows[i].hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown === facets.length ? facets.length + " shown" : shown + " of " + facets.length + " shown";
      if (updateUrl && window.history && window.history.replaceState) {
        var params = new URLSearchParams();
        if (q) params.set("q", query.value.trim());
        wanted.forEach(function (w) { params.set(w[0], w[1]); });
        var search = params.toString();
        try {
          window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
        } catch (e) {
          // Some browsers refuse history changes on file:// pages; the filter still works.
        }
      }
    }

    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (s) {
      var v = params.get(s.getAttribute("data-facet"));
      if (v !== null) {
        if (!Array.prototype.some.call(s.options, function (o) { return o.value === v; })) {
          var option = document.createElement("option");
          option.value = v;
          option.textContent = v;
          s.appendChild(option);
        }
        s.value = v;
      }
    });
    if (query && params.get("q")) query.value = params.get("q");

    form.addEventListener("input", function () { apply(true); });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () {
      window.setTimeout(function () { apply(true); }, 0);
    });
    form.hidden = false;
    apply(false);
  }

  // --- "/" focuses the search box ----------------------------------------------------------
  // The search page's own box when there is one, else the header's. Not while the reader is
  // typing in a field (a "/" there is text) or holding Ctrl, Alt or Meta (browser shortcuts);
  // Shift is allowed, since many keyboard layouts need it to type "/".
  function isTyping(target) {
    if (!target || target === document.body) return false;
    if (target.isContentEditable) return true;
    var name = target.nodeName;
    if (name === "TEXTAREA" || name === "SELECT") return true;
    if (name !== "INPUT") return false;
    var type = (target.getAttribute("type") || "text").toLowerCase();
    return ["button", "checkbox", "radio", "submit", "reset", "image", "file", "color", "range"]
      .indexOf(type) === -1;
  }

  function setupSlash() {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
      if (e.defaultPrevented || isTyping(e.target)) return;
      var box = document.getElementById("pm-search-q") ||
        document.getElementById("pm-site-search-q");
      if (!box) return;
      e.preventDefault();
      box.focus();
      if (box.select) box.select();
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    setupFilters();
    setupSlash();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
