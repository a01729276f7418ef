// Vernissage on the projector: show the published reports one by one, in rotation.
// A report longer than the screen gets smaller text, then two columns, until it fits
// (down to a floor that stays readable from the back of a room); without JavaScript
// the reports are simply listed.
(function () {
  "use strict";
  var index = 0;
  var SMALLEST = 0.5;  // of the text's own size

  function slides() { return document.querySelectorAll("#slides .slide"); }

  function fits(slide) {
    return slide.getBoundingClientRect().bottom <= window.innerHeight - 8;
  }

  function fit(slide) {
    var text = slide && slide.querySelector(".slide__text");
    if (!text) return;
    text.style.fontSize = "";
    text.style.columnCount = "";
    var base = parseFloat(window.getComputedStyle(text).fontSize);
    // One column a little smaller first, then two columns, smaller as needed.
    [[1, 0.8], [2, SMALLEST]].some(function (tries) {
      text.style.columnCount = tries[0] > 1 ? String(tries[0]) : "";
      for (var scale = 1; scale >= tries[1] - 0.001; scale -= 0.05) {
        text.style.fontSize = base * scale + "px";
        if (fits(slide)) return true;
      }
      return false;
    });
  }

  function show(next) {
    var all = slides();
    if (!all.length) return;
    index = (next + all.length) % all.length;
    document.body.toggleAttribute("data-wall-turning", all.length > 1);
    all.forEach(function (slide, i) { slide.classList.toggle("slide--current", i === index); });
    fit(all[index]);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("slides");
    if (!holder) return;
    var every = parseInt(holder.getAttribute("data-rotate"), 10) || 20000;
    setInterval(function () {
      if (!(window.wallPaused && window.wallPaused())) show(index + 1);
    }, every);
    // After a live refresh keep showing the same position.
    document.body.addEventListener("agendaRefreshed", function () { show(index); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === " ") show(index + 1);
      if (event.key === "ArrowLeft") show(index - 1);
    });
    // The photo's and the web fonts' sizes are known only once they have loaded.
    window.addEventListener("load", function () { show(index); });
    var resizing;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { show(index); }, 200);
    });
    show(0);
  });
})();
