// Charts of the segmentation pages, drawn with the Chart.js shipped in static/vendor (no CDN).
(function () {
  "use strict";
  var PALETTE = ["#2457c5", "#e07b39", "#2a9d8f", "#c4456b", "#8a63d2", "#6b8e23", "#d4a017",
    "#4a90a4", "#b5651d", "#7f7f7f"];
  function colour(i, alpha) {
    var hex = PALETTE[i % PALETTE.length];
    if (alpha === undefined) return hex;
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false },
      config.options || {});
    canvas.chart = new Chart(canvas, config);
    canvas.dataset.drawn = "true";
  }
  function poolColours(labels) {
    return labels.map(function (_, i) { return i === labels.length - 1 ? "#9aa3b2" : colour(i); });
  }

  var overview = data("segment-chart-data");
  if (overview) {
    draw("chart-sizes", {
      type: "bar",
      data: { labels: overview.segments, datasets: [{ label: "Candidates", data: overview.sizes,
        backgroundColor: overview.segments.map(function (_, i) { return colour(i); }) }] },
      options: { plugins: { legend: { display: false } } }
    });
    draw("chart-projection", {
      type: "scatter",
      data: { datasets: overview.projection.map(function (points, i) {
        return { label: overview.segments[i], data: points, pointRadius: 2,
          backgroundColor: colour(i, 0.6) };
      }) },
      options: { scales: { x: { ticks: { display: false } }, y: { ticks: { display: false } } } }
    });
    draw("chart-years", {
      type: "bar",
      data: { labels: overview.profile.labels, datasets: [{ label: "Median years of experience",
        data: overview.profile.years, backgroundColor: poolColours(overview.profile.labels) }] },
      options: { plugins: { legend: { display: false } } }
    });
    draw("chart-salary", {
      type: "bar",
      data: { labels: overview.profile.labels, datasets: [{ label: "Median desired salary (thousands)",
        data: overview.profile.salary_k, backgroundColor: poolColours(overview.profile.labels) }] },
      options: { plugins: { legend: { display: false } } }
    });
  }

  // Choosing k: silhouette (left axis) and inertia (right axis) per k; the chosen k stands out.
  var kScores = data("k-score-data");
  if (kScores) {
    var isChosen = kScores.k.map(function (k) { return k === kScores.chosen; });
    draw("chart-k-scores", {
      type: "line",
      data: { labels: kScores.k, datasets: [
        { label: "Silhouette (higher is better)", data: kScores.silhouette, yAxisID: "y",
          borderColor: colour(0), backgroundColor: isChosen.map(function (c) {
            return c ? colour(3) : colour(0); }),
          pointRadius: isChosen.map(function (c) { return c ? 8 : 3; }),
          pointStyle: isChosen.map(function (c) { return c ? "rectRot" : "circle"; }) },
        { label: "Inertia", data: kScores.inertia, yAxisID: "inertia", borderDash: [4, 4],
          borderColor: "#9aa3b2", backgroundColor: "#9aa3b2", pointRadius: 2 }
      ] },
      options: { scales: {
        x: { title: { display: true, text: "k (number of segments)" } },
        y: { position: "left", title: { display: true, text: "Silhouette" } },
        inertia: { position: "right", grid: { drawOnChartArea: false },
          title: { display: true, text: "Inertia (sample)" } }
      }, plugins: { tooltip: { callbacks: { footer: function (items) {
        return items.length && kScores.k[items[0].dataIndex] === kScores.chosen ? "chosen" : "";
      } } } } }
    });
  }

  var skills = data("segment-skill-data");
  if (skills) {
    draw("chart-skills", {
      type: "bar",
      data: { labels: skills.labels, datasets: [
        { label: skills.segment_name + " (%)", data: skills.segment, backgroundColor: colour(0) },
        { label: "All candidates (%)", data: skills.pool, backgroundColor: "#9aa3b2" }
      ] },
      options: { indexAxis: "y", scales: { x: { max: 100, beginAtZero: true } } }
    });
  }
})();
