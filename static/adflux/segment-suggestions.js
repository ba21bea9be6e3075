// Segments suggested for the chosen job opening, on the new-campaign form.
//
// The container opts in with data-suggestions-url (the job openings' URL; the fragment is at
// <that>/<id>/suggested-segments/) and data-opening (the opening the server rendered it for).
// When the form's job opening changes, the server-rendered, escaped fragment for that opening
// replaces the container's content. Its "Tick suggested segments" button ticks the suggested
// segments' boxes and sends each a change event, so the live audience preview
// (audience-preview.js) follows. Without JavaScript the same button submits the form, which
// comes back with the segments ticked, and "Preview audience" shows the suggestions.
(function () {
  "use strict";

  function setUp(container) {
    const base = container.dataset.suggestionsUrl;
    const form = container.closest("form");
    const select = form && form.querySelector('select[name="job_opening"]');
    if (!base || !select) {
      return;
    }
    let inFlight = null;

    function show(message) {
      const paragraph = document.createElement("p");
      paragraph.className = "error";
      paragraph.textContent = message;
      container.replaceChildren(paragraph);
    }

    async function refresh() {
      const opening = select.value;
      // Only the answer for the latest choice may fill the container.
      if (inFlight) {
        inFlight.abort();
        inFlight = null;
      }
      container.dataset.opening = opening;
      if (!/^\d+$/.test(opening)) {
        container.replaceChildren();
        return;
      }
      const request = new AbortController();
      inFlight = request;
      container.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(base + opening + "/suggested-segments/", {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
          signal: request.signal,
        });
        if (response.redirected) {
          // The login page, after the session ended: its HTML does not belong in the form.
          show("Your session has ended. Reload the page to log in again.");
        } else if (response.ok) {
          container.innerHTML = await response.text();
        } else {
          show("Segments could not be suggested (error " + response.status + ").");
        }
      } catch (error) {
        if (error.name === "AbortError") {
          return;
        }
        show("Segments could not be suggested: the server did not answer.");
      } finally {
        if (inFlight === request) {
          inFlight = null;
          container.removeAttribute("aria-busy");
        }
      }
    }

    function tick(ids) {
      const wanted = new Set(ids);
      form.querySelectorAll('input[type="checkbox"][name="target_segments"]').forEach((box) => {
        if (wanted.has(box.value) && !box.checked) {
          box.checked = true;
          box.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    }

    select.addEventListener("change", refresh);
    container.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-segment-ids]");
      if (!button) {
        return;
      }
      event.preventDefault();
      tick(button.dataset.segmentIds.split(" ").filter(Boolean));
    });

    // A choice the browser restored (back button, reload) is not the one the page was built for.
    if (select.value !== (container.dataset.opening || "")) {
      refresh();
    }
  }

  document.querySelectorAll("[data-suggestions-url]").forEach(setUp);
})();
