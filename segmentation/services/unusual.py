"""Writing the unusual-profile flags: one row per candidate far from every centre of a run.

The threshold is fixed when the run is trained (segmentation.ml.outliers); assignments compare
each candidate's distance with it. Both writers run inside their caller's transaction, so the
flags always describe the segments the candidates carry.
"""

from __future__ import annotations

import numpy as np
from django.db import connection

from segmentation.ml.outliers import (
    DEFAULT_OUTLIER_PERCENTILE,
    outlier_threshold,
    unusual_rows,
)
from segmentation.models import SegmentationRun, UnusualCandidate

BATCH_SIZE = 5_000


def unusual_candidates_replace(
    *, run: SegmentationRun, candidate_ids: np.ndarray, distances: np.ndarray
) -> int:
    """Flag, under ``run``, the candidates whose distance is above its threshold; returns how many.

    Replaces the run's earlier flags. A run trained before thresholds existed gets one from these
    distances, at the percentile its configuration names.
    """
    if run.outlier_threshold is None and len(distances):
        percentile = (run.parameters or {}).get("outlier_percentile", DEFAULT_OUTLIER_PERCENTILE)
        run.outlier_threshold = outlier_threshold(distances, percentile)
        SegmentationRun.objects.filter(pk=run.pk).update(outlier_threshold=run.outlier_threshold)
    UnusualCandidate.objects.filter(run=run).delete()
    return _create(run.pk, candidate_ids, distances, run.outlier_threshold)


def unusual_candidates_refresh(
    *, run_id: int, candidate_ids: np.ndarray, distances: np.ndarray
) -> int:
    """Flag or unflag these candidates under the run after they changed; how many are flagged.

    ``distances`` are the candidates' nearest-centre distances under the run's model.
    """
    runs = SegmentationRun.objects.filter(pk=run_id)
    threshold = runs.values_list("outlier_threshold", flat=True).first()
    return unusual_candidates_flag(
        run_id=run_id, candidate_ids=candidate_ids, distances=distances, threshold=threshold
    )


def unusual_candidates_flag(
    *, run_id: int, candidate_ids: np.ndarray, distances: np.ndarray, threshold: float | None
) -> int:
    """``unusual_candidates_refresh`` with the run's threshold already known (a save)."""
    quote = connection.ops.quote_name
    meta = UnusualCandidate._meta
    run, candidate = (quote(meta.get_field(name).column) for name in ("run", "candidate"))
    ids = candidate_ids.tolist()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            cursor.execute(
                f"DELETE FROM {quote(meta.db_table)} WHERE {run} = %s "
                f"AND {candidate} IN ({', '.join(['%s'] * len(chunk))})",
                [run_id, *chunk],
            )
    if threshold is None:
        return 0
    return _create(run_id, candidate_ids, distances, threshold)


def _create(
    run_id: int, candidate_ids: np.ndarray, distances: np.ndarray, threshold: float | None
) -> int:
    """Insert the flags above the threshold: one ``executemany`` per batch, no model instances.

    At a million candidates that is ~10,000 rows; building them as model instances for
    ``bulk_create`` cost 0.5 s of Python on SQLite, four times the insert itself.
    """
    rows = unusual_rows(distances, threshold)
    quote = connection.ops.quote_name
    meta = UnusualCandidate._meta
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("run", "candidate", "distance")
    )
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"
    values = list(
        zip(
            [run_id] * len(rows),
            candidate_ids[rows].tolist(),
            distances[rows].tolist(),
            strict=True,
        )
    )
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH_SIZE):
            cursor.executemany(sql, values[start : start + BATCH_SIZE])
    return len(rows)
