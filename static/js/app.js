// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Submit a form when a select marked data-autosubmit changes (language switcher), when
  // chosen with a finger or a mouse. A keyboard's arrow keys change a closed menu at each
  // press (and fire "change", on Windows): going from Svenska to Norsk would load the page
  // in Dansk on the way (WCAG 3.2.2). After keys the form's own button shows, next in the
  // tab order, and Enter sends the choice too.
  var keyed = null;
  function send(form) { form.requestSubmit ? form.requestSubmit() : form.submit(); }
  function autosubmits(target) { return target.matches && target.matches("select[data-autosubmit]"); }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!autosubmits(target)) return;
    if (event.key === "Enter" && keyed === target) {
      event.preventDefault();
      send(target.form);
    } else if (event.key !== "Tab" && event.key !== "Shift") {
      keyed = target;
    }
  });
  document.addEventListener("pointerdown", function () { keyed = null; });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!autosubmits(target)) return;
    if (keyed === target) {
      target.form.classList.add("is-keyed");
    } else {
      send(target.form);
    }
  });

  // Copy-to-clipboard buttons: <button data-copy="text">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      var done = button.getAttribute("data-copied-label");
      if (done) button.textContent = done;
    });
  });

  // A change sent without reloading the page (htmx: a sign-up, joining an initiative, a
  // setup form) that fails says so next to the form, instead of doing nothing. The texts
  // are on <body>, translated. Polls (GET) are left alone: they try again by themselves.
  function failed(event, key) {
    var config = event.detail.requestConfig;
    var form = event.detail.elt;
    var text = document.body.getAttribute(key);
    if (!config || config.verb === "get" || !form || !form.isConnected || !text) return;
    var note = form.nextElementSibling;
    if (!note || !note.hasAttribute("data-request-error")) {
      note = document.createElement("p");
      note.className = "message message--error";
      note.setAttribute("role", "alert");
      note.setAttribute("data-request-error", "");
      form.insertAdjacentElement("afterend", note);
    }
    note.textContent = text;
  }
  document.addEventListener("htmx:sendError", function (event) { failed(event, "data-error-offline"); });
  document.addEventListener("htmx:responseError", function (event) { failed(event, "data-error-failed"); });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var note = form && form.nextElementSibling;
    if (note && note.hasAttribute("data-request-error")) note.remove();
  });

  // What a change sent without reloading did (a sign-up, joining an initiative), read out
  // by screen readers: the texts marked data-announce in the form that sent it, as it came
  // back, put in a live region that was on the page before (base.html). htmx puts the focus
  // back on the form's button, found by its id; polls (GET) are not announced.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    var region = document.getElementById("announcer");
    if (!config || config.verb === "get" || !region) return;
    var focused = document.activeElement;
    var form = focused && focused.closest ? focused.closest("form") : null;
    if (!form && event.detail.target && event.detail.target.matches("form")) form = event.detail.target;
    if (!form) return;
    var texts = Array.prototype.map.call(form.querySelectorAll("[data-announce]"), function (node) {
      return node.textContent.trim();
    });
    if (texts.length) region.textContent = texts.join(". ");
  });

  // The header's links, when large text makes them one row that scrolls sideways: the
  // current page's link in view (a no-op when the row fits).
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector(".site-nav [aria-current='page']");
    var nav = current && current.parentElement;
    if (nav && nav.scrollWidth > nav.clientWidth) {
      // At the row's right end if it is past it, so the end of the link before it shows
      // that the row goes on to the left.
      var right = current.offsetLeft - nav.offsetLeft + current.offsetWidth;
      if (right > nav.clientWidth) nav.scrollLeft = right - nav.clientWidth;
    }
  });

  // A link of that row reached with Tab comes wholly into view, its focus ring too: the
  // browser left one only partly shown ("…s" of "Reports") at the row's edge.
  document.addEventListener("focusin", function (event) {
    var link = event.target;
    var nav = link.closest && link.closest(".site-nav");
    if (nav && nav.scrollWidth > nav.clientWidth) link.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  // A form sent back with errors: focus goes to what went wrong (the summary), so a
  // screen reader reads it out and the keyboard starts there, not at the page's top.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  });

  // A confirm step for destructive buttons: <button data-confirm="Really?">.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      // htmx listens on the form itself and ignores preventDefault: stop the event reaching it.
      event.stopImmediatePropagation();
    }
  }, true);
})();
