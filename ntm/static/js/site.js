// Behaviour that would otherwise sit in inline handlers (onchange=…, onclick=…): the
// Content-Security-Policy allows no inline script, so every page gets it from here instead.
//   data-autosubmit           on a <select>: submit its form when it changes
//   data-open-dialog="ID"     on a link or button: open the <dialog id=ID>
//   data-close-dialog         on a button inside a <dialog>: close it
//   data-disable-on-click     on a button: disable it once clicked (e.g. "load children" once)
(function () {
  document.addEventListener("change", function (e) {
    const el = e.target.closest && e.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    const opener = e.target.closest("[data-open-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog && !dialog.open) dialog.showModal();
    }
    const closer = e.target.closest("[data-close-dialog]");
    if (closer) {
      const dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
    const once = e.target.closest("[data-disable-on-click]");
    if (once) setTimeout(function () { once.disabled = true; }, 0);  // after htmx has seen the click
  });
})();
