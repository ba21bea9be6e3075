// Follows a background segmentation job on the page that started it: polls its state every
// second while it is queued or running, then reloads the page so the new segments show.
(function () {
  "use strict";
  var box = document.getElementById("job-status");
  if (!box || box.dataset.inProgress !== "true") return;
  var badge = document.getElementById("job-badge");
  var stage = document.getElementById("job-stage");
  var bar = box.querySelector("progress");
  var error = document.getElementById("job-error");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        badge.textContent = job.status_label;
        badge.className = "badge " + job.status;
        if (bar) bar.value = job.progress;
        if (stage) stage.textContent = job.status === "queued" ? "Waiting for the worker…" : (job.stage || "starting");
        if (job.error) { error.textContent = job.error; error.hidden = false; }
        if (job.in_progress) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
