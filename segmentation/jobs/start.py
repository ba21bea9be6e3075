"""Starting segmentation jobs: checked at once, then queued for the worker or run here.

Every door that trains or activates (admin action, page, command) goes through here, so the
rule "one job at a time" is kept by one database constraint (``one_job_in_progress``) whatever
the process: a second insert fails, on SQLite and PostgreSQL alike, and the caller gets a
``JobConflictError`` that says what is already running. The direction is start -> task ->
execute; nothing imports back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import Candidate
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.stages import job_stages
from segmentation.ml.timing import StageListener
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.permissions import CANCEL_PERMISSION
from segmentation.presenters.jobs import job_describe

if TYPE_CHECKING:
    from segmentation.ml.pipeline import ClusteringConfig

# The running half of jobs (execute, tasks, the services and the ML core they load) is imported
# inside the functions that need it: the admin imports this module when Django starts, and a
# manage.py command that trains nothing must not wait for scikit-learn (docs/benchmarks.md).

Status = SegmentationJob.Status
Kind = SegmentationJob.Kind


class JobConflictError(SegmentationInputError):
    """Another segmentation job is queued or running."""


def segmentation_jobs_recover_stale() -> int:
    """Settle jobs whose worker went silent or never came; returns how many.

    A worker killed mid-job stops writing heartbeats. If it died before its activation
    committed, nothing changed (assignments commit in one transaction) and the job failed; if
    after, its run is active and the job succeeded, whatever the worker managed to record. A job
    queued for longer than ``ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS`` has no worker to run it and
    fails, so it cannot block every training and activation for ever.
    """
    from segmentation.jobs.execute import job_activation_committed, job_finish

    now = timezone.now()
    timeout = settings.ADFLUX_JOB_TIMEOUT_SECONDS
    recovered = 0
    silent = SegmentationJob.objects.filter(
        status=Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=timeout)
    ).select_related("run")
    for job in silent:
        silent_since = timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
        if job_activation_committed(job):
            recovered += job_finish(
                job,
                Status.SUCCEEDED,
                result={"run": job.run_id, "recovered": True},
                error=f"The worker stopped responding after {silent_since}, but only after "
                f"run {job.run_id} became active: the activation is complete.",
                only_if_running=True,
            )
            continue
        reason = (
            f"The worker stopped responding: no heartbeat since {silent_since} (the timeout is "
            f"{timeout:g} s), so it was probably stopped. The previous segmentation is still "
            "active; start the job again."
        )
        recovered += job_finish(job, Status.FAILED, error=reason, only_if_running=True)
    queue_timeout = settings.ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS
    waiting = SegmentationJob.objects.filter(
        status=Status.QUEUED, created_at__lt=now - timedelta(seconds=queue_timeout)
    )
    for job in waiting:
        reason = (
            f"No worker started it within {queue_timeout:g} s: is the background worker "
            "(manage.py db_worker) running? Nothing was changed; start the job again."
        )
        recovered += job_finish(job, Status.FAILED, error=reason, only_if_queued=True)
    # A run still "running" with no job in progress belongs to a dead job (every training goes
    # through a job); it will never finish.
    if not SegmentationJob.objects.filter(in_progress=True).exists():
        SegmentationRun.objects.filter(status=SegmentationRun.Status.RUNNING).update(
            status=SegmentationRun.Status.FAILED,
            error="Its job stopped before training finished.",
            finished_at=timezone.now(),
        )
    return recovered


def segmentation_job_cancel(*, job: SegmentationJob, user: AbstractBaseUser | None) -> str:
    """Cancel a queued job at once, or ask a running one to stop; what happened, in a sentence.

    A running job stops at its next stage and rolls back what it had not committed, so its
    final state is what really happened: an activation cancelled before its commit changed
    nothing; one that had already committed is reported as succeeded.
    """
    if user is not None and not user.has_perm(CANCEL_PERMISSION):
        raise SegmentationInputError(
            f"{user} may not cancel segmentation jobs: that needs the permission "
            "'Can train a segmentation model' (the Data admin group has it)."
        )
    from segmentation.jobs.execute import job_finish

    who = f" by {user}" if user is not None and user.is_authenticated else ""
    if not job.in_progress:
        raise SegmentationInputError(f"Job {job.pk} has already ended ({job.status}).")
    if job.status == Status.QUEUED and job_finish(
        job, Status.CANCELLED, error=f"Cancelled{who} before it started.", only_if_queued=True
    ):
        return f"Job {job.pk} was cancelled before it started; nothing was changed."
    by = user if user is not None and user.is_authenticated else None
    SegmentationJob.objects.filter(pk=job.pk, in_progress=True).update(
        cancel_requested_at=timezone.now(), cancel_requested_by=by
    )
    # A running job whose worker is gone cannot see the request; settle it now.
    segmentation_jobs_recover_stale()
    return (
        f"Job {job.pk} will stop at its next stage; whatever it had not yet committed is "
        "rolled back."
    )


def segmentation_job_start(
    *,
    kind: str,
    user: AbstractBaseUser | None = None,
    config: ClusteringConfig | None = None,
    run: SegmentationRun | None = None,
    activate: bool = False,
    k_range: tuple[int, int] | None = None,
    retarget: dict[int, list[int]] | None = None,
    engine: str | None = None,
) -> SegmentationJob:
    """Check the request, record a queued job and hand it to the background worker.

    A training job with ``activate`` also assigns every candidate with the new run and makes it
    the active one, in the same job; without it (the default) the run waits to be activated.
    Whatever activates needs ``segmentation.activate_segmentation`` when a user is given.
    ``engine`` (default ``ADFLUX_ENGINE``) is where a training runs, and where an activation
    computes everyone's segment again when its run's rows were pruned.

    Refused with a clear message when another job is queued or running, when there are too
    few candidates for k, or when the run to assign has no trained model.
    """
    # The job row and its task row are written in one transaction: the task queue is this same
    # database, so the worker never sees a task without its job, nor is a job left queued with
    # no task if this process dies in between (what transaction.on_commit would risk).
    from segmentation.jobs.tasks import segmentation_job_task

    with transaction.atomic():
        job = _job_create(
            kind=kind,
            user=user,
            config=config,
            run=run,
            activate=activate,
            k_range=k_range,
            retarget=retarget,
            engine=engine,
        )
        result = segmentation_job_task.enqueue(job.pk)
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
    on_stage: StageListener | None = None,
    k_range: tuple[int, int] | None = None,
    engine: str | None = None,
) -> SegmentationJob:
    """Record a job and run it in this process (the management commands), under the same rule."""
    job = _job_create(
        kind=kind,
        user=user,
        config=config,
        run=run,
        activate=activate,
        k_range=k_range,
        engine=engine,
    )
    from segmentation.jobs.execute import segmentation_job_execute

    return segmentation_job_execute(job_id=job.pk, on_stage=on_stage)


def _job_create(
    *,
    kind: str,
    user: AbstractBaseUser | None,
    config: ClusteringConfig | None,
    run: SegmentationRun | None,
    activate: bool,
    k_range: tuple[int, int] | None = None,
    retarget: dict[int, list[int]] | None = None,
    engine: str | None = None,
) -> SegmentationJob:
    from segmentation.engines import SPARK, engine_check
    from segmentation.ml.choose_k import k_range_check
    from segmentation.ml.pipeline import training_input_check
    from segmentation.services.activation import activation_permission_check, activation_run_check

    segmentation_jobs_recover_stale()
    parameters: dict[str, object] = {}
    activate_on_cluster = False
    if kind == Kind.ACTIVATE or (kind == Kind.TRAIN and activate):
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
        # Decided when asked, so a job queued before a settings change still runs where asked.
        parameters["engine"] = engine_check(engine or settings.ADFLUX_ENGINE)
        if parameters["engine"] == SPARK:
            from segmentation.services.spark_engine import spark_engine_check

            spark_engine_check()
    elif kind == Kind.ACTIVATE:
        parameters["run"] = activation_run_check(run).pk
        # The engine computes assignments only for a pruned run (everyone's segment again);
        # decided now, as for training, and refused now if it cannot serve that run.
        parameters["engine"] = engine_check(engine or settings.ADFLUX_ENGINE)
        if parameters["engine"] == SPARK and run.assignments_pruned:
            from segmentation.services.spark_engine import spark_engine_check

            spark_engine_check()
            activate_on_cluster = True
        if retarget:
            # JSON keys are strings; the job turns them back into campaign ids.
            parameters["retarget"] = {str(c): list(ids) for c, ids in retarget.items()}
    else:
        raise ValueError(f"Unknown job kind {kind!r}.")
    try:
        with transaction.atomic():
            return SegmentationJob.objects.create(
                kind=kind,
                parameters=parameters,
                run=run,
                created_by=user if user is not None and user.is_authenticated else None,
                stages_total=len(
                    job_stages(
                        train=kind == Kind.TRAIN,
                        activate=kind == Kind.ACTIVATE or activate,
                        choose_k=k_range is not None,
                        spark=parameters.get("engine") == SPARK,
                        activate_on_cluster=activate_on_cluster,
                    )
                ),
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
