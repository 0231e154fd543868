// ERP report charts: every <canvas class="erp-chart" data-chart-url="..."> gets a Chart.js chart whose data comes
// from the JSON endpoint (no inline scripts: the CSP forbids them). Re-run after htmx swaps the report body.
(function () {
  "use strict";
  var charts = new Map();

  function draw(canvas) {
    var url = canvas.getAttribute("data-chart-url");
    if (!url || typeof Chart === "undefined") return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (spec) {
        if (!spec) return;
        if (charts.has(canvas)) charts.get(canvas).destroy();
        charts.set(canvas, new Chart(canvas, {
          type: spec.type,
          data: { labels: spec.labels, datasets: spec.datasets },
          options: { responsive: true, animation: false, scales: { y: { beginAtZero: true } } }
        }));
        canvas.setAttribute("data-chart-ready", "true");
      });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas.erp-chart").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
