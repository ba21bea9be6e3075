"""Running a segmentation job to its end: progress, heartbeats, and the state it ends in."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from segmentation.ml.errors import SegmentationError, SegmentationInputError
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.ml.timing import StageListener
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train

logger = logging.getLogger(__name__)

Status = SegmentationJob.Status
Kind = SegmentationJob.Kind


def segmentation_job_execute(
    *, job_id: int, on_stage: StageListener | None = None
) -> SegmentationJob:
    """Run a queued job to its end, writing progress and heartbeats as it goes.

    A job that is no longer queued (already run, or failed by recovery) is left alone, so a
    task delivered twice does the work once.
    """
    now = timezone.now()
    claimed = SegmentationJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, updated_at=now
    )
    job = SegmentationJob.objects.select_related("run", "created_by").get(pk=job_id)
    if not claimed:
        logger.warning("Job %s is %s, not queued: not run again.", job_id, job.status)
        return job

    progress = _JobProgress(job, on_stage)
    heartbeat = _Heartbeat(job.pk, interval=settings.ADFLUX_JOB_HEARTBEAT_SECONDS)
    heartbeat.start()
    result: dict[str, object] = {}
    try:
        run = job.run
        if job.kind == Kind.TRAIN:
            config = ClusteringConfig.from_dict(job.parameters["config"])
            k_range = job.parameters.get("k_range")
            run = segmentation_train(
                config=config,
                user=job.created_by,
                on_stage=progress,
                on_run=progress.link_run,
                k_range=tuple(k_range) if k_range else None,
                engine=job.parameters.get("engine"),
            )
            result = {"run": run.pk, "timings": run.timings}
        if job.kind == Kind.ACTIVATE or job.parameters.get("activate"):
            if run is None:
                raise SegmentationInputError("The run to activate was deleted before the job ran.")
            retarget = job.parameters.get("retarget") or {}
            assigned = segmentation_activate(
                run=run,
                user=job.created_by,
                on_stage=progress,
                retarget={int(campaign): ids for campaign, ids in retarget.items()},
                engine=job.parameters.get("engine"),
            )
            result = {
                "run": run.pk,
                "total": assigned.total,
                "counts": assigned.counts,
                "recomputed": assigned.recomputed,
                "on_cluster": assigned.on_cluster,
                "timings": {**dict(result.get("timings") or {}), **assigned.timings},
            }
    except JobCancelledError as exc:
        job_finish(job, Status.CANCELLED, error=str(exc))
        raise
    except BaseException as exc:
        if not isinstance(exc, SegmentationError):
            logger.exception("Segmentation job %s failed", job.pk)
        job_finish(job, Status.FAILED, error=str(exc) or exc.__class__.__name__)
        raise
    finally:
        heartbeat.stop()
    job_finish(job, Status.SUCCEEDED, result=result)
    job.refresh_from_db()
    return job


def job_finish(
    job: SegmentationJob,
    status: str,
    *,
    error: str = "",
    result: dict[str, object] | None = None,
    only_if_running: bool = False,
    only_if_queued: bool = False,
) -> int:
    jobs = SegmentationJob.objects.filter(pk=job.pk, in_progress=True)
    if only_if_running:
        jobs = jobs.filter(status=Status.RUNNING)
    if only_if_queued:
        jobs = jobs.filter(status=Status.QUEUED)
    now = timezone.now()
    done = {"stages_done": job.stages_total} if status == Status.SUCCEEDED else {}
    with transaction.atomic():
        changed = jobs.update(
            **done,
            status=status,
            in_progress=False,
            error=error,
            result=result or {},
            finished_at=now,
            updated_at=now,
        )
        if changed and status != Status.SUCCEEDED and job.run_id is not None:
            SegmentationRun.objects.filter(
                pk=job.run_id, status=SegmentationRun.Status.RUNNING
            ).update(status=SegmentationRun.Status.FAILED, error=error, finished_at=now)
    job.status, job.error, job.in_progress = status, error, False
    return changed


class JobCancelledError(SegmentationError):
    """Someone cancelled the job; it stopped at the start of a stage."""


def job_activation_committed(job: SegmentationJob) -> bool:
    """Whether the job's activation committed: its run is active since the job started."""
    activates = job.kind == Kind.ACTIVATE or bool((job.parameters or {}).get("activate"))
    if not activates or job.run_id is None or job.started_at is None:
        return False
    return SegmentationRun.objects.filter(
        pk=job.run_id, is_active=True, activated_at__gte=job.started_at
    ).exists()


class _JobProgress:
    """Stage listener that records the current stage on the job (and passes it on)."""

    def __init__(self, job: SegmentationJob, on_stage: StageListener | None) -> None:
        self._job = job
        self._on_stage = on_stage
        self._done = -1

    def __call__(self, stage: str) -> None:
        self._done += 1
        now = timezone.now()
        jobs = SegmentationJob.objects.filter(pk=self._job.pk, status=Status.RUNNING)
        jobs.update(
            stage=stage,
            stages_done=min(self._done, self._job.stages_total),
            heartbeat_at=now,
            updated_at=now,
        )
        # Raised inside the stage's transaction, so what it had begun is rolled back.
        requested = jobs.filter(cancel_requested_at__isnull=False)
        row = requested.values_list("cancel_requested_by__username").first()
        if row is not None:
            by = f" by {row[0]}" if row[0] else ""
            raise JobCancelledError(
                f"Cancelled{by} before the stage “{stage}”; nothing it had not committed was kept."
            )
        if self._on_stage is not None:
            self._on_stage(stage)

    def link_run(self, run: SegmentationRun) -> None:
        self._job.run = run
        SegmentationJob.objects.filter(pk=self._job.pk).update(run=run)


class _Heartbeat:
    """A thread that stamps the job every few seconds while the job's own thread works.

    Long stages (a K-means fit) call no listener for a while; the heartbeat is what tells a
    slow job from a dead one. It dies with the process, which is the point.
    """

    def __init__(self, job_id: int, *, interval: float) -> None:
        self._job_id = job_id
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat")
        self._thread.daemon = True

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stopped.wait(self._interval):
                try:
                    SegmentationJob.objects.filter(pk=self._job_id, status=Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except OperationalError:
                    # SQLite busy while the assignment commits: the next beat will do.
                    logger.info("Heartbeat of job %s skipped: database busy", self._job_id)
        finally:
            connection.close()
