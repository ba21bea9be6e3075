"""Segmentation's answers to what the candidates app announces (connected in apps.py)."""

from __future__ import annotations

from typing import Any

from segmentation.ml.errors import SegmentationError


def segments_for_written_candidates(*, candidate_ids: list[int], **_: Any) -> str | None:
    """Imported candidates get their segment under the active run; None, or what went wrong."""
    # Imported here: the model cache loads scikit-learn, which only an import needs.
    from segmentation.services.assignment import candidate_segments_assign

    try:
        candidate_segments_assign(candidate_ids=candidate_ids)
    except SegmentationError as exc:
        return str(exc)
    return None


def segment_sizes_before_candidate_delete(*, instance: Any, **_: Any) -> None:
    """A deleted candidate leaves the segments it was counted in, in the delete's transaction."""
    from segmentation.services.assignment import candidate_assignments_forget

    candidate_assignments_forget(candidate_id=instance.pk)


def segment_history_for_subject_access(*, candidate_ids: list[int], **_: Any) -> dict[str, Any]:
    """A subject-access request: the person's segments, run by run."""
    from segmentation.selectors.assignments import candidates_segment_history

    return {"segments": candidates_segment_history(candidate_ids)}


def segment_history_erased(*, candidate_ids: list[int], **_: Any) -> dict[str, int]:
    """An erasure: how many segment assignments go with the profile (the delete removes them)."""
    from segmentation.selectors.assignments import candidates_segment_history

    return {"segment assignments": len(candidates_segment_history(candidate_ids))}
