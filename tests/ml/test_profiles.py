"""Segment profiles: the counting fast path agrees with counting candidate by candidate."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from segmentation.ml.features import BLANK_LABEL, distinct_sorted, extract_features, skill_key
from segmentation.ml.profiles import TOP_N, pool_profile, segment_profiles
from tests.ml.conftest import make_profiles


def _naive_top(counter: Counter, size: int, pool: Counter, pool_size: int) -> list[list]:
    # Most common first; ties in name order, as the profiles promise; then the pool's share.
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_N]
    return [
        [name or BLANK_LABEL, count, round(count / size, 4), round(pool[name] / pool_size, 4)]
        for name, count in ordered
    ]


@pytest.mark.parametrize("n_clusters", [1, 3, 6])
def test_profiles_match_a_candidate_by_candidate_count(n_clusters):
    records, _ = make_profiles(25, seed=n_clusters, blanks=True)
    records[4]["skills"] = ["Python", "python ", "SQL"]  # one skill, spelled twice
    features = extract_features(records)
    labels = np.random.default_rng(n_clusters).integers(0, n_clusters, len(records))
    labels[labels == 1] = 0  # segment 1 stays empty when it exists
    profiles = segment_profiles(features, labels, n_clusters)
    display = {}
    for name in features.skill_names:
        display.setdefault(skill_key(name), name)
    for segment, profile in enumerate(profiles):
        members = [r for r, label in zip(records, labels, strict=True) if label == segment]
        assert profile["size"] == len(members)
        if not members:
            assert profile["top_location"] == [] and profile["top_skills"] == []
            continue
        years = [r["years_experience"] for r in members if r["years_experience"] is not None]
        assert profile["years_experience"]["known"] == len(years)
        assert profile["years_experience"]["median"] == round(float(np.median(years)), 1)
        for column in ("location", "education_level", "primary_skill"):
            pool = Counter(r[column] for r in records)
            expected = _naive_top(
                Counter(r[column] for r in members), len(members), pool, len(records)
            )
            assert profile[f"top_{column}"] == expected

        def skill_keys(rows):
            return Counter(
                key for r in rows for key in {skill_key(s) for s in r["skills"] if s.strip()}
            )

        expected = _naive_top(skill_keys(members), len(members), skill_keys(records), len(records))
        assert profile["top_skills"] == [[display[k], c, s, p] for k, c, s, p in expected]


def test_pool_profile_is_the_single_segment_profile():
    records, _ = make_profiles(10, blanks=True)
    features = extract_features(records)
    labels = np.zeros(len(records), dtype=np.int32)
    assert pool_profile(features) == segment_profiles(features, labels, 1)[0]


def test_distinct_sorted_is_numpy_unique():
    values = np.random.default_rng(0).integers(-50, 50, 1_000)
    assert distinct_sorted(values).tolist() == np.unique(values).tolist()
    assert distinct_sorted(values[:1]).tolist() == values[:1].tolist()
    assert distinct_sorted(values[:0]).tolist() == []
