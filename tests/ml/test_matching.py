"""Matching a new model's segments to the previous model's: the same group finds its twin."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.ml.features import extract_features
from segmentation.ml.matching import (
    NO_TWIN,
    centers_aligned,
    match_centers,
    match_segments,
)
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
from tests.ml.conftest import make_profiles


def _fit(records: list[dict], k: int, random_state: int, **options):
    config = ClusteringConfig(n_clusters=k, n_init=1, random_state=random_state, **options)
    return fit_segmentation(extract_features(records), config)


def _members(labels: np.ndarray) -> dict[int, frozenset[int]]:
    return {label: frozenset(np.flatnonzero(labels == label).tolist()) for label in set(labels)}


def test_a_retrain_with_another_seed_maps_every_segment_to_its_twin():
    records, _ = make_profiles(40, seed=2, blanks=True)
    old = _fit(records, 3, random_state=1)
    # Seeds chosen so that K-means numbers the same three groups differently.
    new = next(
        fit
        for seed in range(2, 40)
        if (fit := _fit(records, 3, random_state=seed)).labels.tolist() != old.labels.tolist()
    )

    matching = match_segments(old.pipeline, new.pipeline)

    old_members, new_members = _members(old.labels), _members(new.labels)
    assert len(matching.pairs) == 3
    for old_number, new_number in matching.pairs:
        assert new_members[new_number] == old_members[old_number]
    assert np.all(matching.distances < 1e-6)


def test_twins_are_found_when_the_candidates_and_vocabularies_differ():
    records, truth = make_profiles(40, seed=4)
    old = _fit(records[::2], 3, random_state=1)
    # New people: one more city, one new skill, and salaries a little higher all round.
    newcomers = [
        dict(record, location="Porto" if i % 3 == 0 else record["location"])
        for i, record in enumerate(records[1::2])
    ]
    for record in newcomers:
        record["desired_salary"] += 3_000
        record["skills"] = [*record["skills"], "Kotlin"]
    new = _fit(newcomers, 3, random_state=9)

    matching = match_segments(old.pipeline, new.pipeline)

    old_group = {label: np.bincount(truth[::2][old.labels == label]).argmax() for label in range(3)}
    new_group = {
        label: np.bincount(truth[1::2][new.labels == label]).argmax() for label in range(3)
    }
    assert sorted(new_group[new] for _, new in matching.pairs) == [0, 1, 2]
    for old_number, new_number in matching.pairs:
        assert old_group[old_number] == new_group[new_number]


def test_twins_are_found_through_an_svd_reduction():
    records, _ = make_profiles(40, seed=6)
    old = _fit(records, 3, random_state=1, svd_components=4)
    new = _fit(records, 3, random_state=5, svd_components=4)
    matching = match_segments(old.pipeline, new.pipeline)
    old_members, new_members = _members(old.labels), _members(new.labels)
    for old_number, new_number in matching.pairs:
        assert new_members[new_number] == old_members[old_number]


@pytest.mark.parametrize(("k_old", "k_new"), [(3, 4), (4, 3)])
def test_with_another_k_the_surplus_stays_unmatched(k_old, k_new):
    records, _ = make_profiles(40, seed=8)
    old = _fit(records, k_old, random_state=1)
    new = _fit(records, k_new, random_state=2)
    matching = match_segments(old.pipeline, new.pipeline)
    assert len(matching.pairs) == min(k_old, k_new)
    assert np.count_nonzero(matching.old_of_new == NO_TWIN) == max(k_new - k_old, 0)
    assert len({old for old, _ in matching.pairs}) == len(matching.pairs)  # one to one


def test_centres_are_compared_over_the_union_of_features():
    old, new, names = centers_aligned(
        np.array([[1.0, 2.0]]), ["a", "only_old"], np.array([[3.0, 4.0]]), ["a", "only_new"]
    )
    assert names == ["a", "only_new", "only_old"]
    assert old.tolist() == [[1.0, 0.0, 2.0]]
    assert new.tolist() == [[3.0, 4.0, 0.0]]


def test_matching_minimises_the_total_distance_not_each_greedily():
    # New centre 0 is nearest to old 0, but giving it old 0 would push new 1 far away.
    old = np.array([[0.0], [3.0]])
    new = np.array([[1.0], [-1.0]])
    matching = match_centers(old, new)
    assert matching.old_of_new.tolist() == [1, 0]
    assert matching.distances.tolist() == [2.0, 1.0]
