// Figure entry (no inline script: the page runs under a Content-Security-Policy without 'unsafe-inline').
// - Enter in a field saves it and moves to the next field, like Tab: leaving the field fires the
//   native "change" event the field's form listens to (hx-trigger="change"); the form never submits
//   natively, so no page reload and no ?value= in the address bar.
// - ⟲ opens the history dialog; the request itself is htmx (hx-get, hx-target="#history-body");
//   its close button is site.js's data-close-dialog.
// - The source typed once is kept for the next saves (localStorage, per browser).
// - On a phone the criteria already met start collapsed (the unmet ones stay open, first).
(function () {
  "use strict";
  const SOURCE_KEY = "ntm-entry-source";

  function fields() {
    return Array.from(document.querySelectorAll(".figure-input")).filter(
      (el) => !el.disabled && el.offsetParent !== null,
    );
  }

  function moveOn(from) {
    const list = fields();
    const next = list[list.indexOf(from) + 1];
    if (next) {
      const details = next.closest("details");
      if (details && !details.open) details.open = true;
      next.focus();
      if (next.select) next.select();
    } else {
      from.blur();
    }
  }

  document.addEventListener("keydown", (event) => {
    const el = event.target;
    if (event.key !== "Enter" || !(el instanceof HTMLElement) || !el.classList.contains("figure-input")) return;
    if (event.isComposing) return;
    event.preventDefault(); // no implicit submission
    moveOn(el); // the blur commits the value: "change" → htmx saves the field
  });

  // A form of the entry page never submits natively (htmx posts on "change").
  document.addEventListener("submit", (event) => {
    if (event.target.closest && event.target.closest("[data-entry]")) event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-history]");
    if (!button) return;
    const dialog = document.getElementById("history-dialog");
    document.getElementById("history-body").textContent = "…";
    if (dialog && !dialog.open) dialog.showModal();
  });

  function initSource() {
    const input = document.getElementById("entry-source");
    if (!input) return;
    try {
      if (!input.value) input.value = localStorage.getItem(SOURCE_KEY) || "";
      input.addEventListener("change", () => localStorage.setItem(SOURCE_KEY, input.value.trim()));
    } catch (e) {
      /* storage disabled: the field still works for this page */
    }
  }

  function collapseMetOnPhone() {
    if (!window.matchMedia("(max-width: 767.98px)").matches) return;
    document.querySelectorAll("details.crit[data-met='1']").forEach((d) => {
      d.open = false;
    });
  }

  function init() {
    initSource();
    collapseMetOnPhone();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
