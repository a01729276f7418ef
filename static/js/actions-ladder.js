// The collaboration ladder: drag initiatives between steps (SortableJS).
// Without JavaScript (or without a mouse) the buttons and the step select on
// each initiative do the same.
(function () {
  "use strict";
  document.documentElement.classList.add("js-ladder");

  function positionOf(item) {
    var items = Array.prototype.filter.call(item.parentNode.children, function (el) {
      return el.classList.contains("ladder__item");
    });
    return items.indexOf(item);
  }

  function setUp() {
    if (!window.Sortable) return;
    var lists = document.querySelectorAll("#ladder .ladder__list");
    Array.prototype.forEach.call(lists, function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      window.Sortable.create(list, {
        group: "ladder",
        draggable: "[data-draggable]",
        handle: ".ladder__handle",
        // No sliding for people who asked their system for less motion.
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150,
        onEnd: function (event) {
          var item = event.item;
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          window.htmx.ajax("POST", item.dataset.moveUrl, {
            target: "#ladder",
            swap: "outerHTML",
            values: { step: event.to.dataset.step || "", position: positionOf(item) },
          });
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);

  // After a move, tell screen readers where it went and keep the keyboard
  // focus on the initiative when the button that was pressed is gone.
  var movedId = null;
  document.addEventListener("initiativeMoved", function (event) {
    var status = document.getElementById("ladder-status");
    if (status) status.textContent = event.detail.message || "";
    movedId = event.detail.id;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (movedId === null) return;
    var item = document.getElementById("ladder-" + movedId);
    movedId = null;
    var active = document.activeElement;
    if (item && (!active || active === document.body || !document.body.contains(active))) {
      item.focus();
    }
  });
})();
