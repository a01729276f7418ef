// A projector wall shows what fits on the screen and turns the page every
// `data-wall-pages` seconds: the rows of a table ([data-wall-rows] tbody rows) are
// split into screenfuls, one shown at a time, with "Page 1 of 3" in [data-wall-page].
// Runs again when the poller swaps in fresh rows (agendaRefreshed) and when the
// window is resized; the page being shown stays the same where it still exists.
// Without JavaScript the table is simply long.
(function () {
  "use strict";

  function pager(region) {
    var seconds = parseInt(region.getAttribute("data-wall-pages"), 10) || 15;
    var pages = [];
    var current = 0;

    function layout() {
      var rows = Array.prototype.slice.call(region.querySelectorAll("[data-wall-rows] > tr"));
      rows.forEach(function (row) { row.hidden = false; });
      pages = [];
      if (!rows.length) return show();
      // Room below the table's head, down to the bottom of the screen.
      var room = window.innerHeight - rows[0].getBoundingClientRect().top - 16;
      var page = [];
      var used = 0;
      rows.forEach(function (row) {
        var height = row.getBoundingClientRect().height;
        if (page.length && used + height > room) {
          pages.push(page);
          page = [];
          used = 0;
        }
        page.push(row);
        used += height;
      });
      pages.push(page);
      show();
    }

    function show() {
      if (current >= pages.length) current = 0;
      document.body.toggleAttribute("data-wall-turning", pages.length > 1);
      pages.forEach(function (page, index) {
        page.forEach(function (row) { row.hidden = index !== current; });
      });
      // Looked up each time: on the agenda wall it comes with the swapped-in content.
      var label = document.querySelector("[data-wall-page]");
      if (!label) return;
      label.hidden = pages.length < 2;
      label.textContent = (label.getAttribute("data-label") || "%(page)s / %(pages)s")
        .replace("%(page)s", current + 1)
        .replace("%(pages)s", pages.length);
    }

    layout();
    setInterval(function () {
      if (pages.length < 2 || (window.wallPaused && window.wallPaused())) return;
      current = (current + 1) % pages.length;
      show();
    }, seconds * 1000);
    region.addEventListener("agendaRefreshed", layout);
    window.addEventListener("load", layout);  // the web fonts may change the rows' heights
    var resizing;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(layout, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-wall-pages]").forEach(pager);
  });
})();
