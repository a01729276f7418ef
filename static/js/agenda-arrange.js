// Facilitators drag a session to another cell (SortableJS). Dropping on a taken
// cell swaps the two. The keyboard and no-JS path is the "Move to…" form on
// each session's page.
(function () {
  "use strict";
  var csrf = null;

  function token() {
    if (csrf) return csrf;
    var headers = document.body.getAttribute("hx-headers");
    try { csrf = JSON.parse(headers)["X-CSRFToken"]; } catch (e) { csrf = ""; }
    return csrf;
  }

  // A fresh key per drop (openspace/idempotency.py): the same drop sent twice by a
  // flaky network moves once, and a drop on a taken cell does not swap back.
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // `occupant` is the session this page showed in the target cell ("" for a free
  // one): if someone else has put another there since, the server moves nothing
  // rather than swap it away unseen.
  function move(topicId, cell, occupant) {
    var url = window.location.pathname.replace(/\/$/, "") + "/sessions/" + topicId + "/arrange/";
    var body = new URLSearchParams({ action: "move", cell: cell, idempotency_key: newKey() });
    if (cell) body.set("occupant", occupant);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token() }, redirect: "manual"
    }).then(function () { window.location.reload(); });
  }

  function setup() {
    if (!window.Sortable) return;
    var region = document.getElementById("agenda");
    if (!region) return;
    region.querySelectorAll("[data-cell]").forEach(function (cell) {
      if (cell.sortable) return;
      var place = cell.getAttribute("data-cell");
      cell.sortable = window.Sortable.create(cell, {
        group: "agenda",
        // What is dragged must be a child of the list: in a cell of the grid the
        // session itself, in the list of topics without a place the item holding it.
        draggable: place ? ".session" : "li",
        // No sliding for people who asked their system for less motion.
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 120,
        onAdd: function (event) {
          var item = event.item;
          var topic = item.matches("[data-topic]") ? item : item.querySelector("[data-topic]");
          var occupant = "";
          cell.querySelectorAll("[data-topic]").forEach(function (other) {
            if (other !== topic) occupant = other.getAttribute("data-topic");
          });
          move(topic.getAttribute("data-topic"), place, occupant);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("agendaRefreshed", setup);
})();
