// Vernissage on the projector: show the published reports one by one, in rotation.
(function () {
  "use strict";
  var index = 0;

  function slides() { return document.querySelectorAll("#slides .slide"); }

  function show(next) {
    var all = slides();
    if (!all.length) return;
    index = (next + all.length) % all.length;
    all.forEach(function (slide, i) { slide.classList.toggle("slide--current", i === index); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("slides");
    if (!holder) return;
    var every = parseInt(holder.getAttribute("data-rotate"), 10) || 20000;
    setInterval(function () { show(index + 1); }, every);
    // After a live refresh keep showing the same position.
    document.body.addEventListener("agendaRefreshed", function () { show(index); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === " ") show(index + 1);
      if (event.key === "ArrowLeft") show(index - 1);
    });
  });
})();
