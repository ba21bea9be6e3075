"""Activating from the page asks first: the numbers that move, and for each campaign whose
segment would end without a twin, which new segments it should target (or none)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from segmentation.jobs.execute import segmentation_job_execute
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.runs import segment_rename
from segmentation.services.training import segmentation_train
from tests.campaigns.conftest import store_and_segment
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shrinking():
    """k=3 active, a k=2 run trained against it: one active segment has no twin in it."""
    planted = store_and_segment(per_group=10)
    active = SegmentationRun.objects.get(is_active=True)
    smaller = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 2}))
    twinned = set(smaller.segments.values_list("matched_from_id", flat=True))
    (orphan,) = [s for s in active.segments.all() if s.pk not in twinned]
    return planted, active, smaller, orphan


def url(run: SegmentationRun) -> str:
    return reverse("segmentation-run-activate", args=[run.pk])


def test_the_page_names_the_campaign_and_keeps_the_chosen_target(client, trainer, shrinking):
    _, active, smaller, orphan = shrinking
    segment_rename(segment=orphan, name="Our Lisbon crowd")
    campaign = CampaignFactory(name="Lisbon spring", status=Campaign.Status.ACTIVE)
    campaign.target_segments.set([orphan])
    client.force_login(trainer)

    page = client.get(url(smaller)).content.decode()
    assert "Lisbon spring" in page and "(aims at Our Lisbon crowd)" in page
    assert "Named by a person, ending without a twin: “Our Lisbon crowd”" in page
    moving = smaller.migration_summary["moving"]
    assert f'<strong id="activate-moving">{moving}</strong> of 30 candidates' in page
    assert not SegmentationJob.objects.exists()  # asking starts nothing

    field = f"campaign_{campaign.pk}"
    unanswered = client.post(url(smaller), {"active_run": active.pk}).content.decode()
    assert "Choose the new segments this campaign should target, or keep none." in unanswered
    assert not SegmentationJob.objects.exists()

    chosen = smaller.segments.order_by("number").first()
    response = client.post(url(smaller), {"active_run": active.pk, field: [str(chosen.pk)]})
    assert response.status_code == 302
    job = SegmentationJob.objects.get()
    assert job.parameters["retarget"] == {str(campaign.pk): [chosen.pk]}
    segmentation_job_execute(job_id=job.pk)

    smaller.refresh_from_db()
    assert smaller.is_active
    assert set(campaign.target_segments.all()) == {orphan, chosen}


def test_keeping_none_leaves_the_campaign_s_targets_as_they_were(client, trainer, shrinking):
    _, active, smaller, orphan = shrinking
    campaign = CampaignFactory(status=Campaign.Status.ACTIVE)
    campaign.target_segments.set([orphan])
    client.force_login(trainer)
    client.post(url(smaller), {"active_run": active.pk, f"campaign_{campaign.pk}": ["none"]})
    segmentation_job_execute(job_id=SegmentationJob.objects.get().pk)
    assert list(campaign.target_segments.all()) == [orphan]


def test_none_and_a_segment_together_are_refused_under_the_campaign(client, trainer, shrinking):
    _, active, smaller, orphan = shrinking
    campaign = CampaignFactory(status=Campaign.Status.PAUSED)
    campaign.target_segments.set([orphan])
    client.force_login(trainer)
    segment = smaller.segments.first()
    page = client.post(
        url(smaller), {"active_run": active.pk, f"campaign_{campaign.pk}": ["none", segment.pk]}
    ).content.decode()
    assert "Choose segments or keep none, not both." in page
    assert not SegmentationJob.objects.exists()


def test_a_page_shown_before_another_run_became_active_is_shown_again(client, trainer, shrinking):
    _, active, smaller, _ = shrinking
    client.force_login(trainer)
    page = client.post(url(smaller), {"active_run": active.pk + 1000}).content.decode()
    assert "Another run became active since this page was shown" in page
    assert not SegmentationJob.objects.exists()


def test_ended_campaigns_and_twinned_segments_ask_nothing(client, trainer, shrinking):
    _, active, smaller, orphan = shrinking
    twinned = Segment.objects.get(pk=smaller.segments.first().matched_from_id)
    CampaignFactory(status=Campaign.Status.ENDED).target_segments.set([orphan])
    CampaignFactory(status=Campaign.Status.ACTIVE).target_segments.set([twinned])
    client.force_login(trainer)
    page = client.get(url(smaller)).content.decode()
    assert "Campaigns that would lose their segment" not in page
    client.post(url(smaller), {"active_run": active.pk})
    assert SegmentationJob.objects.get().parameters.get("retarget") is None


def test_a_chosen_segment_of_another_run_refuses_the_activation(shrinking):
    _, active, smaller, orphan = shrinking
    campaign = CampaignFactory(status=Campaign.Status.ACTIVE)
    with pytest.raises(SegmentationInputError, match="is not a segment of run"):
        segmentation_activate(run=smaller, retarget={campaign.pk: [orphan.pk]})
    assert SegmentationRun.objects.get(is_active=True) == active


def test_the_confirmation_needs_the_activate_permission(client, staff_user, shrinking):
    _, _, smaller, _ = shrinking
    client.force_login(staff_user)
    assert client.get(url(smaller)).status_code == 403
