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

  var KINDS = { tree: tree };

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
