// Live audience preview for the new-campaign form (needs fetch-fragment.js loaded before it).
//
// A form opts in with data-audience-preview-url (the fragment's URL), data-audience-field (the
// checkbox name) and data-audience-target (the id of the container to fill). When a checkbox
// changes, the server-rendered, escaped fragment for the ticked segments replaces the
// container's content. Without JavaScript the form's "Preview audience" button does the same
// with a full page, so that button is hidden here.
(function () {
  "use strict";

  // Long enough to let a quick run of clicks become one request, short enough to feel live.
  const DEBOUNCE_MS = 150;

  function setUp(form) {
    const url = form.dataset.audiencePreviewUrl;
    const field = form.dataset.audienceField;
    const target = document.getElementById(form.dataset.audienceTarget);
    if (!url || !field || !target) {
      return;
    }
    const fallbackButton = form.querySelector('button[name="preview"]');
    if (fallbackButton) {
      fallbackButton.hidden = true;
    }
    const loader = window.adflux.fragmentLoader(target, {
      wording: { doing: "preview the audience", failed: "The audience could not be previewed" },
      // 400 carries a readable fragment too, naming the segment that was refused.
      readable: [400],
    });
    let timer = null;

    function ticked() {
      const boxes = form.querySelectorAll('input[type="checkbox"][name="' + field + '"]');
      return Array.from(boxes).filter((box) => box.checked).map((box) => box.value);
    }

    async function refresh() {
      const params = new URLSearchParams();
      ticked().forEach((id) => params.append("segments", id));
      await loader.load(url + "?" + params.toString());
    }

    form.addEventListener("change", (event) => {
      if (event.target.name !== field) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DEBOUNCE_MS);
    });

    // Boxes the browser restored (back button, reload) are ticked before any change event.
    if (ticked().length > 0) {
      refresh();
    }
  }

  document.querySelectorAll("form[data-audience-preview-url]").forEach(setUp);
})();
