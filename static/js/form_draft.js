// A form's inputs are never lost, as a report's text is not (report_draft.js): every change is
// kept at once in this browser (localStorage) and saved to the server a moment later, form by form
// (each `form[data-item-form]` inside `[data-draft-forms]`: an assessment's item cards, an annual
// summary's narrative). When the save fails (the sign-in expired, the network is down, the server refused the
// values) the browser copy stays, and the next visit to the page puts it back and saves it.
// The copy remembers the version it was typed against: if the server still has that version the
// copy is restored by itself; if someone saved the item since, the copy is left alone and said so.
(function () {
  "use strict";
  var box = document.querySelector("[data-draft-forms]");
  var messagesData = document.getElementById("draft-messages");
  if (!box || !messagesData) return;
  var text = JSON.parse(messagesData.textContent);
  var keyPrefix = (box.dataset.draftPrefix || "score-draft") + ":" + box.dataset.user + ":";

  function values(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "radio") {
        if (el.checked) out[el.name] = el.value;
      } else if (el.type === "checkbox") {
        out[el.name] = el.checked;
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }
  function put(form, copy) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in copy)) return;
      if (el.type === "radio") el.checked = el.value === copy[el.name];
      else if (el.type === "checkbox") el.checked = !!copy[el.name];
      else el.value = copy[el.name];
    });
  }
  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function attach(form) {
    var key = keyPrefix + form.dataset.draftKey;
    var url = form.dataset.autosaveUrl;
    var version = form.dataset.version;
    var statusBox = form.querySelector("[data-autosave-status]");
    var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
    var timer = null, inFlight = false, again = false;

    var store = window.DraftStore;
    var show = store.status(statusBox, box.dataset.loginUrl, text.signin);
    function kept() {
      return store.read(key);
    }
    function keep() {
      store.write(key, { values: values(form), base: version, at: new Date().toISOString() });
    }
    function forget() {
      store.remove(key);
    }
    function save() {
      timer = null;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      var sent = values(form);
      var data = new FormData(form);
      show(text.saving, "muted");
      store
        .post(url, data, csrf)
        .then(function (result) {
          if (!result.ok) {
            keep();
            var expired = result.status === 401;
            show(expired ? text.expired : result.payload.error || text.failed, "danger", expired);
            return;
          }
          version = result.payload.version;
          form.dataset.version = version;
          if (same(values(form), sent)) forget();
          else keep();
          show(text.saved.replace("%s", result.payload.saved_at), "success");
        })
        .catch(function () {
          keep();
          show(text.offline, "danger");
        })
        .finally(function () {
          inFlight = false;
          if (again) {
            again = false;
            schedule(0);
          }
        });
    }
    function schedule(delay) {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    }
    function changed() {
      keep();
      schedule(1200);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      // The form carries the same values: keep the copy until the server has them.
      keep();
      if (timer) window.clearTimeout(timer);
      timer = null;
    });
    var copy = kept();
    if (copy && !same(copy.values, values(form))) {
      if (copy.base === version) {
        put(form, copy.values);
        show(text.restored, "warning");
        schedule(0);
      } else {
        show(text.failed, "warning");
      }
    } else if (copy) {
      forget();
    }
  }
  Array.prototype.forEach.call(box.querySelectorAll("form[data-item-form]"), attach);
})();
