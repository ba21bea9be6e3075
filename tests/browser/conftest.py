"""Browser tests: Debian's chromium driven by Playwright against a live AdFlux server.

Chromium comes from the system (``apt-get install chromium``; .ci/run installs it), never
downloaded by Playwright. Every test leaves screenshots in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.roles import role_group

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("ADFLUX_CHROMIUM", "/usr/bin/chromium")
# The machine's network is closed: without these Chromium keeps trying to reach Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# plain synchronous code, so Django's guard against ORM use inside async code does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium (or ADFLUX_CHROMIUM)"
        if os.environ.get("ADFLUX_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Screens:
    """Named screenshots of one test, kept as test artefacts."""

    def __init__(self, page, test_name: str) -> None:
        self.page = page
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(self, name: str) -> Path:
        path = ARTIFACTS / f"{self.prefix}--{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _expected_failure(request) -> bool:
    """A source map nobody ships, a fetch the page cancelled because a newer one replaced it, or
    the icon request the browser dropped on leaving the page."""
    aborted = request.failure == "net::ERR_ABORTED"
    cancelled = request.resource_type == "fetch" and aborted
    # The browser asks for the icon on its own and drops the request when the test leaves the
    # page first; the icon itself is checked by test_every_page.py.
    icon_dropped = aborted and request.url.endswith("/favicon.svg")
    return request.url.endswith(".map") or cancelled or icon_dropped


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.on(
        "requestfailed",
        lambda req: (
            failures.append(f"request failed: {req.url}") if not _expected_failure(req) else None
        ),
    )
    yield page
    Screens(page, request.node.name).take("end")
    context.close()
    # A JavaScript error or a failed asset load is a broken page, whatever the test checked.
    assert not failures, failures


@pytest.fixture
def screens(page, request) -> Screens:
    return Screens(page, request.node.name)


@pytest.fixture
def recruiter(django_user_model):
    """A member of the Recruiter group, as the data migration defines it."""
    user = django_user_model.objects.create_user("recruiter", "r@example.org", "pw-recruit-123!")
    user.groups.add(role_group("Recruiter"))
    return user


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/segments/$"))


def segmented_demo(*, count: int, seed: int, clusters: int):
    """Generated candidates, a run trained on them and activated: what a page needs to show."""
    from candidates.services.generation import candidates_generate
    from segmentation.ml.pipeline import ClusteringConfig
    from segmentation.services.activation import segmentation_activate
    from segmentation.services.training import segmentation_train

    candidates_generate(count=count, seed=seed)
    run = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": clusters}))
    segmentation_activate(run=run)
    return run
