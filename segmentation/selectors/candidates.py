"""Reads for the candidate pages: one page of a filtered list, one candidate, filter choices.

They live in segmentation because every one of them shows or filters by segment.

Every read here is sized for a million candidates: a page is at most ``page_size + 1`` rows
fetched by id (keyset pagination); the number of matches is counted exactly only when it is
small, and estimated from a sample of id ranges above ``COUNT_EXACT_UP_TO``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, Lower

from candidates.models import Candidate, CandidateSkill
from segmentation.models import Segment
from segmentation.selectors.assignments import (
    candidates_total,
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


# Up to this many matches are counted exactly; above, estimated (and the page says so).
COUNT_EXACT_UP_TO = 10_000
# The estimate counts the matches among the candidates whose ids fall in this many slices,
# spread evenly over the id range, of SAMPLE_SLICE_IDS ids each: 20,000 ids read by primary
# key, however selective the filters.
SAMPLE_SLICES = 10
SAMPLE_SLICE_IDS = 2_000


@dataclass(frozen=True)
class MatchCount:
    """How many candidates match: exact, or estimated (rounded to two significant digits)."""

    value: int
    estimated: bool = False


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


def candidate_match_count(*, filters: CandidateFilters) -> MatchCount:
    """How many candidates match ``filters``: exact up to COUNT_EXACT_UP_TO, else estimated.

    A segment alone is its stored size; no filter at all, every candidate (``candidates_total``).
    Otherwise the matches among candidates in SAMPLE_SLICES id ranges spread over the table,
    scaled to the whole id range, estimate the count; an
    estimate at or below COUNT_EXACT_UP_TO (or a table small enough to read whole) is replaced
    by an exact count, which is then cheap enough or small enough to be worth it.
    """
    if filters.only_segment():
        size = Segment.objects.filter(pk=filters.segment_id).values_list("size", flat=True)
        return MatchCount(int(size.first() or 0))
    if filters == CandidateFilters():
        return MatchCount(candidates_total())
    # Two queries, each one step down the primary key: SQLite answers MIN and MAX together by
    # reading the whole table.
    ids = Candidate.objects.values_list("id", flat=True)
    low, high = ids.order_by("id").first(), ids.order_by("-id").first()
    if low is None or high is None:
        return MatchCount(0)
    span = high - low + 1
    if span > SAMPLE_SLICES * SAMPLE_SLICE_IDS:
        step = span // SAMPLE_SLICES
        # Within a slice the id range drives the query (see _filtered): listing a common
        # skill's holders (IN) would read them all again for each of the ten counts.
        sample_rows = _filtered(Candidate.objects.all(), filters, in_id_range=True)
        # One count per slice: each a primary-key range scan. ORed together in one query,
        # SQLite scanned the whole table instead (0.8 s at a million candidates).
        sampled = sum(
            sample_rows.filter(id__gte=start, id__lt=start + SAMPLE_SLICE_IDS).count()
            for start in range(low, low + SAMPLE_SLICES * step, step)
        )
        estimate = sampled * span / (SAMPLE_SLICES * SAMPLE_SLICE_IDS)
        if estimate > COUNT_EXACT_UP_TO:
            return MatchCount(_two_significant(estimate), estimated=True)
    return MatchCount(_filtered(Candidate.objects.all(), filters).count())


def _two_significant(value: float) -> int:
    """89,855 -> 90,000: an estimate shown with no more digits than it can vouch for."""
    digits = len(str(int(value)))
    return int(round(value, 2 - digits))


def candidates_filtered(*, filters: CandidateFilters) -> QuerySet[Candidate]:
    """Every candidate the filters match (what the list pages through): the list's download."""
    return _filtered(Candidate.objects.all(), filters)


def _filtered(
    rows: QuerySet[Candidate], filters: CandidateFilters, *, in_id_range: bool = False
) -> QuerySet[Candidate]:
    """``rows`` narrowed to ``filters``.

    ``in_id_range``: the rows are a short primary-key range (the count's sample slices), so no
    other index may drive the query. SQLite without statistics takes an equality on an indexed
    column for a handful of rows and would walk the education or years index (a quarter of a
    million rows) instead of the 2,000 ids; a skill is then checked row by row, not listed.
    """
    unindexed = Value("") if in_id_range else None
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
        if unindexed is None:
            rows = rows.filter(education_level=filters.education_level)
        else:
            rows = rows.alias(education_unindexed=Concat("education_level", unindexed)).filter(
                education_unindexed=filters.education_level
            )
    if filters.skill_id is not None:
        rows = rows.filter(_has_skill(filters.skill_id, listed=False if in_id_range else None))
    if filters.min_years is not None:
        if in_id_range:
            rows = rows.alias(years_low_unindexed=F("years_experience") + 0.0).filter(
                years_low_unindexed__gte=filters.min_years
            )
        else:
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


def _has_skill(skill_id: int, *, listed: bool | None = None) -> Q:
    """Candidates holding the skill, written the way that is fast for how common it is: its
    holders listed from the skill index (IN), or each candidate checked (EXISTS)."""
    holders = CandidateSkill.objects.filter(skill_id=skill_id)
    if listed is None:
        listed = holders[:SKILL_HOLDERS_LISTED_BELOW].count() < SKILL_HOLDERS_LISTED_BELOW
    if listed:
        return Q(id__in=holders.values("candidate_id"))
    return Q(Exists(holders.filter(candidate_id=OuterRef("pk"))))


def candidate_detail_get(*, pk: int) -> CandidateDetail | None:
    """A candidate with their segment, its run's pool profile and their skills; None if absent."""
    candidate = Candidate.objects.filter(pk=pk).first()
    if candidate is None:
        return None
    segments_attach([candidate], with_run=True)
    skills = list(candidate.skills.order_by(Lower("name")).values_list("name", flat=True))
    return CandidateDetail(candidate=candidate, skills=skills)
