"""A job run by the real background worker is recorded as the worker's, for the person who asked."""

from __future__ import annotations

from audit.kinds import AuditKind
from audit.models import AuditEntry
from segmentation.jobs.start import segmentation_job_start
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationJob, SegmentationRun
from tests.worker import wait_for


def test_the_worker_records_training_and_activation_for_the_requester(
    worker, grouped_candidates, superuser
):
    job = segmentation_job_start(
        kind=SegmentationJob.Kind.TRAIN,
        user=superuser,
        config=ClusteringConfig.from_dict({"n_clusters": 3}),
        activate=True,
    )
    wait_for(
        lambda: not SegmentationJob.objects.get(pk=job.pk).in_progress,
        timeout=120,
        what="the training job",
        worker=worker,
    )
    run = SegmentationRun.objects.get(is_active=True)
    entries = AuditEntry.objects.order_by("id")
    assert [(e.kind, e.username, e.via, e.object_id) for e in entries] == [
        (AuditKind.TRAINING_STARTED, "root", "worker", str(run.pk)),
        (AuditKind.TRAINING_FINISHED, "root", "worker", str(run.pk)),
        (AuditKind.RUN_ACTIVATED, "root", "worker", str(run.pk)),
    ]
    assert entries.last().details["candidates"] == len(grouped_candidates) == 90
