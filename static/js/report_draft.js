// A report's text is never lost. Every change is kept at once in this browser
// (localStorage) and saved to the server a moment later. When the server save
// fails (the sign-in expired, the network is down) the browser copy stays, and
// the next visit to the same report puts it back and saves it.
//
// The copy remembers the server version it was typed against: if the server
// still has that version, the copy is newer and is restored by itself; if the
// server changed since, the user chooses.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  var messagesData = document.getElementById("draft-messages");
  if (!form || !messagesData) return;
  var text = JSON.parse(messagesData.textContent);
  var title = form.querySelector("[name=title]");
  var body = form.querySelector("[name=body]");
  var statusBox = document.querySelector("[data-autosave-status]");
  var offer = document.querySelector("[data-draft-offer]");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var url = form.dataset.autosaveUrl;
  var version = form.dataset.version;
  var keyPrefix = "report-draft:" + form.dataset.user + ":";
  var key = keyPrefix + form.dataset.draftKey;
  var timer = null;
  var inFlight = false;
  var again = false;
  var waitingSubmit = null;

  var store = window.DraftStore;
  var show = store.status(statusBox, form.dataset.loginUrl, text.signin);
  function kept() {
    return store.read(key);
  }
  function keep() {
    store.write(key, { title: title.value, body: body.value, base: version, at: new Date().toISOString() });
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
    var sent = { title: title.value, body: body.value };
    var data = new FormData();
    data.append("title", sent.title);
    data.append("body", sent.body);
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
        var saved = result.payload;
        version = saved.version;
        if (saved.autosave_url && saved.autosave_url !== url) {
          // The first save made the draft: from now on this page edits it.
          forget();
          url = saved.autosave_url;
          key = keyPrefix + "s" + saved.id;
          form.action = saved.edit_url;
          form.dataset.created = "1";
          window.history.replaceState(null, "", saved.edit_url);
        }
        if (title.value === sent.title && body.value === sent.body) {
          forget();
        } else {
          keep();
        }
        show(text.saved.replace("%s", saved.saved_at), "success");
      })
      .catch(function () {
        keep();
        show(text.offline, "danger");
      })
      .finally(function () {
        inFlight = false;
        if (waitingSubmit) {
          var submit = waitingSubmit;
          waitingSubmit = null;
          submit();
          return;
        }
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
  function restore(copy) {
    title.value = copy.title;
    body.value = copy.body;
    show(text.restored, "warning");
    schedule(0);
  }

  title.addEventListener("input", changed);
  body.addEventListener("input", changed);
  form.addEventListener("submit", function (event) {
    // A normal save or submit may meet an expired sign-in too: keep the copy until the server has it.
    keep();
    if (inFlight && !form.dataset.created) {
      // The first save is still making the draft: post once it has, to the draft's own page,
      // or the form would make a second report.
      event.preventDefault();
      var submitter = event.submitter;
      again = false;
      waitingSubmit = function () {
        form.requestSubmit(submitter);
      };
      return;
    }
    // The form carries the same text: no autosave after it.
    if (timer) window.clearTimeout(timer);
    timer = null;
    again = false;
  });

  var copy = kept();
  if (copy && (copy.title !== title.value || copy.body !== body.value)) {
    if (copy.base === version) {
      restore(copy);
    } else if (offer) {
      offer.classList.remove("d-none");
      offer.querySelector("[data-draft-use]").addEventListener("click", function () {
        offer.classList.add("d-none");
        restore(copy);
      });
      offer.querySelector("[data-draft-discard]").addEventListener("click", function () {
        offer.classList.add("d-none");
        forget();
      });
    }
  } else if (copy) {
    forget();
  }
  // Text typed while this script was still loading fired no input event: keep and save it now.
  if (!timer && (title.value !== title.defaultValue || body.value !== body.defaultValue)) changed();
})();
