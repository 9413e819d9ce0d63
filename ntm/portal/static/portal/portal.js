// Draws the charts of public pages from json_script blocks (no inline script, CSP friendly).
document.addEventListener("DOMContentLoaded", function () {
  if (!window.NTM) return;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    const src = document.getElementById(el.dataset.source);
    if (!src) return;
    const data = JSON.parse(src.textContent);
    if (el.dataset.chart === "trend") window.NTM.trendChart(el.id, data);
    if (el.dataset.chart === "rollup") window.NTM.rollupChart(el.id, data);
  });
});
