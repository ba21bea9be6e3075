"""Activating a run that would orphan a campaign's segment asks which segment it should target
instead, and the choice is kept once the run is active."""

from __future__ import annotations

import re

import pytest

from campaigns.models import Campaign
from segmentation.jobs.execute import segmentation_job_execute
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.services.training import segmentation_train
from tests.browser.conftest import log_in
from tests.campaigns.conftest import store_and_segment
from tests.factories import CampaignFactory
from tests.roles import role_group

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_orphaning_activation_asks_and_keeps_the_chosen_target(page, screens, django_user_model):
    store_and_segment(per_group=10)
    active = SegmentationRun.objects.get(is_active=True)
    smaller = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 2}))
    twinned = set(smaller.segments.values_list("matched_from_id", flat=True))
    (orphan,) = [s for s in active.segments.all() if s.pk not in twinned]
    campaign = CampaignFactory(name="Autumn drive", status=Campaign.Status.ACTIVE)
    campaign.target_segments.set([orphan])
    chosen = smaller.segments.order_by("-size").first()
    user = django_user_model.objects.create_user("dana", "d@example.org", "pw-dana-123!")
    user.groups.add(role_group("Data admin"))

    log_in(page, "dana", "pw-dana-123!")
    page.click("#activate-form button")
    page.wait_for_url(re.compile(rf".*/segments/runs/{smaller.pk}/activate/\??$"))
    assert page.locator("#activate-moving").inner_text() == str(smaller.migration_summary["moving"])
    fieldset = page.locator(f"#retarget-{campaign.pk}")
    assert "Autumn drive" in fieldset.locator("legend").inner_text()
    screens.take("asks")

    # Confirming without an answer is refused under the campaign.
    page.click("#activate-confirm-button")
    assert "or keep none" in fieldset.locator(".errorlist").inner_text()
    assert not SegmentationJob.objects.exists()

    fieldset.get_by_label(chosen.name).check()
    page.click("#activate-confirm-button")
    page.wait_for_url(re.compile(r".*/segments/$"))
    job = SegmentationJob.objects.get()
    segmentation_job_execute(job_id=job.pk)
    page.reload()
    screens.take("done")

    smaller.refresh_from_db()
    assert smaller.is_active
    assert set(campaign.target_segments.all()) == {orphan, chosen}
    page.goto(f"/campaigns/{campaign.pk}/")
    assert chosen.name in page.locator("#campaign-targets").inner_text()
