"""Reading and planting candidates' segments in tests: rows of the active run, as the app does."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, QuerySet

from candidates.models import Candidate
from segmentation.models import Assignment, Segment
from segmentation.selectors.assignments import active_assignments, without_segment


def segment_of(candidate: Candidate | int) -> Segment | None:
    """The candidate's segment under the active run, read afresh."""
    pk = candidate if isinstance(candidate, int) else candidate.pk
    row = active_assignments().filter(candidate_id=pk).select_related("segment").first()
    return None if row is None else row.segment


def segments_now() -> dict[int, int | None]:
    """Every candidate's segment id under the active run (None without one)."""
    found = dict(active_assignments().values_list("candidate_id", "segment_id"))
    return {pk: found.get(pk) for pk in Candidate.objects.values_list("pk", flat=True)}


def unassigned() -> QuerySet[Candidate]:
    return Candidate.objects.filter(without_segment())


def members(segment: Segment) -> QuerySet[Candidate]:
    """The candidates the segment holds (under its run)."""
    return Candidate.objects.filter(
        pk__in=Assignment.objects.filter(segment=segment).values("candidate_id")
    )


def place(
    candidates: Candidate | Iterable[Candidate], segment: Segment, *, count: bool = True
) -> None:
    """Put candidates in a segment by hand (its run's rows), counting them in its size.

    ``count=False`` leaves the size as the test set it (a test of where counts come from).
    """
    candidates = [candidates] if isinstance(candidates, Candidate) else list(candidates)
    Assignment.objects.bulk_create(
        Assignment(run_id=segment.run_id, candidate=candidate, segment=segment)
        for candidate in candidates
    )
    if count:
        Segment.objects.filter(pk=segment.pk).update(size=F("size") + len(candidates))
        segment.refresh_from_db(fields=["size"])


def assigned() -> QuerySet[Candidate]:
    return Candidate.objects.exclude(without_segment())


def reached_by(segments: Iterable[Segment]) -> QuerySet[Candidate]:
    """The candidates these segments hold under the active run (a campaign's audience)."""
    rows = active_assignments().filter(segment__in=list(segments))
    return Candidate.objects.filter(pk__in=rows.values("candidate_id"))


def runs_of_candidates() -> set[int | None]:
    """The run of each candidate's segment now: {the active run} when everyone has one."""
    now = segments_now()
    run_of = dict(Segment.objects.values_list("pk", "run_id"))
    return {run_of.get(segment_id) if segment_id else None for segment_id in now.values()}


def segment_numbers_by(field: str) -> dict:
    """Each candidate's segment number under the active run, keyed by ``field`` (pk, ...)."""
    number_of = dict(Segment.objects.values_list("pk", "number"))
    now = segments_now()
    return {
        key: number_of.get(now[pk]) for pk, key in Candidate.objects.values_list("pk", field)
    }


def assert_assignments_true() -> None:
    """The storage's invariant: what any page reads is what the active model says, now.

    Every candidate has a row under the active run, that row is the active model's prediction
    for the candidate as they are now (no row left by an older model), and every segment of
    every run with rows counts exactly its rows.
    """
    import numpy as np

    from segmentation.ml.outliers import predict_with_distances
    from segmentation.models import SegmentationRun
    from segmentation.selectors.features import candidate_features_load
    from segmentation.services.activation import segmentation_pipeline_load

    run = SegmentationRun.objects.get(is_active=True)
    features = candidate_features_load()
    labels, _ = predict_with_distances(segmentation_pipeline_load(run), features)
    segment_ids = np.array(
        list(run.segments.order_by("number").values_list("pk", flat=True)), dtype=np.int64
    )
    expected = dict(zip(features.ids.tolist(), segment_ids[labels].tolist(), strict=True))
    rows = dict(Assignment.objects.filter(run=run).values_list("candidate_id", "segment_id"))
    wrong = {
        pk: (rows.get(pk), segment)
        for pk, segment in expected.items()
        if rows.get(pk) != segment
    }
    assert not wrong, f"run {run.pk}: candidate: (row, predicted) {wrong}"
    assert rows.keys() == expected.keys()
    for segment in Segment.objects.filter(run__assignments_pruned=False):
        assert segment.size == Assignment.objects.filter(segment=segment).count(), segment
