// Fetching server-rendered fragments (HTML, or JSON for the job poller), shared by the page
// scripts; each template loads this file before the scripts that use it (window.adflux).
//
// fetchFragment() tells apart the answers a page script must not show as content: the login
// page after the session expired (LoginRequiredMiddleware redirects and fetch follows the
// redirect; a 401, or HTML where JSON was asked for, means the same), an error status, and no
// answer at all. fragmentLoader() fills one container and cancels the request before whenever
// a new one starts, so a slow answer to an earlier choice never replaces the latest one.
//
// These are classic scripts, not ES modules: in production the static files have hashed names,
// which a module's `import "./fetch-fragment.js"` would not follow.
(function () {
  "use strict";

  const MEDIA_TYPES = { html: "text/html", json: "application/json" };

  class SessionExpired extends Error {
    // loginUrl: the login page, sending the person back to this page; null when not known.
    constructor(loginUrl) {
      super("The session has expired.");
      this.name = "SessionExpired";
      this.loginUrl = loginUrl;
    }
  }

  class FetchFailed extends Error {
    // status: the HTTP status, or 0 when the server did not answer.
    constructor(status) {
      super(status ? "Error " + status + "." : "No answer.");
      this.name = "FetchFailed";
      this.status = status;
    }
  }

  function loginUrlFor(response) {
    // The redirect's `next` is the fragment; after logging in, the person wants this page.
    const url = new URL(response.url);
    url.searchParams.set("next", window.location.pathname + window.location.search);
    return url.pathname + url.search;
  }

  // The fragment at url, as text (as: "html") or parsed (as: "json"). Throws SessionExpired,
  // FetchFailed, or the AbortError of the given signal. `readable` lists error statuses whose
  // body is a fragment meant for the page (the audience preview's 400 names a refused segment).
  async function fetchFragment(url, { as = "html", signal = undefined, readable = [] } = {}) {
    const mediaType = MEDIA_TYPES[as];
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: mediaType },
        signal,
      });
      if (response.redirected) {
        throw new SessionExpired(loginUrlFor(response));
      }
      if (response.status === 401) {
        throw new SessionExpired(null);
      }
      if (!response.ok && !readable.includes(response.status)) {
        throw new FetchFailed(response.status);
      }
      if (!(response.headers.get("Content-Type") || "").startsWith(mediaType)) {
        // A login page put in the way by something other than Django (a proxy's sign-in).
        throw new SessionExpired(null);
      }
      return as === "json" ? await response.json() : await response.text();
    } catch (error) {
      if (error instanceof SessionExpired || error instanceof FetchFailed) {
        throw error;
      }
      if (error.name === "AbortError") {
        throw error;
      }
      throw new FetchFailed(0);
    }
  }

  // A paragraph saying why nothing could be shown. wording.doing completes "Log in again to …";
  // wording.failed begins the sentence for other failures.
  function problemParagraph(error, wording) {
    const paragraph = document.createElement("p");
    paragraph.className = "error";
    paragraph.setAttribute("role", "alert");
    if (error instanceof SessionExpired && error.loginUrl) {
      const link = document.createElement("a");
      link.href = error.loginUrl;
      link.textContent = "Log in again";
      paragraph.append("Your session has expired. ", link, " to " + wording.doing + ".");
    } else if (error instanceof SessionExpired) {
      paragraph.textContent =
        "Your session has expired. Reload the page and log in again to " + wording.doing + ".";
    } else if (error instanceof FetchFailed && error.status) {
      paragraph.textContent = wording.failed + " (error " + error.status + ").";
    } else {
      paragraph.textContent = wording.failed + ": the server did not answer.";
    }
    return paragraph;
  }

  // Fills target with fragments; load(url) cancels the load before, cancel() stops it.
  function fragmentLoader(target, { wording, readable = [] }) {
    let inFlight = null;

    function cancel() {
      if (inFlight) {
        inFlight.abort();
        inFlight = null;
        target.removeAttribute("aria-busy");
      }
    }

    async function load(url) {
      cancel();
      const request = new AbortController();
      inFlight = request;
      target.setAttribute("aria-busy", "true");
      try {
        const fragment = await fetchFragment(url, { signal: request.signal, readable });
        if (!request.signal.aborted) {
          target.innerHTML = fragment;
        }
      } catch (error) {
        if (!request.signal.aborted) {
          target.replaceChildren(problemParagraph(error, wording));
        }
      } finally {
        if (inFlight === request) {
          inFlight = null;
          target.removeAttribute("aria-busy");
        }
      }
    }

    return { load, cancel };
  }

  window.adflux = { SessionExpired, FetchFailed, fetchFragment, fragmentLoader, problemParagraph };
})();
