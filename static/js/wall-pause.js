// A projector wall that turns by itself (the reports one at a time, a table's pages)
// can be held: the Pause button, or the P key, stops the turning until pressed again
// (WCAG 2.2.2), so a room can discuss what is on the screen. The arrow keys still step
// by hand. Turning scripts (vernissage.js, wall-pages.js) ask wallPaused() each turn.
// Without JavaScript nothing turns, and the button stays hidden.
(function () {
  "use strict";

  window.wallPaused = function () {
    return document.body.hasAttribute("data-wall-paused");
  };

  function update(button) {
    var paused = window.wallPaused();
    button.textContent = button.getAttribute(paused ? "data-label-paused" : "data-label-running");
    button.setAttribute("aria-pressed", paused ? "true" : "false");
  }

  function toggle(button) {
    document.body.toggleAttribute("data-wall-paused");
    update(button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-wall-pause]");
    if (!button) return;
    button.hidden = false;
    update(button);
    button.addEventListener("click", function () { toggle(button); });
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "p" || event.key === "P") toggle(button);
    });
  });
})();
