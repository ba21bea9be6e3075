"""The recruiter's campaign pages: list, detail, new campaign and its live audience preview."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, JobOpening
from campaigns.services import campaign_create
from segmentation.models import Segment, SegmentationRun
from tests.assignments import members, place
from tests.factories import CampaignFactory, CandidateFactory, JobOpeningFactory, SkillFactory

pytestmark = pytest.mark.django_db

LIST = reverse("campaigns")
CREATE = reverse("campaign-create")
PREVIEW = reverse("campaign-audience-preview")
PROMPT = "Choose segments to see who the campaign reaches."
NO_TARGET = "Choose at least one segment: a campaign must target someone."


def make_run(*, active: bool, sizes: list[int], names: list[str] | None = None) -> list[Segment]:
    """A run recorded by hand, its segments holding ``sizes`` candidates each (sizes kept true)."""
    run = SegmentationRun.objects.create(status="trained", is_active=active, n_clusters=len(sizes))
    segments = []
    for i, size in enumerate(sizes):
        name = names[i] if names else f"Run {run.pk} segment {i}"
        segment = Segment.objects.create(run=run, number=i, name=name)
        place(CandidateFactory.create_batch(size, location=f"City {run.pk}-{i}"), segment)
        segments.append(segment)
    return segments


@pytest.fixture
def recruiter(django_user_model):
    """Someone who may view campaigns and create them, as the Recruiter group may."""
    user = django_user_model.objects.create_user("recruiter", password="pw-recruiter-123!")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="campaigns", codename__in=["view_campaign", "add_campaign"]
        )
        # Links to segments and candidates are shown only to those who may open them.
        | Permission.objects.filter(codename__in=["view_segment", "view_candidate"])
    )
    return user


def campaign_data(job: JobOpening, segments: list[Segment], **overrides) -> dict:
    return {
        "name": "Spring hiring",
        "job_opening": job.pk,
        "target_segments": [segment.pk for segment in segments],
        "status": "active",
        "budget": "1500.00",
        "start_date": "2026-03-01",
        "end_date": "2026-04-30",
        **overrides,
    }


# Who may see what


@pytest.mark.parametrize("url", [LIST, CREATE, PREVIEW, reverse("campaign", args=[1])])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_viewer_sees_campaigns_but_cannot_create_or_preview(client, staff_user):
    [segment] = make_run(active=True, sizes=[2])
    campaign = CampaignFactory(name="Autumn push")
    client.force_login(staff_user)

    listing = client.get(LIST).content.decode()
    assert "Autumn push" in listing
    assert "New campaign" not in listing
    assert client.get(reverse("campaign", args=[campaign.pk])).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert client.get(PREVIEW, {"segments": segment.pk}).status_code == 403
    job = JobOpeningFactory()
    assert client.post(CREATE, campaign_data(job, [segment])).status_code == 403
    assert Campaign.objects.count() == 1


def test_a_user_without_campaign_rights_is_refused_every_page(client, django_user_model):
    campaign = CampaignFactory()
    client.force_login(django_user_model.objects.create_user("nobody", password="pw-nobody-1!"))
    for url in [LIST, CREATE, PREVIEW, reverse("campaign", args=[campaign.pk])]:
        assert client.get(url).status_code == 403, url


# List and detail


def test_list_shows_each_campaign_with_its_audience_and_a_new_button(
    client, recruiter, django_assert_max_num_queries
):
    first, second, third = make_run(active=True, sizes=[3, 4, 5])
    big = CampaignFactory(name="Big reach", status="active")
    big.target_segments.set([first, third])
    CampaignFactory(name="Nobody yet")
    for i in range(5):
        CampaignFactory(name=f"Filler {i}").target_segments.set([second])
    client.force_login(recruiter)

    # One query for the rows whatever their number: session, user, permissions (2), count, rows.
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    content = response.content.decode()
    row = content[content.index("Big reach") :].split("</tr>")[0]
    assert '<span class="badge active">Active</span>' in row
    assert '<td class="num">2</td>' in row  # segments
    assert '<td class="num">8' in row  # audience: 3 + 5
    assert "Nobody yet" in content
    assert f'href="{CREATE}"' in content
    assert f'href="{reverse("campaign", args=[big.pk])}"' in content


def test_list_is_paginated_by_25(client, recruiter):
    for i in range(30):
        CampaignFactory(name=f"Campaign number {i:02d}")
    client.force_login(recruiter)
    first_page = client.get(LIST).content.decode()
    second_page = client.get(LIST, {"page": 2}).content.decode()
    assert first_page.count("Campaign number") == 25
    assert "Page 1 of 2" in first_page
    assert second_page.count("Campaign number") == 5


def test_list_counts_only_targets_in_the_active_segmentation(client, recruiter):
    [old] = make_run(active=False, sizes=[2])
    [current] = make_run(active=True, sizes=[3])
    CampaignFactory(name="Mixed targets").target_segments.set([old, current])
    client.force_login(recruiter)
    content = client.get(LIST).content.decode()
    row = content[content.index("Mixed targets") :].split("</tr>")[0]
    assert '<td class="num">2</td>' in row  # both segments are targeted
    assert '<td class="num">3' in row  # but only the active one's candidates are reached
    assert "Also targets segments of an older segmentation" in content


def test_list_without_campaigns_says_so(client, recruiter):
    client.force_login(recruiter)
    assert "No campaigns yet." in client.get(LIST).content.decode()


def test_detail_shows_fields_opening_targets_and_audience(client, recruiter, superuser):
    first, second = make_run(active=True, sizes=[3, 4], names=["Senior Python", "Data folk"])
    job = JobOpeningFactory(title="Backend engineer", location="Lisbon")
    job.required_skills.set([SkillFactory(name="Django"), SkillFactory(name="PostgreSQL")])
    campaign = CampaignFactory(
        name="Lisbon push",
        job_opening=job,
        budget="12500.00",
        start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 6, 30),
        created_by=superuser,
    )
    campaign.target_segments.set([first, second])
    client.force_login(recruiter)

    content = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert "Lisbon push" in content
    assert "Backend engineer" in content and "Lisbon" in content
    assert "Django, PostgreSQL" in content
    assert "12,500.00 USD" in content
    assert "1 May 2026" in content and "30 Jun 2026" in content
    assert "root" in content  # created by
    assert f'href="{reverse("segment", args=[first.pk])}">Senior Python</a>' in content
    assert '<dd id="campaign-audience">7</dd>' in content
    assert "older segmentation" not in content


def test_detail_notes_targets_of_an_older_segmentation(client, recruiter):
    [old] = make_run(active=False, sizes=[2])
    [current] = make_run(active=True, sizes=[3])
    campaign = CampaignFactory()
    campaign.target_segments.set([old, current])
    client.force_login(recruiter)
    content = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert (
        "This campaign targets segments of an older segmentation; "
        "their candidates have been reassigned"
    ) in content
    # Only the active run's segment still reaches anyone.
    assert '<dd id="campaign-audience">3</dd>' in content


def test_detail_of_a_missing_campaign_is_not_found(client, recruiter):
    client.force_login(recruiter)
    assert client.get(reverse("campaign", args=[999])).status_code == 404


# Creating a campaign


def test_create_form_offers_open_openings_and_the_active_runs_segments_with_sizes(
    client, recruiter
):
    make_run(active=False, sizes=[6], names=["Old crowd"])
    make_run(active=True, sizes=[12, 3], names=["Senior Python", "Juniors"])
    JobOpeningFactory(title="Open role")
    JobOpeningFactory(title="Filled role", is_open=False)
    client.force_login(recruiter)

    content = client.get(CREATE).content.decode()
    assert "Senior Python (12 candidates)" in content
    assert "Juniors (3 candidates)" in content
    assert "Old crowd" not in content
    assert "Open role" in content
    assert "Filled role" not in content
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in content  # start date defaults to today
    assert '<div id="audience-preview" aria-live="polite">' in content
    assert PROMPT in content
    assert '<script src="/static/adflux/audience-preview.js" defer></script>' in content
    assert finders.find("adflux/audience-preview.js")


def test_create_saves_the_campaign_with_targets_and_creator(client, recruiter):
    first, second, _ = make_run(active=True, sizes=[3, 4, 5])
    job = JobOpeningFactory()
    client.force_login(recruiter)

    response = client.post(CREATE, campaign_data(job, [first, second]), follow=True)
    campaign = Campaign.objects.get()
    assert response.redirect_chain == [(reverse("campaign", args=[campaign.pk]), 302)]
    assert "Campaign “Spring hiring” created, reaching 7 candidates." in response.content.decode()
    assert campaign.created_by == recruiter
    assert set(campaign.target_segments.all()) == {first, second}
    assert (campaign.status, str(campaign.budget)) == ("active", "1500.00")
    assert campaign.end_date == datetime.date(2026, 4, 30)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"target_segments": []}, NO_TARGET),
        (
            {"start_date": "2026-05-01", "end_date": "2026-04-01"},
            "The end date cannot be before the start date.",
        ),
        ({"target_segments": ["999999"]}, "Segment 999999 is not in the active segmentation."),
        ({"target_segments": ["abc"]}, "“abc” is not a segment id."),
        ({"budget": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(client, recruiter, overrides, error):
    segments = make_run(active=True, sizes=[2])
    job = JobOpeningFactory()
    client.force_login(recruiter)
    response = client.post(CREATE, campaign_data(job, segments, **overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Campaign.objects.exists()


def test_create_refuses_a_segment_of_another_run(client, recruiter):
    [old] = make_run(active=False, sizes=[2])
    [current] = make_run(active=True, sizes=[2])
    job = JobOpeningFactory()
    client.force_login(recruiter)
    response = client.post(CREATE, campaign_data(job, [current, old]))
    assert f"Segment {old.pk} is not in the active segmentation." in response.content.decode()
    assert not Campaign.objects.exists()


def test_create_refuses_a_closed_job_opening(client, recruiter):
    segments = make_run(active=True, sizes=[1])
    JobOpeningFactory(title="Still open")
    closed = JobOpeningFactory(is_open=False)
    client.force_login(recruiter)
    response = client.post(CREATE, campaign_data(closed, segments))
    assert "That job opening is not open for campaigns." in response.content.decode()
    assert not Campaign.objects.exists()


def test_create_form_keeps_what_was_entered_after_an_error(client, recruiter):
    first, second = make_run(active=True, sizes=[2, 3])
    job = JobOpeningFactory()
    client.force_login(recruiter)
    data = campaign_data(job, [second], name="Kept name", end_date="2020-01-01")
    content = client.post(CREATE, data).content.decode()
    assert 'value="Kept name"' in content
    assert f'value="{second.pk}" id="id_target_segments_1" checked' in content
    assert f'value="{first.pk}" id="id_target_segments_0" checked' not in content
    # The audience of the ticked segment is shown again too.
    assert '<strong id="audience-count" data-count="3">3</strong>' in content


def test_create_page_without_an_active_segmentation_says_train_first(client, recruiter):
    make_run(active=False, sizes=[4], names=["Old crowd"])
    JobOpeningFactory()
    client.force_login(recruiter)
    content = client.get(CREATE).content.decode()
    assert "There are no segments yet" in content
    assert "Old crowd" not in content
    assert 'id="campaign-form"' not in content


def test_create_page_without_open_job_openings_links_to_adding_one(client, recruiter, superuser):
    make_run(active=True, sizes=[1])
    JobOpeningFactory(is_open=False)
    client.force_login(recruiter)
    content = client.get(CREATE).content.decode()
    assert "There is no open job opening to advertise." in content
    assert 'id="campaign-form"' not in content
    assert "Ask a recruiter to add one." in content

    client.force_login(superuser)
    content = client.get(CREATE).content.decode()
    new_opening = reverse("job-opening-create")
    assert f'href="{new_opening}" id="add-job-opening">Add a job opening</a>' in content


# The audience preview


def test_preview_counts_and_samples_the_chosen_segments(
    client, recruiter, django_assert_max_num_queries
):
    first, second, third = make_run(active=True, sizes=[7, 6, 5])
    client.force_login(recruiter)

    # Session, user, permissions (2), the segments' check, their sizes, those who may not be
    # contacted, the first members, the sample's candidates: none per row.
    with django_assert_max_num_queries(9):
        response = client.get(PREVIEW, {"segments": [first.pk, third.pk]})
    assert response.status_code == 200
    content = response.content.decode()
    assert '<strong id="audience-count" data-count="12">12</strong> candidates' in content
    chosen = {first.pk, third.pk}
    sample = response.context["audience"].sample
    assert len(sample) == 10
    assert all(candidate.segment.pk in chosen for candidate in sample)
    for candidate in sample:
        assert candidate.name in content
        assert candidate.segment.name in content
    # Names of candidates in the segment left out do not appear.
    for name in members(second).values_list("name", flat=True):
        assert f">{name}<" not in content


def test_preview_count_is_exact_beyond_the_sample(client, recruiter):
    first, _ = make_run(active=True, sizes=[13, 2])
    client.force_login(recruiter)
    content = client.get(PREVIEW, {"segments": first.pk}).content.decode()
    assert 'data-count="13"' in content
    assert content.count('href="/candidates/') == 10


def test_preview_only_answers_get(client, recruiter):
    [segment] = make_run(active=True, sizes=[1])
    client.force_login(recruiter)
    assert client.post(PREVIEW, {"segments": segment.pk}).status_code == 405


def test_preview_without_segments_prompts_for_a_choice(client, recruiter):
    make_run(active=True, sizes=[1])
    client.force_login(recruiter)
    response = client.get(PREVIEW)
    assert response.status_code == 200
    assert PROMPT in response.content.decode()
    assert "<html" not in response.content.decode()  # a fragment, not a page


@pytest.mark.parametrize("foreign", ["other-run", "999999", "99999999999999999999999", "-1", "x1"])
def test_preview_refuses_segments_outside_the_active_run(client, recruiter, foreign):
    [old] = make_run(active=False, sizes=[2])
    [current] = make_run(active=True, sizes=[3])
    value = {"other-run": str(old.pk)}.get(foreign, foreign)
    client.force_login(recruiter)
    response = client.get(PREVIEW, {"segments": [current.pk, value]})
    assert response.status_code == 400
    content = response.content.decode()
    if foreign == "x1":
        assert "“x1” is not a segment id." in content
    else:
        assert f"Segment {value} is not in the active segmentation." in content
    assert "audience-count" not in content


def test_preview_refuses_more_ids_than_any_run_has_segments(client, recruiter):
    make_run(active=True, sizes=[1])
    client.force_login(recruiter)
    response = client.get(PREVIEW, {"segments": [str(i) for i in range(1, 500)]})
    assert response.status_code == 400
    assert "Choose at most 100 segments." in response.content.decode()


def test_preview_button_without_javascript_shows_the_audience_and_saves_nothing(client, recruiter):
    first, second = make_run(active=True, sizes=[4, 6])
    job = JobOpeningFactory()
    client.force_login(recruiter)
    data = campaign_data(job, [first, second], name="", preview="1")

    response = client.post(CREATE, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<strong id="audience-count" data-count="10">10</strong>' in content
    assert f'value="{first.pk}" id="id_target_segments_0" checked' in content
    # Fields not filled in yet are not reported as errors on a preview.
    assert "This field is required." not in content
    assert not Campaign.objects.exists()


def test_preview_button_with_a_foreign_segment_names_it(client, recruiter):
    [old] = make_run(active=False, sizes=[1])
    make_run(active=True, sizes=[1])
    job = JobOpeningFactory()
    client.force_login(recruiter)
    response = client.post(CREATE, campaign_data(job, [old], preview="1"))
    assert f"Segment {old.pk} is not in the active segmentation." in response.content.decode()
    assert not Campaign.objects.exists()


# Escaping


def test_markup_in_campaign_and_candidate_names_is_shown_as_text(client, recruiter):
    attack = '<script>alert("x")</script>'
    [segment] = make_run(active=True, sizes=[0], names=[f"Seg {attack}"])
    place(CandidateFactory(name=f"Eve {attack}"), segment)
    job = JobOpeningFactory(title=f"Job {attack}")
    campaign = CampaignFactory(name=f"Camp {attack}", job_opening=job)
    campaign.target_segments.set([segment])
    client.force_login(recruiter)

    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    pages = [
        client.get(LIST),
        client.get(reverse("campaign", args=[campaign.pk])),
        client.get(PREVIEW, {"segments": segment.pk}),
        client.get(CREATE),
    ]
    for response in pages:
        content = response.content.decode()
        assert attack not in content, response.request["PATH_INFO"]
        assert escaped in content, response.request["PATH_INFO"]

    created = client.post(CREATE, campaign_data(job, [segment], name=f"New {attack}"), follow=True)
    assert attack not in created.content.decode()
    assert f"Campaign “New {escaped}” created" in created.content.decode()


# The service behind the form, for doors that skip the form (a script, a future API)


def test_campaign_create_service_refuses_a_campaign_without_targets(recruiter):
    with pytest.raises(ValidationError, match="a campaign must target someone"):
        campaign_create(
            name="Nobody",
            job_opening=JobOpeningFactory(),
            target_segments=[],
            start_date=datetime.date(2026, 1, 1),
            user=recruiter,
        )
    assert not Campaign.objects.exists()
