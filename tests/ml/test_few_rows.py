"""A few candidates (a save) are placed by plain NumPy: the same segments as the pipeline.

``predict_with_distances`` takes a dense path for up to ``FEW_ROWS`` rows; these tests hold it
to scikit-learn's own predict, candidate by candidate, for every configuration it serves, and
show the ones it does not serve still go the long way.
"""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.ml import outliers
from segmentation.ml.features import extract_features
from segmentation.ml.outliers import FEW_ROWS, nearest_distances, predict_with_distances
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation, predict_segments
from tests.ml.conftest import make_profiles
from tests.ml.unusual_profiles import PLANTED_OUTLIERS

CONFIGS = {
    "the seed's": {},
    "recommended (quantiles, salary fill, SVD)": {
        "preset": "recommended",
        "svd_components": 8,
    },
    "mini-batch": {"algorithm": "minibatch", "n_clusters": 4},
    "more segments than groups": {"n_clusters": 7},
}


def _fitted(config: dict):
    records, _ = make_profiles(200, seed=1, blanks=True)
    result = fit_segmentation(
        extract_features(records), ClusteringConfig(**{"n_clusters": 3, **config})
    )
    # Candidates the model never saw: other draws of the groups, blanks, and profiles whose
    # places, roles and skills are unknown to the encoder.
    fresh, _ = make_profiles(150, seed=2, blanks=True)
    return result.pipeline, extract_features(fresh + PLANTED_OUTLIERS)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_each_candidate_alone_gets_the_pipeline_s_segment_and_distance(config):
    pipeline, features = _fitted(config)
    assert outliers._nearest_centre_model(pipeline)
    expected_labels = predict_segments(pipeline, features)
    expected_distances = nearest_distances(pipeline, features)
    for row in range(len(features)):
        labels, distances = predict_with_distances(pipeline, features.take(np.array([row])))
        assert labels[0] == expected_labels[row], f"candidate {row}"
        np.testing.assert_allclose(distances[0], expected_distances[row], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_the_dense_encoding_is_the_sparse_one(config):
    pipeline, features = _fitted(config)
    batch = features.take(np.arange(FEW_ROWS))
    np.testing.assert_array_equal(
        pipeline.encoder.transform_dense(batch), pipeline.transform(batch).toarray()
    )
    labels, _ = predict_with_distances(pipeline, batch)
    np.testing.assert_array_equal(labels, predict_segments(pipeline, batch))


def test_bisecting_k_means_keeps_its_own_predict():
    pipeline, features = _fitted({"algorithm": "bisecting", "n_clusters": 4})
    assert not outliers._nearest_centre_model(pipeline)
    one = features.take(np.array([0]))
    assert predict_with_distances(pipeline, one)[0][0] == predict_segments(pipeline, one)[0]
