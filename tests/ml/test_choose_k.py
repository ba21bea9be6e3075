"""Choosing k: on planted groups the silhouette finds how many there are, for every algorithm."""

from __future__ import annotations

import pytest

from segmentation.ml.choose_k import choose_k, k_best, k_range_check
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import extract_features
from segmentation.ml.pipeline import ClusteringConfig
from tests.ml.planted import make_planted


@pytest.mark.parametrize("n_groups", [3, 4, 5])
def test_picks_the_planted_number_of_groups_and_scores_every_k(n_groups):
    records, _ = make_planted(n_groups, 40, seed=n_groups)
    choice = choose_k(extract_features(records), ClusteringConfig(), k_min=2, k_max=8)
    assert choice.k == n_groups
    assert [score["k"] for score in choice.scores] == list(range(2, 9))
    assert all(score["silhouette"] is not None for score in choice.scores)
    # The planted k stands out: its silhouette is the best, and inertia falls as k grows.
    assert choice.silhouette == max(score["silhouette"] for score in choice.scores)
    inertias = [score["inertia"] for score in choice.scores]
    assert inertias[n_groups - 2] < inertias[0]


@pytest.mark.parametrize(
    "config",
    [
        ClusteringConfig(algorithm="minibatch"),
        ClusteringConfig(algorithm="bisecting"),
        ClusteringConfig(algorithm="gmm", fit_sample_size=1_000),
        ClusteringConfig(algorithm="agglomerative", fit_sample_size=1_000),
        ClusteringConfig(svd_components=5),
    ],
    ids=["minibatch", "bisecting", "gmm", "agglomerative", "svd"],
)
def test_every_algorithm_finds_the_planted_k(config):
    records, _ = make_planted(4, 40, seed=11)
    choice = choose_k(extract_features(records), config, k_min=2, k_max=7)
    assert choice.k == 4
    assert [score["k"] for score in choice.scores] == list(range(2, 8))


def test_a_small_sample_still_finds_the_groups_and_says_how_large_it_was():
    records, _ = make_planted(4, 60, seed=2)
    choice = choose_k(
        extract_features(records), ClusteringConfig(), k_max=6, fit_rows=120, silhouette_rows=80
    )
    assert choice.k == 4
    assert (choice.fit_rows, choice.silhouette_rows) == (120, 80)


def test_the_same_data_gives_the_same_scores():
    records, _ = make_planted(3, 30, seed=4)
    features = extract_features(records)
    first = choose_k(features, ClusteringConfig(), k_max=6)
    second = choose_k(features, ClusteringConfig(), k_max=6)
    assert first.scores == second.scores


def test_a_tie_goes_to_the_smaller_k():
    scores = [
        {"k": 2, "silhouette": 0.30, "inertia": 9.0},
        {"k": 3, "silhouette": 0.41, "inertia": 7.0},
        {"k": 4, "silhouette": 0.41, "inertia": 6.0},
        {"k": 5, "silhouette": None, "inertia": 5.0},
    ]
    assert k_best(scores) == 3


def test_k_larger_than_the_distinct_profiles_is_not_tried():
    records, _ = make_planted(3, 1)
    records = records * 10  # 30 candidates, 3 distinct profiles
    choice = choose_k(extract_features(records), ClusteringConfig(), k_min=2, k_max=6)
    assert choice.k == 3
    assert [score["k"] for score in choice.scores] == [2, 3]


@pytest.mark.parametrize(
    ("n_candidates", "k_min", "k_max", "message"),
    [
        (100, 1, 5, "at least two segments"),
        (100, 6, 5, "got 6 to 5"),
        (100, 2, 101, "largest <= 100"),
        (2, 2, 5, "needs more than 2 candidates; there are 2"),
    ],
)
def test_a_range_that_cannot_be_scored_is_refused(n_candidates, k_min, k_max, message):
    with pytest.raises(SegmentationInputError, match=message):
        k_range_check(n_candidates, k_min, k_max)
