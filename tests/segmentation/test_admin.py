"""Segmentation admin: read-only runs and jobs, the train form and the assign action (both start
a background job), renaming segments.

Each job an admin request queues is then run with ``segmentation_job_execute``, the code the
worker runs, in this process: what the user gets when the worker has done its work.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from segmentation.jobs.execute import segmentation_job_execute
from segmentation.ml.errors import ArtifactError
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.admin_messages import SEGMENTS_PAGE_LINK, job_queued, messages_of
from tests.assignments import assigned, runs_of_candidates, unassigned
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

RUNS = reverse("admin:segmentation_segmentationrun_changelist")
TRAIN = reverse("admin:segmentation_segmentationrun_train")
SEGMENTS = reverse("admin:segmentation_segment_changelist")
JOBS = reverse("admin:segmentation_segmentationjob_changelist")


def post_assign_action(client, runs: list[SegmentationRun]):
    return client.post(
        RUNS,
        {"action": "activate_selected_run", "_selected_action": [r.pk for r in runs]},
        follow=True,
    )


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
    segmentation_activate(run=run)
    segment = run.segments.first()
    job = SegmentationJob.objects.create(kind="activate", run=run, parameters={"run": run.pk})
    client.force_login(request.getfixturevalue(user_fixture))
    for url in [
        RUNS,
        run_url(run),
        SEGMENTS,
        SEGMENTS + f"?run__id__exact={run.pk}&q=Segment",
        reverse("admin:segmentation_segment_change", args=[segment.pk]),
        JOBS,
        JOBS + "?status__exact=queued&kind__exact=assign",
        reverse("admin:segmentation_segmentationjob_change", args=[job.pk]),
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
    segmentation_activate(run=active)
    old = segmentation_train(n_clusters=2)
    client.force_login(superuser)

    assert client.post(run_url(active, "delete"), {"post": "yes"}).status_code == 403
    response = client.post(
        RUNS, {"action": "delete_selected", "_selected_action": [active.pk], "post": "yes"}
    )
    assert "Cannot delete" in response.content.decode()
    assert "activate another run first" in response.content.decode()
    assert SegmentationRun.objects.filter(pk=active.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(run_url(old, "delete"), {"post": "yes"})
    assert list(SegmentationRun.objects.all()) == [active]
    assert not unassigned().exists()
    # The deleted run's model file goes with it; the active run's stays.
    assert not Path(old.artifact_path).exists()
    assert Path(active.artifact_path).exists()


def test_train_button_and_form_need_the_permission(client, staff_user, trainer):
    client.force_login(staff_user)
    assert TRAIN not in client.get(RUNS).content.decode()
    assert client.get(TRAIN).status_code == 403
    make_groups(per_group=3)
    assert client.post(TRAIN, {"n_clusters": 2, "activate": "on"}).status_code == 403
    assert not SegmentationJob.objects.exists()

    client.force_login(trainer)
    assert TRAIN in client.get(RUNS).content.decode()
    assert client.get(TRAIN).status_code == 200


def test_train_form_offers_k_and_activation_unticked(client, trainer):
    client.force_login(trainer)
    response = client.get(TRAIN)
    content = response.content.decode()
    assert "Number of segments (k)" in content
    assert "Assign segments and make it active when training finishes" in content
    assert 'type="checkbox" name="activate"' in content
    # Activation is a deliberate choice: the box starts unticked.
    assert 'id="id_activate" checked' not in content
    assert '<input type="checkbox" name="activate" disabled' not in content
    assert SEGMENTS_PAGE_LINK in content


def test_train_form_starts_a_job_that_trains_assigns_and_activates(client, trainer):
    make_groups()
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": 3, "activate": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == RUNS
    job, text = job_queued(response, "train", only=True)
    assert text.startswith(f"Training with k=3 started in the background (job {job.pk})")
    assert text.endswith(
        "When it finishes, every candidate gets a segment from the new run, "
        "which becomes the active one."
    )
    assert job.created_by == trainer
    assert job.parameters["config"]["n_clusters"] == 3
    assert job.parameters["activate"] is True
    # Nothing is trained in the request: the worker does it.
    assert not SegmentationRun.objects.exists()

    segmentation_job_execute(job_id=job.pk)

    job.refresh_from_db()
    run = SegmentationRun.objects.get()
    assert (job.status, job.run, job.result["run"], job.result["total"]) == (
        "succeeded",
        run,
        run.pk,
        24,
    )
    assert (run.status, run.is_active, run.n_clusters, run.created_by) == (
        "trained",
        True,
        3,
        trainer,
    )
    assert sorted(run.segments.values_list("number", flat=True)) == [0, 1, 2]
    assert runs_of_candidates() == {run.pk}


def test_train_form_unticked_starts_a_job_that_only_trains(client, trainer):
    make_groups(per_group=3)
    client.force_login(trainer)
    # An unticked checkbox is absent from the POST.
    response = client.post(TRAIN, {"n_clusters": 2}, follow=True)

    job, text = job_queued(response, "train", only=True)
    assert text.startswith(f"Training with k=2 started in the background (job {job.pk})")
    assert text.endswith(
        "The new run will not be active until someone activates it, after reading how "
        "candidates would move."
    )
    assert job.parameters["activate"] is False

    segmentation_job_execute(job_id=job.pk)

    run = SegmentationRun.objects.get()
    assert (run.status, run.is_active, run.n_clusters) == ("trained", False, 2)
    assert not assigned().exists()


@pytest.mark.parametrize("k", ["1", "51", "five"])
def test_train_form_refuses_k_out_of_range(client, trainer, k):
    make_groups(per_group=3)
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": k, "activate": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["n_clusters"]
    assert not SegmentationJob.objects.exists()


def test_train_form_with_no_candidates_is_an_error_message(client, trainer):
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": 2, "activate": "on"})
    assert response.status_code == 200
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "no candidates" in text
    assert not SegmentationJob.objects.exists()


def test_train_form_with_k_above_candidates_is_an_error_message(client, trainer):
    make_groups(per_group=2)
    client.force_login(trainer)
    response = client.post(TRAIN, {"n_clusters": 5, "activate": "on"})
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "Cannot make 5 segments from 4 candidate(s)" in text
    assert not SegmentationJob.objects.exists()


def test_train_form_is_csrf_protected(trainer):
    make_groups(per_group=3)
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    assert client.post(TRAIN, {"n_clusters": 2}).status_code == 403
    assert not SegmentationJob.objects.exists()


def test_second_job_is_refused_while_one_is_queued_and_allowed_after(client, trainer):
    make_groups(per_group=3)
    run = segmentation_train(n_clusters=2)
    client.force_login(trainer)
    first, _ = job_queued(client.post(TRAIN, {"n_clusters": 2}, follow=True), "train", only=True)

    refusals = [
        client.post(TRAIN, {"n_clusters": 3, "activate": "on"}),
        post_assign_action(client, [run]),
    ]
    for response in refusals:
        [(level, text)] = messages_of(response)
        assert level == "error"
        assert text.startswith(
            f"Only one segmentation job runs at a time and job {first.pk} "
            "(train with k=2, started by trainer at "
        )
        assert text.endswith(") is queued. Wait for it to finish, then try again.")
    assert list(SegmentationJob.objects.all()) == [first]
    assert DBTaskResult.objects.count() == 1

    segmentation_job_execute(job_id=first.pk)
    response = post_assign_action(client, [run])
    assert messages_of(response)[0][0] == "success"
    assert SegmentationJob.objects.filter(in_progress=True).get().kind == "activate"


def test_assign_with_selected_run_starts_a_job_that_activates_it(client, trainer):
    make_groups()
    first = segmentation_train(n_clusters=2)
    segmentation_train(n_clusters=3)
    client.force_login(trainer)
    response = post_assign_action(client, [first])

    job, text = job_queued(response, "activate", only=True)
    assert text == (
        f"Activating run {first.pk} started in the background (job {job.pk}): "
        f"follow it on the {SEGMENTS_PAGE_LINK}. "
        "Candidates keep their current segments until it finishes."
    )
    # The admin action activates on the configured engine (ADFLUX_ENGINE), recorded when asked.
    assert (job.run, job.parameters, job.created_by) == (
        first,
        {"run": first.pk, "engine": "local"},
        trainer,
    )
    assert not assigned().exists()

    segmentation_job_execute(job_id=job.pk)

    first.refresh_from_db()
    job.refresh_from_db()
    assert first.is_active
    assert runs_of_candidates() == {first.pk}
    assert job.status == "succeeded"
    assert (job.result["total"], job.result["counts"]) == (
        24,
        {segment.name: 12 for segment in first.segments.all()},
    )


def test_assign_with_two_selected_runs_is_an_error(client, trainer):
    make_groups(per_group=3)
    runs = [segmentation_train(n_clusters=2), segmentation_train(n_clusters=2)]
    client.force_login(trainer)
    response = post_assign_action(client, runs)
    assert messages_of(response) == [("error", "Select exactly one run to activate.")]
    assert not SegmentationJob.objects.exists()


def test_assign_with_an_untrained_run_is_an_error(client, trainer):
    failed = SegmentationRun.objects.create(status="failed", n_clusters=2)
    client.force_login(trainer)
    response = post_assign_action(client, [failed])
    assert messages_of(response) == [
        ("error", f"Only a trained run can be activated; run {failed.pk} is failed.")
    ]
    assert not SegmentationJob.objects.exists()


def test_assign_with_a_missing_model_file_fails_in_the_job_and_changes_nothing(client, trainer):
    make_groups(per_group=3)
    run = segmentation_train(n_clusters=2)
    Path(run.artifact_path).unlink()
    client.force_login(trainer)
    job, _ = job_queued(post_assign_action(client, [run]), "activate", only=True)

    with pytest.raises(ArtifactError):
        segmentation_job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert f"The model file {run.artifact_path} is missing" in job.error
    job_page = reverse("admin:segmentation_segmentationjob_change", args=[job.pk])
    assert "is missing. Retrain the segmentation model" in client.get(job_page).content.decode()
    run.refresh_from_db()
    assert not run.is_active
    assert not assigned().exists()


def test_staff_without_permission_cannot_assign(client, staff_user):
    make_groups(per_group=3)
    run = segmentation_train(n_clusters=2)
    client.force_login(staff_user)
    assert "activate_selected_run" not in client.get(RUNS).content.decode()
    post_assign_action(client, [run])
    assert not SegmentationJob.objects.exists()


def test_job_admin_is_read_only_and_shows_what_was_asked_and_done(client, superuser):
    make_groups(per_group=3)
    client.force_login(superuser)
    job, _ = job_queued(client.post(TRAIN, {"n_clusters": 2}, follow=True), "train", only=True)
    segmentation_job_execute(job_id=job.pk)
    job.refresh_from_db()

    change = reverse("admin:segmentation_segmentationjob_change", args=[job.pk])
    delete = reverse("admin:segmentation_segmentationjob_delete", args=[job.pk])
    listing = client.get(JOBS).content.decode()
    for shown in [change, "Train", "Succeeded", "100%", "root"]:
        assert shown in listing, shown
    content = client.get(change).content.decode()
    assert 'name="_save"' not in content
    assert delete not in content
    assert "&quot;n_clusters&quot;: 2" in content  # parameters
    assert f"<th>run</th><td>{job.run_id}</td>" in content  # result

    assert client.get(reverse("admin:segmentation_segmentationjob_add")).status_code == 403
    assert client.post(change, {"status": "queued", "kind": "activate"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    job.refresh_from_db()
    assert (job.status, job.kind) == ("succeeded", "train")


def test_segment_rename_changes_only_the_name(client, superuser):
    make_groups(per_group=3)
    segmentation_activate(run=segmentation_train(n_clusters=2))
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
    name = segment.name
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:segmentation_segment_change", args=[segment.pk]), {"name": "Hacked"}
    )
    assert response.status_code == 403
    segment.refresh_from_db()
    assert (segment.name, segment.name_is_custom) == (name, False)


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
    assert "median 6, mean 7.5 (1,200 known)" in content
    assert "1,234 (50% of candidates)" in content
    assert "Some college (57%), (blank) (8%)" in content
