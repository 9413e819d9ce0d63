// Charts for NTM pages (ECharts, vendored). Data comes from json_script blocks (JSON, never run),
// and the page's charts are drawn from here: the Content-Security-Policy allows no inline script.
// Every text that reaches a tooltip goes through esc(): names come from uploaded files and the
// database, and ECharts puts a tooltip formatter's string into the page as HTML.
window.NTM = (function () {
  const LEVEL = { "": "Chưa đạt", ntm: "NTM", nang_cao: "NTM nâng cao", kieu_mau: "NTM kiểu mẫu", hien_dai: "NTM hiện đại" };
  const COLORS = { "": "#adb5bd", ntm: "#2f9e44", nang_cao: "#1c7ed6", kieu_mau: "#f59f00", hien_dai: "#7048e8" };
  const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, c => ESC[c]);
  }
  // Axis tooltip: the category, then one line per series (marker is ECharts' own coloured dot).
  function axisTooltip(params) {
    const list = Array.isArray(params) ? params : [params];
    if (!list.length) return "";
    const value = v => (v === null || v === undefined || v === "-" ? "—" : (typeof v === "object" ? esc(v.value) : esc(v)));
    return esc(list[0].axisValueLabel !== undefined ? list[0].axisValueLabel : list[0].name) +
      list.map(p => "<br>" + p.marker + esc(p.seriesName) + ": " + value(p.value)).join("");
  }
  function init(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    const chart = echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", () => chart.resize());
    el.dataset.ready = "1";
    return chart;
  }
  function trendChart(id, series) {
    const chart = init(id);
    if (!chart) return;
    const years = [...new Set(series.flatMap(s => s.points.map(p => p.year)))].sort();
    chart.setOption({
      tooltip: { trigger: "axis", formatter: axisTooltip },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 36, right: 12, top: 16, bottom: 56 },
      xAxis: { type: "category", data: years },
      yAxis: { type: "value", min: 0, max: Math.max(...series.flatMap(s => s.points.map(p => p.total)), 1) },
      series: series.map(s => ({
        name: s.name, type: "line", smooth: true, symbolSize: 7, connectNulls: false,
        lineStyle: { width: s.own ? 3 : 1.5 },
        data: years.map(y => { const p = s.points.find(p => p.year === y); return p ? { value: p.met, itemStyle: { color: COLORS[p.level] } } : null; }),
      })),
    });
    return chart;
  }
  function rollupChart(id, rows) {
    const chart = init(id);
    if (!chart) return;
    chart.setOption({
      tooltip: { trigger: "axis", formatter: axisTooltip },
      legend: { bottom: 0 },
      grid: { left: 40, right: 44, top: 28, bottom: 78 },
      xAxis: { type: "category", data: rows.map(r => r.year) },
      yAxis: [{ type: "value", name: "xã" }, { type: "value", name: "% TC", min: 0, max: 100 }],
      series: [
        { name: "Đạt NTM", type: "bar", data: rows.map(r => r.ntm_or_above), itemStyle: { color: COLORS.ntm } },
        { name: "Mức trên NTM (nâng cao; từ 2026: hiện đại)", type: "bar", data: rows.map(r => r.above_ntm), itemStyle: { color: COLORS.nang_cao } },
        { name: "% tiêu chí đạt (bình quân)", type: "line", yAxisIndex: 1, data: rows.map(r => r.pct), itemStyle: { color: "#e8590c" } },
      ],
    });
    return chart;
  }
  function barChart(id, labels, values, opts) {
    const chart = init(id);
    if (!chart) return;
    chart.setOption({
      tooltip: { trigger: "axis", formatter: axisTooltip },
      grid: { left: 48, right: 12, top: 16, bottom: 32 },
      xAxis: { type: "category", data: labels, name: (opts || {}).xname },
      yAxis: { type: "value", max: (opts || {}).max },
      series: [{ type: "bar", data: values, itemStyle: { color: (opts || {}).color || COLORS.ntm } }],
    });
    return chart;
  }
  function mapChart(id, geojson, rows, opts) {
    const chart = init(id);
    if (!chart) return;
    echarts.registerMap(id, geojson);
    const byCode = Object.fromEntries(rows.map(r => [r.code, r]));
    const data = geojson.features.map(f => {
      const r = byCode[(f.properties || {}).code];
      const props = f.properties || {};
      return { name: String(props.code), value: r ? r.value : null, label: String(r ? r.label : props.fullName || props.name || props.code),
               itemStyle: r && r.color ? { areaColor: r.color } : undefined };
    });
    chart.setOption({
      tooltip: { formatter: p => esc((p.data && p.data.label) || p.name) },
      series: [{ type: "map", map: id, roam: true, nameProperty: "code", data, emphasis: { label: { show: false } },
                 itemStyle: { areaColor: "#f1f3f5", borderColor: "#fff", borderWidth: 0.6 } }],
    });
    return chart;
  }
  // Draw whatever charts this page carries data for.
  function drawPage() {
    const data = id => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
    const trend = data("trend-data");
    if (Array.isArray(trend)) trendChart("trend", trend);
    const rollup = data("rollup-data");
    if (Array.isArray(rollup)) rollupChart("rollup-chart", rollup);
    const C = data("charts-data");
    if (C) {
      rollupChart("chart-progress", C.history);
      barChart("chart-distribution", C.distribution.labels, C.distribution.values, { xname: "TC" });
      barChart("chart-weakest", C.weakest.map(w => "TC " + w[0]), C.weakest.map(w => w[2]), { max: 100, color: "#fa5252" });
      if (C.map) fetch(C.map.url).then(r => r.json()).then(g => mapChart("map", g, C.map.rows));
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawPage);
  else drawPage();
  return { trendChart, rollupChart, barChart, mapChart, esc, LEVEL, COLORS };
})();
