// Segments suggested for the chosen job opening, on the new-campaign form (needs
// fetch-fragment.js loaded before it).
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
    const loader = window.adflux.fragmentLoader(container, {
      wording: { doing: "see suggested segments", failed: "Segments could not be suggested" },
    });

    async function refresh() {
      const opening = select.value;
      container.dataset.opening = opening;
      if (!/^\d+$/.test(opening)) {
        loader.cancel();
        container.replaceChildren();
        return;
      }
      await loader.load(base + opening + "/suggested-segments/");
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
