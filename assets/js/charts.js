// Draws the charts of a page with ECharts. Every chart's figures are also in a table on the same
// page; without this file (or without JavaScript) the page loses only the drawing.
(function () {
  "use strict";

  var GAP_COLOURS = { missing: "#c0392b", weak: "#d68910" };

  // Tree nodes carry `gap`; colour them and put the gap's name in the label.
  function decorate(node, names) {
    var colour = GAP_COLOURS[node.gap];
    if (colour) {
      node.itemStyle = { color: colour, borderColor: colour };
      node.label = { color: colour, fontWeight: "bold" };
      node.name = node.name + "（" + (names[node.gap] || node.gap) + "）";
    }
    (node.children || []).forEach(function (c) { decorate(c, names); });
    return node;
  }

  function leaves(node) {
    var kids = node.children || [];
    if (!kids.length) { return 1; }
    return kids.reduce(function (n, c) { return n + leaves(c); }, 0);
  }

  function tree(el, data) {
    var root = decorate(data, { missing: el.dataset.missing, weak: el.dataset.weak });
    // Room for every leaf on its own line.
    el.style.height = Math.max(320, leaves(root) * 30 + 40) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        // The tooltip is HTML: names typed by users are escaped.
        formatter: function (p) {
          var esc = window.echarts.format.encodeHTML;
          return p.data.value ? esc(p.name) + "<br>" + esc(p.data.value) : esc(p.name);
        }
      },
      series: [{
        type: "tree",
        data: [root],
        top: 20, bottom: 20, left: 180, right: 220,
        orient: "LR",
        initialTreeDepth: -1,
        expandAndCollapse: false,
        symbolSize: 9,
        label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 13 },
        leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } },
        lineStyle: { color: "#aab4c0" }
      }]
    });
    return chart;
  }

  var LIGHT_COLOURS = { red: "#d93026", yellow: "#f2b600", green: "#2e9a4a" };

  // The dark theme of the big screen, light otherwise.
  function theme(el) { return el.closest(".screen") ? "dark" : null; }

  // Projects by stage: [{name, value}] in stage order.
  function funnel(el, data) {
    var chart = window.echarts.init(el, theme(el), { renderer: "svg" });
    chart.setOption({
      animation: false,
      backgroundColor: "transparent",
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      series: [{
        type: "funnel", sort: "none", gap: 2, minSize: "12%",
        left: "8%", right: "8%", top: 10, bottom: 10,
        label: { position: "inside", formatter: "{b} {c}", color: "#fff",
                 textBorderColor: "rgba(0, 0, 0, 0.45)", textBorderWidth: 2 },
        data: data
      }]
    });
    return chart;
  }

  // Bars per category: {months, series: [{name, data}]}.
  function bars(el, data) {
    var chart = window.echarts.init(el, theme(el), { renderer: "svg" });
    chart.setOption({
      animation: false,
      backgroundColor: "transparent",
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
    return chart;
  }

  // Stacked bars coloured by light: {categories, series: [{name, light, data}]}.
  function lights(el, data) {
    var chart = window.echarts.init(el, theme(el), { renderer: "svg" });
    chart.setOption({
      animation: false,
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 110, right: 16, top: 36, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.categories, inverse: true },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.data,
                 itemStyle: { color: LIGHT_COLOURS[s.light] } };
      })
    });
    return chart;
  }

  var KINDS = { tree: tree, funnel: funnel, bars: bars, lights: lights };

  function drawAll() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var draw = KINDS[el.dataset.chart];
      var src = document.getElementById(el.dataset.source);
      if (!draw || !src) { return; }
      try {
        charts.push(draw(el, JSON.parse(src.textContent)));
        el.setAttribute("data-drawn", "1");
      } catch (e) {
        el.setAttribute("data-error", String(e));
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
