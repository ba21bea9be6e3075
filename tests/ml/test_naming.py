"""Automatic segment names: what sets each planted group apart, unique within a run."""

from __future__ import annotations

import copy

import numpy as np

from segmentation.ml.features import extract_features
from segmentation.ml.naming import FALLBACK_NAME, segment_names
from segmentation.ml.profiles import pool_profile, segment_profiles
from tests.ml.conftest import make_profiles

EDUCATION = {"education_level": {"bachelor": "Bachelor's degree", "master": "Master's degree"}}


def _planted_names(per_group: int = 40) -> list[str]:
    """Names of the three planted groups, in group order (Lisbon, Berlin, Toronto)."""
    records, truth = make_profiles(per_group, seed=1)
    features = extract_features(records)
    return segment_names(
        segment_profiles(features, truth, 3), pool_profile(features), value_labels=EDUCATION
    )


def test_each_planted_group_is_named_for_what_sets_it_apart():
    lisbon, berlin, toronto = _planted_names()
    assert berlin.startswith("Senior back-end developer · Berlin · Master’s degree · ")
    assert lisbon.startswith("Junior front-end developer · Lisbon · Bachelor’s degree · ")
    # Toronto's median experience is the pool's: no seniority word. Its skills are named, but
    # not Python, which the Berlin group has as often.
    assert toronto.startswith("Data scientist · Toronto · doctorate · ")
    assert "Python" not in toronto
    assert len({lisbon, berlin, toronto}) == 3


def test_skills_named_are_the_groups_own():
    lisbon, berlin, _ = _planted_names()
    skills_of = {name: set(name.rsplit(" · ", 1)[1].split(", ")) for name in (lisbon, berlin)}
    assert skills_of[lisbon] <= {"JavaScript", "React", "CSS", "HTML"}
    assert skills_of[berlin] <= {"PostgreSQL", "Django", "Redis", "Python"}
    assert all(len(skills) == 2 for skills in skills_of.values())


def test_names_are_the_same_every_time():
    assert _planted_names() == _planted_names()


def test_segments_alike_in_everything_named_are_told_apart_by_what_differs():
    records, truth = make_profiles(40, seed=2)
    features = extract_features(records)
    profiles = segment_profiles(features, truth, 3)
    twin = copy.deepcopy(profiles[1])
    # Same role, city, education and skills as the Berlin group, but paid differently.
    twin["desired_salary"]["median"] = 60_000.0
    names = segment_names([*profiles, twin], pool_profile(features))
    assert len(set(names)) == 4
    assert names[1].startswith("Senior back-end developer · Berlin")
    assert names[3].startswith("Senior back-end developer · Berlin")
    assert names[3].endswith("60k salary")


def test_identical_segments_get_numbered_names_the_first_keeps_its_own():
    records, truth = make_profiles(20, seed=3)
    features = extract_features(records)
    profile = segment_profiles(features, truth, 3)[0]
    names = segment_names([profile, profile, profile], pool_profile(features))
    assert names[1] == f"{names[0]} (2)" and names[2] == f"{names[0]} (3)"


def test_a_segment_like_the_whole_pool_gets_a_plain_name():
    records, _ = make_profiles(20, seed=4)
    features = extract_features(records)
    pool = pool_profile(features)
    assert segment_names([pool], pool) == [FALLBACK_NAME]


def test_long_values_are_cut_to_fit_the_name_column():
    records, truth = make_profiles(20, seed=5)
    long_place = "United Kingdom of Great Britain and Northern Ireland " * 3
    for record, group in zip(records, truth, strict=True):
        if group == 1:
            record["location"] = long_place.strip()
    features = extract_features(records)
    names = segment_names(
        segment_profiles(features, truth, 3), pool_profile(features), max_length=60
    )
    assert all(len(name) <= 60 for name in names)
    # The long place no longer fits, so the name keeps what comes before it.
    assert names[1] == "Senior back-end developer"


def test_unknown_seniority_and_blank_values_are_left_out():
    records, truth = make_profiles(20, seed=6)
    for record in records:
        record["years_experience"] = None
        if record["location"] == "Berlin":
            record["location"] = ""
    features = extract_features(records)
    names = segment_names(segment_profiles(features, truth, 3), pool_profile(features))
    assert not any(name.startswith(("Senior", "Junior")) for name in names)
    assert "(blank)" not in " ".join(names)
    assert names[1].startswith("Back-end developer · master · ")
    assert np.all([" · " in name for name in names])


def test_roles_read_as_roles_and_keep_their_spelling():
    records, truth = make_profiles(20, seed=7)
    for record, group in zip(records, truth, strict=True):
        if group in (0, 2):
            record["primary_skill"] = {0: "DevOps specialist", 2: "Developer, iOS"}[group]
    features = extract_features(records)
    names = segment_names(segment_profiles(features, truth, 3), pool_profile(features))
    assert names[0].startswith("Junior DevOps specialist · Lisbon")
    assert names[1].startswith("Senior back-end developer · Berlin")
    assert names[2].startswith("iOS developer · Toronto")


def _skills_profile(share: float, *, years: float = 5.0, location=None) -> dict:
    """A segment set apart only by two skills that ``share`` of it holds (pool: 10 %)."""
    return {
        "years_experience": {"known": 100, "median": years},
        "top_skills": [["NumPy", 100, share, 0.10], ["pandas", 90, share - 0.02, 0.09]],
        "top_location": [location] if location else [],
    }


POOL = {"years_experience": {"known": 1000, "median": 5.0}}


def test_a_segment_whose_named_skills_under_half_hold_is_called_mixed():
    assert segment_names([_skills_profile(0.30)], POOL, mark_mixed=True) == [
        "Mixed profiles · NumPy, pandas"
    ]
    # Without the mark (the seed's names) it keeps the skills alone.
    assert segment_names([_skills_profile(0.30)], POOL) == ["NumPy, pandas"]


def test_a_skill_most_of_the_segment_holds_names_it():
    assert segment_names([_skills_profile(0.60)], POOL, mark_mixed=True) == ["NumPy, pandas"]


def test_a_mixed_segment_keeps_its_seniority_after_the_word_mixed():
    names = segment_names([_skills_profile(0.30, years=10.0)], POOL, mark_mixed=True)
    assert names == ["Mixed profiles · Senior · NumPy, pandas"]


def test_a_segment_with_a_location_of_its_own_is_not_mixed_for_weak_skills():
    berlin = ["Berlin", 40, 0.40, 0.05]
    profile = _skills_profile(0.30, location=berlin)
    assert segment_names([profile], POOL, mark_mixed=True) == ["Berlin · NumPy, pandas"]
