// Site picker: suggestions for a site's credit code, fetched from the server as the user types
// (a district has tens of thousands of sites). The server answers only with sites the user may see.
(function () {
  "use strict";
  function attach(list) {
    var input = document.getElementById(list.dataset.sitePickFor);
    if (!input || list.dataset.attached) return;  // each picker brings the script: attach once
    list.dataset.attached = "1";
    input.setAttribute("list", list.id);
    var timer = null, last = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || q === last) return;
      timer = setTimeout(function () {
        last = q;
        fetch(list.dataset.lookupUrl + "?q=" + encodeURIComponent(q), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (site) {
              var option = document.createElement("option");
              option.value = site.code;
              option.textContent = site.label;
              return option;
            }));
          })
          .catch(function () { /* offline: the user can still type the code */ });
      }, 250);
    });
  }
  document.querySelectorAll("datalist[data-site-pick-for]").forEach(attach);
})();
