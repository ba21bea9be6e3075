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

  // Readable labels: the page's ink colour and a size a phone can read.
  if (typeof Chart !== "undefined") {
    Chart.defaults.color = "#1d2430";
    Chart.defaults.font.size = 13;
  }

  function axisTitle(text) {
    return { display: true, text: text, font: { weight: "600" } };
  }

  // Horizontal bars: segment names read along the left axis instead of slanting under bars.
  function segmentBars(labels, values, colours, valueTitle, tick) {
    return {
      type: "bar",
      data: { labels: labels, datasets: [{ label: valueTitle, data: values,
        backgroundColor: colours }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: {
        x: { beginAtZero: true, title: axisTitle(valueTitle), ticks: tick ? { callback: tick } : {} },
        y: { title: axisTitle("Segment") },
      } },
    };
  }

  const overview = data("segment-chart-data");
  if (overview) {
    const money = new Intl.NumberFormat("en-US", { style: "currency",
      currency: overview.currency, notation: "compact", maximumFractionDigits: 1 });
    draw("chart-sizes", segmentBars(overview.segments, overview.sizes,
      overview.segments.map((_, i) => colour(i)), "Candidates"));
    draw("chart-projection", {
      type: "scatter",
      data: { datasets: overview.projection.map((points, i) => ({
        label: overview.segments[i], data: points, pointRadius: 2, backgroundColor: colour(i, 0.6),
      })) },
      options: { plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }, scales: {
        x: { ticks: { display: false }, title: axisTitle("First direction that separates segments") },
        y: { ticks: { display: false }, title: axisTitle("Second direction") },
      } },
    });
    draw("chart-years", segmentBars(overview.profile.labels, overview.profile.years,
      poolColours(overview.profile.labels), "Median years of experience"));
    draw("chart-salary", segmentBars(overview.profile.labels, overview.profile.salary_k,
      poolColours(overview.profile.labels),
      "Median desired salary a year (" + overview.currency + ")",
      (value) => money.format(value * 1000)));
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
      options: { indexAxis: "y", plugins: { legend: { position: "bottom" } }, scales: {
        x: { max: 100, beginAtZero: true, title: axisTitle("Share of candidates with the skill"),
          ticks: { callback: (value) => value + " %" } },
        y: { title: axisTitle("Skill") },
      } },
    });
  }
})();
