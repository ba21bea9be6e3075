"""Scores on hand-made criteria and candidates (no database): what ranks one above another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from campaigns.recommendations.scoring import (
    Criteria,
    Fit,
    SegmentCounts,
    SegmentFit,
    SkillShare,
    segment_fit_of,
    segment_weight,
    suggested_segments,
)


@dataclass(frozen=True)
class Skill:
    pk: int
    name: str


@dataclass
class Segment:
    pk: int
    size: int = 100
    profile: dict[str, Any] | None = None


PYTHON, POSTGRESQL, DJANGO, REDIS = (
    Skill(1, "Python"),
    Skill(2, "PostgreSQL"),
    Skill(3, "Django"),
    Skill(4, "Redis"),
)
BACK_END = Criteria(skills=(PYTHON, POSTGRESQL, DJANGO, REDIS), min_years=5, location="Berlin")


def candidate(
    criteria: Criteria,
    *,
    held: tuple[Skill, ...],
    years: float | None = 12,
    location: str = "Berlin",
    segment_fit: float | None = None,
) -> Fit:
    """A candidate measured against ``criteria`` the way the pages measure one."""
    return Fit(
        criteria=criteria,
        skills_held=tuple(skill.name for skill in criteria.skills if skill in held),
        years=years,
        location=location,
        meets_experience=criteria.meets_experience(years),
        in_location=criteria.in_location(location),
        segment_fit=segment_fit,
    )


def test_a_candidate_with_every_required_skill_outranks_one_with_half_of_them():
    every = candidate(BACK_END, held=(PYTHON, POSTGRESQL, DJANGO, REDIS))
    half = candidate(BACK_END, held=(PYTHON, DJANGO))

    assert every.match == pytest.approx(1.0)
    assert half.match == pytest.approx(0.6 * 0.5 + 0.25 + 0.15)
    assert every.score > half.score
    assert half.reason.startswith("2 of 4 skills (Python, Django), lacks PostgreSQL, Redis; ")


def test_experience_below_the_minimum_or_unknown_lowers_the_score_by_its_weight():
    senior = candidate(BACK_END, held=(PYTHON,), years=12)
    junior = candidate(BACK_END, held=(PYTHON,), years=3)
    unknown = candidate(BACK_END, held=(PYTHON,), years=None)

    assert senior.match - junior.match == pytest.approx(0.25)
    assert unknown.match == junior.match
    assert "; 3 years, below 5+; " in junior.reason
    assert "; unknown years, below 5+; " in unknown.reason
    assert "; 12 years, meets 5+; " in senior.reason


def test_the_location_is_compared_as_written_ignoring_case():
    local = candidate(BACK_END, held=(PYTHON,), location="berlin")
    elsewhere = candidate(BACK_END, held=(PYTHON,), location="Germany")

    assert local.in_location and not elsewhere.in_location
    assert local.match - elsewhere.match == pytest.approx(0.15)
    assert "; not in Berlin; " in elsewhere.reason


def test_an_opening_without_minimum_or_location_is_matched_on_skills_alone():
    criteria = Criteria(skills=(PYTHON, POSTGRESQL), min_years=None, location="")
    anyone = candidate(criteria, held=(PYTHON, POSTGRESQL), years=None, location="Tokyo")

    assert criteria.weights == (1.0, 0.0, 0.0)
    assert anyone.match == pytest.approx(1.0)
    assert anyone.reason == "2 of 2 skills (Python, PostgreSQL); no segment fit"
    no_minimum = Criteria(skills=(PYTHON,), min_years=None, location="Berlin")
    assert no_minimum.weights == pytest.approx((0.8, 0.0, 0.2))


def test_a_half_match_in_a_perfect_segment_outranks_a_full_match_in_an_ill_fitting_one():
    full_elsewhere = candidate(BACK_END, held=(PYTHON, POSTGRESQL, DJANGO, REDIS), segment_fit=0)
    half_at_home = candidate(BACK_END, held=(PYTHON, DJANGO), segment_fit=1)
    unassigned = candidate(BACK_END, held=(PYTHON, POSTGRESQL, DJANGO, REDIS))

    assert full_elsewhere.score == pytest.approx(0.5)
    assert half_at_home.score == pytest.approx(0.7)
    assert half_at_home.score > full_elsewhere.score
    # Outside the active run's segments a match is halved, as in a segment of fit 0.
    assert unassigned.score == full_elsewhere.score
    assert "; segment fit 1.00" in half_at_home.reason


def test_a_segment_fit_is_the_average_match_of_its_candidates():
    criteria = Criteria(skills=(PYTHON, POSTGRESQL), min_years=5, location="Berlin")
    members = [
        candidate(criteria, held=(PYTHON, POSTGRESQL), years=12, location="Berlin"),
        candidate(criteria, held=(PYTHON,), years=8, location="Munich"),
        candidate(criteria, held=(PYTHON,), years=2, location="berlin"),
        candidate(criteria, held=(), years=None, location="Berlin"),
    ]
    segment = Segment(pk=7, profile={"years_experience": {"known": 3, "median": 8}})
    counts = SegmentCounts(
        sampled=None,
        members={7: 4},
        skill_holders={(7, PYTHON.pk): 3, (7, POSTGRESQL.pk): 1},
        experienced={(7, 5): 2},
        local={(7, "berlin"): 3},
    )

    fit = segment_fit_of(segment, criteria, counts)

    assert fit.fit == pytest.approx(sum(member.match for member in members) / len(members))
    assert fit.reason == (
        "75% have Python, 25% have PostgreSQL; 50% have 5+ years (median 8); 75% in Berlin"
    )
    assert segment_fit_of(Segment(pk=8), criteria, counts).fit is None  # none sampled


def segment_of_fit(pk: int, fit: float | None) -> SegmentFit:
    """A segment whose fit to a Python-only opening is ``fit`` (None: none of it sampled)."""
    criteria = Criteria(skills=(PYTHON,), min_years=None, location="")
    if fit is None:
        return SegmentFit(segment=Segment(pk=pk), criteria=criteria, counted=0)
    shares = (SkillShare("Python", fit),)
    return SegmentFit(segment=Segment(pk=pk), criteria=criteria, counted=10, skill_shares=shares)


def test_segments_suggested_are_good_and_nearly_as_good_as_the_best():
    ranked = [segment_of_fit(pk, fit) for pk, fit in enumerate([0.8, 0.7, 0.6, None])]
    assert [entry.fit for entry in suggested_segments(ranked)] == [0.8, 0.7]

    close = [segment_of_fit(pk, fit) for pk, fit in enumerate([0.9, 0.85, 0.8, 0.78])]
    assert len(suggested_segments(close)) == 3  # at most three

    weak = [segment_of_fit(pk, fit) for pk, fit in enumerate([0.29, 0.2])]
    assert suggested_segments(weak) == []


@pytest.mark.parametrize("tier", [2, 3, 4])
@pytest.mark.parametrize("best_fit", [None, 0.0, 0.4, 1.0])
def test_no_one_holding_fewer_skills_than_a_tier_scores_above_its_bound(tier, best_fit):
    # The tiered ranking keeps a tier's list only above this bound; it must hold for anyone.
    bound = BACK_END.best_score_holding(tier - 1, weight=segment_weight(best_fit))
    skills = BACK_END.skills
    for held in range(tier):
        for fit in {None, 0.0, best_fit or 0.0}:
            best_placed = candidate(BACK_END, held=skills[:held], segment_fit=fit)
            assert best_placed.score <= bound + 1e-9
    at_bound = candidate(BACK_END, held=skills[: tier - 1], segment_fit=best_fit)
    assert at_bound.score == pytest.approx(bound)
