"""Recommendations for the pages: segments and candidates for an opening, openings for one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache

from campaigns.models import JobOpening
from campaigns.recommendations.queries import (
    candidates_by_id,
    open_openings_with_skills,
    segment_counts,
    skills_held,
    top_candidates,
)
from campaigns.recommendations.scoring import (
    Criteria,
    Fit,
    SegmentFit,
    SegmentFits,
    segment_fit_of,
    segment_fits_ranked,
    suggested_segments,
)
from candidates.models import Candidate
from common.cache_keys import hashed_key
from segmentation.models import Segment
from segmentation.selectors.runs import segments_active

TOP_CANDIDATES = 20
TOP_OPENINGS = 10

# A segment's fit to the open openings is an estimate from a sample of candidates: a minute
# old is as good as new, and every member's page shows the same.
SEGMENT_FIT_CACHE_SECONDS = 60


# Segments for an opening


def segment_fits(
    *, criteria: Criteria, segments: Sequence[Segment], random_state: int = 0
) -> SegmentFits:
    """Each of ``segments`` (of the active run) with its fit, best first, then largest."""
    if not segments or not criteria.skills:
        return SegmentFits(fits=[], sampled=None)
    counts = segment_counts(
        skill_ids=criteria.skill_ids,
        min_years=[] if criteria.min_years is None else [criteria.min_years],
        locations=[criteria.location] if criteria.location else [],
        random_state=random_state,
    )
    return segment_fits_ranked(criteria=criteria, segments=segments, counts=counts)


# Candidates for an opening


@dataclass(frozen=True)
class CandidateFit(Fit):
    candidate: Candidate


def candidates_for_opening(
    *, criteria: Criteria, fits: SegmentFits, limit: int = TOP_CANDIDATES
) -> list[CandidateFit]:
    """The ``limit`` best-scoring candidates holding at least one required skill, best first."""
    if not criteria.skills:
        return []
    weights = fits.by_segment()
    top = top_candidates(criteria=criteria, weights=weights, limit=limit)
    if not top:
        return []
    by_id = candidates_by_id([row.candidate_id for row in top])
    held = skills_held(
        candidate_ids=[row.candidate_id for row in top], skill_ids=criteria.skill_ids
    )
    found = []
    for row in top:
        candidate = by_id.get(row.candidate_id)
        if candidate is None:  # deleted since the ranking query
            continue
        found.append(
            CandidateFit(
                criteria=criteria,
                skills_held=tuple(
                    skill.name for skill in criteria.skills if skill.pk in held[candidate.pk]
                ),
                years=candidate.years_experience,
                location=candidate.location,
                meets_experience=row.meets_experience,
                in_location=row.in_location,
                segment_fit=weights.get(candidate.segment.pk if candidate.segment else None),
                candidate=candidate,
            )
        )
    return found


# The whole picture for one opening


@dataclass(frozen=True)
class OpeningRecommendations:
    """What the job opening page shows: segments and candidates that fit, or why there are none."""

    criteria: Criteria
    has_segmentation: bool
    segments: list[SegmentFit]
    # None when not asked for.
    candidates: list[CandidateFit] | None
    # The candidates the segment shares were counted on when that was a sample; None for all.
    sampled: int | None

    @property
    def has_skills(self) -> bool:
        return bool(self.criteria.skills)


def opening_recommendations(
    *, opening: JobOpening, with_candidates: bool = True, random_state: int = 0
) -> OpeningRecommendations:
    """The active run's segments by fit to the opening and, if asked, its best candidates.

    An opening that lists no required skill gets neither: skills are most of a match, and
    without them every candidate in the location would tie.
    """
    criteria = Criteria.of(opening)
    if not criteria.skills:
        return OpeningRecommendations(
            criteria=criteria, has_segmentation=False, segments=[], candidates=[], sampled=None
        )
    segments = segments_active()
    fits = segment_fits(criteria=criteria, segments=segments, random_state=random_state)
    candidates = candidates_for_opening(criteria=criteria, fits=fits) if with_candidates else None
    return OpeningRecommendations(
        criteria=criteria,
        has_segmentation=bool(segments),
        segments=fits.fits,
        candidates=candidates,
        sampled=fits.sampled,
    )


@dataclass(frozen=True)
class SegmentSuggestions:
    """The segments a new campaign for an opening should target, and all of them ranked."""

    opening: JobOpening
    recommendations: OpeningRecommendations
    suggested: list[SegmentFit]

    @property
    def suggested_ids(self) -> list[int]:
        return [entry.segment.pk for entry in self.suggested]

    @property
    def best(self) -> SegmentFit | None:
        fits = self.recommendations.segments
        return fits[0] if fits and fits[0].fit is not None else None


def segment_suggestions(*, opening: JobOpening, random_state: int = 0) -> SegmentSuggestions:
    """The segments to target for the opening (see ``suggested_segments``)."""
    recommendations = opening_recommendations(
        opening=opening, with_candidates=False, random_state=random_state
    )
    return SegmentSuggestions(
        opening=opening,
        recommendations=recommendations,
        suggested=suggested_segments(recommendations.segments),
    )


# Openings for a candidate


@dataclass(frozen=True)
class OpeningFit(Fit):
    opening: JobOpening


def openings_for_candidate(
    *, candidate: Candidate, limit: int = TOP_OPENINGS, random_state: int = 0
) -> list[OpeningFit]:
    """Open openings where the candidate holds a required skill, best score first.

    Openings are few, so they are scored here, by the rules the database applies on the opening
    page; the fit of the candidate's segment to all of them comes from one pair of sample
    queries. ``candidate.segment`` is the one the candidate selectors attach (active run).
    """
    openings = open_openings_with_skills()
    if not openings:
        return []
    criteria_of = {opening.pk: Criteria.of(opening) for opening in openings}
    required = {pk for criteria in criteria_of.values() for pk in criteria.skill_ids}
    held = skills_held(candidate_ids=[candidate.pk], skill_ids=required)[candidate.pk]
    relevant = {
        pk: criteria
        for pk, criteria in criteria_of.items()
        if held.intersection(criteria.skill_ids)
    }
    segment_fit_of_opening = _segment_fit_per_opening(
        _active_segment_of(candidate), relevant, random_state=random_state
    )
    results = []
    for opening in openings:
        criteria = relevant.get(opening.pk)
        if criteria is None:
            continue
        results.append(
            OpeningFit(
                criteria=criteria,
                skills_held=tuple(skill.name for skill in criteria.skills if skill.pk in held),
                years=candidate.years_experience,
                location=candidate.location,
                meets_experience=criteria.meets_experience(candidate.years_experience),
                in_location=criteria.in_location(candidate.location),
                segment_fit=segment_fit_of_opening.get(opening.pk),
                opening=opening,
            )
        )
    results.sort(key=lambda entry: -entry.score)  # stable: equal scores stay by title
    return results[:limit]


def _active_segment_of(candidate: Candidate) -> Segment | None:
    # Attached by the candidate selectors: the segment under the active run, or None.
    return getattr(candidate, "segment", None)


def _segment_fit_per_opening(
    segment: Segment | None, criteria_of: dict[int, Criteria], *, random_state: int
) -> dict[int, float | None]:
    """One segment's fit to each opening (by opening id), from one pair of sample queries.

    The same for every member of the segment, and an estimate from a sample: it is cached for
    SEGMENT_FIT_CACHE_SECONDS, keyed by the segment and every opening's criteria (an edited
    opening is a new key), so the candidate page, a quarter of a recruiter's requests, no longer
    runs the sample queries each time (half of its server time; docs/benchmarks.md).
    """
    if segment is None or not criteria_of:
        return {}
    key = hashed_key(
        "campaigns:segment-fit",
        (
            segment.pk,
            random_state,
            sorted(
                (pk, tuple(c.skill_ids), c.min_years, c.location) for pk, c in criteria_of.items()
            ),
        ),
    )
    return cache.get_or_set(
        key,
        lambda: _segment_fit_computed(segment, criteria_of, random_state=random_state),
        SEGMENT_FIT_CACHE_SECONDS,
    )


def _segment_fit_computed(
    segment: Segment, criteria_of: dict[int, Criteria], *, random_state: int
) -> dict[int, float | None]:
    every = criteria_of.values()
    counts = segment_counts(
        skill_ids={pk for criteria in every for pk in criteria.skill_ids},
        min_years={criteria.min_years for criteria in every if criteria.min_years is not None},
        locations={criteria.location for criteria in every if criteria.location},
        random_state=random_state,
        segment_id=segment.pk,
    )
    return {
        pk: segment_fit_of(segment, criteria, counts).fit for pk, criteria in criteria_of.items()
    }
