"""Clustering options: each trains and predicts; the fast default equals the seed where it can."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from segmentation.ml.artifacts import load_model, save_model
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import extract_features, preprocess_features
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation, inertia_of
from tests.ml.conftest import make_profiles


@pytest.fixture
def grouped():
    records, truth = make_profiles(60, seed=21, blanks=True)
    return extract_features(records), truth


def test_a_sample_as_large_as_the_data_is_the_seeds_computation(grouped):
    features, _ = grouped
    seed = fit_segmentation(features, ClusteringConfig.seed(3))
    sampled = fit_segmentation(features, ClusteringConfig(n_clusters=3, fit_sample_size=180))
    larger = fit_segmentation(features, ClusteringConfig(n_clusters=3, fit_sample_size=100_000))
    assert sampled.labels.tolist() == seed.labels.tolist() == larger.labels.tolist()
    assert sampled.inertia == seed.inertia == larger.inertia


@pytest.mark.parametrize(
    "options",
    [
        {"algorithm": "minibatch"},
        {"algorithm": "minibatch", "n_init": "auto", "batch_size": 32},
        {"n_init": "auto"},
        {"n_init": 1},
        {"svd_components": 5},
        {"svd_components": 5, "fit_sample_size": 90},
        {"algorithm": "minibatch", "svd_components": 4, "fit_sample_size": 100},
    ],
)
def test_each_option_trains_predicts_and_survives_a_round_trip(grouped, tmp_path, options):
    features, truth = grouped
    config = ClusteringConfig(n_clusters=3, **options)
    result = fit_segmentation(features, config)
    assert len(result.labels) == len(features)
    assert adjusted_rand_score(truth, result.labels) >= 0.95
    assert (result.pipeline.reducer is not None) == ("svd_components" in options)
    assert result.pipeline.predict(features).tolist() == result.labels.tolist()
    saved = save_model(result.pipeline, tmp_path, stem="run")
    loaded = load_model(saved.path, expected_sha256=saved.sha256)
    assert loaded.predict(features).tolist() == result.labels.tolist()
    assert loaded.centers.shape == (3, result.n_features)


def test_svd_inertia_is_reported_in_the_clustered_space_and_comparable_via_inertia_of(grouped):
    features, _ = grouped
    matrix, _ = preprocess_features(features)
    full = fit_segmentation(features, ClusteringConfig.seed(3))
    reduced = fit_segmentation(features, ClusteringConfig(n_clusters=3, svd_components=5))
    assert reduced.inertia <= inertia_of(matrix, reduced.labels)
    assert inertia_of(matrix, reduced.labels) == pytest.approx(
        inertia_of(matrix, full.labels), rel=0.05
    )


def test_svd_needs_fewer_components_than_features(grouped):
    features, _ = grouped
    n_features = preprocess_features(features)[0].shape[1]
    config = ClusteringConfig(n_clusters=3, svd_components=n_features)
    with pytest.raises(SegmentationInputError, match=f"choose fewer than {n_features}"):
        fit_segmentation(features, config)


def test_options_are_reproducible(grouped):
    features, _ = grouped
    config = ClusteringConfig(n_clusters=3, algorithm="minibatch", fit_sample_size=100)
    first = fit_segmentation(features, config)
    second = fit_segmentation(features, config)
    assert first.labels.tolist() == second.labels.tolist()


def test_config_round_trips_through_its_stored_form():
    config = ClusteringConfig(n_clusters=4, n_init="auto", svd_components=20, algorithm="minibatch")
    assert ClusteringConfig.from_dict(config.to_dict()) == config


def test_the_seed_configuration_is_unchanged_by_the_new_fields():
    config = ClusteringConfig.seed(4)
    assert (config.algorithm, config.n_init, config.fit_sample_size, config.svd_components) == (
        "kmeans",
        10,
        None,
        None,
    )
    assert (config.max_iter, config.tol, config.random_state) == (300, 1e-4, 42)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_init": 0}, "n_init must be"),
        ({"n_init": "many"}, "n_init must be"),
        ({"n_init": 1000}, "from 1 to 100"),
        ({"algorithm": "dbscan"}, "Unknown algorithm 'dbscan'"),
        ({"fit_sample_size": 2}, "at least the number of segments"),
        ({"svd_components": 0}, "SVD components must be from 1"),
        ({"svd_components": 10**6}, "SVD components must be from 1"),
        ({"batch_size": 0}, "batch_size must be positive"),
    ],
)
def test_bad_options_are_refused_with_a_reason(options, message):
    with pytest.raises(SegmentationInputError, match=message):
        ClusteringConfig(n_clusters=3, **options)


def _brute_force_inertia(dense: np.ndarray, labels: np.ndarray) -> float:
    total = 0.0
    for label in np.unique(labels):
        members = dense[labels == label]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def test_inertia_of_is_the_sum_of_squared_distances_to_label_means():
    rng = np.random.default_rng(3)
    dense = rng.normal(size=(200, 7)) * (rng.random((200, 7)) < 0.4)
    labels = rng.integers(0, 4, 200)
    expected = _brute_force_inertia(dense, labels)
    assert inertia_of(dense, labels) == pytest.approx(expected, rel=1e-9)
    assert inertia_of(sp.csr_matrix(dense), labels) == pytest.approx(expected, rel=1e-9)


def test_inertia_of_a_converged_kmeans_is_its_inertia():
    rng = np.random.default_rng(4)
    dense = np.vstack([rng.normal(loc, 0.3, size=(50, 3)) for loc in (0, 5, 10)])
    model = KMeans(n_clusters=3, n_init=10, random_state=0).fit(dense)
    assert inertia_of(dense, model.labels_) == pytest.approx(model.inertia_, rel=1e-6)
