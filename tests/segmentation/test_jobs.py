"""Background segmentation jobs, run by a real ``db_worker`` process on the test database."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from candidates.services.generation import candidates_generate
from segmentation.jobs.execute import segmentation_job_execute
from segmentation.jobs.start import (
    JobConflictError,
    segmentation_job_start,
    segmentation_jobs_recover_stale,
)
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import runs_of_candidates, segments_now
from tests.worker import ROOT, other_process_env, wait_for

Kind = SegmentationJob.Kind
Status = SegmentationJob.Status


def _config(k: int = 3, **fields) -> ClusteringConfig:
    return ClusteringConfig.from_dict({"n_clusters": k, **fields})


def _segments_by_candidate() -> dict[int, int | None]:
    return segments_now()


def _finished(job: SegmentationJob):
    return lambda: not SegmentationJob.objects.get(pk=job.pk).in_progress


def test_a_second_job_is_refused_while_one_is_queued(grouped_candidates, superuser):
    first = segmentation_job_start(kind=Kind.TRAIN, user=superuser, config=_config())
    with pytest.raises(JobConflictError) as refused:
        segmentation_job_start(kind=Kind.TRAIN, user=superuser, config=_config(4))
    message = str(refused.value)
    assert "Only one segmentation job runs at a time" in message
    assert f"job {first.pk}" in message and "queued" in message and "k=3" in message
    assert list(SegmentationJob.objects.values_list("pk", flat=True)) == [first.pk]


def test_too_few_candidates_is_refused_before_anything_is_queued(grouped_candidates):
    with pytest.raises(SegmentationInputError, match=r"95 segments from 90 candidate"):
        segmentation_job_start(kind=Kind.TRAIN, config=_config(95))
    assert not SegmentationJob.objects.exists()


def test_a_job_is_run_once_even_if_its_task_is_delivered_twice(grouped_candidates):
    job = segmentation_job_start(kind=Kind.TRAIN, config=_config(), activate=True)
    segmentation_job_execute(job_id=job.pk)
    segmentation_job_execute(job_id=job.pk)
    assert SegmentationRun.objects.count() == 1
    assert SegmentationJob.objects.get(pk=job.pk).status == Status.SUCCEEDED


def test_the_worker_trains_assigns_and_activates(worker, grouped_candidates, superuser):
    ids, _ = grouped_candidates
    job = segmentation_job_start(kind=Kind.TRAIN, user=superuser, config=_config(), activate=True)
    assert job.status == Status.QUEUED and job.task_id

    wait_for(_finished(job), timeout=120, what="the training job", worker=worker)

    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED, job.error
    run = SegmentationRun.objects.get(is_active=True)
    assert job.run == run and run.created_by == superuser and run.n_clusters == 3
    assert job.result["total"] == len(ids) == sum(job.result["counts"].values())
    assigned = runs_of_candidates()
    assert assigned == {run.pk}
    assert job.stages_done == job.stages_total


def test_a_failed_job_says_why_and_leaves_the_active_run(worker, grouped_candidates):
    old = segmentation_train(config=_config())
    segmentation_activate(run=old)
    before = _segments_by_candidate()
    newer = segmentation_train(config=_config(4))
    Path(newer.artifact_path).write_bytes(b"tampered")  # its checksum no longer matches

    job = segmentation_job_start(kind=Kind.ACTIVATE, run=newer)
    wait_for(_finished(job), timeout=60, what="the assignment job", worker=worker)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "SHA-256" in job.error or "checksum" in job.error
    assert SegmentationRun.objects.get(is_active=True) == old
    assert _segments_by_candidate() == before


def test_a_worker_killed_mid_job_changes_nothing_and_is_recovered(worker, settings):
    candidates_generate(count=20_000, seed=7)
    old = segmentation_train(config=_config(5))
    segmentation_activate(run=old)
    before = _segments_by_candidate()
    # Long enough to be caught in the act: 30 segments, 20 starts, every candidate (~7 s).
    slow = _config(30, n_init=20, fit_sample_size=None)
    job = segmentation_job_start(kind=Kind.TRAIN, config=slow, activate=True)

    def fitting():
        return SegmentationJob.objects.get(pk=job.pk).stage == "fit"

    wait_for(fitting, timeout=60, what="the job to start fitting", worker=worker)
    worker.kill()

    job.refresh_from_db()
    assert job.status == Status.RUNNING  # nobody was left to say otherwise
    with pytest.raises(JobConflictError):
        segmentation_job_start(kind=Kind.TRAIN, config=_config(5))
    time.sleep(settings.ADFLUX_JOB_TIMEOUT_SECONDS + 0.5)

    assert segmentation_jobs_recover_stale() == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "stopped responding" in job.error
    assert job.run.status == SegmentationRun.Status.FAILED
    assert SegmentationRun.objects.get(is_active=True) == old
    assert _segments_by_candidate() == before
    # Training can start again.
    assert segmentation_job_start(kind=Kind.TRAIN, config=_config(5)).status == Status.QUEUED


REQUEST_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from segmentation.jobs.start import JobConflictError, segmentation_job_start
    from segmentation.models import SegmentationJob
    from segmentation.ml.pipeline import ClusteringConfig
    go = float(sys.argv[1])
    time.sleep(max(0.0, go - time.time()))
    try:
        job = segmentation_job_start(
            kind=SegmentationJob.Kind.TRAIN, config=ClusteringConfig.from_dict({"n_clusters": 3})
        )
    except JobConflictError as exc:
        print("refused:", exc)
    else:
        print("queued:", job.pk)
    """
)


def test_four_simultaneous_training_requests_queue_exactly_one(transactional_db):
    from tests.ml.conftest import make_profiles
    from tests.segmentation.conftest import store_profiles

    store_profiles(make_profiles(10, seed=1)[0])
    env = other_process_env()
    go = time.time() + 4  # every process is loaded and waiting by then
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", REQUEST_SCRIPT, str(go)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    queued = [out for out in outputs if out.startswith("queued:")]
    refused = [out for out in outputs if out.startswith("refused:")]
    assert len(queued) == 1 and len(refused) == 3, outputs
    assert all("Only one segmentation job runs at a time" in out for out in refused)
    assert SegmentationJob.objects.count() == 1


def test_sigterm_lets_the_worker_finish_its_job(worker, grouped_candidates):
    job = segmentation_job_start(kind=Kind.TRAIN, config=_config(), activate=True)

    def started():
        return SegmentationJob.objects.get(pk=job.pk).status != Status.QUEUED

    wait_for(started, timeout=60, what="the job to start", worker=worker)
    worker.process.send_signal(signal.SIGTERM)
    worker.process.wait(timeout=120)
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED, job.error
