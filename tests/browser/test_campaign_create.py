"""A recruiter creates a campaign and sees who it reaches before saving."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from campaigns.models import Campaign
from candidates.services.generation import candidates_generate
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import members
from tests.browser.conftest import log_in
from tests.factories import JobOpeningFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_audience_updates_as_segments_are_chosen(page, screens, recruiter):
    candidates_generate(count=2_000, seed=5)
    run = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 4}))
    segmentation_activate(run=run)
    JobOpeningFactory(title="Senior Python engineer")
    first, second = run.segments.order_by("number")[:2]

    log_in(page, "recruiter", "pw-recruit-123!")
    page.goto("/campaigns/new/")
    assert page.locator("#audience-empty").is_visible()
    page.fill("#id_name", "Spring hiring")
    page.select_option("#id_job_opening", label="Senior Python engineer")

    page.check(f"#target-segments input[value='{first.pk}']")
    page.wait_for_selector(f"#audience-count[data-count='{first.size}']")
    sample = page.locator("#audience-sample tbody tr")
    assert 1 <= sample.count() <= 10
    names = set(members(first).values_list("name", flat=True))
    assert set(sample.locator("td").first.all_inner_texts()) <= names

    page.check(f"#target-segments input[value='{second.pk}']")
    page.wait_for_selector(f"#audience-count[data-count='{first.size + second.size}']")
    assert not Campaign.objects.exists()  # nothing saved while previewing
    screens.take("preview")

    page.click("#campaign-save")
    page.wait_for_url(re.compile(r".*/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    assert campaign.name == "Spring hiring" and campaign.created_by == recruiter
    assert set(campaign.target_segments.all()) == {first, second}
    assert (
        page.locator("#campaign-audience")
        .inner_text()
        .replace(",", "")
        .find(str(first.size + second.size))
        >= 0
    )
    screens.take("created")


def test_a_slow_answer_to_an_earlier_choice_does_not_replace_the_latest(page, recruiter):
    candidates_generate(count=600, seed=5)
    run = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 3}))
    segmentation_activate(run=run)
    JobOpeningFactory()
    first, second = run.segments.order_by("number")[:2]
    log_in(page, "recruiter", "pw-recruit-123!")
    page.goto("/campaigns/new/")

    held = []

    def hold_the_first(route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r".*/campaigns/audience-preview/\?"), hold_the_first)
    page.check(f"#target-segments input[value='{first.pk}']")
    while not held:
        page.wait_for_timeout(20)
    page.check(f"#target-segments input[value='{second.pk}']")
    page.wait_for_selector(f"#audience-count[data-count='{first.size + second.size}']")

    # The answer for the first box alone arrives last: the page had cancelled its request.
    with contextlib.suppress(PlaywrightError):
        held[0].continue_()
    page.wait_for_timeout(500)
    assert page.locator("#audience-count").get_attribute("data-count") == str(
        first.size + second.size
    )
    assert held[0].request.failure == "net::ERR_ABORTED"
