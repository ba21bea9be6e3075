"""Training: fit a model on every candidate and record it as a run, inactive until activated."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sklearn
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from audit.kinds import AuditKind
from audit.services import audit_record
from candidates.models import EDUCATION_LABELS
from segmentation.engines import SPARK, engine_check
from segmentation.engines.spark import SparkCandidates, SparkEngineError
from segmentation.ml import stages
from segmentation.ml.artifacts import SavedArtifact, save_model
from segmentation.ml.choose_k import choose_k
from segmentation.ml.naming import segment_names
from segmentation.ml.outliers import training_outlier_threshold_of
from segmentation.ml.pipeline import (
    DEFAULT_CLUSTERS,
    RECOMMENDED_SVD_COMPONENTS,
    ClusteringConfig,
    TrainingResult,
    fit_segmentation,
    training_input_check,
)
from segmentation.ml.profiles import pool_profile, segment_profiles
from segmentation.ml.quality import pipeline_stability, run_quality, segment_quality
from segmentation.ml.timing import StageListener, StageTimer
from segmentation.models import Segment, SegmentationRun, UnusualCandidate
from segmentation.selectors.features import candidate_features_load
from segmentation.services.assignment_writes import (
    assignment_partition_prepare,
    assignment_rows_delete,
    assignment_rows_insert,
    assignments_analyze,
)
from segmentation.services.locks import changes_committed_before
from segmentation.services.spark_engine import (
    assignment_target,
    spark_candidates_open,
    spark_encoder_fit,
)
from segmentation.services.succession import run_succession_plan, run_succession_record
from segmentation.services.unusual import unusual_candidates_replace

logger = logging.getLogger(__name__)


# The default is the recommended configuration (docs/quality.md): numbers through their
# quantiles, blank salaries filled from experience and location, K-means on 30 SVD components,
# and automatic k chosen by per-segment stability. On the Stack Overflow survey the seed's
# configuration split candidates by whether they left salary blank; this one's segments hold
# together across resampled refits. K-means is fitted on a reproducible sample of 100,000
# candidates and then assigns everyone: at 1M the fit took 1.0 s instead of 5.1 s (k=5), at
# 0.1-0.3 % lower inertia (docs/benchmarks.md). The seed's exact configuration stays one flag
# away (``train_segments --seed-exact``, ``ClusteringConfig.seed``).
# settings.ADFLUX_SEGMENTATION overrides any of these fields.
SEGMENTATION_DEFAULTS: dict[str, object] = {
    "fit_sample_size": 100_000,
    "preset": "recommended",
    "svd_components": RECOMMENDED_SVD_COMPONENTS,
}


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
    engine: str | None = None,
    snapshot: str | None = None,
) -> SegmentationRun:
    """Train a model on the candidates, save it, and record the run with its segments.

    With ``k_range`` (smallest, largest), k is chosen first: each k in the range is scored on a
    sample (segmentation/ml/choose_k.py) and the preset's rule picks one (stability for the
    recommended preset, the best silhouette for the seed's); the run keeps every score, the rule
    and its reason (``k_scores``, ``k_rule``, ``k_reason``); the configuration's own k is then
    ignored.

    After the fit, each segment's stability across resampled refits, its share of blank
    salaries and whether it is mixed are kept in its profile (``profile["quality"]``), the run's
    summary in ``quality`` (segmentation/ml/quality.py); a mixed segment is named
    "Mixed profiles · ...".

    The model is fitted on every candidate, or on a reproducible sample of them when the
    configuration says so (the default above 100,000 candidates); every candidate is labelled.

    ``engine`` is where that happens: "local" (this process, the default of
    ``ADFLUX_ENGINE``) or "spark" (``ADFLUX_SPARK_MASTER``): the candidates are read on the
    cluster, the same model is fitted on the driver from the same rows (or from the
    ``snapshot`` Parquet path's), and the executors assign and write everyone; profiles,
    names and quality are then measured on the fit's rows (docs/spark.md).

    Every candidate's segment under the run is written as its assignment rows, with the segment
    sizes they add up to; the run is trained, not active: candidates keep their segments until
    ``segmentation_activate`` switches to it. A failure marks the run failed and changes nothing
    else. Afterwards, the rows of runs beyond the retention setting are removed.
    """
    engine = engine_check(engine or settings.ADFLUX_ENGINE)
    config = config or segmentation_config_default(n_clusters=n_clusters)
    timer = StageTimer(on_stage)
    # The rows will be current for candidates changed before this; activation computes afresh
    # those changed since (services/locks.py says why it is not simply "now").
    as_of = changes_committed_before()
    cluster: SparkCandidates | None = None
    encoder = None
    try:
        with timer.stage(stages.READ):
            if engine == SPARK:
                cluster = spark_candidates_open(snapshot=snapshot)
                features = cluster.sample(config.fit_sample_size, config.random_state)
                n_candidates = cluster.count
                encoder = spark_encoder_fit(cluster, features, config)
            else:
                features = candidate_features_load()
                n_candidates = len(features)
        k_scores: list[dict[str, object]] = []
        k_rule = k_reason = ""
        if k_range is not None:
            with timer.stage(stages.CHOOSE_K):
                choice = choose_k(features, config, k_min=k_range[0], k_max=k_range[1])
            config = config.with_clusters(choice.k)
            k_scores, k_rule, k_reason = choice.scores, choice.rule, choice.reason
        # Checked before the run is recorded: input that cannot work leaves no failed run behind.
        training_input_check(n_candidates, config)
        parameters = config.to_dict()
        if engine == SPARK:
            parameters["engine"] = SPARK
        run = SegmentationRun.objects.create(
            status=SegmentationRun.Status.RUNNING,
            algorithm=config.algorithm,
            n_clusters=config.n_clusters,
            parameters=parameters,
            n_candidates=n_candidates,
            k_auto=k_range is not None,
            k_scores=k_scores,
            k_rule=k_rule,
            k_reason=k_reason,
            library_versions=_library_versions(),
            created_by=user if user is not None and user.is_authenticated else None,
        )
    except BaseException:
        if cluster is not None:
            cluster.stop()
        raise
    audit_record(
        kind=AuditKind.TRAINING_STARTED,
        user=user,
        target=run,
        details={
            "run": run.pk,
            "candidates": run.n_candidates,
            "algorithm": config.algorithm,
            "engine": engine or "local",
            "k": config.n_clusters,
            "k_range": list(k_range) if k_range is not None else None,
            "parameters": run.parameters,
        },
    )
    artifact_path: Path | None = None
    try:
        if on_run is not None:
            on_run(run)
        result = fit_segmentation(features, config, timer, encoder=encoder)
        with timer.stage(stages.OUTLIERS):
            # The fit already placed every candidate it was given (its predict stage): locally
            # those segments and distances become the run's rows, so activating it later
            # predicts nobody; the threshold is a percentile of a sample of those distances.
            threshold = training_outlier_threshold_of(
                result.distances,
                percentile=config.outlier_percentile,
                random_state=config.random_state,
            )
            if cluster is None:
                labels, distances = result.assigned, result.distances
        with timer.stage(stages.PROFILES):
            profiles = segment_profiles(features, result.labels, config.n_clusters)
            pool = pool_profile(features)
            names = segment_names(
                profiles,
                pool,
                value_labels={"education_level": EDUCATION_LABELS},
                max_length=Segment._meta.get_field("name").max_length,
                mark_mixed=True,
            )
        with timer.stage(stages.QUALITY):
            # Refits on resampled candidates; they measure the run and change none of its labels.
            stability, agreement = pipeline_stability(result.pipeline, features)
            entries = segment_quality(profiles, pool, features, result.labels, stability)
            for profile, entry in zip(profiles, entries, strict=True):
                profile["quality"] = entry
            quality = run_quality(entries, agreement)
        with timer.stage(stages.SAVE):
            artifact = save_model(
                result.pipeline, Path(settings.ADFLUX_MODEL_DIR), stem=f"run-{run.pk}"
            )
            artifact_path = artifact.path
        inertia = result.inertia
        if cluster is not None:
            with timer.stage(stages.ASSIGN):
                # The executors write rows that point at the segments: those commit first.
                with transaction.atomic():
                    segment_id_of = _segments_create(run, names, profiles, [0] * len(profiles))
                # The executors COPY through the parent table: the run's partition must exist.
                assignment_partition_prepare(run_id=run.pk)
                assigned = cluster.assign(
                    result.pipeline,
                    outlier_threshold=threshold,
                    target=assignment_target(run_id=run.pk, segment_ids=segment_id_of),
                )
            if assigned.rows != n_candidates:
                raise SparkEngineError(
                    f"The cluster assigned {assigned.rows} of {n_candidates} candidates."
                )
            inertia = assigned.inertia
            # Where the engine's time went, for docs/spark.md's per-row costs.
            run.parameters = {
                **run.parameters,
                "spark": {
                    "master": cluster.master,
                    "partitions": cluster.partitions,
                    "session_seconds": round(cluster.startup_seconds, 3),
                    "read_seconds": round(cluster.read_seconds, 3),
                    "assign_seconds": round(assigned.seconds, 3),
                },
            }
            with timer.stage(stages.MATCH):
                succession = run_succession_plan(
                    pipeline=result.pipeline,
                    labels=result.labels,
                    candidate_ids=features.ids,
                    flow_counts=assigned.flows,
                )
            with timer.stage(stages.WRITE), transaction.atomic():
                for segment_id, size in zip(segment_id_of.tolist(), assigned.counts, strict=True):
                    Segment.objects.filter(pk=segment_id).update(size=int(size))
                assignments_analyze()
                # The executors flagged against the training threshold; the flags say so.
                run.outlier_threshold = threshold
                unusual_candidates_replace(
                    run=run,
                    candidate_ids=assigned.unusual_ids,
                    distances=assigned.unusual_distances,
                )
                run_succession_record(run=run, plan=succession)
                _run_finish(
                    run, result, quality, pool, threshold, as_of, artifact, timer, inertia, user
                )
        else:
            with timer.stage(stages.MATCH):
                succession = run_succession_plan(
                    pipeline=result.pipeline, labels=result.labels, candidate_ids=features.ids
                )
            sizes = np.bincount(labels, minlength=config.n_clusters).tolist()
            with timer.stage(stages.WRITE), transaction.atomic():
                segment_id_of = _segments_create(run, names, profiles, sizes)
                unusual_candidates_replace(run=run, candidate_ids=features.ids, distances=distances)
                # After the segments exist (and have their automatic names): twins, custom names.
                run_succession_record(run=run, plan=succession)
                # Last: on PostgreSQL attaching the rows' partition locks the candidate table
                # against writes until this transaction commits (services/assignment_writes.py).
                assignment_rows_insert(
                    run_id=run.pk, candidate_ids=features.ids, segment_ids=segment_id_of[labels]
                )
                _run_finish(
                    run, result, quality, pool, threshold, as_of, artifact, timer, inertia, user
                )
        # The write stage ended with its transaction's commit, after _run_finish saved the run:
        # its time is added now, so the run's timings say where all of a training went.
        run.timings = timer.rounded()
        SegmentationRun.objects.filter(pk=run.pk).update(timings=run.timings)
    except BaseException as exc:
        if artifact_path is not None:
            artifact_path.unlink(missing_ok=True)
        if cluster is not None:
            # What the executors wrote, and the segments they pointed at, go with the run.
            with transaction.atomic():
                assignment_rows_delete(run_ids=[run.pk])
                Segment.objects.filter(run=run).delete()
        error = str(exc) or exc.__class__.__name__
        SegmentationRun.objects.filter(pk=run.pk).update(
            status=SegmentationRun.Status.FAILED,
            error=error,
            finished_at=timezone.now(),
            timings=timer.rounded(),
        )
        audit_record(
            kind=AuditKind.TRAINING_FAILED,
            user=user,
            target=run,
            details={"run": run.pk, "candidates": run.n_candidates, "error": error},
        )
        raise
    finally:
        if cluster is not None:
            cluster.stop()
    assignment_retention_apply()
    return run


def _segments_create(
    run: SegmentationRun, names: list[str], profiles: list[dict], sizes: list[int]
) -> np.ndarray:
    """The run's segments, numbered as the model numbers them; their ids by number."""
    Segment.objects.bulk_create(
        Segment(run=run, number=number, name=names[number], size=sizes[number], profile=profile)
        for number, profile in enumerate(profiles)
    )
    return np.array(
        list(run.segments.order_by("number").values_list("pk", flat=True)), dtype=np.int64
    )


def _run_finish(
    run: SegmentationRun,
    result: TrainingResult,
    quality: dict,
    pool: dict,
    threshold: float | None,
    as_of: object,
    artifact: SavedArtifact,
    timer: StageTimer,
    inertia: float,
    user: AbstractBaseUser | None,
) -> None:
    run.status = SegmentationRun.Status.TRAINED
    run.inertia = inertia
    run.silhouette = result.silhouette
    run.n_features = result.n_features
    run.feature_names = result.pipeline.feature_names
    run.pool_profile = pool
    run.quality = quality
    run.projection = result.projection
    run.outlier_threshold = threshold
    run.assignments_as_of = as_of
    run.artifact_path = str(artifact.path)
    run.artifact_sha256 = artifact.sha256
    run.timings = timer.rounded()
    run.finished_at = timezone.now()
    run.save()
    # In the transaction that makes the run trained: one without the other never is.
    audit_record(
        kind=AuditKind.TRAINING_FINISHED,
        user=user,
        target=run,
        details={
            "run": run.pk,
            "candidates": run.n_candidates,
            "features": run.n_features,
            "k": run.n_clusters,
            "inertia": run.inertia,
            "silhouette": run.silhouette,
            "segment_sizes": list(run.segments.order_by("number").values_list("size", flat=True)),
            "quality": quality,
            "seconds": run.timings,
        },
    )


def assignment_retention_apply(*, keep: int | None = None) -> list[int]:
    """Remove the rows of runs beyond the newest ``keep`` (and the active one); their ids.

    ``keep`` defaults to ``ADFLUX_ASSIGNMENT_RUNS_KEPT`` (5). A pruned run stays listed with
    its segments and can still be activated: that computes every candidate's segment again.
    """
    keep = settings.ADFLUX_ASSIGNMENT_RUNS_KEPT if keep is None else keep
    trained = SegmentationRun.objects.filter(
        status=SegmentationRun.Status.TRAINED, assignments_pruned=False
    ).order_by("-created_at", "-id")
    kept = set(trained.values_list("pk", flat=True)[:keep])
    pruned = [
        run_id
        for run_id, active in trained.values_list("pk", "is_active")
        if run_id not in kept and not active
    ]
    if pruned:
        with transaction.atomic():
            assignment_rows_delete(run_ids=pruned)
            UnusualCandidate.objects.filter(run_id__in=pruned).delete()
            SegmentationRun.objects.filter(pk__in=pruned).update(assignments_pruned=True)
        logger.info("Assignment rows of runs %s pruned (keeping %d)", pruned, keep)
    return pruned
