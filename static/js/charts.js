// Draws every chart on the page: each <div data-chart="id"> gets the plotly figure ({data, layout}) held in the
// json_script block with that id. The data table beside each chart carries the same numbers for screen readers.
(function () {
  "use strict";
  var CONFIG = {displaylogo: false, responsive: true};

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var layout = Object.assign({autosize: true, font: {family: "system-ui, sans-serif", size: 13}}, figure.layout || {});
    window.Plotly.newPlot(element, figure.data || [], layout, CONFIG);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
