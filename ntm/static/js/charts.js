// Charts for NTM pages (ECharts, vendored). Data comes from json_script blocks.
window.NTM = (function () {
  const LEVEL = { "": "Chưa đạt", ntm: "NTM", nang_cao: "NTM nâng cao", kieu_mau: "NTM kiểu mẫu", hien_dai: "NTM hiện đại" };
  const COLORS = { "": "#adb5bd", ntm: "#2f9e44", nang_cao: "#1c7ed6", kieu_mau: "#f59f00", hien_dai: "#7048e8" };
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
      tooltip: { trigger: "axis" },
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
      tooltip: { trigger: "axis" },
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
      tooltip: { trigger: "axis" },
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
      const r = byCode[f.properties.code];
      return { name: f.properties.code, value: r ? r.value : null, label: r ? r.label : f.properties.fullName || f.properties.name,
               itemStyle: r && r.color ? { areaColor: r.color } : undefined };
    });
    chart.setOption({
      tooltip: { formatter: p => (p.data && p.data.label) || p.name },
      series: [{ type: "map", map: id, roam: true, nameProperty: "code", data, emphasis: { label: { show: false } },
                 itemStyle: { areaColor: "#f1f3f5", borderColor: "#fff", borderWidth: 0.6 } }],
    });
    return chart;
  }
  return { trendChart, rollupChart, barChart, mapChart, LEVEL, COLORS };
})();
