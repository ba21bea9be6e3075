// The campaign page's funnel (audience, sent, clicked, applied per segment), drawn with the
// Chart.js shipped in static/vendor (no CDN).
(function () {
  "use strict";

  const PALETTE = ["#2457c5", "#e07b39", "#2a9d8f", "#c4456b", "#8a63d2", "#6b8e23", "#d4a017",
    "#4a90a4", "#b5651d", "#7f7f7f"];
  const node = document.getElementById("campaign-funnel-data");
  const canvas = document.getElementById("chart-funnel");
  if (!node || !canvas || typeof Chart === "undefined") {
    return;
  }
  const funnel = JSON.parse(node.textContent);
  canvas.chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: funnel.stages,
      datasets: funnel.segments.map((segment, i) => ({
        label: segment.label, data: segment.values, backgroundColor: PALETTE[i % PALETTE.length],
      })),
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  canvas.dataset.drawn = "true";
})();
