"""synthetic_profiles: deterministic, realistic in shape, and with structure clustering can find."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from candidates.models import EducationLevel
from candidates.synthetic import (
    ARCHETYPES,
    EDUCATION_LEVELS,
    LOCATIONS,
    PRIMARY_SKILLS,
    SKILLS,
    SyntheticProfiles,
    synthetic_profiles,
)
from segmentation.ml.features import CandidateFeatures, extract_features, preprocess_features

COLUMNS = (
    "archetype",
    "name",
    "location",
    "education_level",
    "years_experience",
    "desired_salary",
    "primary_skill",
    "skill_rows",
    "skill_codes",
)


def features(profiles: SyntheticProfiles) -> CandidateFeatures:
    return CandidateFeatures(
        ids=np.arange(len(profiles)),
        numeric=np.column_stack([profiles.years_experience, profiles.desired_salary]),
        categorical={
            "location": profiles.location,
            "education_level": profiles.education_level,
            "primary_skill": profiles.primary_skill,
        },
        skill_rows=profiles.skill_rows,
        skill_codes=profiles.skill_codes,
        skill_names=profiles.skill_names,
    )


def same(a: SyntheticProfiles, b: SyntheticProfiles) -> bool:
    return all(
        np.array_equal(
            getattr(a, column),
            getattr(b, column),
            equal_nan=column in ("years_experience", "desired_salary"),
        )
        for column in COLUMNS
    )


def test_the_same_seed_gives_the_same_profiles_and_another_seed_others() -> None:
    assert same(synthetic_profiles(500, 7), synthetic_profiles(500, 7))
    assert not same(synthetic_profiles(500, 7), synthetic_profiles(500, 8))


def test_the_vocabulary_has_the_documented_size_and_education_matches_the_model() -> None:
    assert tuple(EducationLevel.values) == EDUCATION_LEVELS
    assert len(LOCATIONS) == 50
    assert len(PRIMARY_SKILLS) == len(set(PRIMARY_SKILLS)) == 30
    assert len(SKILLS) == len({name.casefold() for name in SKILLS}) == 200
    assert 6 <= len(ARCHETYPES) <= 8


def test_profiles_look_like_candidates() -> None:
    profiles = synthetic_profiles(20_000, 1)

    assert len(profiles) == 20_000
    assert 4.5 <= len(profiles.skill_rows) / len(profiles) <= 5.2
    assert len(np.unique(profiles.location)) == 50
    assert len(np.unique(profiles.primary_skill)) == 30
    assert len(np.unique(profiles.skill_codes)) == 200
    assert set(np.unique(profiles.education_level)) == set(EDUCATION_LEVELS)
    assert 0.02 <= np.isnan(profiles.years_experience).mean() <= 0.04
    assert 0.18 <= np.isnan(profiles.desired_salary).mean() <= 0.22
    years = profiles.years_experience[~np.isnan(profiles.years_experience)]
    salary = profiles.desired_salary[~np.isnan(profiles.desired_salary)]
    assert years.min() >= 0 and years.max() <= 50
    assert np.all(salary == np.round(salary)) and salary.min() >= 1_000
    # Each (candidate, skill) pair appears once.
    pairs = profiles.skill_rows * len(SKILLS) + profiles.skill_codes
    assert len(np.unique(pairs)) == len(pairs)


def test_salary_follows_the_cost_of_living() -> None:
    profiles = synthetic_profiles(20_000, 2)
    median = {
        place: np.nanmedian(profiles.desired_salary[profiles.location == place])
        for place in ("Switzerland", "United States of America", "India")
    }

    assert median["Switzerland"] > median["United States of America"] > 3 * median["India"]


def test_most_skills_come_from_the_archetypes_own_pool() -> None:
    profiles = synthetic_profiles(10_000, 3)
    pool = profiles.skill_codes // 20
    own = pool == profiles.archetype[profiles.skill_rows]

    assert 0.85 <= own.mean() <= 0.95


@pytest.mark.parametrize(("count", "seed"), [(2_000, 0), (5_000, 1)])
def test_k_means_finds_the_archetypes_again(count: int, seed: int) -> None:
    profiles = synthetic_profiles(count, seed)
    matrix, _ = preprocess_features(features(profiles))

    labels = KMeans(n_clusters=len(ARCHETYPES), n_init=10, random_state=42).fit_predict(matrix)

    assert adjusted_rand_score(profiles.archetype, labels) >= 0.95


def test_the_frame_feeds_the_segmentation_features() -> None:
    profiles = synthetic_profiles(50, 4)
    frame = profiles.to_frame()

    extracted = extract_features(frame)

    assert list(frame["external_id"][:2]) == ["gen-4-0", "gen-4-1"]
    assert list(frame["email"][:1]) == ["cand4-0@example.org"]
    assert frame["skills"].tolist() == profiles.skill_lists()
    assert len(extracted.skill_rows) == len(profiles.skill_rows)
