"""Recommendations on planted data: which segments and candidates fit an opening, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.recommendations import (
    Criteria,
    candidates_for_opening,
    opening_recommendations,
    openings_for_candidate,
    segment_fits,
    segment_suggestions,
)
from campaigns.recommendations import queries as reads
from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.models import SegmentationRun
from segmentation.selectors.candidates import candidate_detail_get
from segmentation.selectors.runs import segments_active
from tests.assignments import members, place
from tests.campaigns.conftest import BACK_END, DATA, FRONT_END, opening_create

pytestmark = pytest.mark.django_db


def skills_of(candidate: Candidate) -> set[str]:
    return set(candidate.skills.values_list("name", flat=True))


def share_holding(candidates: list[Candidate], skill: str) -> float:
    return sum(skill in skills_of(candidate) for candidate in candidates) / len(candidates)


# Segments for an opening


def test_the_back_end_segment_fits_a_berlin_python_postgresql_opening_best(
    planted, backend_opening
):
    result = opening_recommendations(opening=backend_opening)

    ranked = [entry.segment for entry in result.segments]
    assert ranked == [
        planted.segments[BACK_END],
        planted.segments[DATA],
        planted.segments[FRONT_END],
    ]
    best = result.segments[0]
    held = list(members(best.segment))
    python, postgresql = share_holding(held, "Python"), share_holding(held, "PostgreSQL")
    # Every back-end candidate is in Berlin with about 12 years: experience and location are
    # fully met, the skills as often as the segment holds them.
    assert best.fit == pytest.approx(0.6 * (python + postgresql) / 2 + 0.25 + 0.15)
    assert best.reason == (
        f"{postgresql:.0%} have PostgreSQL, {python:.0%} have Python; "
        f"100% have 5+ years (median {best.median_years:g}); 100% in Berlin"
    )
    # The data scientists hold Python but not PostgreSQL and live in Toronto.
    data = result.segments[1]
    assert "0% have PostgreSQL" in data.reason and "0% in Berlin" in data.reason
    assert result.segments[2].fit < 0.1
    assert result.sampled is None  # few candidates: everyone was counted


def test_it_is_the_one_segment_suggested_for_a_campaign(planted, backend_opening):
    suggestions = segment_suggestions(opening=backend_opening)

    assert suggestions.suggested_ids == [planted.segments[BACK_END].pk]
    assert suggestions.best.segment == planted.segments[BACK_END]


def test_each_group_gets_its_own_segment_suggested(planted):
    front = opening_create("Front-end developer", ["React", "CSS"], location="Lisbon")
    data = opening_create("Data scientist", ["R", "Pandas", "Spark"], min_years=4)

    assert segment_suggestions(opening=front).suggested_ids == [planted.segments[FRONT_END].pk]
    assert segment_suggestions(opening=data).suggested_ids == [planted.segments[DATA].pk]


def test_shares_counted_on_a_sample_still_rank_the_back_end_segment_first(
    planted, backend_opening, monkeypatch
):
    # 90 candidates, counted as a million would be: 3 runs of 10 consecutive ids.
    monkeypatch.setattr(reads, "SAMPLE_SIZE", 30)
    monkeypatch.setattr(reads, "SAMPLE_BLOCKS", 3)

    result = opening_recommendations(opening=backend_opening)

    assert result.sampled is not None and 0 < result.sampled <= 30
    assert result.segments[0].segment == planted.segments[BACK_END]
    assert sum(entry.counted for entry in result.segments) == result.sampled


# Candidates for an opening


def test_its_best_candidates_are_back_end_developers_holding_both_skills_first(
    planted, backend_opening
):
    result = opening_recommendations(opening=backend_opening)

    top = result.candidates
    assert len(top) == 20
    back_end = {candidate.pk for candidate in planted.group(BACK_END)}
    assert {entry.candidate.pk for entry in top} <= back_end
    held = [len(entry.skills_held) for entry in top]
    assert held == sorted(held, reverse=True)  # both skills before one
    with_both = [c for c in planted.group(BACK_END) if {"Python", "PostgreSQL"} <= skills_of(c)]
    assert [entry.candidate for entry in top[: len(with_both)]] == with_both  # ties: by id
    first = top[0]
    years = f"{first.candidate.years_experience:.1f}".removesuffix(".0")  # 12.0105 as 12
    assert first.reason == (
        f"2 of 2 skills (PostgreSQL, Python); {years} years, "
        f"meets 5+; in Berlin; segment fit {result.segments[0].fit:.2f}"
    )
    scores = [entry.score for entry in top]
    assert scores == sorted(scores, reverse=True)


def test_a_candidate_score_is_the_match_weighted_by_the_segment_fit(planted, backend_opening):
    result = opening_recommendations(opening=backend_opening)

    fit = result.segments[0].fit
    full = result.candidates[0]
    assert full.match == pytest.approx(1.0)
    assert full.score == pytest.approx(0.5 + 0.5 * fit)
    partial = next(entry for entry in result.candidates if len(entry.skills_held) == 1)
    assert partial.match == pytest.approx(0.6 * 0.5 + 0.25 + 0.15)
    assert partial.score == pytest.approx(0.7 * (0.5 + 0.5 * fit))
    assert "lacks " in partial.reason


def test_of_two_equal_candidates_the_one_in_the_better_segment_ranks_higher(
    planted, backend_opening
):
    front_end_segment = planted.segments[FRONT_END]
    twin = Candidate.objects.create(
        name="Front-end twin",
        email="twin@example.org",
        location="Berlin",
        years_experience=12,
    )
    place(twin, front_end_segment)
    twin.skills.set(Skill.objects.filter(name__in=["Python", "PostgreSQL"]))

    result = opening_recommendations(opening=backend_opening)

    # The twin meets everything, as the back-end developers holding both skills do, but their
    # segment does not fit the opening: their score is halved, below even the back-end
    # developers who hold one skill of two, and out of the top 20.
    assert twin not in [entry.candidate for entry in result.candidates]
    criteria = Criteria.of(backend_opening)
    fits = segment_fits(criteria=criteria, segments=segments_active())
    everyone = candidates_for_opening(criteria=criteria, fits=fits, limit=100)
    ranked = [entry.candidate for entry in everyone]
    back_end = planted.group(BACK_END)
    assert set(ranked[: len(back_end)]) == set(back_end)
    twin_entry = everyone[ranked.index(twin)]
    assert twin_entry.match == pytest.approx(1.0)
    assert twin_entry.segment_fit == fits.by_segment()[front_end_segment.pk]
    assert twin_entry.score == pytest.approx(0.5 + 0.5 * twin_entry.segment_fit)
    assert twin_entry.score < min(entry.score for entry in everyone[: len(back_end)])


def ranking(opening, limit: int) -> list[tuple[int, float]]:
    criteria = Criteria.of(opening)
    fits = segment_fits(criteria=criteria, segments=segments_active())
    top = candidates_for_opening(criteria=criteria, fits=fits, limit=limit)
    return [(entry.candidate.pk, round(entry.score, 9)) for entry in top]


@pytest.mark.parametrize("limit", [3, 5, 20])
@pytest.mark.parametrize(
    "skills", [["Python", "PostgreSQL"], ["Python", "Django", "Redis"], ["React", "HTML", "R"]]
)
def test_ranking_the_best_matching_tier_first_lists_the_same_candidates(
    planted, monkeypatch, skills, limit
):
    opening = opening_create("Any", skills, location="Berlin", min_years=5)
    monkeypatch.setattr(reads, "TIER_MAX_READ_SHARE", 0.0)  # rank everyone
    everyone = ranking(opening, limit)
    monkeypatch.setattr(reads, "TIER_MAX_READ_SHARE", 1.0)  # a tier whenever it can

    with CaptureQueriesContext(connection) as queries:
        assert ranking(opening, limit) == everyone
    assert len(everyone) == limit
    tiers = [query["sql"] for query in queries if "HAVING" in query["sql"]]
    assert tiers, "a tier was tried"


def test_a_tier_that_surely_holds_the_best_is_the_only_ranking_read(
    planted, backend_opening, monkeypatch
):
    monkeypatch.setattr(reads, "TIER_MAX_READ_SHARE", 1.0)

    with CaptureQueriesContext(connection) as queries:
        top = ranking(backend_opening, 5)

    # Five back-end developers hold both skills, in Berlin with 12 years, in the best segment:
    # no one holding one skill could score as high, so everyone else was never ranked.
    rankings = [query["sql"] for query in queries if "ORDER BY score" in query["sql"]]
    assert len(rankings) == 1 and "HAVING" in rankings[0]
    back_end = {c.pk for c in planted.group(BACK_END) if {"Python", "PostgreSQL"} <= skills_of(c)}
    assert {pk for pk, _ in top} <= back_end


def test_years_and_location_verdicts_on_the_page_are_the_ones_scored(planted):
    opening = opening_create("Python in Toronto", ["Python"], location="toronto", min_years=8)

    result = opening_recommendations(opening=opening)

    for entry in result.candidates:
        years = entry.candidate.years_experience
        assert entry.meets_experience == (years is not None and years >= 8)
        assert entry.in_location == (entry.candidate.location == "Toronto")  # case ignored
    # The data scientists in Toronto with 8+ years come first.
    first = result.candidates[0]
    assert first.in_location and first.meets_experience


def test_an_opening_without_minimum_or_location_is_matched_on_skills_alone(planted):
    opening = opening_create("Any React developer", ["React"])

    result = opening_recommendations(opening=opening)

    assert Criteria.of(opening).weights == (1.0, 0.0, 0.0)
    assert result.segments[0].segment == planted.segments[FRONT_END]
    assert result.segments[0].reason.endswith("have React")
    assert all(entry.match == pytest.approx(1.0) for entry in result.candidates)


# Empty states


def test_an_opening_without_required_skills_gets_no_recommendation(planted):
    opening = opening_create("Office manager", [], location="Berlin", min_years=2)

    result = opening_recommendations(opening=opening)

    assert not result.has_skills
    assert result.segments == [] and result.candidates == []
    assert segment_suggestions(opening=opening).suggested == []


def test_without_an_active_run_candidates_are_still_ranked_on_their_own_match(
    planted, backend_opening
):
    SegmentationRun.objects.update(is_active=False)

    result = opening_recommendations(opening=backend_opening)

    assert not result.has_segmentation and result.segments == []
    assert result.candidates[0].segment_fit is None
    assert result.candidates[0].score == pytest.approx(0.5)
    assert result.candidates[0].reason.endswith("; no segment fit")
    assert segment_suggestions(opening=backend_opening).suggested == []


def test_no_candidate_holding_a_required_skill_means_no_candidates(planted):
    opening = opening_create("COBOL maintainer", ["COBOL"])

    result = opening_recommendations(opening=opening)

    assert result.candidates == []
    assert all(entry.fit == 0 for entry in result.segments)
    assert segment_suggestions(opening=opening).suggested == []


# Openings for a candidate


def test_a_back_end_developer_sees_the_back_end_opening_first_and_no_closed_one(
    planted, backend_opening
):
    opening_create("Front-end developer", ["React", "CSS"], location="Lisbon", min_years=1)
    data = opening_create("Data scientist", ["Python", "Pandas"], location="Toronto")
    opening_create(
        "Closed back-end role", ["Python", "PostgreSQL"], location="Berlin", is_open=False
    )
    candidate = next(c for c in planted.group(BACK_END) if "Python" in skills_of(c))
    candidate = candidate_detail_get(pk=candidate.pk).candidate

    fits = openings_for_candidate(candidate=candidate)

    titles = [entry.opening.title for entry in fits]
    # Only openings asking for a skill they hold: not the front-end one, never the closed one.
    assert titles == [backend_opening.title, data.title]
    assert fits[0].score > fits[1].score
    assert fits[0].segment_fit == pytest.approx(
        opening_recommendations(opening=backend_opening).segments[0].fit
    )


def test_a_front_end_developer_sees_the_front_end_opening_first(planted, backend_opening):
    front = opening_create(
        "Front-end developer", ["React", "JavaScript", "Python"], location="Lisbon"
    )
    candidate = next(c for c in planted.group(FRONT_END) if "React" in skills_of(c))
    CandidateSkill.objects.create(candidate=candidate, skill=Skill.objects.get(name="Python"))
    candidate = candidate_detail_get(pk=candidate.pk).candidate

    fits = openings_for_candidate(candidate=candidate)

    assert [entry.opening for entry in fits] == [front, backend_opening]
    assert "in Lisbon" in fits[0].reason
    assert "not in Berlin" in fits[1].reason and "below 5+" in fits[1].reason


def test_a_candidate_without_a_segment_or_matching_skills(planted, backend_opening):
    loner = Candidate.objects.create(name="Loner", email="loner@example.org", location="Berlin")
    assert openings_for_candidate(candidate=candidate_detail_get(pk=loner.pk).candidate) == []

    loner.skills.set(Skill.objects.filter(name="Python"))
    [fit] = openings_for_candidate(candidate=candidate_detail_get(pk=loner.pk).candidate)
    assert fit.opening == backend_opening and fit.segment_fit is None
    # Half the skills, unknown years, in Berlin; no segment halves it.
    assert fit.score == pytest.approx((0.3 + 0.15) * 0.5)
    assert "unknown years, below 5+" in fit.reason
