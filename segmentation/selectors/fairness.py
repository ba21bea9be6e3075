"""Counting a run's candidates by segment and self-reported group, for the fairness report."""

from __future__ import annotations

from django.db.models import Count

from segmentation.models import Assignment

SegmentGroupCount = tuple[int, str | None, str | None, str | None, int]


def run_demographic_counts(*, run_id: int) -> list[SegmentGroupCount]:
    """(segment id, sex, age band, ethnicity, candidates) for every combination in the run.

    One GROUP BY over the run's assignment rows joined to the demographics table; a candidate
    without a demographics row reads as None (not given). No candidate is loaded.
    """
    return list(
        Assignment.objects.filter(run_id=run_id)
        .values_list(
            "segment_id",
            "candidate__demographics__sex",
            "candidate__demographics__age_band",
            "candidate__demographics__ethnicity",
        )
        .annotate(candidates=Count("*"))
        .order_by()
    )
