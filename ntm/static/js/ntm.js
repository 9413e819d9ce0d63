// The account menu (a <details> in the navbar) closes on a click outside it. No inline script: the
// Content-Security-Policy forbids it (shared behaviour: site.js; the entry page: entry.js).
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.user-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
