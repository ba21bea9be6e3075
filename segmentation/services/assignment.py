"""Assigning candidates one by one: new and edited candidates get their segment from the active run.

No retraining: the active run's model, cached per process (services/model_cache.py), predicts
their segment. Called by the candidate admin after a save and, through the
``candidates.signals.candidates_written`` signal, after each batch an import writes.
"""

from __future__ import annotations

from django.db import transaction

from segmentation.ml.outliers import predict_with_distances
from segmentation.models import Assignment
from segmentation.selectors.features import candidate_features_load
from segmentation.services.assignment_writes import assignment_rows_set, segment_sizes_move
from segmentation.services.locks import assignments_lock
from segmentation.services.model_cache import active_model_get
from segmentation.services.unusual import unusual_candidates_flag


def candidate_segments_assign(*, candidate_ids: list[int]) -> int:
    """Give these candidates their segment under the active run, without retraining.

    Called when candidates are created or edited (admin save, import batches). Holds the shared
    assignments lock and only then asks which run is active, so an activation running at the
    same moment either sees these candidates as changed or is seen to have finished: never a
    row written with the old run's model (services/locks.py). One candidate costs a few indexed
    queries and a prediction with the model cached in this process. Segment sizes move in the
    same transaction. Returns how many candidates were assigned (0 when no run is active yet).
    """
    if not candidate_ids:
        return 0
    with transaction.atomic():
        assignments_lock(exclusive=False)
        model = active_model_get()
        if model is None:
            return 0
        features = candidate_features_load(candidate_ids=candidate_ids)
        if len(features) == 0:
            return 0
        labels, distances = predict_with_distances(model.pipeline, features)
        assignment_rows_set(
            run_id=model.run_id,
            candidate_ids=features.ids,
            segment_ids=model.segment_ids_for(labels),
        )
        unusual_candidates_flag(
            run_id=model.run_id,
            candidate_ids=features.ids,
            distances=distances,
            threshold=model.outlier_threshold,
        )
    return len(features)


def candidate_assignments_forget(*, candidate_id: int) -> None:
    """Before a candidate is deleted: the segments it is counted in lose it (every run's)."""
    moves = {
        segment_id: -1
        for segment_id in Assignment.objects.filter(candidate_id=candidate_id).values_list(
            "segment_id", flat=True
        )
    }
    segment_sizes_move(moves)
