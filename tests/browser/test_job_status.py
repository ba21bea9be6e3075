"""The segmentation page follows a job in progress, and stops when it can no longer see it."""

from __future__ import annotations

import re

import pytest

from candidates.services.generation import candidates_generate
from segmentation.jobs.start import segmentation_job_start
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationJob
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_job(transactional_db) -> SegmentationJob:
    """A training job no worker will pick up: the page polls it for as long as it is open."""
    candidates_generate(count=300, seed=3)
    return segmentation_job_start(
        kind=SegmentationJob.Kind.TRAIN, config=ClusteringConfig.from_dict({"n_clusters": 3})
    )


def job_url(job: SegmentationJob) -> re.Pattern[str]:
    return re.compile(rf".*/segments/jobs/{job.pk}/$")


def next_poll_answered(page, job: SegmentationJob) -> None:
    with page.expect_response(job_url(job)):
        pass  # the page polls by itself


def polls_of(page, job: SegmentationJob) -> list[str]:
    """The requests the page makes for the job's state, as they happen."""
    polls: list[str] = []
    page.on(
        "request",
        lambda request: polls.append(request.url) if job_url(job).match(request.url) else None,
    )
    return polls


def test_polling_stops_with_a_login_link_when_the_session_expires(
    page, screens, queued_job, superuser
):
    polls = polls_of(page, queued_job)
    log_in(page, "root", "pw-root-123!")
    next_poll_answered(page, queued_job)
    assert page.locator("#job-badge").inner_text() == "Queued"

    # Logging out in another tab ends the session this page's polls ride on.
    other = page.context.new_page()
    other.goto("/segments/")
    other.click("form.logout button[type=submit]")
    other.wait_for_url(re.compile(r".*/accounts/login/$"))
    other.close()

    stopped = page.locator("#job-poll-stopped")
    stopped.wait_for()
    assert stopped.inner_text() == (
        "Your session has expired. Log in again to see this job's progress."
    )
    assert stopped.locator("a").get_attribute("href") == "/accounts/login/?next=%2Fsegments%2F"
    screens.take("session-expired")
    seen = len(polls)
    page.wait_for_timeout(2_500)
    assert len(polls) == seen  # no more polls once the message is shown

    page.click("#job-poll-stopped a")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-root-123!")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/segments/$"))
    next_poll_answered(page, queued_job)
    assert page.locator("#job-poll-stopped").count() == 0


def test_polling_gives_up_after_failed_polls_in_a_row(page, screens, queued_job, superuser):
    answered: list[int] = []

    def unavailable(route) -> None:
        answered.append(503)
        route.fulfill(status=503, body="Service unavailable")

    page.route(job_url(queued_job), unavailable)
    page.clock.install()
    log_in(page, "root", "pw-root-123!")
    stopped = page.locator("#job-poll-stopped")
    # The page's clock runs a second at a time; each failed poll is answered in real time.
    for _ in range(100):
        page.clock.run_for(1_000)
        page.wait_for_timeout(20)
        if stopped.count():
            break
    assert stopped.inner_text() == (
        "This page stopped following the job (error 503). Reload the page to follow it again."
    )
    assert len(answered) == 5
    page.clock.run_for(60_000)
    page.wait_for_timeout(200)
    assert len(answered) == 5
    screens.take("gave-up")
