// Live audience preview for the new-campaign form.
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
    let timer = null;
    let inFlight = null;

    function ticked() {
      const boxes = form.querySelectorAll('input[type="checkbox"][name="' + field + '"]');
      return Array.from(boxes).filter((box) => box.checked).map((box) => box.value);
    }

    function show(message) {
      const paragraph = document.createElement("p");
      paragraph.className = "error";
      paragraph.textContent = message;
      target.replaceChildren(paragraph);
    }

    async function refresh() {
      const params = new URLSearchParams();
      ticked().forEach((id) => params.append("segments", id));
      // Only the answer to the latest choice may fill the container.
      if (inFlight) {
        inFlight.abort();
      }
      const request = new AbortController();
      inFlight = request;
      target.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(url + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
          signal: request.signal,
        });
        if (response.redirected) {
          // The login page, after the session ended: its HTML does not belong in the box.
          show("Your session has ended. Reload the page to log in again.");
        } else if (response.ok || response.status === 400) {
          // 400 carries a readable fragment too, naming the segment that was refused.
          target.innerHTML = await response.text();
        } else {
          show("The audience could not be previewed (error " + response.status + ").");
        }
      } catch (error) {
        if (error.name === "AbortError") {
          return;
        }
        show("The audience could not be previewed: the server did not answer.");
      } finally {
        if (inFlight === request) {
          inFlight = null;
          target.removeAttribute("aria-busy");
        }
      }
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
