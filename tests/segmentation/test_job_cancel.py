"""Jobs nobody runs time out, anyone allowed can cancel one, and a job's end tells the truth."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from segmentation.jobs.execute import JobCancelledError, segmentation_job_execute
from segmentation.jobs.start import (
    segmentation_job_cancel,
    segmentation_job_start,
    segmentation_jobs_recover_stale,
)
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import assert_assignments_true, segments_now

pytestmark = pytest.mark.django_db
Kind = SegmentationJob.Kind
Status = SegmentationJob.Status


def _train_job(user=None) -> SegmentationJob:
    return segmentation_job_start(
        kind=Kind.TRAIN, user=user, config=ClusteringConfig.from_dict({"n_clusters": 3})
    )


def test_a_queued_job_no_worker_takes_times_out_and_frees_the_queue(grouped_candidates, settings):
    settings.ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS = 60
    stuck = _train_job()
    SegmentationJob.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    # The next request settles it and goes ahead.
    nxt = _train_job()
    stuck.refresh_from_db()
    assert (stuck.status, stuck.in_progress) == (Status.FAILED, False)
    assert "No worker started it within 60 s" in stuck.error and "db_worker" in stuck.error
    assert nxt.in_progress


def test_a_queued_job_is_cancelled_at_once_from_the_command(grouped_candidates):
    job = _train_job()
    out = StringIO()
    call_command("segmentation_jobs", "--cancel", str(job.pk), stdout=out)
    job.refresh_from_db()
    assert (job.status, job.in_progress) == (Status.CANCELLED, False)
    assert "cancelled before it started" in out.getvalue()
    # The worker that finally gets the task leaves it alone.
    assert segmentation_job_execute(job_id=job.pk).status == Status.CANCELLED
    assert not SegmentationRun.objects.exists()


def test_cancelling_from_the_page_needs_the_permission(
    client, grouped_candidates, staff_user, superuser
):
    job = _train_job()
    client.force_login(staff_user)
    assert client.post(reverse("segmentation-job-cancel", args=[job.pk])).status_code == 403
    client.force_login(superuser)
    page = client.get(reverse("segments")).content.decode()
    assert 'id="job-cancel"' in page
    response = client.post(reverse("segmentation-job-cancel", args=[job.pk]), follow=True)
    assert "was cancelled before it started" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Status.CANCELLED


def test_a_running_activation_cancelled_before_its_commit_changes_nothing(grouped_candidates):
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    before = segments_now()
    second = segmentation_train(n_clusters=2)
    job = segmentation_job_start(kind=Kind.ACTIVATE, run=second)

    def cancel_when(stage: str) -> None:
        # Someone presses "Cancel" while the job loads the model.
        if stage == "load model":
            segmentation_job_cancel(job=SegmentationJob.objects.get(pk=job.pk), user=None)

    with pytest.raises(JobCancelledError):
        segmentation_job_execute(job_id=job.pk, on_stage=cancel_when)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and "Cancelled before the stage" in job.error
    assert SegmentationRun.objects.get(is_active=True) == first
    assert segments_now() == before
    assert_assignments_true()


def test_a_job_that_has_ended_cannot_be_cancelled(grouped_candidates):
    job = _train_job()
    segmentation_job_execute(job_id=job.pk)
    with pytest.raises(SegmentationInputError, match="has already ended"):
        segmentation_job_cancel(job=SegmentationJob.objects.get(pk=job.pk), user=None)


def test_a_job_killed_after_its_activation_committed_is_reported_as_succeeded(
    grouped_candidates, settings
):
    run = segmentation_train(n_clusters=3)
    job = segmentation_job_start(kind=Kind.ACTIVATE, run=run)
    started = timezone.now() - timedelta(minutes=5)
    # The worker claimed it, activated the run, then died before recording the end.
    SegmentationJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=started, heartbeat_at=started
    )
    segmentation_activate(run=run)
    assert segmentation_jobs_recover_stale() == 1
    job.refresh_from_db()
    assert (job.status, job.in_progress) == (Status.SUCCEEDED, False)
    assert f"run {run.pk} became active" in job.error


def test_a_job_killed_before_its_activation_committed_is_reported_as_failed(grouped_candidates):
    run = segmentation_train(n_clusters=3)
    job = segmentation_job_start(kind=Kind.ACTIVATE, run=run)
    started = timezone.now() - timedelta(minutes=5)
    SegmentationJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=started, heartbeat_at=started
    )
    assert segmentation_jobs_recover_stale() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "previous segmentation is still active" in job.error
