// The bell in the header: asks for the unread count once the page is drawn (one query on the
// server), so that no page pays for it in its own queries. The link works without it.
(function () {
  "use strict";
  var bell = document.querySelector("[data-unread-url]");
  if (!bell || !window.fetch) return;
  var badge = bell.querySelector("[data-testid=bell-count]");
  fetch(bell.getAttribute("data-unread-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data) return;
      var n = data.unread || 0;
      badge.textContent = n > 99 ? "99+" : String(n);
      badge.hidden = n === 0;
      bell.setAttribute("data-unread", String(n));
      bell.setAttribute("aria-label", bell.getAttribute("data-label") + (n ? " (" + n + ")" : ""));
    })
    .catch(function () { /* the count is a courtesy: the link still opens the list */ });
})();
