// Follows a background segmentation job on the page that started it (needs fetch-fragment.js
// loaded before it): polls its state every second while it is queued or running, then reloads
// the page so the new segments show. It stops, and says why, when the session has expired or
// the job can no longer be shown, and after a few failed polls in a row rather than hammering.
(function () {
  "use strict";

  const POLL_MS = 1000;
  // After a failed poll: a worker restart or a deploy is over in seconds, not minutes.
  const RETRY_MS = 3000;
  const FAILURES_BEFORE_GIVING_UP = 5;

  const { FetchFailed, SessionExpired, fetchFragment, problemParagraph } = window.adflux;
  const box = document.getElementById("job-status");
  if (!box || box.dataset.inProgress !== "true") {
    return;
  }
  const badge = document.getElementById("job-badge");
  const stage = document.getElementById("job-stage");
  const bar = box.querySelector("progress");
  const error = document.getElementById("job-error");
  let failures = 0;

  function show(job) {
    badge.textContent = job.status_label;
    badge.className = "badge " + job.status;
    if (bar) {
      bar.value = job.progress;
    }
    if (stage) {
      stage.textContent = job.stage_text;
    }
    if (job.error) {
      error.textContent = job.error;
      error.hidden = false;
    }
  }

  function stop(problem) {
    const paragraph = problemParagraph(problem, {
      doing: "see this job's progress",
      failed: "This page stopped following the job",
    });
    paragraph.id = "job-poll-stopped";
    if (!(problem instanceof SessionExpired)) {
      paragraph.append(" Reload the page to follow it again.");
    }
    box.append(paragraph);
  }

  // Worth another try: no answer, or a server error, rather than an answer that will not change.
  function worthRetrying(problem) {
    return problem instanceof FetchFailed && (problem.status === 0 || problem.status >= 500);
  }

  async function poll() {
    let job;
    try {
      job = await fetchFragment(box.dataset.url, { as: "json" });
    } catch (problem) {
      failures += 1;
      if (worthRetrying(problem) && failures < FAILURES_BEFORE_GIVING_UP) {
        window.setTimeout(poll, RETRY_MS);
      } else {
        stop(problem);
      }
      return;
    }
    failures = 0;
    show(job);
    if (job.in_progress) {
      window.setTimeout(poll, POLL_MS);
    } else {
      window.location.reload();
    }
  }

  window.setTimeout(poll, POLL_MS);
})();
