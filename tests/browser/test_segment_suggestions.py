"""A recruiter picks a job opening on the new-campaign form and ticks the segments suggested."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.campaigns.conftest import BACK_END, opening_create, store_and_segment

pytestmark = pytest.mark.django_db(transaction=True)


def test_ticking_the_suggested_segments_updates_the_audience(page, screens, recruiter):
    planted = store_and_segment()
    back_end = planted.segments[BACK_END]
    opening = opening_create(
        "Senior back-end engineer", ["Python", "PostgreSQL"], location="Berlin", min_years=5
    )
    opening_create("Office manager", [])

    log_in(page, "recruiter", "pw-recruit-123!")
    page.goto("/campaigns/new/")
    assert page.locator("#suggested-segments").count() == 0
    page.select_option("#id_job_opening", label="Senior back-end engineer")
    page.wait_for_selector("#suggested-segments")
    assert back_end.name in page.locator("#suggested-segments").inner_text()
    assert not page.locator(f"#target-segments input[value='{back_end.pk}']").is_checked()
    screens.take("suggested")

    page.click("#tick-suggested")
    page.wait_for_selector(f"#audience-count[data-count='{back_end.size}']")
    assert page.locator(f"#target-segments input[value='{back_end.pk}']").is_checked()
    assert page.url.endswith("/campaigns/new/")  # ticked here, not by submitting the form
    screens.take("ticked")

    page.select_option("#id_job_opening", label="Office manager")
    page.wait_for_selector("#suggestions-none")
    assert "lists no required skills" in page.locator("#segment-suggestions").inner_text()

    page.goto(f"/campaigns/openings/{opening.pk}/")
    assert back_end.name in page.locator("#segment-fits tbody tr").first.inner_text()
    assert page.locator("#candidate-fits tbody tr").count() == 20
    screens.take("opening")
