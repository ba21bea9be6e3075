"""Training and prediction: equal to the seed where it should be, clear where it cannot work."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import extract_features
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation, predict_segments
from segmentation.ml.seed import (
    seed_extract_features,
    seed_preprocess_features,
    seed_train_model,
)
from tests.ml.conftest import make_profiles


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when the labelings are identical up to renumbering."""
    mapping: dict[int, int] = {}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        if mapping.setdefault(x, y) != y:
            return False
    return len(set(mapping.values())) == len(mapping)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_equals_the_seed_pipeline_on_data_without_blanks(k):
    records, _ = make_profiles(60, seed=k)
    seed_model = seed_train_model(seed_preprocess_features(seed_extract_features(records))[0], k)
    result = fit_segmentation(extract_features(records), ClusteringConfig.seed(k))
    assert _same_partition(seed_model.labels_, result.labels)
    assert result.inertia == pytest.approx(seed_model.inertia_, rel=1e-9)


def test_recovers_planted_groups():
    records, truth = make_profiles(100, seed=7, blanks=True)
    result = fit_segmentation(extract_features(records), ClusteringConfig(n_clusters=3))
    assert adjusted_rand_score(truth, result.labels) >= 0.95
    assert result.silhouette is not None and result.silhouette > 0.3


def test_training_is_reproducible():
    records, _ = make_profiles(50, seed=3, blanks=True)
    first = fit_segmentation(extract_features(records), ClusteringConfig(n_clusters=3))
    second = fit_segmentation(extract_features(records), ClusteringConfig(n_clusters=3))
    assert first.labels.tolist() == second.labels.tolist()
    assert first.inertia == second.inertia


def test_new_candidates_are_assigned_with_the_training_vocabulary():
    records, truth = make_profiles(40, seed=1)
    result = fit_segmentation(extract_features(records), ClusteringConfig(n_clusters=3))
    newcomer = dict(records[0], skills=records[0]["skills"] + ["Brainfuck"], location="Mars")
    labels = predict_segments(result.pipeline, extract_features([newcomer]))
    assert labels.tolist() == [result.labels[0]]


def test_sampled_fit_labels_everyone_and_stays_close_to_full_fit():
    records, truth = make_profiles(300, seed=11)
    features = extract_features(records)
    full = fit_segmentation(features, ClusteringConfig(n_clusters=3))
    sampled = fit_segmentation(features, ClusteringConfig(n_clusters=3, fit_sample_size=120))
    assert len(sampled.labels) == len(records)
    assert adjusted_rand_score(full.labels, sampled.labels) >= 0.99
    assert sampled.inertia == pytest.approx(full.inertia, rel=0.01)


def test_too_few_candidates_for_k_says_so():
    records, _ = make_profiles(1)
    with pytest.raises(SegmentationInputError, match="Cannot make 5 segments from 3 candidate"):
        fit_segmentation(extract_features(records), ClusteringConfig(n_clusters=5))


def test_no_candidates_says_so():
    with pytest.raises(SegmentationInputError, match="no candidates"):
        fit_segmentation(extract_features(make_profiles(0)[0] or _empty()), ClusteringConfig())


def _empty():
    import pandas as pd

    from segmentation.ml.features import PROFILE_COLUMNS

    return pd.DataFrame(columns=list(PROFILE_COLUMNS))


def test_identical_profiles_cannot_make_k_segments():
    records, _ = make_profiles(1)
    clones = [dict(records[0]) for _ in range(10)]
    with pytest.raises(SegmentationInputError, match="fewer than 4 distinct profiles"):
        fit_segmentation(extract_features(clones), ClusteringConfig(n_clusters=4))


@pytest.mark.parametrize("k", [0, -3, 1000])
def test_absurd_k_is_refused(k):
    with pytest.raises(SegmentationInputError, match="between 1 and 100"):
        ClusteringConfig(n_clusters=k)


def test_seed_configuration_is_the_seeds():
    config = ClusteringConfig.seed(5)
    assert (config.n_clusters, config.n_init, config.max_iter, config.tol, config.random_state) == (
        5,
        10,
        300,
        1e-4,
        42,
    )
    assert config.fit_sample_size is None
