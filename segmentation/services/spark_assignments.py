"""A pruned run's rows written again on the Spark cluster, before the run is activated.

A run beyond ``ADFLUX_ASSIGNMENT_RUNS_KEPT`` lost its assignment rows; activating it needs
everyone's segment again. On the Spark engine the executors compute and COPY those rows as
training's do (docs/spark.md), outside any transaction of this process; the run then holds a
row for every candidate the cluster read and activation continues as for any trained run,
recomputing locally, under its lock, only the candidates changed since the cluster's read.
"""

from __future__ import annotations

import logging

import numpy as np
from django.db import transaction
from django.db.models import Count

from segmentation.engines.spark import SparkCandidates, SparkEngineError
from segmentation.ml.pipeline import SegmentationPipeline
from segmentation.models import Assignment, SegmentationRun
from segmentation.services.assignment_writes import (
    assignment_partition_prepare,
    assignment_rows_delete,
    assignments_analyze,
    segment_sizes_store,
)
from segmentation.services.locks import changes_committed_before
from segmentation.services.spark_engine import assignment_target, spark_candidates_open
from segmentation.services.unusual import unusual_candidates_replace

logger = logging.getLogger(__name__)

STILL_ACTIVE = "The previous segmentation is still active."


def pruned_run_rows_write_on_spark(*, run: SegmentationRun, pipeline: SegmentationPipeline) -> int:
    """Give every candidate a row under the pruned ``run``, computed on the cluster; how many.

    The run is then no longer pruned, its rows current as of just before the cluster's read,
    its segment sizes and unusual flags those of its rows; it is not active. A failure
    anywhere removes whatever the executors wrote and leaves the run pruned, with a
    ``SparkEngineError`` that says so.
    """
    # Rows computed from the read that follows are current for every change committed before
    # this; activation recomputes those changed since (services/locks.py).
    as_of = changes_committed_before()
    segment_ids = np.array(
        list(run.segments.order_by("number").values_list("pk", flat=True)), dtype=np.int64
    )
    cluster: SparkCandidates | None = None
    try:
        # An earlier attempt's rows, had its process died before removing them.
        with transaction.atomic():
            assignment_rows_delete(run_ids=[run.pk])
        cluster = spark_candidates_open()
        # The executors COPY through the parent table: the run's partition must exist.
        assignment_partition_prepare(run_id=run.pk)
        assigned = cluster.assign(
            pipeline,
            outlier_threshold=run.outlier_threshold,
            target=assignment_target(run_id=run.pk, segment_ids=segment_ids),
        )
        if assigned.rows != cluster.count:
            raise SparkEngineError(
                f"The cluster assigned {assigned.rows} of the {cluster.count} candidates it read."
            )
        with transaction.atomic():
            # Counted from the rows rather than taken from the executors' counts: a candidate
            # deleted since its row was written has already left the sizes it was counted in.
            sizes = dict(
                Assignment.objects.filter(run=run)
                .values_list("segment_id")
                .annotate(rows=Count("candidate_id"))
            )
            segments = list(run.segments.all())
            segment_sizes_store(segments, [sizes.get(segment.pk, 0) for segment in segments])
            assignments_analyze()
            # The executors flagged against the run's own threshold, as training does.
            unusual_candidates_replace(
                run=run, candidate_ids=assigned.unusual_ids, distances=assigned.unusual_distances
            )
            SegmentationRun.objects.filter(pk=run.pk).update(
                assignments_pruned=False, assignments_as_of=as_of
            )
    except BaseException as exc:
        with transaction.atomic():
            assignment_rows_delete(run_ids=[run.pk])
        if isinstance(exc, SparkEngineError):
            reason = str(exc).replace(STILL_ACTIVE, "").strip()
            raise SparkEngineError(
                f"Run {run.pk} was not activated: its segments could not be computed on the "
                f"Spark cluster. {reason} {STILL_ACTIVE} Run {run.pk}'s rows stay pruned: "
                "activate it again once the cluster is back, or with the local engine."
            ) from exc
        raise
    finally:
        if cluster is not None:
            cluster.stop()
    run.assignments_pruned, run.assignments_as_of = False, as_of
    logger.info("Run %s: %d rows written again on the Spark cluster", run.pk, assigned.rows)
    return assigned.rows
