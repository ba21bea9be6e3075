"""The job opening and campaign admin: pages, sized segment choices, dates, creator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.forms import CampaignForm
from campaigns.models import Campaign, JobOpening
from campaigns.services import NO_TARGET_MESSAGE
from segmentation.models import Segment, SegmentationRun
from tests.factories import CampaignFactory, JobOpeningFactory, SkillFactory

pytestmark = pytest.mark.django_db

CAMPAIGNS = reverse("admin:campaigns_campaign_changelist")
ADD_CAMPAIGN = reverse("admin:campaigns_campaign_add")


def make_run(*, active: bool, sizes: list[int]) -> list[Segment]:
    """A run recorded by hand: these tests need segments and sizes, not a trained model."""
    run = SegmentationRun.objects.create(status="trained", is_active=active, n_clusters=len(sizes))
    return [
        Segment.objects.create(run=run, number=i, name=f"Segment {i}", size=size)
        for i, size in enumerate(sizes)
    ]


def campaign_data(job: JobOpening, **overrides) -> dict:
    return {
        "name": "Spring hiring",
        "job_opening": job.pk,
        "status": "draft",
        "budget": "1500.00",
        "start_date": "2026-03-01",
        "end_date": "2026-04-30",
        "target_segments": [],
        **overrides,
    }


@pytest.mark.parametrize("user_fixture", ["superuser", "staff_user"])
def test_job_opening_and_campaign_pages_render(client, request, user_fixture):
    segments = make_run(active=True, sizes=[10, 20])
    job = JobOpeningFactory()
    job.required_skills.set([SkillFactory(name="Python")])
    campaign = CampaignFactory(job_opening=job)
    campaign.target_segments.set(segments)
    client.force_login(request.getfixturevalue(user_fixture))
    for url in [
        reverse("admin:campaigns_jobopening_changelist"),
        reverse("admin:campaigns_jobopening_change", args=[job.pk]),
        CAMPAIGNS,
        reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_add_pages_render_for_superuser(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:campaigns_jobopening_add")).status_code == 200
    assert client.get(ADD_CAMPAIGN).status_code == 200


def test_job_opening_required_skills_use_autocomplete(client, superuser):
    client.force_login(superuser)
    content = client.get(reverse("admin:campaigns_jobopening_add")).content.decode()
    assert 'data-theme="admin-autocomplete"' in content


def test_target_segment_choices_are_the_active_runs_with_sizes(client, superuser):
    make_run(active=False, sizes=[777, 888])
    make_run(active=True, sizes=[12_345, 678])
    client.force_login(superuser)
    content = client.get(ADD_CAMPAIGN).content.decode()
    assert "Segment 0 (12,345 candidates)" in content
    assert "Segment 1 (678 candidates)" in content
    assert "(777 candidates" not in content
    assert "(888 candidates" not in content


def test_campaign_create_sets_creator_and_targets(client, superuser):
    chosen, _ = make_run(active=True, sizes=[40, 60])
    job = JobOpeningFactory()
    client.force_login(superuser)
    response = client.post(ADD_CAMPAIGN, campaign_data(job, target_segments=[chosen.pk]))
    assert response.status_code == 302

    campaign = Campaign.objects.get()
    assert campaign.created_by == superuser
    assert list(campaign.target_segments.all()) == [chosen]


def test_campaign_end_before_start_is_a_form_error(client, superuser):
    job = JobOpeningFactory()
    client.force_login(superuser)
    response = client.post(
        ADD_CAMPAIGN, campaign_data(job, start_date="2026-05-01", end_date="2026-04-01")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["end_date"] == ["The end date cannot be before the start date."]
    # The database constraint's own wording ("Constraint ... is violated") is not shown.
    assert not form.non_field_errors()
    assert not Campaign.objects.exists()


def test_campaign_end_on_start_day_or_open_ended_is_fine():
    job = JobOpeningFactory()
    [segment] = make_run(active=True, sizes=[10])
    targets = [segment.pk]  # a campaign needs a target (bug 1): not what this test is about
    same_day = CampaignForm(data=campaign_data(job, end_date="2026-03-01", target_segments=targets))
    open_ended = CampaignForm(data=campaign_data(job, end_date="", target_segments=targets))
    assert same_day.is_valid(), same_day.errors
    assert open_ended.is_valid(), open_ended.errors


def test_changelist_shows_target_sizes_and_audience(client, superuser):
    first, second, _ = make_run(active=True, sizes=[1_200, 3_400, 5])
    campaign = CampaignFactory(name="Autumn push")
    campaign.target_segments.set([first, second])
    client.force_login(superuser)
    content = client.get(CAMPAIGNS).content.decode()
    assert "Segment 0 (1,200), Segment 1 (3,400)" in content
    assert "4,600" in content


def test_editing_keeps_targets_from_an_older_run(client, superuser):
    [old] = make_run(active=False, sizes=[50])
    make_run(active=True, sizes=[70])
    campaign = CampaignFactory()
    campaign.target_segments.set([old])
    client.force_login(superuser)
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    assert f"Segment 0 (50 candidates, Run {old.run_id}" in client.get(url).content.decode()

    response = client.post(
        url,
        campaign_data(campaign.job_opening, name=campaign.name, target_segments=[old.pk]),
    )
    assert response.status_code == 302
    assert list(campaign.target_segments.all()) == [old]


def test_staff_without_change_permission_cannot_create(client, staff_user):
    job = JobOpeningFactory()
    client.force_login(staff_user)
    assert client.post(ADD_CAMPAIGN, campaign_data(job)).status_code == 403
    assert not Campaign.objects.exists()


def test_a_campaign_without_a_target_is_refused_under_its_field(client, superuser):
    """Bug 1: the admin used to save a campaign that targets nobody."""
    make_run(active=True, sizes=[40, 60])
    job = JobOpeningFactory()
    client.force_login(superuser)
    response = client.post(ADD_CAMPAIGN, campaign_data(job, target_segments=[]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["target_segments"] == [NO_TARGET_MESSAGE]
    assert not Campaign.objects.exists()


def test_editing_cannot_remove_every_target(client, superuser):
    [segment] = make_run(active=True, sizes=[70])
    campaign = CampaignFactory()
    campaign.target_segments.set([segment])
    client.force_login(superuser)
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    response = client.post(url, campaign_data(campaign.job_opening, target_segments=[]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["target_segments"] == [NO_TARGET_MESSAGE]
    assert list(campaign.target_segments.all()) == [segment]


def test_audience_after_a_retrain_counts_the_active_run_as_the_campaign_page_does(
    client, superuser
):
    """Bug 2: the admin added the old segment (100) to its twin (110): 210, not 110."""
    [old] = make_run(active=False, sizes=[100])
    [twin] = make_run(active=True, sizes=[110])
    campaign = CampaignFactory(name="Carried over")
    campaign.target_segments.set([old, twin])
    client.force_login(superuser)
    changelist = client.get(CAMPAIGNS)
    [row] = changelist.context["cl"].result_list
    assert row.audience == 110
    assert '<td class="field-audience">110</td>' in changelist.content.decode()
    page = client.get(reverse("campaign", args=[campaign.pk]))
    assert page.context["campaign"].audience == 110


@pytest.mark.parametrize("years", ["1e308", "81", "-1"])
def test_a_job_opening_refuses_years_no_candidate_can_have(client, superuser, years):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:campaigns_jobopening_add"),
        {"title": "Astronaut", "location": "", "is_open": "on", "min_years_experience": years},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["min_years_experience"]
    assert not JobOpening.objects.exists()
