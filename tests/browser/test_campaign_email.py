"""A candidate gets the job-ad email, follows its link in the browser and applies; the
recruiter sees the application counted on the campaign page."""

from __future__ import annotations

import re

import pytest

from campaigns.models import Application
from campaigns.sending import campaign_send
from tests.browser.conftest import log_in
from tests.outreach import outreach_make

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_emailed_candidate_applies_and_the_campaign_page_counts_it(
    page, screens, recruiter, smtp_server, live_server, settings
):
    settings.ADFLUX_BASE_URL = live_server.url
    settings.ADFLUX_EMAIL_RATE = 0
    outreach = outreach_make((3, 2))
    candidate = outreach.members[outreach.segments[1].pk][0]
    campaign_send(campaign=outreach.campaign)

    (message,) = [m for m in smtp_server.received() if m["To"] == candidate.email]
    body = message.get_content()
    apply_link = re.search(rf"{re.escape(live_server.url)}/jobs/\S+", body).group(0)

    page.goto(apply_link)
    assert page.locator("#job-title").inner_text() == "Senior back-end engineer"
    honeypot = page.locator("#id_website").bounding_box()
    assert honeypot["x"] + honeypot["width"] < 0  # off the page: the honeypot is not for people
    page.fill("#id_name", candidate.name)
    page.fill("#id_email", candidate.email)
    page.fill("#id_message", "On call one week in six suits me.")
    screens.take("apply")
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("#applied")
    application = Application.objects.get()
    assert (application.campaign, application.candidate, application.segment) == (
        outreach.campaign,
        candidate,
        outreach.segments[1],
    )

    # The same email's unsubscribe link: a confirmation first, then for good.
    unsubscribe_link = re.search(rf"{re.escape(live_server.url)}/unsubscribe/\S+", body).group(0)
    page.goto(unsubscribe_link)
    candidate.refresh_from_db()
    assert candidate.contact_allowed  # opening the link is not enough
    page.click("#unsubscribe-form button[type=submit]")
    page.wait_for_selector("#unsubscribed")
    candidate.refresh_from_db()
    assert not candidate.contact_allowed

    page.context.clear_cookies()
    log_in(page, "recruiter", "pw-recruit-123!")
    page.goto(f"/campaigns/{outreach.campaign.pk}/")
    row = page.locator(f"#campaign-results-table tr[data-segment='{outreach.segments[1].pk}']")
    assert row.locator("[data-col=applied]").inner_text() == "1"
    assert page.locator("#campaign-results-total [data-col=applied]").inner_text() == "1"
    assert "5 sent · 0 failed" in page.locator("#campaign-email-counts").inner_text()
    # The audience lost the candidate who unsubscribed; what was sent stays counted.
    assert page.locator("#campaign-audience").inner_text() == "4"
    page.wait_for_selector("#chart-funnel[data-drawn=true]")
    screens.take("results")
