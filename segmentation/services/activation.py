"""Activating a run: every candidate gets a segment from it and it becomes the active one.

Training only records a run with its migration summary (services/succession.py); a person who
holds ``segmentation.activate_segmentation`` (the Data admin group) reads the summary and
activates. Every door that activates (the page's button, the runs admin action, the candidate
admin's action, a training job told to activate, ``predict_segments``) ends here, and the
permission is asked here too, in case it was withdrawn while the job waited. The management
commands pass no user: whoever runs manage.py already holds the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.utils import timezone

from candidates.models import Candidate
from segmentation.ml import stages
from segmentation.ml.artifacts import load_model
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.outliers import predict_with_distances
from segmentation.ml.pipeline import SegmentationPipeline
from segmentation.ml.timing import StageListener, StageTimer
from segmentation.models import SegmentationRun
from segmentation.selectors.features import candidate_features_load
from segmentation.selectors.runs import run_latest_trained
from segmentation.services.assignment_writes import segment_assignments_write
from segmentation.services.succession import segment_twins
from segmentation.services.unusual import unusual_candidates_replace
from segmentation.signals import run_activating

logger = logging.getLogger(__name__)

ACTIVATE_PERMISSION = "segmentation.activate_segmentation"
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
    if run.status != SegmentationRun.Status.TRAINED or not run.artifact_path:
        raise SegmentationInputError(f"Run {run.pk} has no trained model (status: {run.status}).")
    return load_model(Path(run.artifact_path), expected_sha256=run.artifact_sha256)


def segmentation_activate(
    *,
    run: SegmentationRun | None = None,
    user: AbstractBaseUser | None = None,
    on_stage: StageListener | None = None,
) -> ActivationResult:
    """Make ``run`` (default: the newest trained) the active one; every candidate follows.

    In one transaction: every candidate gets a segment from ``run``, segment sizes are counted,
    whatever aims at the replaced run's segments is told their twins (``run_activating``:
    campaigns add the twins to their targets), and the active run switches. A failure at any
    point leaves every candidate's previous segment, and the previous active run, in place.
    Re-activating an earlier run gives back its assignments, since its model predicts what it
    predicted before.
    """
    activation_permission_check(user)
    timer = StageTimer(on_stage)
    run = run or run_latest_trained()
    if run is None:
        raise SegmentationInputError(NO_TRAINED_RUN)
    with timer.stage(stages.LOAD_MODEL):
        pipeline = segmentation_pipeline_load(run)
    with timer.stage(stages.READ):
        features = candidate_features_load()
    with timer.stage(stages.PREDICT):
        # With each candidate's distance to the nearest centre, for the unusual-profile flags.
        labels, distances = predict_with_distances(pipeline, features)
    segments = list(run.segments.order_by("number"))
    segment_id_of = np.array([segment.pk for segment in segments], dtype=np.int64)
    with timer.stage(stages.WRITE), transaction.atomic():
        segment_assignments_write(candidate_ids=features.ids, segment_ids=segment_id_of[labels])
        unusual_candidates_replace(run=run, candidate_ids=features.ids, distances=distances)
        late = _assign_late_arrivals(pipeline, segment_id_of)
        if late is not None:
            labels = np.concatenate((labels, late))
        sizes = np.bincount(labels, minlength=len(segments))
        for segment, size in zip(segments, sizes.tolist(), strict=True):
            if segment.size != size:
                segment.size = size
                segment.save(update_fields=["size"])
        previous = SegmentationRun.objects.filter(is_active=True).exclude(pk=run.pk).first()
        if previous is not None:
            run_activating.send(
                sender=SegmentationRun,
                run=run,
                previous=previous,
                twins=segment_twins(run=run, pipeline=pipeline, active=previous),
            )
        SegmentationRun.objects.filter(is_active=True).exclude(pk=run.pk).update(is_active=False)
        run.is_active = True
        run.activated_at = timezone.now()
        run.save(update_fields=["is_active", "activated_at", "updated_at"])
    with timer.stage(stages.ANALYZE):
        _planner_statistics_refresh()
    counts = {segment.name: segment.size for segment in segments}
    logger.info("Activated run %s for %d candidates", run.pk, len(labels))
    return ActivationResult(run=run, total=int(len(labels)), counts=counts, timings=timer.rounded())


def _planner_statistics_refresh() -> None:
    """Tell PostgreSQL's planner about the new segment ids right away.

    Every candidate now carries a segment id the statistics have never seen, so until
    autovacuum's next ANALYZE the planner misjudges segment filters: measured at 1M candidates,
    a segment's candidate list took 149 ms before and 15 ms after. ANALYZE samples 30,000 rows
    (well under a second). SQLite plans without such statistics.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Candidate._meta.db_table)}")


def _assign_late_arrivals(
    pipeline: SegmentationPipeline, segment_id_of: np.ndarray
) -> np.ndarray | None:
    """Candidates created after the read but before the write get their segment too."""
    late_ids = list(
        Candidate.objects.exclude(segment_id__in=segment_id_of.tolist()).values_list(
            "id", flat=True
        )
    )
    if not late_ids:
        return None
    features = candidate_features_load(candidate_ids=late_ids)
    labels = pipeline.predict(features)
    segment_assignments_write(candidate_ids=features.ids, segment_ids=segment_id_of[labels])
    return labels
