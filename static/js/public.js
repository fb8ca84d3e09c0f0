// Public site charts: each measure's approved figures against its target, drawn with plotly.js when the chart
// scrolls into view. The data comes from a json_script element; every chart has the same figures in a table
// beside it, for screen readers and for anyone who prefers numbers.
(function () {
  "use strict";

  function chartData() {
    var many = document.getElementById("public-charts");
    if (many) { return JSON.parse(many.textContent); }
    var one = document.getElementById("public-chart");
    return one ? [JSON.parse(one.textContent)] : [];
  }

  function draw(chart) {
    var el = document.getElementById(chart.id);
    if (!el || el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var traces = [{
      x: chart.labels, y: chart.values, name: "Approved figure", type: "scatter", mode: "lines+markers",
      line: { color: "#1d4f91", width: 2 }, marker: { size: 6 }, connectgaps: false
    }];
    if (chart.targets && chart.targets.length) {
      traces.push({
        x: chart.labels, y: chart.targets, name: "Target", type: "scatter", mode: "lines",
        line: { color: "#3d4449", width: 2, dash: "dash" }, connectgaps: false
      });
    }
    var layout = {
      height: 300, margin: { l: 60, r: 10, t: 10, b: 70 },
      xaxis: { type: "category", tickangle: -45, automargin: true },
      yaxis: { title: { text: chart.unit }, automargin: true },
      legend: { orientation: "h", y: 1.12 },
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", color: "#212529" },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff"
    };
    window.Plotly.newPlot(el, traces, layout, { displayModeBar: false, responsive: true, staticPlot: false });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Plotly) { return; }
    var charts = chartData();
    if (!("IntersectionObserver" in window)) { charts.forEach(draw); return; }
    var byId = {};
    charts.forEach(function (c) { byId[c.id] = c; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(byId[entry.target.id]);
        }
      });
    }, { rootMargin: "200px" });
    charts.forEach(function (c) {
      var el = document.getElementById(c.id);
      if (el) { observer.observe(el); }
    });
  });
}());
