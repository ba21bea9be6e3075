"""Reads of runs, segments, jobs and unusual profiles for the pages, admin and commands."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from segmentation.ml.bounds import DEFAULT_OUTLIER_PERCENTILE
from segmentation.models import Segment, SegmentationJob, SegmentationRun, UnusualCandidate
from segmentation.selectors.assignments import segments_attach


def segments_active() -> list[Segment]:
    """The active run's segments, in number order, with their profiles (filters, fits)."""
    return list(Segment.objects.active().only("id", "run_id", "number", "name", "size", "profile"))


def run_active() -> SegmentationRun | None:
    return SegmentationRun.objects.filter(is_active=True).first()


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
    jobs = SegmentationJob.objects.select_related("created_by", "run")
    return jobs.filter(in_progress=True).first() or jobs.order_by("-created_at", "-id").first()


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


def unusual_candidates_summary(*, run: SegmentationRun, limit: int = 20) -> UnusualSummary:
    """How many candidates are unusual under ``run``, and the ``limit`` farthest from any centre.

    About 1 % of the candidates are flagged, so counting and sorting them stays cheap at a
    million (10,000 rows through the run's index).
    """
    rows = UnusualCandidate.objects.filter(run=run)
    order = ("-distance", "candidate_id")
    # The farthest first, chosen among the flags alone; joined with a million candidates first,
    # SQLite would look up all 10,000 of them (30 ms instead of 2).
    farthest = rows.order_by(*order).values("pk")[:limit]
    most_unusual = list(
        UnusualCandidate.objects.filter(pk__in=farthest)
        .select_related("candidate")
        .only("distance", "candidate__name")
        .order_by(*order)
    )
    segments_attach(flag.candidate for flag in most_unusual)
    return UnusualSummary(
        count=rows.count(),
        threshold=run.outlier_threshold,
        percentile=float(
            (run.parameters or {}).get("outlier_percentile", DEFAULT_OUTLIER_PERCENTILE)
        ),
        most_unusual=most_unusual,
    )
