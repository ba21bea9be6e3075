"""Segmentation admin: read-only runs, the train form, assigning with a run, renaming segments."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import Candidate
from segmentation.models import Segment, SegmentationRun
from segmentation.services import segmentation_assign, segmentation_train
from tests.admin_messages import messages_of
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:segmentation_segmentationrun_changelist")
TRAIN = reverse("admin:segmentation_segmentationrun_train")
SEGMENTS = reverse("admin:segmentation_segment_changelist")


def make_groups(per_group: int = 12) -> None:
    """Two groups a clustering cannot confuse."""
    for i in range(per_group):
        CandidateFactory(
            location="Berlin",
            years_experience=1.0 + i % 2,
            desired_salary=40_000,
            primary_skill="Developer, back-end",
            skill_names=["Python", "Django"],
        )
        CandidateFactory(
            location="Munich",
            education_level="master",
            years_experience=14.0,
            desired_salary=130_000,
            primary_skill="Data scientist",
            skill_names=["R"],
        )


def run_url(run: SegmentationRun, view: str = "change") -> str:
    return reverse(f"admin:segmentation_segmentationrun_{view}", args=[run.pk])


@pytest.mark.parametrize("user_fixture", ["superuser", "staff_user"])
def test_run_and_segment_pages_render(client, request, user_fixture):
    make_groups(per_group=3)
    run = segmentation_train(n_clusters=2)
    segmentation_assign(run=run)
    segment = run.segments.first()
    client.force_login(request.getfixturevalue(user_fixture))
    for url in [
        RUNS,
        run_url(run),
        SEGMENTS,
        SEGMENTS + f"?run__id__exact={run.pk}&q=Segment",
        reverse("admin:segmentation_segment_change", args=[segment.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_run_detail_is_read_only_and_shows_the_record(client, superuser):
    make_groups(per_group=3)
    run = segmentation_train(n_clusters=2)
    client.force_login(superuser)

    response = client.get(run_url(run))
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert run.artifact_sha256 in content
    assert "scikit-learn" in content
    for segment in run.segments.all():
        assert reverse("admin:segmentation_segment_change", args=[segment.pk]) in content

    response = client.post(run_url(run), {"n_clusters": 9, "status": "failed"})
    assert response.status_code == 403
    run.refresh_from_db()
    assert (run.n_clusters, run.status) == (2, "trained")
    assert client.get(reverse("admin:segmentation_segmentationrun_add")).status_code == 403


def test_inactive_run_can_be_deleted_but_the_active_one_cannot(
    client, superuser, django_capture_on_commit_callbacks
):
    make_groups(per_group=3)
    active = segmentation_train(n_clusters=2)
    segmentation_assign(run=active)
    old = segmentation_train(n_clusters=2)
    client.force_login(superuser)

    assert client.post(run_url(active, "delete"), {"post": "yes"}).status_code == 403
    response = client.post(
        RUNS, {"action": "delete_selected", "_selected_action": [active.pk], "post": "yes"}
    )
    assert "Cannot delete" in response.content.decode()
    assert "assign with another run first" in response.content.decode()
    assert SegmentationRun.objects.filter(pk=active.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(run_url(old, "delete"), {"post": "yes"})
    assert list(SegmentationRun.objects.all()) == [active]
    assert not Candidate.objects.filter(segment__isnull=True).exists()
    # The deleted run's model file goes with it; the active run's stays.
    assert not Path(old.artifact_path).exists()
    assert Path(active.artifact_path).exists()


def test_train_button_and_form_need_the_permission(client, staff_user, trainer):
    client.force_login(staff_user)
    assert TRAIN not in client.get(RUNS).content.decode()
    assert client.get(TRAIN).status_code == 403
    make_groups(per_group=3)
    assert client.post(TRAIN, {"n_clusters": 2}).status_code == 403
    assert not SegmentationRun.objects.exists()

    client.force_login(trainer)
    assert TRAIN in client.get(RUNS).content.decode()
    assert client.get(TRAIN).status_code == 200


def test_train_form_trains_a_run_with_k_segments(client, trainer):
    make_groups()
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": 3}, follow=True)

    run = SegmentationRun.objects.get()
    assert response.redirect_chain[-1][0] == run_url(run)
    assert run.status == SegmentationRun.Status.TRAINED
    assert not run.is_active
    assert run.n_clusters == 3
    assert sorted(run.segments.values_list("number", flat=True)) == [0, 1, 2]
    [(level, text)] = messages_of(response)
    assert level == "success"
    assert text.startswith(f"Trained run {run.pk} on all 24 candidates: k=3, inertia ")


@pytest.mark.parametrize("k", ["1", "51", "five"])
def test_train_form_refuses_k_out_of_range(client, trainer, k):
    make_groups(per_group=3)
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": k})
    assert response.status_code == 200
    assert response.context["form"].errors["n_clusters"]
    assert not SegmentationRun.objects.exists()


def test_train_form_with_no_candidates_is_an_error_message(client, trainer):
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": 2})
    assert response.status_code == 200
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "no candidates" in text
    assert not SegmentationRun.objects.exists()


def test_train_form_with_k_above_candidates_is_an_error_message(client, trainer):
    make_groups(per_group=2)
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": 5})
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "Cannot make 5 segments from 4 candidate(s)" in text
    assert not SegmentationRun.objects.exists()


def test_train_form_is_csrf_protected(trainer):
    make_groups(per_group=3)
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    assert client.post(TRAIN, {"n_clusters": 2}).status_code == 403
    assert not SegmentationRun.objects.exists()


def test_assign_with_selected_run_activates_it(client, trainer):
    make_groups()
    first = segmentation_train(n_clusters=2)
    segmentation_train(n_clusters=3)
    client.force_login(trainer)
    response = client.post(
        RUNS,
        {"action": "assign_segments_with_selected_run", "_selected_action": [first.pk]},
        follow=True,
    )

    first.refresh_from_db()
    assert first.is_active
    assert set(Candidate.objects.values_list("segment__run", flat=True)) == {first.pk}
    [(level, text)] = messages_of(response)
    assert level == "success"
    assert text.startswith(f"Assigned all 24 candidates with run {first.pk}")
    assert "Segment 0: 12, Segment 1: 12" in text


def test_assign_with_two_selected_runs_is_an_error(client, trainer):
    make_groups(per_group=3)
    runs = [segmentation_train(n_clusters=2), segmentation_train(n_clusters=2)]
    client.force_login(trainer)
    response = client.post(
        RUNS,
        {"action": "assign_segments_with_selected_run", "_selected_action": [r.pk for r in runs]},
        follow=True,
    )
    assert messages_of(response) == [("error", "Select exactly one run to assign segments with.")]
    assert not SegmentationRun.objects.filter(is_active=True).exists()
    assert not Candidate.objects.filter(segment__isnull=False).exists()


def test_assign_with_a_missing_model_file_is_an_error(client, trainer):
    make_groups(per_group=3)
    run = segmentation_train(n_clusters=2)
    Path(run.artifact_path).unlink()
    client.force_login(trainer)
    response = client.post(
        RUNS,
        {"action": "assign_segments_with_selected_run", "_selected_action": [run.pk]},
        follow=True,
    )
    assert response.status_code == 200
    [(level, _)] = messages_of(response)
    assert level == "error"
    run.refresh_from_db()
    assert not run.is_active
    assert not Candidate.objects.filter(segment__isnull=False).exists()


def test_staff_without_permission_cannot_assign(client, staff_user):
    make_groups(per_group=3)
    run = segmentation_train(n_clusters=2)
    client.force_login(staff_user)
    assert "assign_segments_with_selected_run" not in client.get(RUNS).content.decode()
    client.post(RUNS, {"action": "assign_segments_with_selected_run", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert not run.is_active
    assert not Candidate.objects.filter(segment__isnull=False).exists()


def test_segment_rename_changes_only_the_name(client, superuser):
    make_groups(per_group=3)
    segmentation_assign(run=segmentation_train(n_clusters=2))
    segment = Segment.objects.first()
    before = (segment.run_id, segment.number, segment.size, segment.profile)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:segmentation_segment_change", args=[segment.pk]),
        {"name": "Senior data people", "size": 999, "number": 7, "profile": "{}"},
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Senior data people"
    assert (segment.run_id, segment.number, segment.size, segment.profile) == before


def test_staff_without_change_permission_cannot_rename(client, staff_user):
    make_groups(per_group=3)
    segment = segmentation_train(n_clusters=2).segments.first()
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:segmentation_segment_change", args=[segment.pk]), {"name": "Hacked"}
    )
    assert response.status_code == 403
    segment.refresh_from_db()
    assert segment.name == "Segment 0"


def test_segment_profile_is_readable_and_escaped(client, superuser):
    run = SegmentationRun.objects.create(status="trained", n_clusters=1)
    segment = Segment.objects.create(
        run=run,
        number=0,
        size=1234,
        profile={
            "size": 1234,
            "share": 0.5,
            "years_experience": {"mean": 7.5, "median": 6.0, "known": 1200},
            "top_location": [["<script>alert(1)</script>", 600, 0.486]],
            "top_education_level": [["some_college", 700, 0.567], ["(blank)", 100, 0.081]],
        },
    )
    client.force_login(superuser)
    content = client.get(
        reverse("admin:segmentation_segment_change", args=[segment.pk])
    ).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (49%)" in content
    assert "median 6.0, mean 7.5 (1,200 known)" in content
    assert "1,234 (50% of candidates)" in content
    assert "Some college (57%), (blank) (8%)" in content
