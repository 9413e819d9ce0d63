// Charts for NTM pages (ECharts, vendored). Data comes from json_script blocks (JSON, never run),
// and the page's charts are drawn from here: the Content-Security-Policy allows no inline script.
// Every text that reaches a tooltip goes through esc(): names come from uploaded files and the
// database, and ECharts puts a tooltip formatter's string into the page as HTML.
window.NTM = (function () {
  const LEVEL = (document.documentElement.lang || "vi").startsWith("en")
    ? { "": "Not reached", ntm: "NTM", nang_cao: "Advanced NTM", kieu_mau: "Model NTM", hien_dai: "Modern NTM" }
    : { "": "Chưa đạt", ntm: "NTM", nang_cao: "NTM nâng cao", kieu_mau: "NTM kiểu mẫu", hien_dai: "NTM hiện đại" };
  const COLORS = { "": "#adb5bd", ntm: "#2f9e44", nang_cao: "#1c7ed6", kieu_mau: "#f59f00", hien_dai: "#7048e8" };
  const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, c => ESC[c]);
  }
  // Axis tooltip: the category, then one line per series (marker is ECharts' own coloured dot);
  // `show(value, item)` writes a number (fmt/pct below), its result escaped too.
  function axisTooltip(show) {
    return params => {
      const list = Array.isArray(params) ? params : [params];
      if (!list.length) return "";
      const raw = v => (v !== null && typeof v === "object" ? v.value : v);
      const value = (v, p) => (v === null || v === undefined || v === "-" ? "—" : esc(show ? show(v, p) : v));
      return esc(list[0].axisValueLabel !== undefined ? list[0].axisValueLabel : list[0].name) +
        list.map(p => "<br>" + p.marker + esc(p.seriesName) + ": " + value(raw(p.value), p)).join("");
    };
  }
  function init(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    const chart = echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", () => chart.resize());
    el.dataset.ready = "1";
    return chart;
  }
  // Numbers the way the page's language writes them: 86,1 and 1.234 in Vietnamese, 86.1 in English.
  const LANG = (document.documentElement.lang || "vi").slice(0, 2);
  const NUM = new Intl.NumberFormat(LANG === "en" ? "en" : "vi-VN", { maximumFractionDigits: 1 });
  function fmt(v) { return v === null || v === undefined || v === "-" || Number.isNaN(+v) ? "—" : NUM.format(+v); }
  function pct(v) { return fmt(v) + "%"; }
  const T = LANG === "en"
    ? { criteria: "criteria", met: "criteria met", share: "% of criteria met", communes: "communes" }
    : { criteria: "tiêu chí", met: "tiêu chí đạt", share: "% tiêu chí đạt", communes: "xã" };

  // A vertical mark at the first year after the 2025 reform, when the years on the axis straddle it.
  function reformLine(years, reform) {
    if (!reform || !years.some(y => y < reform.year) || !years.some(y => y >= reform.year)) return undefined;
    const at = years.find(y => y >= reform.year);
    return {
      silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#868e96", width: 1.5 },
      // the label reads leftwards from the top of the line, so it stays inside the chart
      label: { formatter: reform.short || reform.label, position: "end", align: "right", distance: 16, padding: [0, 4, 0, 0],
               color: "#495057", fontSize: 11, backgroundColor: "rgba(255,255,255,.85)" },
      tooltip: { show: false },
      data: [{ xAxis: String(at) }],
    };
  }

  // Share of criteria met per year (%), so 19-criteria years (QĐ 318) and 10-criteria years
  // (QĐ 51/2025) compare on one axis; the tooltip gives the count and the set's size.
  function trendChart(id, series, reform) {
    const chart = init(id);
    if (!chart) return;
    const years = [...new Set(series.flatMap(s => s.points.map(p => p.year)))].sort((a, b) => a - b);
    const lone = years.length === 1;
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: items => {
          const rows = items.filter(i => i.data).map(i => {
            const p = i.data.point;
            return `${i.marker}${esc(i.seriesName)}: ${esc(p.met)}/${esc(p.total)} ${T.criteria} (${pct(p.pct)}) — ${esc(LEVEL[p.level] || "")}`;
          });
          return rows.length ? [esc(items[0].axisValue), ...rows].join("<br>") : "";
        },
      },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 44, right: 64, top: 52, bottom: 56 },
      xAxis: { type: "category", data: years.map(String) },
      yAxis: { type: "value", min: 0, max: 100, name: T.share, nameTextStyle: { align: "left" },
               axisLabel: { formatter: v => pct(v) } },
      series: series.map((s, n) => ({
        name: s.name, type: "line", smooth: false, symbolSize: lone ? 12 : 7, connectNulls: false,
        lineStyle: { width: s.own ? 3 : 1.5 },
        markLine: n === 0 ? reformLine(years, reform) : undefined,
        data: years.map(y => {
          const p = s.points.find(p => p.year === y);
          if (!p) return null;
          const last = s.own && p === s.points[s.points.length - 1];
          return {
            value: p.pct, point: p, itemStyle: { color: COLORS[p.level] },
            // a lone year (or the unit's latest) says its value, not just a dot
            label: (lone || last) ? { show: true, position: "top", formatter: `${p.met}/${p.total} (${pct(p.pct)})`, fontWeight: 600 } : undefined,
          };
        }),
      })),
    });
    return chart;
  }
  function rollupChart(id, rows, reform) {
    const chart = init(id);
    if (!chart) return;
    const years = rows.map(r => r.year);
    chart.setOption({
      tooltip: { trigger: "axis", formatter: axisTooltip((v, p) => (p.seriesIndex === 2 ? pct(v) : fmt(v))) },
      legend: { bottom: 0 },
      grid: { left: 44, right: 48, top: 52, bottom: 78 },
      xAxis: { type: "category", data: years.map(String) },
      yAxis: [{ type: "value", name: T.communes, axisLabel: { formatter: v => fmt(v) } },
              { type: "value", min: 0, max: 100, axisLabel: { formatter: v => pct(v) } }],
      series: [
        { name: LANG === "en" ? "NTM reached" : "Đạt NTM", type: "bar", data: rows.map(r => r.ntm_or_above), itemStyle: { color: COLORS.ntm },
          markLine: reformLine(years, reform) },
        { name: LANG === "en" ? "Above NTM (advanced; from 2026: modern)" : "Mức trên NTM (nâng cao; từ 2026: hiện đại)", type: "bar",
          data: rows.map(r => r.above_ntm), itemStyle: { color: COLORS.nang_cao } },
        { name: LANG === "en" ? "% of criteria met (average)" : "% tiêu chí đạt (bình quân)", type: "line", yAxisIndex: 1, data: rows.map(r => r.pct),
          itemStyle: { color: "#e8590c" }, tooltip: { valueFormatter: v => pct(v) } },
      ],
    });
    return chart;
  }
  function barChart(id, labels, values, opts) {
    const chart = init(id);
    if (!chart) return;
    const o = opts || {};
    chart.setOption({
      tooltip: { trigger: "axis", formatter: axisTooltip(v => (o.percent ? pct(v) : fmt(v))) },
      grid: { left: 48, right: 12, top: 16, bottom: 32 },
      xAxis: { type: "category", data: labels, name: o.xname },
      yAxis: { type: "value", max: o.max, axisLabel: { formatter: v => (o.percent ? pct(v) : fmt(v)) } },
      series: [{ type: "bar", data: values, itemStyle: { color: o.color || COLORS.ntm } }],
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
    const reform = data("reform-data");
    const trend = data("trend-data");
    if (Array.isArray(trend)) trendChart("trend", trend, reform);
    const rollup = data("rollup-data");
    if (Array.isArray(rollup)) rollupChart("rollup-chart", rollup, reform);
    const C = data("charts-data");
    if (C) {
      rollupChart("chart-progress", C.history, C.reform);
      barChart("chart-distribution", C.distribution.labels, C.distribution.values, { xname: "TC" });
      barChart("chart-weakest", C.weakest.map(w => "TC " + w[0]), C.weakest.map(w => w[2]), { max: 100, color: "#fa5252", percent: true });
      if (C.map) fetch(C.map.url).then(r => r.json()).then(g => mapChart("map", g, C.map.rows));
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawPage);
  else drawPage();
  return { trendChart, rollupChart, barChart, mapChart, esc, LEVEL, COLORS, fmt };
})();
