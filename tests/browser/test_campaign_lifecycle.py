"""A recruiter runs a campaign from its page and downloads its audience for an ad platform."""

from __future__ import annotations

import csv
import io

import pytest

from campaigns.models import Campaign
from candidates.models import Candidate
from tests.browser.conftest import log_in
from tests.campaigns.test_views import make_run
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_recruiter_activates_pauses_and_downloads_the_audience(page, screens, recruiter):
    segments = make_run(active=True, sizes=[60, 50])
    campaign = CampaignFactory(name="Autumn reach", status="draft")
    campaign.target_segments.set(segments)
    nobody = Candidate.objects.order_by("pk").first()
    nobody.contact_allowed = False
    nobody.save()

    log_in(page, "recruiter", "pw-recruit-123!")
    page.goto(f"/campaigns/{campaign.pk}/")
    assert page.locator("h1 .badge").inner_text() == "Draft"
    screens.take("draft")

    page.click("#campaign-step-activate")
    page.wait_for_selector("h1 .badge.active")
    assert "“Autumn reach” is active." in page.locator(".messages").inner_text()
    page.click("#campaign-step-pause")
    page.wait_for_selector("h1 .badge.paused")
    assert Campaign.objects.get(pk=campaign.pk).status == "paused"
    assert page.locator("#campaign-step-resume").is_visible()
    screens.take("paused")

    audience = int(page.locator("#campaign-audience").inner_text().replace(",", ""))
    assert audience == 109
    with page.expect_download() as download_info:
        page.click("#export-google a")
    download = download_info.value
    assert download.suggested_filename == f"campaign-{campaign.pk}-google-audience.csv"
    with open(download.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    assert len(rows) == audience
    assert all(len(row["Email"]) == 64 and row["Zip"] == "" for row in rows)
    # LinkedIn needs 300: the page says so instead of offering the file.
    assert "needs at least 300 people; this campaign's audience is 109 people." in (
        page.locator("#export-linkedin").inner_text()
    )
