"""Segmentation jobs: start one (refused while another is in progress), run it, recover dead ones.

Every door that trains or assigns (admin action, page, command) goes through here, so the rule
"one job at a time" is kept by one database constraint (``one_job_in_progress``) whatever the
process: a second insert fails, on SQLite and PostgreSQL alike, and the caller gets a
``JobConflictError`` that says what is already running.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from candidates.models import Candidate
from segmentation.activation import activation_permission_check, segmentation_activate
from segmentation.ml.choose_k import k_range_check
from segmentation.ml.errors import SegmentationError, SegmentationInputError
from segmentation.ml.pipeline import ClusteringConfig, training_input_check
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.progress import ASSIGN_STAGES, train_stages
from segmentation.services import segmentation_train

logger = logging.getLogger(__name__)

Status = SegmentationJob.Status
Kind = SegmentationJob.Kind


class JobConflictError(SegmentationInputError):
    """Another segmentation job is queued or running."""


def job_describe(job: SegmentationJob) -> str:
    """One line about a job, for refusals and status messages."""
    who = f" by {job.created_by}" if job.created_by else ""
    when = timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M:%S")
    what = job.get_kind_display().lower()
    if job.kind == Kind.TRAIN and job.parameters.get("config"):
        what += f" with {job_k_text(job.parameters)}"
    state = job.get_status_display().lower()
    if job.status == Status.RUNNING and job.stage:
        state += f" ({job.stage}, step {job.stages_done + 1} of {job.stages_total})"
    return f"job {job.pk} ({what}, started{who} at {when}) is {state}"


def job_k_text(parameters: dict[str, Any]) -> str:
    """How a training job gets its k: "k=5", or "k chosen automatically (2–12)"."""
    k_range = parameters.get("k_range")
    if k_range:
        return f"k chosen automatically ({k_range[0]}–{k_range[1]})"
    return f"k={(parameters.get('config') or {}).get('n_clusters')}"


def segmentation_jobs_recover_stale() -> int:
    """Mark running jobs whose worker went silent as failed; returns how many.

    A worker killed mid-job stops writing heartbeats. Its job cannot have changed any
    candidate's segment (assignments commit in one transaction), so failing it is all the
    recovery needed: the previous segmentation is still active, and a new job may start.
    """
    timeout = settings.ADFLUX_JOB_TIMEOUT_SECONDS
    cutoff = timezone.now() - timedelta(seconds=timeout)
    recovered = 0
    for job in SegmentationJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff):
        silent_since = timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
        reason = (
            f"The worker stopped responding: no heartbeat since {silent_since} (the timeout is "
            f"{timeout:g} s), so it was probably stopped. The previous segmentation is still "
            "active; start the job again."
        )
        recovered += _job_finish(job, Status.FAILED, error=reason, only_if_running=True)
    # A run still "running" with no job in progress belongs to a dead job (every training goes
    # through a job); it will never finish.
    if not SegmentationJob.objects.filter(in_progress=True).exists():
        SegmentationRun.objects.filter(status=SegmentationRun.Status.RUNNING).update(
            status=SegmentationRun.Status.FAILED,
            error="Its job stopped before training finished.",
            finished_at=timezone.now(),
        )
    return recovered


def segmentation_job_start(
    *,
    kind: str,
    user: AbstractBaseUser | None = None,
    config: ClusteringConfig | None = None,
    run: SegmentationRun | None = None,
    activate: bool = False,
    k_range: tuple[int, int] | None = None,
) -> SegmentationJob:
    """Check the request, record a queued job and hand it to the background worker.

    A training job with ``activate`` also assigns every candidate with the new run and makes it
    the active one, in the same job; without it (the default) the run waits to be activated.
    Whatever activates needs ``segmentation.activate_segmentation`` when a user is given.

    Refused with a clear message when another job is queued or running, when there are too
    few candidates for k, or when the run to assign has no trained model.
    """
    job = _job_create(
        kind=kind, user=user, config=config, run=run, activate=activate, k_range=k_range
    )
    from segmentation.tasks import segmentation_job_task

    try:
        result = segmentation_job_task.enqueue(job.pk)
    except BaseException as exc:
        _job_finish(job, Status.FAILED, error=f"Could not queue the job: {exc}")
        raise
    job.task_id = str(result.id)
    job.save(update_fields=["task_id", "updated_at"])
    return job


def segmentation_job_run_here(
    *,
    kind: str,
    user: AbstractBaseUser | None = None,
    config: ClusteringConfig | None = None,
    run: SegmentationRun | None = None,
    activate: bool = False,
    on_stage: Callable[[str], None] | None = None,
    k_range: tuple[int, int] | None = None,
) -> SegmentationJob:
    """Record a job and run it in this process (the management commands), under the same rule."""
    job = _job_create(
        kind=kind, user=user, config=config, run=run, activate=activate, k_range=k_range
    )
    return segmentation_job_execute(job_id=job.pk, on_stage=on_stage)


def _job_create(
    *,
    kind: str,
    user: AbstractBaseUser | None,
    config: ClusteringConfig | None,
    run: SegmentationRun | None,
    activate: bool,
    k_range: tuple[int, int] | None = None,
) -> SegmentationJob:
    segmentation_jobs_recover_stale()
    parameters: dict[str, object] = {}
    if kind == Kind.ASSIGN or (kind == Kind.TRAIN and activate):
        # Refused at the door; segmentation_activate asks again when the job runs.
        activation_permission_check(user)
    if kind == Kind.TRAIN:
        if config is None:
            raise ValueError("A training job needs a configuration.")
        # Refused now rather than in the worker: the user who asked reads the reason at once.
        if k_range is None:
            training_input_check(Candidate.objects.count(), config)
        else:
            k_range_check(Candidate.objects.count(), *k_range)
            # The configuration's k is a placeholder: the job chooses k in this range.
            parameters["k_range"] = list(k_range)
        parameters["config"] = config.to_dict()
        parameters["activate"] = activate
    elif kind == Kind.ASSIGN:
        if run is None:
            raise SegmentationInputError(
                "There is no trained segmentation model yet. Train one first "
                "(manage.py train_segments, or the admin action 'Train segmentation model')."
            )
        if run.status != SegmentationRun.Status.TRAINED:
            raise SegmentationInputError(
                f"Only a trained run can be assigned; run {run.pk} is {run.status}."
            )
        parameters["run"] = run.pk
    else:
        raise ValueError(f"Unknown job kind {kind!r}.")
    try:
        with transaction.atomic():
            return SegmentationJob.objects.create(
                kind=kind,
                parameters=parameters,
                run=run,
                created_by=user if user is not None and user.is_authenticated else None,
                stages_total=len(_stages_of(kind, activate=activate, choose_k=k_range is not None)),
            )
    except IntegrityError as exc:
        current = SegmentationJob.objects.filter(in_progress=True).select_related("created_by")
        holder = current.first()
        if holder is None:  # it finished between the insert and this read: tell the truth
            raise JobConflictError(
                "Another segmentation job was in progress a moment ago; try again."
            ) from exc
        raise JobConflictError(
            f"Only one segmentation job runs at a time and {job_describe(holder)}. "
            "Wait for it to finish, then try again."
        ) from exc


def _stages_of(kind: str, *, activate: bool, choose_k: bool = False) -> list[str]:
    if kind == Kind.TRAIN:
        training = train_stages(choose_k=choose_k)
        return [*training, *ASSIGN_STAGES] if activate else training
    return list(ASSIGN_STAGES)


def segmentation_job_execute(
    *, job_id: int, on_stage: Callable[[str], None] | None = None
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
            )
            result = {"run": run.pk, "timings": run.timings}
        if job.kind == Kind.ASSIGN or job.parameters.get("activate"):
            if run is None:
                raise SegmentationInputError("The run to assign was deleted before the job ran.")
            assigned = segmentation_activate(run=run, user=job.created_by, on_stage=progress)
            result = {
                "run": run.pk,
                "total": assigned.total,
                "counts": assigned.counts,
                "timings": {**dict(result.get("timings") or {}), **assigned.timings},
            }
    except BaseException as exc:
        if not isinstance(exc, SegmentationError):
            logger.exception("Segmentation job %s failed", job.pk)
        _job_finish(job, Status.FAILED, error=str(exc) or exc.__class__.__name__)
        raise
    finally:
        heartbeat.stop()
    _job_finish(job, Status.SUCCEEDED, result=result)
    job.refresh_from_db()
    return job


def _job_finish(
    job: SegmentationJob,
    status: str,
    *,
    error: str = "",
    result: dict[str, object] | None = None,
    only_if_running: bool = False,
) -> int:
    jobs = SegmentationJob.objects.filter(pk=job.pk, in_progress=True)
    if only_if_running:
        jobs = jobs.filter(status=Status.RUNNING)
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
        if changed and status == Status.FAILED and job.run_id is not None:
            SegmentationRun.objects.filter(
                pk=job.run_id, status=SegmentationRun.Status.RUNNING
            ).update(status=SegmentationRun.Status.FAILED, error=error, finished_at=now)
    job.status, job.error, job.in_progress = status, error, False
    return changed


class _JobProgress:
    """Stage listener that records the current stage on the job (and passes it on)."""

    def __init__(self, job: SegmentationJob, on_stage: Callable[[str], None] | None) -> None:
        self._job = job
        self._on_stage = on_stage
        self._done = -1

    def __call__(self, stage: str) -> None:
        self._done += 1
        now = timezone.now()
        SegmentationJob.objects.filter(pk=self._job.pk, status=Status.RUNNING).update(
            stage=stage,
            stages_done=min(self._done, self._job.stages_total),
            heartbeat_at=now,
            updated_at=now,
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
