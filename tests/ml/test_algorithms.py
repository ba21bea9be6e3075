"""Every algorithm behind the one interface: finds planted groups, survives a round trip,
assigns new candidates, and refuses what would not fit in memory with a way out."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from segmentation.ml import algorithms
from segmentation.ml.algorithms import (
    AGGLOMERATIVE_MAX_FIT_ROWS,
    ALGORITHM_DESCRIPTIONS,
    WardClusterer,
    ward_fits,
)
from segmentation.ml.artifacts import load_model, save_model
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import extract_features, preprocess_features
from segmentation.ml.pipeline import ALGORITHMS, ClusteringConfig, fit_segmentation
from tests.ml.planted import make_planted

CONFIGS = {
    "kmeans": ClusteringConfig(n_clusters=4),
    "minibatch": ClusteringConfig(n_clusters=4, algorithm="minibatch"),
    "bisecting": ClusteringConfig(n_clusters=4, algorithm="bisecting"),
    "gmm on a sample": ClusteringConfig(n_clusters=4, algorithm="gmm", fit_sample_size=150),
    "gmm on SVD": ClusteringConfig(n_clusters=4, algorithm="gmm", svd_components=6),
    "agglomerative": ClusteringConfig(n_clusters=4, algorithm="agglomerative", fit_sample_size=150),
    "agglomerative on SVD": ClusteringConfig(
        n_clusters=4, algorithm="agglomerative", fit_sample_size=10_000, svd_components=6
    ),
}


@pytest.fixture(scope="module")
def planted():
    records, truth = make_planted(4, 50, seed=8)
    return extract_features(records), truth


@pytest.mark.parametrize("name", CONFIGS)
def test_recovers_the_planted_groups_and_a_loaded_model_assigns_newcomers(planted, tmp_path, name):
    features, truth = planted
    config = CONFIGS[name]
    result = fit_segmentation(features, config)
    assert adjusted_rand_score(truth, result.labels) >= 0.9
    assert result.silhouette is not None and result.silhouette > 0.3

    saved = save_model(result.pipeline, tmp_path, stem="run")
    loaded = load_model(saved.path, expected_sha256=saved.sha256)
    # The segments recorded at training are the ones assigning everyone again gives.
    assert loaded.predict(features).tolist() == result.labels.tolist()
    newcomers, their_groups = make_planted(4, 10, seed=99)
    assert adjusted_rand_score(their_groups, loaded.predict(extract_features(newcomers))) >= 0.9
    # Explanations read the centres in the encoded feature space, whatever the algorithm.
    assert loaded.centers.shape == (4, result.n_features)


@pytest.mark.parametrize("name", ["bisecting", "gmm on a sample", "agglomerative"])
def test_inertia_is_the_squared_distance_to_each_candidates_segment_centre(planted, name):
    features, _ = planted
    result = fit_segmentation(features, CONFIGS[name])
    matrix, _ = preprocess_features(features)
    dense = matrix.toarray()
    expected = float(np.square(dense - result.pipeline.centers[result.labels]).sum())
    assert result.inertia == pytest.approx(expected, rel=1e-6)


def test_agglomerative_segments_are_the_nearest_centres_of_wards_clusters(planted):
    features, truth = planted
    matrix, _ = preprocess_features(features)
    ward = WardClusterer(n_clusters=4).fit(matrix)
    centres = np.stack([matrix.toarray()[truth == g].mean(axis=0) for g in range(4)])
    # On well-separated groups Ward's clusters are the groups, and their means the centres.
    assert adjusted_rand_score(truth, ward.labels_) == 1.0
    assert np.allclose(np.sort(ward.cluster_centers_, axis=0), np.sort(centres, axis=0))


def test_one_ward_tree_cut_at_each_k_gives_what_fitting_each_k_gives(planted):
    features, _ = planted
    matrix, _ = preprocess_features(features)
    fits = ward_fits(matrix, [2, 3, 4, 5])
    assert sorted(fits) == [2, 3, 4, 5]
    for k, fitted in fits.items():
        direct = WardClusterer(n_clusters=k).fit(matrix)
        assert adjusted_rand_score(direct.labels_, fitted.labels_) == 1.0
        assert fitted.inertia_ == pytest.approx(direct.inertia_)


def test_every_algorithm_has_a_description_for_the_flag_and_the_form():
    assert set(ALGORITHM_DESCRIPTIONS) == set(ALGORITHMS)
    assert all(description.strip() for description in ALGORITHM_DESCRIPTIONS.values())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"algorithm": "agglomerative"}, "sample of at most 10,000 candidates \\(got every"),
        ({"algorithm": "agglomerative", "fit_sample_size": 20_000}, "\\(got 20,000\\)"),
        ({"algorithm": "gmm"}, "Gaussian mixture needs dense input.*--sample-size"),
    ],
)
def test_what_would_not_fit_in_memory_is_refused_with_a_way_out(options, message):
    with pytest.raises(SegmentationInputError, match=message):
        ClusteringConfig(n_clusters=4, **options)


def test_a_mixture_too_large_to_densify_is_refused_before_fitting(planted, monkeypatch):
    features, _ = planted
    monkeypatch.setattr(algorithms, "DENSE_MAX_CELLS", 1_000)
    config = ClusteringConfig(n_clusters=4, algorithm="gmm", fit_sample_size=150)
    with pytest.raises(SegmentationInputError, match="needs dense input.*--svd-components"):
        fit_segmentation(features, config)


def test_choosing_an_algorithm_brings_its_own_defaults():
    default = ClusteringConfig(n_clusters=4, fit_sample_size=100_000)
    assert default.with_algorithm("agglomerative").fit_sample_size == AGGLOMERATIVE_MAX_FIT_ROWS
    assert ClusteringConfig(n_clusters=4).with_algorithm("agglomerative").fit_sample_size == (
        AGGLOMERATIVE_MAX_FIT_ROWS
    )
    small = ClusteringConfig(n_clusters=4, fit_sample_size=2_000)
    assert small.with_algorithm("agglomerative").fit_sample_size == 2_000
    assert default.with_algorithm("bisecting") == ClusteringConfig(
        n_clusters=4, fit_sample_size=100_000, algorithm="bisecting"
    )
    # A mixture starts once (its start is a K-means fit), on 20 SVD components unless told.
    mixture = default.with_algorithm("gmm")
    assert (mixture.n_init, mixture.svd_components) == (1, 20)
    svd = ClusteringConfig(n_clusters=4, fit_sample_size=100_000, svd_components=8)
    assert svd.with_algorithm("gmm").svd_components == 8
    assert default.with_algorithm("kmeans").n_init == 10


def test_the_default_and_the_seed_stay_k_means():
    assert ClusteringConfig().algorithm == ClusteringConfig.seed().algorithm == "kmeans"
