// What the pages that never lose typed text share (report_draft.js: a report; form_draft.js: forms
// of fields, an assessment's item cards or a summary's narrative): the browser copy in localStorage,
// the status line beside the form, and the autosave POST. Each page keeps its own rules of when to save and what to restore.
window.DraftStore = (function () {
  "use strict";
  function read(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key));
    } catch (e) {
      return null;
    }
  }
  function write(key, copy) {
    try {
      window.localStorage.setItem(key, JSON.stringify(copy));
    } catch (e) {
      /* storage full or disabled: the server save still runs */
    }
  }
  function remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* nothing kept */
    }
  }
  // show(message, tone, withSignIn) on `statusBox`; a sign-in link back to this page when asked.
  function status(statusBox, loginUrl, signinText) {
    return function show(message, tone, withSignIn) {
      statusBox.textContent = message;
      statusBox.className = "small text-" + tone;
      statusBox.dataset.tone = tone;
      if (withSignIn) {
        var link = document.createElement("a");
        link.href = loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
        link.textContent = signinText;
        link.className = "ms-2";
        statusBox.appendChild(link);
      }
    };
  }
  // The autosave POST: a promise of {ok, status, payload} (payload {} when the answer is not JSON,
  // as a sign-in page is not); it rejects only when the server cannot be reached.
  function post(url, data, csrf) {
    return fetch(url, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
      redirect: "manual",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (payload) {
          return { ok: response.ok, status: response.status, payload: payload };
        });
    });
  }
  return { read: read, write: write, remove: remove, status: status, post: post };
})();
