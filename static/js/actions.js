// Action plan board and projector wall. The pages work without this file.
(function () {
  "use strict";

  // The wall polls with the version it shows; "304 Not Modified" means nothing
  // changed, so keep what is on the screen instead of swapping in an empty answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
    }
  });
})();
