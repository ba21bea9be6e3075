"""A Recruiter who is not staff creates a job opening and a campaign for it, never the admin."""

from __future__ import annotations

import re

import pytest

from campaigns.models import Campaign, JobOpening
from tests.browser.conftest import log_in
from tests.campaigns.conftest import BACK_END, store_and_segment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_recruiter_creates_an_opening_then_a_campaign(page, screens, recruiter):
    planted = store_and_segment(per_group=10)
    assert not recruiter.is_staff
    admin_requests: list[str] = []
    page.on("request", lambda r: admin_requests.append(r.url) if "/admin/" in r.url else None)

    log_in(page, "recruiter", "pw-recruit-123!")
    assert page.locator("header nav a", has_text="Admin").count() == 0
    page.click("header nav >> text=Openings")
    page.click("#opening-add")
    page.fill("#id_title", "Back-end lead")
    page.fill("#id_location", "Berlin")
    page.fill("#id_skills", "python; PostgreSQL; Nonsense")
    page.fill("#id_min_years_experience", "5")
    page.click("#opening-save")
    # The unknown skill is named under its field; nothing is saved until it is fixed.
    assert "“Nonsense”" in page.locator("#opening-form .errorlist").inner_text()
    assert not JobOpening.objects.exists()
    page.fill("#id_skills", "python; PostgreSQL")
    page.click("#opening-save")
    page.wait_for_url(re.compile(r".*/campaigns/openings/\d+/$"))
    opening = JobOpening.objects.get()
    assert sorted(opening.required_skills.values_list("name", flat=True)) == [
        "PostgreSQL",
        "Python",
    ]
    screens.take("opening")

    page.click("#opening-new-campaign")
    page.fill("#id_name", "Berlin back-end drive")
    backend = planted.segments[BACK_END]
    page.check(f"#target-segments input[value='{backend.pk}']")
    page.wait_for_selector(f"#audience-count[data-count='{backend.size}']")
    page.click("#campaign-save")
    page.wait_for_url(re.compile(r".*/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert (campaign.job_opening, campaign.created_by) == (opening, recruiter)
    assert list(campaign.target_segments.all()) == [backend]
    assert admin_requests == []
    screens.take("campaign")
