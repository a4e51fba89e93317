/* oshs website: sortable tables and the repositories search. No library, no request: the
   search index is a script of the page (search-index.js); every value from the data is put
   in the page with textContent, never as HTML. */
(function () {
  "use strict";
  var LIMIT = 100;

  function sortValue(cell, numeric) {
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    if (!numeric) { return text.toLowerCase(); }
    var value = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return isNaN(value) ? -Infinity : value;
  }

  function sortBy(table, header, index) {
    var numeric = header.getAttribute("data-type") === "number";
    var ascending = header.getAttribute("aria-sort") === "descending" ||
      (header.getAttribute("aria-sort") === null && !numeric);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, key: sortValue(row.cells[index], numeric), position: position };
    });
    rows.sort(function (a, b) {
      if (a.key < b.key) { return ascending ? -1 : 1; }
      if (a.key > b.key) { return ascending ? 1 : -1; }
      return a.position - b.position;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function makeSortable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "oshs-sort";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, header, index); });
    });
  }

  function cell(row, label, text, numeric) {
    var td = document.createElement("td");
    td.setAttribute("data-label", label);
    td.className = "nhsuk-table__cell" + (numeric ? " nhsuk-table__cell--numeric" : "");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function resultRow(index, at) {
    var organisation = index.organisations[index.organisation[at]] || ["", ""];
    var row = document.createElement("tr");
    row.className = "nhsuk-table__row";
    var name = document.createElement("th");
    name.scope = "row";
    name.className = "nhsuk-table__cell";
    var link = document.createElement("a");
    link.href = "organisations/" + encodeURIComponent(organisation[0]) + ".html#r-" + index.id[at];
    link.textContent = index.name[at];
    name.appendChild(link);
    row.appendChild(name);
    cell(row, "Organisation", organisation[1]);
    cell(row, "Description", index.description[at]);
    cell(row, "Topics", index.topics[at]);
    cell(row, "Language", index.language[at] >= 0 ? index.languages[index.language[at]] : "");
    cell(row, "Licence", index.licence[at] >= 0 ? index.licences[index.licence[at]] : "");
    var stars = index.stars[at];
    cell(row, "Stars", stars >= 0 ? stars.toLocaleString("en-GB") : "\u2013", true);
    return row;
  }

  function haystacks(index) {
    var texts = new Array(index.name.length);
    for (var at = 0; at < texts.length; at += 1) {
      var organisation = index.organisations[index.organisation[at]] || ["", ""];
      texts[at] = (index.name[at] + "\n" + index.description[at] + "\n" + index.topics[at] +
        "\n" + (index.languages[index.language[at]] || "") + "\n" +
        (index.licences[index.licence[at]] || "") + "\n" + organisation[1] + "\n" +
        organisation[0]).toLowerCase();
    }
    return texts;
  }

  function setUpSearch(index) {
    var form = document.getElementById("repository-search");
    if (!form || !index) { return; }
    var query = document.getElementById("search-query");
    var filters = ["organisation", "language", "licence", "archived"].map(function (name) {
      return { select: document.getElementById("search-" + name), column: index[name] };
    });
    var body = document.getElementById("search-rows");
    var status = document.getElementById("search-status");
    var texts = null;
    var timer = null;
    form.hidden = false;
    document.getElementById("search-results").hidden = false;

    function run() {
      var terms = query.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = filters.filter(function (filter) { return filter.select.value !== ""; })
        .map(function (filter) {
          return { column: filter.column, value: parseInt(filter.select.value, 10) };
        });
      if (terms.length && !texts) { texts = haystacks(index); }
      var shown = [];
      var count = 0;
      var total = index.name.length;
      for (var at = 0; at < total; at += 1) {
        var keep = true;
        for (var f = 0; keep && f < wanted.length; f += 1) {
          keep = wanted[f].column[at] === wanted[f].value;
        }
        for (var t = 0; keep && t < terms.length; t += 1) {
          keep = texts[at].indexOf(terms[t]) !== -1;
        }
        if (keep) {
          count += 1;
          if (shown.length < LIMIT) { shown.push(at); }
        }
      }
      var fragment = document.createDocumentFragment();
      shown.forEach(function (found) { fragment.appendChild(resultRow(index, found)); });
      body.textContent = "";
      body.appendChild(fragment);
      status.textContent = count.toLocaleString("en-GB") +
        (count === 1 ? " repository matches" : " repositories match") +
        (count > LIMIT ? "; the " + LIMIT + " with the most stars are shown" : "") + ".";
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 80);
    }

    var match = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (match) { query.value = decodeURIComponent(match[1].replace(/\+/g, " ")); }
    query.addEventListener("input", later);
    filters.forEach(function (filter) { filter.select.addEventListener("change", run); });
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    run();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    setUpSearch(window.OSHS_INDEX);
  });
}());
