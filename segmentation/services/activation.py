"""Activating a run: every candidate gets a segment from it and it becomes the active one.

Training only records a run with its migration summary (services/succession.py); a person who
holds ``segmentation.activate_segmentation`` (the Data admin group) reads the summary and
activates. Every door that activates (the page's button, the runs admin action, the candidate
admin's action, a training job told to activate, ``predict_segments``) ends here, and the
permission is asked here too, in case it was withdrawn while the job waited. The management
commands pass no user: whoever runs manage.py already holds the database.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.kinds import AuditKind
from audit.services import audit_record
from candidates.models import Candidate
from segmentation.engines import SPARK, engine_check
from segmentation.ml import stages
from segmentation.ml.artifacts import load_model, model_file_check
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.outliers import predict_with_distances
from segmentation.ml.pipeline import SegmentationPipeline
from segmentation.ml.timing import StageListener, StageTimer
from segmentation.models import Assignment, Segment, SegmentationRun
from segmentation.permissions import ACTIVATE_PERMISSION
from segmentation.selectors.assignments import candidates_total
from segmentation.selectors.features import candidate_features_load
from segmentation.selectors.runs import run_latest_trained
from segmentation.services.assignment_writes import (
    assignment_rows_insert,
    assignment_rows_set,
    segment_sizes_store,
)
from segmentation.services.locks import assignments_lock, changes_committed_before
from segmentation.services.spark_assignments import pruned_run_rows_write_on_spark
from segmentation.services.succession import segment_twins
from segmentation.services.unusual import unusual_candidates_refresh, unusual_candidates_replace
from segmentation.signals import run_activating

logger = logging.getLogger(__name__)

NO_TRAINED_RUN = (
    "There is no trained segmentation model yet. Train one first "
    "(manage.py train_segments, or the admin action 'Train segmentation model')."
)


class ActivationPermissionError(SegmentationInputError):
    """The person asking may not change which run is active."""


@dataclass(frozen=True)
class ActivationResult:
    run: SegmentationRun
    total: int
    counts: dict[str, int]
    timings: dict[str, float]
    # Candidates whose segment was computed again (changed since training, or a pruned run).
    recomputed: int = 0
    # Of those, the ones the Spark cluster computed (a pruned run activated on it).
    on_cluster: int = 0


def activation_permission_check(user: AbstractBaseUser | AnonymousUser | None) -> None:
    """Refuse a user without the activate permission; ``None`` is the command line."""
    if user is not None and not user.has_perm(ACTIVATE_PERMISSION):
        raise ActivationPermissionError(
            f"{user or 'An anonymous user'} may not activate a segmentation run: that needs the "
            "permission 'Can activate a segmentation run' (the Data admin group has it)."
        )


def activation_run_check(run: SegmentationRun | None) -> SegmentationRun:
    """The run, if it can be activated; otherwise a sentence saying why not."""
    if run is None:
        raise SegmentationInputError(NO_TRAINED_RUN)
    if run.status != SegmentationRun.Status.TRAINED:
        raise SegmentationInputError(
            f"Only a trained run can be activated; run {run.pk} is {run.status}."
        )
    return run


def segmentation_pipeline_load(run: SegmentationRun) -> SegmentationPipeline:
    """The run's fitted pipeline, refused unless its file matches the recorded checksum."""
    _trained_check(run)
    return load_model(Path(run.artifact_path), expected_sha256=run.artifact_sha256)


def segmentation_model_check(run: SegmentationRun) -> None:
    """Refuse a run whose model file could not be loaded, without loading it (milliseconds)."""
    _trained_check(run)
    model_file_check(
        Path(run.artifact_path),
        expected_sha256=run.artifact_sha256,
        sklearn_version=(run.library_versions or {}).get("scikit-learn"),
    )


def _trained_check(run: SegmentationRun) -> None:
    if run.status != SegmentationRun.Status.TRAINED or not run.artifact_path:
        raise SegmentationInputError(f"Run {run.pk} has no trained model (status: {run.status}).")


def segmentation_activate(
    *,
    run: SegmentationRun | None = None,
    user: AbstractBaseUser | None = None,
    on_stage: StageListener | None = None,
    retarget: dict[int, list[int]] | None = None,
    engine: str | None = None,
) -> ActivationResult:
    """Make ``run`` (default: the newest trained) the active one; every candidate follows.

    The run's assignment rows were written when it was trained, so activating it is a switch:
    in one transaction, holding the assignments lock, the candidates changed since those rows
    were computed (saved, imported) get fresh rows, whatever aims at the replaced run's segments
    is told their twins (``run_activating``: campaigns add the twins to their targets), and the
    active run switches. A run whose rows were pruned has every candidate predicted again. A
    failure at any point leaves the previous active run, and every row, as they were.

    ``retarget`` ({campaign id: segment ids of ``run``}) is what a person chose on the
    activation page for campaigns whose segment ends without a twin; it travels with the twins.

    ``engine`` (default ``ADFLUX_ENGINE``) matters only for a pruned run: on "spark" the
    cluster's executors write everyone's rows first, outside the lock, and the switch then
    recomputes here only the candidates changed since the cluster read them. If the cluster
    fails, its rows are removed and the run stays pruned (``SparkEngineError``).
    """
    activation_permission_check(user)
    engine = engine_check(engine or settings.ADFLUX_ENGINE)
    timer = StageTimer(on_stage)
    run = run or run_latest_trained()
    if run is None:
        raise SegmentationInputError(NO_TRAINED_RUN)
    with timer.stage(stages.LOAD_MODEL):
        # The file is checked now, so a run whose model could not serve the saves that follow
        # is refused; it is loaded (a tenth of a second) only if someone needs predicting or
        # the segments need matching.
        segmentation_model_check(run)
    pipeline = functools.cache(lambda: segmentation_pipeline_load(run))
    segments = list(run.segments.order_by("number"))
    segment_id_of = np.array([segment.pk for segment in segments], dtype=np.int64)
    retarget = _retarget_check(run, segments, retarget or {})
    on_cluster = 0
    if engine == SPARK:
        run.refresh_from_db(fields=["assignments_pruned"])
        if run.assignments_pruned:
            with timer.stage(stages.ASSIGN):
                on_cluster = pruned_run_rows_write_on_spark(run=run, pipeline=pipeline())
    with transaction.atomic():
        assignments_lock(exclusive=True)
        run.refresh_from_db(fields=["assignments_as_of", "assignments_pruned", "is_active"])
        # Rows computed now are current for every change committed before this point.
        current_as_of = changes_committed_before()
        with timer.stage(stages.READ):
            if run.assignments_pruned:
                features = candidate_features_load()
            else:
                features = candidate_features_load(candidate_ids=_changed_since(run, segments))
        with timer.stage(stages.PREDICT):
            labels, distances = (
                predict_with_distances(pipeline(), features)
                if len(features)
                else (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))
            )
        with timer.stage(stages.WRITE):
            if run.assignments_pruned:
                assignment_rows_insert(
                    run_id=run.pk, candidate_ids=features.ids, segment_ids=segment_id_of[labels]
                )
                _sizes_recount(segments, labels)
                unusual_candidates_replace(run=run, candidate_ids=features.ids, distances=distances)
            else:
                assignment_rows_set(
                    run_id=run.pk, candidate_ids=features.ids, segment_ids=segment_id_of[labels]
                )
                unusual_candidates_refresh(
                    run_id=run.pk, candidate_ids=features.ids, distances=distances
                )
            previous = SegmentationRun.objects.filter(is_active=True).exclude(pk=run.pk).first()
            if previous is not None:
                run_activating.send(
                    sender=SegmentationRun,
                    run=run,
                    previous=previous,
                    twins=segment_twins(run=run, pipeline=pipeline, active=previous),
                    retarget=retarget,
                )
            SegmentationRun.objects.filter(is_active=True).exclude(pk=run.pk).update(
                is_active=False
            )
            run.is_active = True
            run.activated_at = timezone.now()
            run.assignments_as_of = current_as_of
            run.assignments_pruned = False
            run.save(
                update_fields=[
                    "is_active",
                    "activated_at",
                    "assignments_as_of",
                    "assignments_pruned",
                    "updated_at",
                ]
            )
            audit_record(
                kind=AuditKind.RUN_ACTIVATED,
                user=user,
                target=run,
                details=_activation_details(run, previous, recomputed=on_cluster + len(features)),
            )
    counts = dict(run.segments.order_by("number").values_list("name", "size"))
    total = sum(counts.values())
    logger.info(
        "Activated run %s (%d candidates; %d computed again, %d of them on the cluster)",
        run.pk,
        total,
        on_cluster + len(features),
        on_cluster,
    )
    return ActivationResult(
        run=run,
        total=total,
        counts=counts,
        timings=timer.rounded(),
        recomputed=on_cluster + len(features),
        on_cluster=on_cluster,
    )


def _activation_details(
    run: SegmentationRun, previous: SegmentationRun | None, *, recomputed: int
) -> dict[str, object]:
    """Which run replaced which, and how many candidates it moves (for the audit trail).

    ``moved`` is the candidates whose segment is not the twin of the one they had, as the
    migration summary counted them at training; unknown when the run was trained against
    another run than the one it replaces.
    """
    summary = run.migration_summary or {}
    matches = previous is not None and summary.get("previous_run") == previous.pk
    return {
        "run": run.pk,
        "previous_run": previous.pk if previous is not None else None,
        "candidates": sum(run.segments.values_list("size", flat=True)),
        "moved": summary.get("moving") if matches else None,
        "recomputed": recomputed,
    }


def _retarget_check(
    run: SegmentationRun, segments: list[Segment], retarget: dict[int, list[int]]
) -> dict[int, list[int]]:
    """The chosen targets, refused whole if one is not a segment of the run being activated."""
    own = {segment.pk for segment in segments}
    for campaign_id, segment_ids in retarget.items():
        strangers = sorted(set(segment_ids) - own)
        if strangers:
            raise SegmentationInputError(
                f"Segment {strangers[0]} chosen for campaign {campaign_id} is not a segment of "
                f"run {run.pk}; nothing was activated."
            )
    return {int(campaign_id): sorted(set(ids)) for campaign_id, ids in retarget.items()}


def _changed_since(run: SegmentationRun, segments: list) -> list[int]:
    """Candidates whose row in the run may be stale or missing: the ones to compute again.

    Those changed since the rows were computed (an indexed read of ``updated_at``), and, when
    the run's rows do not add up to the candidates (its sizes count its rows), those without
    a row: a candidate stamped before training's read but committed after it, say.
    """
    candidates = Candidate.objects.all()
    if run.assignments_as_of is not None:
        candidates = candidates.filter(updated_at__gte=run.assignments_as_of)
    changed = set(candidates.values_list("id", flat=True))
    rows = sum(Segment.objects.filter(run=run).values_list("size", flat=True))
    if rows != candidates_total():
        held = Assignment.objects.filter(run=run, candidate_id=OuterRef("pk"))
        changed.update(Candidate.objects.filter(~Exists(held)).values_list("id", flat=True))
    return sorted(changed)


def _sizes_recount(segments: list, labels: np.ndarray) -> None:
    segment_sizes_store(segments, np.bincount(labels, minlength=len(segments)).tolist())
