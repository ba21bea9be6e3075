"""Training and assigning segments: the only code that writes runs, segments and assignments."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from candidates.models import Candidate, EducationLevel
from segmentation.active_model import active_model_get
from segmentation.ml.artifacts import load_model, save_model
from segmentation.ml.choose_k import choose_k
from segmentation.ml.errors import SegmentationError, SegmentationInputError
from segmentation.ml.explain import pool_profile, segment_profiles
from segmentation.ml.naming import segment_names
from segmentation.ml.outliers import predict_with_distances, training_outlier_threshold
from segmentation.ml.pipeline import (
    DEFAULT_CLUSTERS,
    ClusteringConfig,
    SegmentationPipeline,
    fit_segmentation,
    training_input_check,
)
from segmentation.ml.timing import StageTimer
from segmentation.models import Segment, SegmentationRun
from segmentation.retraining import (
    campaign_targets_carry_over,
    run_succession_plan,
    run_succession_record,
)
from segmentation.selectors import candidate_features_load, run_latest_trained
from segmentation.unusual import unusual_candidates_refresh, unusual_candidates_replace
from segmentation.writes import segment_assignments_write

logger = logging.getLogger(__name__)

StageListener = Callable[[str], None]


# The default departs from the seed's configuration in one measured way: K-means is fitted on a
# reproducible sample of 100,000 candidates and then assigns everyone. Up to 100,000 candidates
# that is the seed's computation exactly; at 1M the fit took 1.0 s instead of 5.1 s (k=5) and
# 2.8 s instead of 25 s (k=20), at 0.1-0.3 % lower inertia (docs/benchmarks.md).
# settings.ADFLUX_SEGMENTATION overrides any of these fields.
SEGMENTATION_DEFAULTS: dict[str, object] = {"fit_sample_size": 100_000}


def segmentation_config_default(*, n_clusters: int = DEFAULT_CLUSTERS) -> ClusteringConfig:
    """The configuration used when the caller names only k (see docs/benchmarks.md)."""
    overrides = dict(getattr(settings, "ADFLUX_SEGMENTATION", None) or {})
    fields = set(ClusteringConfig.__dataclass_fields__) - {"n_clusters"}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise ImproperlyConfigured(
            f"ADFLUX_SEGMENTATION has unknown field(s) {', '.join(unknown)}; it may set "
            f"{', '.join(sorted(fields))} (k is chosen per run)."
        )
    return ClusteringConfig.from_dict(
        {**SEGMENTATION_DEFAULTS, **overrides, "n_clusters": n_clusters}
    )


def _library_versions() -> dict[str, str]:
    import django
    import joblib
    import pandas
    import scipy

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "joblib": joblib.__version__,
        "django": django.get_version(),
    }


def segmentation_train(
    *,
    n_clusters: int = DEFAULT_CLUSTERS,
    config: ClusteringConfig | None = None,
    user: AbstractBaseUser | None = None,
    on_stage: StageListener | None = None,
    on_run: Callable[[SegmentationRun], None] | None = None,
    k_range: tuple[int, int] | None = None,
) -> SegmentationRun:
    """Train a model on the candidates, save it, and record the run with its segments.

    With ``k_range`` (smallest, largest), k is chosen first: each k in the range is scored on a
    sample (segmentation/ml/choose_k.py), the best silhouette wins, and the run keeps every
    score (``k_scores``, ``k_auto``); the configuration's own k is then ignored.

    The model is fitted on every candidate, or on a reproducible sample of them when the
    configuration says so (the default above 100,000 candidates); every candidate is labelled.

    The run is trained, not active: candidates keep their segments until
    ``segmentation_assign`` applies it. A failure marks the run failed and changes nothing else.
    """
    config = config or segmentation_config_default(n_clusters=n_clusters)
    timer = StageTimer(on_stage)
    with timer.stage("read"):
        features = candidate_features_load()
    k_scores: list[dict[str, object]] = []
    if k_range is not None:
        with timer.stage("choose k"):
            choice = choose_k(features, config, k_min=k_range[0], k_max=k_range[1])
        config = config.with_clusters(choice.k)
        k_scores = choice.scores
    # Checked before the run is recorded: input that cannot work leaves no failed run behind.
    training_input_check(len(features), config)
    run = SegmentationRun.objects.create(
        status=SegmentationRun.Status.RUNNING,
        algorithm=config.algorithm,
        n_clusters=config.n_clusters,
        parameters=config.to_dict(),
        n_candidates=len(features),
        k_auto=k_range is not None,
        k_scores=k_scores,
        library_versions=_library_versions(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    artifact_path: Path | None = None
    try:
        if on_run is not None:
            on_run(run)
        result = fit_segmentation(features, config, timer)
        with timer.stage("outliers"):
            threshold = training_outlier_threshold(
                result.pipeline,
                features,
                percentile=config.outlier_percentile,
                random_state=config.random_state,
            )
        with timer.stage("profiles"):
            profiles = segment_profiles(features, result.labels, config.n_clusters)
            pool = pool_profile(features)
            names = segment_names(
                profiles,
                pool,
                value_labels={"education_level": dict(EducationLevel.choices)},
                max_length=Segment._meta.get_field("name").max_length,
            )
        with timer.stage("save"):
            artifact = save_model(
                result.pipeline, Path(settings.ADFLUX_MODEL_DIR), stem=f"run-{run.pk}"
            )
            artifact_path = artifact.path
        with timer.stage("match"):
            succession = run_succession_plan(
                pipeline=result.pipeline, labels=result.labels, candidate_ids=features.ids
            )
        with transaction.atomic():
            Segment.objects.bulk_create(
                Segment(
                    run=run,
                    number=number,
                    name=names[number],
                    size=profile["size"],
                    profile=profile,
                )
                for number, profile in enumerate(profiles)
            )
            # After the segments exist (and have their automatic names): twins, custom names.
            run_succession_record(run=run, plan=succession)
            run.status = SegmentationRun.Status.TRAINED
            run.inertia = result.inertia
            run.silhouette = result.silhouette
            run.n_features = result.n_features
            run.feature_names = result.pipeline.feature_names
            run.pool_profile = pool
            run.projection = result.projection
            run.outlier_threshold = threshold
            run.artifact_path = str(artifact.path)
            run.artifact_sha256 = artifact.sha256
            run.timings = timer.rounded()
            run.finished_at = timezone.now()
            run.save()
    except BaseException as exc:
        if artifact_path is not None:
            artifact_path.unlink(missing_ok=True)
        SegmentationRun.objects.filter(pk=run.pk).update(
            status=SegmentationRun.Status.FAILED,
            error=str(exc) or exc.__class__.__name__,
            finished_at=timezone.now(),
            timings=timer.rounded(),
        )
        raise
    return run


@dataclass(frozen=True)
class AssignmentResult:
    run: SegmentationRun
    total: int
    counts: dict[str, int]
    timings: dict[str, float]


def segmentation_pipeline_load(run: SegmentationRun) -> SegmentationPipeline:
    """The run's fitted pipeline, refused unless its file matches the recorded checksum."""
    if run.status != SegmentationRun.Status.TRAINED or not run.artifact_path:
        raise SegmentationInputError(f"Run {run.pk} has no trained model (status: {run.status}).")
    return load_model(Path(run.artifact_path), expected_sha256=run.artifact_sha256)


def segmentation_assign(
    *,
    run: SegmentationRun | None = None,
    user: AbstractBaseUser | None = None,
    on_stage: StageListener | None = None,
) -> AssignmentResult:
    """Give every candidate a segment from ``run`` (default: the newest trained) and activate it.

    All writes happen in one transaction with the switch of the active run: a failure at any
    point leaves every candidate's previous segment, and the previous active run, in place.
    """
    timer = StageTimer(on_stage)
    run = run or run_latest_trained()
    if run is None:
        raise SegmentationInputError(
            "There is no trained segmentation model yet. Train one first "
            "(manage.py train_segments, or the admin action 'Train segmentation model')."
        )
    with timer.stage("load model"):
        pipeline = segmentation_pipeline_load(run)
    with timer.stage("read"):
        features = candidate_features_load()
    with timer.stage("predict"):
        # With each candidate's distance to the nearest centre, for the unusual-profile flags.
        labels, distances = predict_with_distances(pipeline, features)
    segments = list(run.segments.order_by("number"))
    segment_id_of = np.array([segment.pk for segment in segments], dtype=np.int64)
    with timer.stage("write"), transaction.atomic():
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
        campaign_targets_carry_over(run=run, pipeline=pipeline)
        SegmentationRun.objects.filter(is_active=True).exclude(pk=run.pk).update(is_active=False)
        run.is_active = True
        run.activated_at = timezone.now()
        run.save(update_fields=["is_active", "activated_at", "updated_at"])
    with timer.stage("analyze"):
        _planner_statistics_refresh()
    counts = {segment.name: segment.size for segment in segments}
    logger.info("Assigned %d candidates with run %s", len(labels), run.pk)
    return AssignmentResult(run=run, total=int(len(labels)), counts=counts, timings=timer.rounded())


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


__all__ = [
    "AssignmentResult",
    "SegmentationError",
    "segmentation_assign",
    "segmentation_config_default",
    "segmentation_pipeline_load",
    "segmentation_train",
]


def candidate_segments_assign(*, candidate_ids: list[int]) -> int:
    """Give these candidates their segment under the active run, without retraining.

    Called when candidates are created or edited (admin save, import batches). Uses the active
    run's pipeline cached in this process, so one candidate costs a few indexed queries and a
    prediction. Segment sizes move with the candidates, in the same transaction. Returns how many
    candidates were assigned (0 when no run is active yet).
    """
    if not candidate_ids:
        return 0
    model = active_model_get()
    if model is None:
        return 0
    features = candidate_features_load(candidate_ids=candidate_ids)
    if len(features) == 0:
        return 0
    labels, distances = predict_with_distances(model.pipeline, features)
    new_segments = model.segment_ids_for(labels)
    with transaction.atomic():
        old_segments = dict(
            Candidate.objects.filter(pk__in=features.ids.tolist()).values_list("pk", "segment_id")
        )
        segment_assignments_write(candidate_ids=features.ids, segment_ids=new_segments)
        unusual_candidates_refresh(
            run_id=model.run_id, candidate_ids=features.ids, distances=distances
        )
        moves: dict[int, int] = {}
        for candidate_id, new in zip(features.ids.tolist(), new_segments.tolist(), strict=True):
            old = old_segments.get(candidate_id)
            if old != new:
                moves[new] = moves.get(new, 0) + 1
                if old is not None:
                    moves[old] = moves.get(old, 0) - 1
        for segment_id, delta in moves.items():
            if delta:
                Segment.objects.filter(pk=segment_id).update(size=F("size") + delta)
    return len(features)


def segmentation_run_delete(*, run: SegmentationRun) -> None:
    """Delete a run that is not active, its segments, and its model file once that commits."""
    if run.is_active:
        raise SegmentationInputError(
            f"Run {run.pk} is active: every candidate's segment comes from it. "
            f"Assign segments with another run first."
        )
    artifact = Path(run.artifact_path) if run.artifact_path else None
    with transaction.atomic():
        run.delete()
        if artifact is not None:
            # Only after the commit: a rolled-back delete must still find its model file.
            transaction.on_commit(lambda: artifact.unlink(missing_ok=True))


def segment_rename(*, segment: Segment, name: str) -> Segment:
    """Give a segment a recruiter's own name (kept as typed, trimmed)."""
    name = name.strip()
    if not name:
        raise SegmentationInputError("A segment needs a name.")
    segment.name = name
    segment.name_is_custom = True
    segment.save(update_fields=["name", "name_is_custom"])
    return segment
