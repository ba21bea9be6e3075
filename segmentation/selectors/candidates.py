"""Reads for the candidate pages: one page of a filtered list, one candidate, filter choices.

They live in segmentation because every one of them shows or filters by segment.

Every read here is sized for a million candidates: a page is at most ``page_size + 1`` rows
fetched by id (keyset pagination), and nothing counts the filtered table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower

from candidates.models import Candidate, CandidateSkill
from segmentation.ml.profile_format import BLANK_LABEL
from segmentation.models import Segment
from segmentation.selectors.assignments import (
    in_segment,
    segment_members_first,
    segments_attach,
    without_segment,
)

PAGE_SIZE = 50
LIST_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "location",
    "education_level",
    "years_experience",
    "desired_salary",
    "primary_skill",
)
# A skill held by fewer candidates than this is filtered by reading its holders from the skill
# index; a commoner one by checking each candidate in id order, which finds a page of holders
# after a few thousand rows. Either way is bounded: on SQLite with a million candidates, EXISTS
# for a skill nobody holds scans every row (300 ms) and IN for C# (144,000 holders) takes 60 ms.
SKILL_HOLDERS_LISTED_BELOW = 20_000


@dataclass(frozen=True)
class CandidateFilters:
    """What the list is narrowed to; the defaults narrow nothing."""

    segment_id: int | None = None
    unassigned: bool = False
    location: str = ""
    education_level: str = ""
    skill_id: int | None = None
    min_years: float | None = None
    max_years: float | None = None
    email: str = ""

    def only_segment(self) -> bool:
        """True when one segment is the only filter, so the segment's size is the count."""
        return self.segment_id is not None and self == CandidateFilters(segment_id=self.segment_id)


@dataclass(frozen=True)
class CandidatePage:
    candidates: list[Candidate]
    # The cursor for the next page (the last id shown), None on the last page.
    next_after: int | None
    # How many candidates match in all, when that is known without counting rows.
    total: int | None = None


@dataclass(frozen=True)
class CandidateDetail:
    candidate: Candidate
    skills: list[str]


def candidate_list_page(
    *, filters: CandidateFilters, after: int | None = None, page_size: int = PAGE_SIZE
) -> CandidatePage:
    """One page of the matching candidates by id, starting after the candidate ``after``."""
    if filters.only_segment():
        # Driven by the segment's own index, in id order: a page costs the same at any depth.
        members = segment_members_first(
            segment_ids=[filters.segment_id], after=after or 0, limit=page_size + 1
        )
        rows = Candidate.objects.filter(id__in=[candidate_id for candidate_id, _ in members])
    else:
        rows = _filtered(Candidate.objects.all(), filters)
        if after is not None:
            rows = rows.filter(id__gt=after)
    page = list(rows.only(*LIST_COLUMNS).order_by("id")[: page_size + 1])
    segments_attach(page)
    next_after = page[page_size - 1].pk if len(page) > page_size else None
    total = None
    if filters.only_segment():
        total = Segment.objects.filter(pk=filters.segment_id).values_list("size", flat=True).first()
    return CandidatePage(candidates=page[:page_size], next_after=next_after, total=total)


def candidates_filtered(*, filters: CandidateFilters) -> QuerySet[Candidate]:
    """Every candidate the filters match (what the list pages through): the list's download."""
    return _filtered(Candidate.objects.all(), filters)


def _filtered(rows: QuerySet[Candidate], filters: CandidateFilters) -> QuerySet[Candidate]:
    if filters.segment_id is not None:
        rows = rows.filter(in_segment(filters.segment_id))
    if filters.unassigned:
        rows = rows.filter(without_segment())
    if filters.location:
        # LOWER on both sides, the form an index on LOWER(location) takes (5 ms at a million
        # candidates on SQLite and PostgreSQL). Without that index a location few candidates
        # have scans the table (130 ms on SQLite, 240 ms on PostgreSQL); Django's iexact would
        # compare with LIKE or UPPER(), which no index here serves either way.
        rows = rows.alias(location_lower=Lower("location")).filter(
            location_lower=Lower(Value(filters.location))
        )
    if filters.education_level:
        rows = rows.filter(education_level=filters.education_level)
    if filters.skill_id is not None:
        rows = rows.filter(_has_skill(filters.skill_id))
    if filters.min_years is not None:
        rows = rows.filter(years_experience__gte=filters.min_years)
    if filters.max_years is not None:
        # "+ 0" keeps the upper bound off the index. With both bounds on it SQLite reads the
        # whole range through the index and sorts it by id (750 ms for 0-80 years at a million
        # candidates); with one bound it walks the table in id order and stops after a page.
        rows = rows.alias(
            years_unindexed=F("years_experience") + 0.0,
        ).filter(years_unindexed__lte=filters.max_years)
    if filters.email:
        # Compared as the unique index on LOWER(email) stores it, so the lookup uses that index.
        rows = rows.alias(email_lower=Lower("email")).filter(
            email_lower=Lower(Value(filters.email))
        )
    return rows


def _has_skill(skill_id: int) -> Q:
    """Candidates holding the skill, written the way that is fast for how common it is."""
    holders = CandidateSkill.objects.filter(skill_id=skill_id)
    if holders[:SKILL_HOLDERS_LISTED_BELOW].count() < SKILL_HOLDERS_LISTED_BELOW:
        return Q(id__in=holders.values("candidate_id"))
    return Q(Exists(holders.filter(candidate_id=OuterRef("pk"))))


def locations_suggested(segments: Sequence[Segment], *, limit: int = 50) -> list[str]:
    """Locations the segments' profiles name most often, for suggestions in the filter form.

    Profiles keep each segment's top few locations, so this costs nothing; a DISTINCT over the
    location index would walk a million entries.
    """
    counts: Counter[str] = Counter()
    for segment in segments:
        for entry in (segment.profile or {}).get("top_location") or []:
            if entry and entry[0] != BLANK_LABEL:
                counts[str(entry[0])] += int(entry[1]) if len(entry) > 1 else 0
    return [location for location, _ in counts.most_common(limit)]


def candidate_detail_get(*, pk: int) -> CandidateDetail | None:
    """A candidate with their segment, its run's pool profile and their skills; None if absent."""
    candidate = Candidate.objects.filter(pk=pk).first()
    if candidate is None:
        return None
    segments_attach([candidate], with_run=True)
    skills = list(candidate.skills.order_by(Lower("name")).values_list("name", flat=True))
    return CandidateDetail(candidate=candidate, skills=skills)
