// Buttons marked data-print open the browser's print dialog (no inline handler: the CSP allows none).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
