// Live agenda and wall: poll a fragment while the page is visible, swap it only
// when the server says it changed (200), do nothing on 304. No polling while the
// tab is hidden. See docs/live-updates.md.
(function () {
  "use strict";

  // An open menu (<details>), a field being typed in or a session being dragged must
  // not vanish under the finger.
  function inUse(region) {
    if (region.querySelector("details[open], .sortable-chosen")) return true;
    var active = document.activeElement;
    return !!active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  // A change that failed says so under its form (static/js/app.js). The refresh that
  // follows every request, or one of a change made elsewhere, must not take that note
  // away with the old form: it goes under the same form in the fresh board.
  function failedNotes(region) {
    var notes = [];
    region.querySelectorAll("[data-request-error]").forEach(function (note) {
      var form = note.previousElementSibling;
      var action = form && form.tagName === "FORM" && form.getAttribute("action");
      if (action) notes.push({ action: action, note: note });
    });
    return notes;
  }

  function putBack(region, notes) {
    notes.forEach(function (kept) {
      var forms = region.querySelectorAll("form[action]");
      for (var i = 0; i < forms.length; i++) {
        if (forms[i].getAttribute("action") === kept.action) {
          forms[i].insertAdjacentElement("afterend", kept.note);
          return;
        }
      }
    });
  }

  // Where the keyboard's focus is in the region, to find it again after a refresh: by id;
  // a link without one (a session's title, a report's card) by where it goes; anything
  // else (an initiative's "Change") by its place in the nearest part with an id. Lost, it
  // fell back to the page's top: a keyboard or screen reader user in a busy marketplace
  // started over at each change anyone made.
  function focusFinder(region) {
    var active = document.activeElement;
    if (!active || active === region || !region.contains(active)) return null;
    if (active.id) return function () { return document.getElementById(active.id); };
    var href = active.tagName === "A" && active.getAttribute("href");
    if (href) {
      var link = 'a[href="' + CSS.escape(href) + '"]';
      return function () { return region.querySelector(link); };
    }
    var part = active.parentElement.closest("[id]");
    if (!part || part === region || !region.contains(part)) return null;
    var index = Array.prototype.indexOf.call(part.querySelectorAll(active.tagName), active);
    return function () {
      var again = document.getElementById(part.id);
      return again ? again.querySelectorAll(active.tagName)[index] : null;
    };
  }

  function poll(region) {
    var interval = parseInt(region.getAttribute("data-poll"), 10) || 10000;
    var url = region.getAttribute("data-poll-url");
    // The page carries the version it was rendered from, so polls can be 304s at once.
    var etag = region.getAttribute("data-etag");
    var busy = false;
    var changes = 0;  // bumped when a request this page makes itself starts and ends
    var sending = 0;  // those requests still under way (a request that some handler
    var sentAt = 0;   // cancels never ends: after 20 s, polls go on regardless)

    function tick() {
      if (busy || document.visibilityState !== "visible") return;
      if (sending && Date.now() - sentAt < 20000) return;
      busy = true;
      var started = changes;
      var headers = { "HX-Request": "true" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          if (response.status !== 200) return null;
          if (started !== changes) return null;  // older than a change made here: ask again
          if (inUse(region)) return null;  // someone is in a menu or a field here: next tick
          etag = response.headers.get("ETag");
          return response.text();
        })
        .then(function (html) {
          if (html === null || html === undefined || started !== changes) return;
          var focused = focusFinder(region);
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#" + region.id);
          if (!fresh) return;
          var notes = failedNotes(region);
          region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes));
          putBack(region, notes);
          if (window.htmx) window.htmx.process(region);
          var again = focused && focused();
          if (again && region.contains(again)) again.focus({ preventScroll: true });
          region.dispatchEvent(new CustomEvent("agendaRefreshed", { bubbles: true }));
        })
        .catch(function () { /* offline: try again next tick */ })
        .then(function () {
          busy = false;
          if (started !== changes) setTimeout(tick, 50);
        });
    }

    setInterval(tick, interval);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") tick();
    });
    // A poll answered while a change made here (a sign-up) is under way is older than
    // it, and swapping it in would also take away the form the change's answer goes to:
    // it is dropped. After the change, refresh at once.
    document.body.addEventListener("htmx:beforeRequest", function () {
      sending += 1;
      sentAt = Date.now();
      changes += 1;
    });
    document.body.addEventListener("htmx:afterRequest", function () {
      sending = Math.max(0, sending - 1);
      changes += 1;
      setTimeout(tick, 50);
    });
  }

  function countdowns() {
    var now = new Date();
    document.querySelectorAll("[data-ends]").forEach(function (el) {
      var ends = new Date(el.getAttribute("data-ends"));
      var minutes = Math.ceil((ends - now) / 60000);
      if (!isNaN(minutes) && minutes >= 0) {
        // The whole sentence is translated, with a placeholder for the number.
        el.textContent = (el.getAttribute("data-label-left") || "%(minutes)s").replace("%(minutes)s", minutes);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
    countdowns();
    setInterval(countdowns, 15000);
    document.body.addEventListener("agendaRefreshed", countdowns);
  });
})();
