"""Reads of runs, segments, jobs and unusual profiles for the pages, admin and commands."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from segmentation.ml.bounds import DEFAULT_OUTLIER_PERCENTILE
from segmentation.models import (
    RUN_LARGE_COLUMNS,
    Assignment,
    Segment,
    SegmentationJob,
    SegmentationRun,
    UnusualCandidate,
)


def segments_active() -> list[Segment]:
    """The active run's segments, in number order, with their profiles (filters, fits)."""
    return list(Segment.objects.active().only("id", "run_id", "number", "name", "size", "profile"))


def run_active() -> SegmentationRun | None:
    return SegmentationRun.objects.filter(is_active=True).first()


def run_active_without_large_columns() -> SegmentationRun | None:
    """The active run, its large JSON columns read only if touched (the page caches its charts)."""
    return runs_without_large_columns().filter(is_active=True).first()


def run_latest_trained() -> SegmentationRun | None:
    return (
        SegmentationRun.objects.filter(status=SegmentationRun.Status.TRAINED)
        .order_by("-created_at", "-id")
        .first()
    )


def runs_without_large_columns() -> QuerySet[SegmentationRun]:
    """Runs newest first, without the large JSON columns no list of runs shows."""
    return SegmentationRun.objects.without_large_columns().order_by("-created_at", "-id")


def runs_recent(*, limit: int = 20) -> list[SegmentationRun]:
    """The newest runs for the history table."""
    return list(runs_without_large_columns().select_related("created_by")[:limit])


def segments_of_run(run: SegmentationRun) -> list[Segment]:
    return list(run.segments.order_by("number"))


def job_current() -> SegmentationJob | None:
    """The job in progress, or else the newest one: what the segmentation page reports."""
    # One query: in-progress jobs sort first, then the newest. Its run without the large columns
    # the page does not show (the projection alone is some 100 KB of JSON).
    return (
        SegmentationJob.objects.select_related("created_by", "run")
        .defer(*(f"run__{column}" for column in RUN_LARGE_COLUMNS))
        .order_by("-in_progress", "-created_at", "-id")
        .first()
    )


def jobs_recent(*, limit: int = 10) -> list[SegmentationJob]:
    return list(
        SegmentationJob.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class UnusualSummary:
    """The unusual profiles under a run, for the segmentation page."""

    count: int
    threshold: float | None
    percentile: float
    most_unusual: list[UnusualCandidate]  # farthest first, with candidate and segment names


def unusual_candidates_summary(
    *, run: SegmentationRun, segments: list[Segment], limit: int = 20
) -> UnusualSummary:
    """How many candidates are unusual under ``run``, and the ``limit`` farthest from any centre.

    About 1 % of the candidates are flagged, so counting and sorting them stays cheap at a
    million (10,000 rows through the run's index). Each of the farthest comes with its segment
    under ``run`` as ``candidate.segment``, taken from ``segments`` (the run's, which the page
    has read already): two queries in all.
    """
    rows = UnusualCandidate.objects.filter(run=run)
    order = ("-distance", "candidate_id")
    # The farthest first, chosen among the flags alone; joined with a million candidates first,
    # SQLite would look up all 10,000 of them (30 ms instead of 2).
    farthest = rows.order_by(*order).values("pk")[:limit]
    segment_id = Assignment.objects.filter(run=run, candidate_id=OuterRef("candidate_id"))
    most_unusual = list(
        UnusualCandidate.objects.filter(pk__in=farthest)
        .select_related("candidate")
        .only("distance", "candidate__name")
        .annotate(segment_under_run=Subquery(segment_id.values("segment_id")[:1]))
        .order_by(*order)
    )
    by_id = {segment.pk: segment for segment in segments}
    for flag in most_unusual:
        flag.candidate.segment = by_id.get(flag.segment_under_run)
    return UnusualSummary(
        count=rows.count(),
        threshold=run.outlier_threshold,
        percentile=float(
            (run.parameters or {}).get("outlier_percentile", DEFAULT_OUTLIER_PERCENTILE)
        ),
        most_unusual=most_unusual,
    )
