"""Reads for the campaign pages: campaigns with their audience, targetable segments, previews."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from campaigns.models import Campaign, JobOpening
from candidates.models import Candidate, Skill
from segmentation.models import Assignment, Segment
from segmentation.selectors.assignments import (
    audience_size,
    candidates_in_any_segment,
    candidates_in_segments,
)

AUDIENCE_SAMPLE_SIZE = 10


@dataclass(frozen=True)
class AudiencePreview:
    """How many candidates some segments reach now, and the first few of them."""

    count: int
    sample: list[Candidate]


def active_segments() -> QuerySet[Segment]:
    """The segments a new campaign may target: those of the active run, in cluster order."""
    return _segments_with_run().active()


def job_openings_open() -> QuerySet[JobOpening]:
    """Job openings a new campaign may advertise."""
    return JobOpening.objects.filter(is_open=True).order_by("title", "id")


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns, newest first, each with ``segment_count``, ``audience`` and ``stale_count``.

    ``audience`` adds the sizes of the targets in the active run only: a segment of an older run
    keeps the size it had, but its candidates have since been reassigned to the active run's.
    Segments of one run are disjoint, so the sum counts distinct candidates. Those who may not be
    contacted are taken off, as ``audience_count`` does, so every page shows the same number.
    """
    uncontactable = (
        Assignment.objects.filter(
            segment__campaigns=OuterRef("pk"),
            segment__run__is_active=True,
            candidate_id__in=Candidate.objects.filter(contact_allowed=False).values("pk"),
        )
        .order_by()
        .values("segment__campaigns")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Campaign.objects.select_related("job_opening")
        .annotate(
            segment_count=Count("target_segments"),
            audience=Coalesce(
                Sum("target_segments__size", filter=Q(target_segments__run__is_active=True)), 0
            )
            - Coalesce(Subquery(uncontactable), 0),
            stale_count=Count("target_segments", filter=Q(target_segments__run__is_active=False)),
        )
        # Meta.ordering does not apply to a grouped query; the pages need a stable order.
        .order_by("-created_at", "-id")
    )


def campaign_get(*, pk: int) -> Campaign | None:
    """One campaign with its opening, the opening's skills and its targets (with their runs)."""
    targets = _segments_with_run().order_by("run", "number")
    return (
        campaign_list()
        .select_related("created_by")
        .prefetch_related(
            "job_opening__required_skills", Prefetch("target_segments", queryset=targets)
        )
        .filter(pk=pk)
        .first()
    )


def audience_preview(
    *, segment_ids: Collection[int], sample_size: int = AUDIENCE_SAMPLE_SIZE
) -> AudiencePreview:
    """Who candidates in these segments are: an exact count and the first few by id.

    Read through segmentation's one audience selector (the active run's assignment rows): the
    count reads only an index, and no row is loaded except the sample's.
    """
    count, sample = candidates_in_segments(segment_ids=segment_ids, limit=sample_size)
    return AudiencePreview(count=count, sample=sample)


def _segments_with_run() -> QuerySet[Segment]:
    """Segments with the few run columns their labels use.

    A run row carries large JSON (pool profile, scatter projection); loading it once per segment
    would cost more than the rest of the page.
    """
    return Segment.objects.select_related("run").only(
        "name", "number", "size", "run__is_active", "run__status", "run__n_clusters"
    )


def job_openings_list(*, closed: bool = False) -> QuerySet[JobOpening]:
    """Open (or closed) job openings by title, with required skills and ``campaign_count``."""
    return (
        JobOpening.objects.filter(is_open=not closed)
        .order_by("title", "id")
        .annotate(campaign_count=Count("campaigns"))
        .prefetch_related(Prefetch("required_skills", Skill.objects.only("id", "name")))
    )


def job_opening_get(*, pk: int) -> JobOpening | None:
    """One job opening, open or closed, with its required skills."""
    return (
        JobOpening.objects.prefetch_related(
            Prefetch("required_skills", Skill.objects.only("id", "name"))
        )
        .filter(pk=pk)
        .first()
    )


def audience_count(*, segment_ids: Collection[int]) -> int:
    """How many candidates of these segments a campaign may contact now."""
    return audience_size(segment_ids=segment_ids)


def campaign_audience_candidates(*, campaign: Campaign) -> QuerySet[Candidate]:
    """Every candidate the campaign reaches now: members of its targets in the active run.

    The same rule as the audience ``campaign_list`` counts: a target of an older run reaches
    no one, its candidates having been reassigned, and nobody who may not be contacted.
    """
    active_targets = campaign.target_segments.filter(run__is_active=True).values_list(
        "pk", flat=True
    )
    return candidates_in_any_segment(segment_ids=list(active_targets)).filter(contact_allowed=True)
