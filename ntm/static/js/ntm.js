// Behaviour shared by every page, without inline script (the Content-Security-Policy forbids it):
// a <select data-autosubmit> submits its form when changed (language, year pickers); a button
// marked data-once (opening a branch of the unit tree) works once.
(function () {
  "use strict";
  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) el.form.requestSubmit();
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button[data-once]");
    if (button) setTimeout(() => { button.disabled = true; }, 0); // after htmx has seen the click
    // a click outside the account menu closes it
    document.querySelectorAll("details.user-menu[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
