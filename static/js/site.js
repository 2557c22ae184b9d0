// Every page: when a form came back with errors, move the keyboard and screen-reader focus to
// its error summary (templates/_error_summary.html), whose links lead to each field.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusSummary);
  else focusSummary();
})();
