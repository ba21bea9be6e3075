"""Unusual profiles: planted outliers are flagged, ordinary group members are not."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import extract_features
from segmentation.ml.outliers import (
    center_spaces,
    nearest_distances,
    outlier_threshold,
    predict_with_distances,
    training_outlier_threshold,
    training_outlier_threshold_of,
    unusual_rows,
)
from segmentation.ml.pipeline import ALGORITHMS, ClusteringConfig, fit_segmentation
from tests.ml.conftest import make_profiles
from tests.ml.unusual_profiles import PLANTED_OUTLIERS


def _with_outliers(per_group: int = 100, **config):
    records, truth = make_profiles(per_group, seed=0)
    features = extract_features(records + PLANTED_OUTLIERS)
    result = fit_segmentation(features, ClusteringConfig(n_clusters=3, **config))
    return features, result, len(records)


def test_planted_outliers_are_the_most_unusual_and_flagged():
    features, result, n_ordinary = _with_outliers()
    distances = nearest_distances(result.pipeline, features)
    threshold = training_outlier_threshold(result.pipeline, features, percentile=99)
    flagged = set(unusual_rows(distances, threshold).tolist())
    planted = set(range(n_ordinary, n_ordinary + len(PLANTED_OUTLIERS)))
    assert planted <= flagged
    # About 1 % of 303 candidates: the three planted ones and at most one ordinary candidate.
    assert len(flagged) <= 4
    farthest_first = np.argsort(-distances)
    assert set(farthest_first[:3].tolist()) == planted
    # The clustering did not make a segment of them: the three groups are intact.
    assert sorted(np.bincount(result.labels[:n_ordinary]).tolist()) == [100, 100, 100]


def test_a_higher_percentile_flags_fewer():
    features, result, _ = _with_outliers(per_group=40)
    distances = nearest_distances(result.pipeline, features)
    counts = [len(unusual_rows(distances, outlier_threshold(distances, p))) for p in (90, 97, 100)]
    assert counts[0] > counts[1] > counts[2] == 0


def test_the_threshold_from_a_sample_flags_about_the_asked_share():
    features, result, _ = _with_outliers(per_group=1_000)
    distances = nearest_distances(result.pipeline, features)
    exact = outlier_threshold(distances, 99)
    sampled = training_outlier_threshold(
        result.pipeline, features, percentile=99, sample_size=1_000, random_state=3
    )
    assert sampled != exact
    share = len(unusual_rows(distances, sampled)) / len(distances)
    assert 0.003 <= share <= 0.02


def test_distances_are_measured_where_the_model_clusters():
    features, result, _ = _with_outliers(per_group=40, svd_components=5)
    pipeline = result.pipeline
    clustering, encoded = center_spaces(pipeline)
    assert clustering.shape == (3, 5)
    assert encoded.shape == (3, pipeline.encoder.n_features)
    np.testing.assert_allclose(clustering, pipeline.estimator.cluster_centers_, atol=1e-9)
    space = pipeline.reduce(pipeline.transform(features))
    expected = pipeline.estimator.transform(space).min(axis=1)
    np.testing.assert_allclose(nearest_distances(pipeline, features, chunk_rows=7), expected)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_one_encoding_gives_the_segments_predict_gives_and_the_distances(algorithm):
    records, _ = make_profiles(30, seed=4)
    features = extract_features(records + PLANTED_OUTLIERS)
    # A sample as large as the pool: every algorithm fits on all of it (the mixture and
    # agglomerative clustering need a sample size).
    config = ClusteringConfig(n_clusters=3, algorithm=algorithm, fit_sample_size=10_000)
    pipeline = fit_segmentation(features, config).pipeline
    labels, distances = predict_with_distances(pipeline, features)
    np.testing.assert_array_equal(labels, pipeline.predict(features))
    np.testing.assert_allclose(distances, nearest_distances(pipeline, features))
    assert set(np.argsort(-distances)[:3].tolist()) == {90, 91, 92}  # the planted outliers


def test_no_candidates_no_threshold():
    features, result, _ = _with_outliers(per_group=10)
    empty = features.take(np.array([], dtype=np.int64))
    assert len(nearest_distances(result.pipeline, empty)) == 0
    assert [len(part) for part in predict_with_distances(result.pipeline, empty)] == [0, 0]
    assert outlier_threshold(np.zeros(0), 99) is None
    assert len(unusual_rows(np.array([5.0]), None)) == 0


@pytest.mark.parametrize("percentile", [10, 100.5])
def test_a_percentile_that_would_flag_most_candidates_is_refused(percentile):
    with pytest.raises(SegmentationInputError, match="outlier_percentile must be from 50 to 100"):
        ClusteringConfig(outlier_percentile=percentile)


@pytest.mark.parametrize(
    "config",
    [
        {},  # every row fitted: the fit's own labels and a prediction may differ
        {"fit_sample_size": 500},  # a sample fitted, everyone predicted
        {"preset": "recommended", "svd_components": 5, "fit_sample_size": 500},
    ],
)
def test_the_fit_s_placement_of_everyone_is_what_predicting_them_again_gives(config):
    """Training reuses the fit's prediction and distances instead of encoding everyone again."""
    features, result, _ = _with_outliers(per_group=400, **config)
    labels, distances = predict_with_distances(result.pipeline, features)
    np.testing.assert_array_equal(result.assigned, labels)
    np.testing.assert_allclose(result.distances, distances, rtol=1e-12, atol=1e-12)
    for size, seed in ((None, 0), (300, 3)):
        assert training_outlier_threshold_of(
            result.distances, percentile=97, sample_size=size, random_state=seed
        ) == pytest.approx(
            training_outlier_threshold(
                result.pipeline, features, percentile=97, sample_size=size, random_state=seed
            ),
            rel=1e-12,
        )
