// Event forms: principles that are still the untouched default text follow the
// event's main language when it changes. Without this file the server does the
// same on save (events.services), so it only makes the change visible at once.
(function () {
  "use strict";

  function normalise(text) {
    return text.replace(/\r\n/g, "\n").trim();
  }

  function defaults(textarea) {
    var found = {};
    Array.prototype.forEach.call(textarea.attributes, function (attribute) {
      if (attribute.name.indexOf("data-default-") === 0) {
        found[attribute.name.slice("data-default-".length)] = attribute.value;
      }
    });
    return found;
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select")) return;
    var form = select.form;
    if (!form) return;
    var textarea = form.querySelector('textarea[data-principles-for="' + select.name + '"]');
    if (!textarea) return;
    var texts = defaults(textarea);
    var current = normalise(textarea.value);
    var untouched = current === "" || Object.keys(texts).some(function (code) {
      return normalise(texts[code]) === current;
    });
    if (untouched && texts[select.value] !== undefined) textarea.value = texts[select.value];
  });
})();
