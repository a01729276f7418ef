// The report form: nothing typed is lost.
// - Drafts save 1.5 s after typing stops, and when the page is hidden or left.
// - Without a connection the text is kept in localStorage and saved when the network returns.
// - A save based on an old version gets 409. A field this person has not changed since
//   their version takes the stored text (so their next save cannot wipe a co-writer's
//   words in it); a field both changed shows the stored text under it, to merge.
// - Photos upload one by one with progress, and a failed one can be retried.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var url = form.getAttribute("data-autosave-url");
  var storageKey = form.getAttribute("data-storage-key");
  var versionInput = form.querySelector("input[name=version]");
  var timer = null;
  var dirty = false;
  var saving = false;
  // The text of each field as stored at the version this page's writing is based on.
  var base = fields();

  function say(text) { if (status) status.textContent = text; }
  function label(name) { return form.getAttribute("data-label-" + name) || ""; }

  function fields() {
    var data = {};
    form.querySelectorAll("textarea, input[type=number]").forEach(function (el) { data[el.name] = el.value; });
    return data;
  }

  function keep() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ version: versionInput.value, base: base, fields: fields(), at: Date.now() }));
    } catch (e) { /* storage full or private mode: the server copy is the backup */ }
  }

  function forget() { try { localStorage.removeItem(storageKey); } catch (e) {} }

  // Takes the stored text into fields only they changed; shows it under fields both
  // changed, and answers how many those are.
  function showConflict(stored) {
    var clashes = 0;
    form.querySelectorAll(".conflict__theirs-live").forEach(function (el) { el.remove(); });
    Object.keys(stored).forEach(function (name) {
      var el = form.elements[name];
      if (!el) return;
      var theirs = String(stored[name]);
      var mine = el.value.trim(), was = String(base[name] || "").trim();
      if (theirs.trim() === mine || theirs.trim() === was) return;  // the same, or only I changed it
      if (mine === was) { el.value = theirs; return; }  // only they changed it
      clashes += 1;
      var box = document.createElement("div");
      box.className = "conflict__theirs conflict__theirs-live pre-line";
      box.setAttribute("dir", "auto");
      box.textContent = stored[name] || "—";
      el.closest(".field").appendChild(box);
    });
    return clashes;
  }

  function save(options) {
    if (!dirty && !(options && options.force)) return Promise.resolve();
    if (saving) { schedule(); return Promise.resolve(); }
    saving = true;
    var again = false;
    dirty = false;
    keep();
    say(label("saving"));
    var body = new FormData(form);
    var sent = fields();
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
      keepalive: !!(options && options.leaving)
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    }).then(function (answer) {
      if (answer.status === 200) {
        versionInput.value = answer.json.version;
        base = sent;
        if (dirty) keep(); else forget();  // typed during the save: not saved yet
        say((label("saved") || "%(time)s").replace("%(time)s", answer.json.saved_at));
      } else if (answer.status === 409) {
        versionInput.value = answer.json.version;  // the next save is based on what is stored
        var clashes = showConflict(answer.json.fields);
        base = answer.json.fields;
        keep();
        if (clashes) {
          say(label("conflict"));
        } else {
          dirty = again = true;  // merged without a clash: save the merge now
        }
      } else {
        dirty = true;
        say(Object.values(answer.json.errors || {}).map(function (e) { return e[0].message; }).join(" "));
      }
    }).catch(function () {
      dirty = true;
      say(label("offline"));
    }).then(function () {
      saving = false;
      if (again) return save();
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", function () { dirty = true; keep(); schedule(); });
  window.addEventListener("online", function () { if (dirty) save(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) save({ leaving: true });
  });
  window.addEventListener("pagehide", function () { if (dirty) save({ leaving: true }); });
  // An explicit Save/Publish is a normal form post: the local copy is not needed after it.
  form.addEventListener("submit", function () { clearTimeout(timer); forget(); });

  // Text written offline on this phone and never saved: put it back and save it.
  try {
    var kept = JSON.parse(localStorage.getItem(storageKey) || "null");
    if (kept && kept.fields) {
      var changed = false;
      var keptBase = kept.base || {};
      Object.keys(kept.fields).forEach(function (name) {
        var el = form.elements[name];
        // Only what was written on this phone: a field left as it was comes from the server.
        if (el && kept.fields[name] !== keptBase[name] && el.value !== kept.fields[name]) {
          el.value = kept.fields[name]; changed = true;
        }
      });
      if (changed) {
        versionInput.value = kept.version;
        base = kept.base || {};  // an older copy without it: every difference is shown
        dirty = true;
        say(label("restored"));
        save();
      } else {
        forget();
      }
    }
  } catch (e) { forget(); }

  // -- photos ---------------------------------------------------------------
  var upload = document.getElementById("photo-upload");
  if (!upload || !window.XMLHttpRequest) return;
  var input = upload.querySelector("input[type=file]");
  var list = document.getElementById("upload-progress");
  var maxBytes = parseInt(upload.getAttribute("data-max-bytes"), 10);
  input.multiple = true;

  function uploadLabel(name) { return upload.getAttribute("data-label-" + name) || ""; }

  // Each file gets its own idempotency key, kept for its retries: a photo whose answer
  // was lost is not stored twice when "Try again" sends it again (openspace/idempotency.py).
  var keyInput = upload.querySelector("[name=idempotency_key]");
  var filesSent = 0;

  function send(file, row, key, caption) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", upload.querySelector("[name=csrfmiddlewaretoken]").value);
    if (key) data.append("idempotency_key", key);
    data.append("photo", file, file.name);
    data.append("caption", caption);
    var bar = row.querySelector("progress");
    var note = row.querySelector(".upload-note");
    note.textContent = "";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", upload.action);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      // The app's refusals are plain text; a proxy's error page (HTML) is not shown as code.
      var text = /^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "") ? xhr.responseText : "";
      if (xhr.status === 200) {
        bar.value = 100;
        note.textContent = uploadLabel("sent");
        var holder = document.createElement("div");
        holder.innerHTML = xhr.responseText;
        var fresh = holder.querySelector("#photo-list");
        if (fresh) document.getElementById("photo-list").replaceWith(fresh);
      } else if (xhr.status === 400 || xhr.status === 413) {
        // Refused for what the file is (not a photo, damaged, too large): sending the
        // same file again would be refused again, so no "Try again".
        note.textContent = text || uploadLabel(xhr.status === 413 ? "too-big" : "failed");
      } else {
        failed(text || uploadLabel("failed"));
      }
    });
    xhr.addEventListener("error", function () { failed(uploadLabel("failed")); });
    function failed(message) {
      note.textContent = message + " ";
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button--small button--secondary";
      retry.textContent = uploadLabel("retry");
      retry.addEventListener("click", function () { retry.remove(); send(file, row, key, caption); });
      note.appendChild(retry);
    }
    xhr.send(data);
  }

  upload.addEventListener("submit", function (event) {
    if (!input.files.length) return;  // the server says "choose a photo"
    event.preventDefault();
    // The caption belongs to these photos (and their retries), not to the next ones.
    var captionInput = upload.querySelector("[name=caption]");
    var caption = captionInput ? captionInput.value : "";
    Array.prototype.forEach.call(input.files, function (file) {
      var row = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name + " ";
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      var note = document.createElement("span");
      note.className = "upload-note";
      row.append(name, bar, note);
      list.appendChild(row);
      if (file.size > maxBytes) { note.textContent = uploadLabel("too-big"); return; }
      filesSent += 1;
      send(file, row, keyInput ? keyInput.value + "-" + filesSent : "", caption);
    });
    input.value = "";
    if (captionInput) captionInput.value = "";
  });
})();
