"""A job's progress in words: the stage a person reads and where it stands."""

from __future__ import annotations

from segmentation.ml.stages import job_stages
from segmentation.models import SegmentationJob
from segmentation.presenters.jobs import job_stage_text

Status = SegmentationJob.Status


def _job(**fields) -> SegmentationJob:
    return SegmentationJob(kind=SegmentationJob.Kind.TRAIN, **fields)


def test_a_running_training_names_its_stage_and_step():
    stages = job_stages(train=True, activate=False)
    job = _job(
        status=Status.RUNNING,
        stage="fit",
        stages_done=stages.index("fit"),
        stages_total=len(stages),
    )
    assert job_stage_text(job) == f"Finding segments, step 3 of {len(stages)}"


def test_a_queued_job_waits_for_the_worker():
    assert job_stage_text(_job(status=Status.QUEUED)) == "Waiting for the worker…"


def test_a_job_that_has_not_reached_a_stage_is_starting():
    assert job_stage_text(_job(status=Status.RUNNING, stages_total=4)) == "Starting…"


def test_the_last_stage_never_reads_past_the_total():
    job = _job(status=Status.RUNNING, stage="write", stages_done=4, stages_total=4)
    assert job_stage_text(job) == "Saving each candidate's segment, step 4 of 4"
