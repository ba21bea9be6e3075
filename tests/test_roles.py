"""The Recruiter and Data admin groups a fresh installation starts with, and what they allow."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from candidates.models import Candidate
from segmentation.jobs.execute import segmentation_job_execute
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from tests.assignments import unassigned
from tests.factories import JobOpeningFactory
from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(django_user_model):
    def make(group_name: str):
        user = django_user_model.objects.create_user(
            group_name.lower().replace(" ", "-"), password="pw-member-123!", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


def test_both_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Recruiter", "Data admin"}


def test_a_recruiter_creates_campaigns_but_cannot_train(client, member):
    recruiter = member("Recruiter")
    assert recruiter.has_perm("campaigns.add_campaign")
    assert recruiter.has_perm("segmentation.view_segment")
    assert not recruiter.has_perm("segmentation.train_segmentation")
    store_profiles(make_profiles(5)[0])
    client.force_login(recruiter)
    response = client.post(
        reverse("admin:candidates_candidate_changelist"),
        {"action": "train_segmentation", "_selected_action": [Candidate.objects.first().pk]},
    )
    assert response.status_code == 200  # the action is not offered: nothing runs
    assert not SegmentationRun.objects.exists()
    opening = JobOpeningFactory()
    # A campaign must target a segment (the admin used to save one without: bug 1).
    run = SegmentationRun.objects.create(status="trained", is_active=True, n_clusters=1)
    segment = Segment.objects.create(run=run, number=0, name="Everyone")
    response = client.post(
        reverse("admin:campaigns_campaign_add"),
        {
            "name": "Spring hiring",
            "job_opening": opening.pk,
            "status": "draft",
            "budget": "1000",
            "start_date": "2026-03-01",
            "end_date": "2026-04-01",
            "target_segments": [segment.pk],
        },
    )
    assert response.status_code == 302
    assert opening.campaigns.get().created_by == recruiter


def test_a_data_admin_trains_and_assigns(client, member):
    data_admin = member("Data admin")
    store_profiles(make_profiles(5)[0])
    client.force_login(data_admin)
    url = reverse("admin:candidates_candidate_changelist")
    first = Candidate.objects.first().pk
    for action in ("train_segmentation", "activate_newest_run"):
        client.post(url, {"action": action, "_selected_action": [first]})
        # What the background worker does with the queued job.
        segmentation_job_execute(job_id=SegmentationJob.objects.get(in_progress=True).pk)
    run = SegmentationRun.objects.get()
    assert run.is_active and run.created_by == data_admin
    assert not unassigned().exists()


def test_a_data_admin_sees_and_edits_a_candidate_s_skills(client, member):
    from tests.factories import CandidateFactory, SkillFactory

    data_admin = member("Data admin")
    candidate = CandidateFactory(skill_names=["Python"])
    rust = SkillFactory(name="Rust")
    client.force_login(data_admin)
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "skills-TOTAL_FORMS" in page.content.decode()  # the skills inline is shown
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "skills-TOTAL_FORMS": "1",
            "skills-INITIAL_FORMS": "1",
            "skills-0-id": page.context["inline_admin_formsets"][0].formset.forms[0].instance.pk,
            "skills-0-candidate": candidate.pk,
            "skills-0-skill": rust.pk,
        }
    )
    assert client.post(url, data).status_code == 302
    assert list(candidate.skills.values_list("name", flat=True)) == ["Rust"]
