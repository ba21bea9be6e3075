"""Assigning candidates one by one: new and edited candidates get their segment from the active run.

No retraining: the active run's model, cached per process (services/model_cache.py), predicts
their segment. Called by the candidate admin after a save and, through the
``candidates.signals.candidates_written`` signal, after each batch an import writes.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from candidates.models import Candidate
from segmentation.ml.outliers import predict_with_distances
from segmentation.models import Segment
from segmentation.selectors.features import candidate_features_load
from segmentation.services.assignment_writes import segment_assignments_write
from segmentation.services.model_cache import active_model_get
from segmentation.services.unusual import unusual_candidates_refresh


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
