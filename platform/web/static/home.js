// Workspace home: every <canvas data-chart="{...}"> becomes a Chart.js chart (the JSON comes from the server in the
// attribute; no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  function draw(canvas) {
    if (typeof Chart === "undefined" || canvas.getAttribute("data-chart-ready")) return;
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
    });
    canvas.setAttribute("data-chart-ready", "true");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
