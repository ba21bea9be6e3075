// Charts of the segmentation pages, drawn with the Chart.js shipped in static/vendor (no CDN).
(function () {
  "use strict";

  const PALETTE = ["#2457c5", "#e07b39", "#2a9d8f", "#c4456b", "#8a63d2", "#6b8e23", "#d4a017",
    "#4a90a4", "#b5651d", "#7f7f7f"];
  const POOL_COLOUR = "#9aa3b2";

  function colour(i, alpha) {
    const hex = PALETTE[i % PALETTE.length];
    if (alpha === undefined) {
      return hex;
    }
    const n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") {
      return;
    }
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false },
      config.options || {}
    );
    canvas.chart = new Chart(canvas, config);
    canvas.dataset.drawn = "true";
  }

  // Segments in palette colours; the last label, all candidates, in the pool's grey.
  function poolColours(labels) {
    return labels.map((_, i) => (i === labels.length - 1 ? POOL_COLOUR : colour(i)));
  }

  const overview = data("segment-chart-data");
  if (overview) {
    draw("chart-sizes", {
      type: "bar",
      data: { labels: overview.segments, datasets: [{ label: "Candidates", data: overview.sizes,
        backgroundColor: overview.segments.map((_, i) => colour(i)) }] },
      options: { plugins: { legend: { display: false } } },
    });
    draw("chart-projection", {
      type: "scatter",
      data: { datasets: overview.projection.map((points, i) => ({
        label: overview.segments[i], data: points, pointRadius: 2, backgroundColor: colour(i, 0.6),
      })) },
      options: { scales: { x: { ticks: { display: false } }, y: { ticks: { display: false } } } },
    });
    draw("chart-years", {
      type: "bar",
      data: { labels: overview.profile.labels, datasets: [{ label: "Median years of experience",
        data: overview.profile.years, backgroundColor: poolColours(overview.profile.labels) }] },
      options: { plugins: { legend: { display: false } } },
    });
    draw("chart-salary", {
      type: "bar",
      data: { labels: overview.profile.labels, datasets: [{ label: "Median desired salary (thousands)",
        data: overview.profile.salary_k, backgroundColor: poolColours(overview.profile.labels) }] },
      options: { plugins: { legend: { display: false } } },
    });
  }

  // Choosing k: scores (left axis) and inertia (right axis) per k; the chosen k stands out.
  // With the stability rule, the least stable segment and the smallest share come first.
  const kScores = data("k-score-data");
  if (kScores) {
    const isChosen = kScores.k.map((k) => k === kScores.chosen);
    const marked = (index) => ({
      backgroundColor: isChosen.map((c) => (c ? colour(3) : colour(index))),
      pointRadius: isChosen.map((c) => (c ? 8 : 3)),
      pointStyle: isChosen.map((c) => (c ? "rectRot" : "circle")),
    });
    const scores = [];
    if (kScores.segment_stability) {
      scores.push({ label: "Least stable segment (higher is better)",
        data: kScores.segment_stability, yAxisID: "y", borderColor: colour(1), ...marked(1) });
    }
    if (kScores.smallest_share) {
      scores.push({ label: "Smallest segment's share", data: kScores.smallest_share,
        yAxisID: "y", borderColor: colour(2), ...marked(2) });
    }
    scores.push({ label: "Silhouette (higher is better)", data: kScores.silhouette, yAxisID: "y",
      borderColor: colour(0), ...marked(0) });
    draw("chart-k-scores", {
      type: "line",
      data: { labels: kScores.k, datasets: [
        ...scores,
        { label: "Inertia", data: kScores.inertia, yAxisID: "inertia", borderDash: [4, 4],
          borderColor: POOL_COLOUR, backgroundColor: POOL_COLOUR, pointRadius: 2 },
      ] },
      options: { scales: {
        x: { title: { display: true, text: "k (number of segments)" } },
        y: { position: "left", title: { display: true,
          text: kScores.segment_stability ? "Score (0 to 1)" : "Silhouette" } },
        inertia: { position: "right", grid: { drawOnChartArea: false },
          title: { display: true, text: "Inertia (sample)" } },
      }, plugins: { tooltip: { callbacks: {
        footer: (items) =>
          (items.length && kScores.k[items[0].dataIndex] === kScores.chosen ? "chosen" : ""),
      } } } },
    });
  }

  const skills = data("segment-skill-data");
  if (skills) {
    draw("chart-skills", {
      type: "bar",
      data: { labels: skills.labels, datasets: [
        { label: skills.segment_name + " (%)", data: skills.segment, backgroundColor: colour(0) },
        { label: "All candidates (%)", data: skills.pool, backgroundColor: POOL_COLOUR },
      ] },
      options: { indexAxis: "y", scales: { x: { max: 100, beginAtZero: true } } },
    });
  }
})();
