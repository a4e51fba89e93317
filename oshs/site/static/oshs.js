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

  function resultRow(index, entry) {
    var organisation = index.organisations[entry[0]] || ["", ""];
    var row = document.createElement("tr");
    row.className = "nhsuk-table__row";
    var name = document.createElement("th");
    name.scope = "row";
    name.className = "nhsuk-table__cell";
    var link = document.createElement("a");
    link.href = "organisations/" + encodeURIComponent(organisation[0]) + ".html#r-" + entry[1];
    link.textContent = entry[2];
    name.appendChild(link);
    row.appendChild(name);
    cell(row, "Organisation", organisation[1]);
    cell(row, "Description", entry[3]);
    cell(row, "Topics", entry[4]);
    cell(row, "Language", entry[5] >= 0 ? index.languages[entry[5]] : "");
    cell(row, "Licence", entry[6] >= 0 ? index.licences[entry[6]] : "");
    cell(row, "Stars", entry[8] >= 0 ? entry[8].toLocaleString("en-GB") : "\u2013", true);
    return row;
  }

  function haystacks(index) {
    return index.repositories.map(function (entry) {
      var organisation = index.organisations[entry[0]] || ["", ""];
      return [entry[2], entry[3], entry[4], index.languages[entry[5]] || "",
        index.licences[entry[6]] || "", organisation[1], organisation[0]].join("\n").toLowerCase();
    });
  }

  function setUpSearch(index) {
    var form = document.getElementById("repository-search");
    if (!form || !index) { return; }
    var query = document.getElementById("search-query");
    var filters = ["organisation", "language", "licence", "archived"].map(function (name) {
      return document.getElementById("search-" + name);
    });
    var columns = [0, 5, 6, 7];
    var body = document.getElementById("search-rows");
    var status = document.getElementById("search-status");
    var texts = null;
    var timer = null;
    form.hidden = false;
    document.getElementById("search-results").hidden = false;

    function run() {
      texts = texts || haystacks(index);
      var terms = query.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = filters.map(function (select) {
        return select.value === "" ? null : parseInt(select.value, 10);
      });
      var shown = [];
      var count = 0;
      index.repositories.forEach(function (entry, position) {
        for (var f = 0; f < wanted.length; f += 1) {
          if (wanted[f] !== null && entry[columns[f]] !== wanted[f]) { return; }
        }
        var text = texts[position];
        for (var t = 0; t < terms.length; t += 1) {
          if (text.indexOf(terms[t]) === -1) { return; }
        }
        count += 1;
        if (shown.length < LIMIT) { shown.push(entry); }
      });
      var fragment = document.createDocumentFragment();
      shown.forEach(function (entry) { fragment.appendChild(resultRow(index, entry)); });
      body.textContent = "";
      body.appendChild(fragment);
      status.textContent = count.toLocaleString("en-GB") + (count === 1 ? " repository matches" : " repositories match") +
        (count > LIMIT ? "; the " + LIMIT + " with the most stars are shown" : "") + ".";
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 120);
    }

    var match = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (match) { query.value = decodeURIComponent(match[1].replace(/\+/g, " ")); }
    query.addEventListener("input", later);
    filters.forEach(function (select) { select.addEventListener("change", run); });
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    run();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    setUpSearch(window.OSHS_INDEX);
  });
}());
