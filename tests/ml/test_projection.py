"""The 2-D picture of the segments: planted groups land apart, every point keeps its segment."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.ml.features import extract_features, preprocess_features
from segmentation.ml.projection import segment_projection
from tests.ml.conftest import make_profiles


@pytest.mark.parametrize("n_groups", [2, 3])
def test_planted_groups_land_apart_on_the_plane(n_groups):
    records, truth = make_profiles(200, seed=3)
    keep = truth < n_groups
    records = [r for r, k in zip(records, keep, strict=True) if k]
    truth = truth[keep]
    matrix, _ = preprocess_features(extract_features(records))

    picture = segment_projection(matrix, truth, sample_size=300)

    points = np.column_stack((picture["x"], picture["y"]))
    labels = np.array(picture["segment"])
    assert len(points) == 300 and set(labels) == set(range(n_groups))
    centres = np.array([points[labels == g].mean(axis=0) for g in range(n_groups)])
    spread = max(
        np.linalg.norm(points[labels == g] - centres[g], axis=1).mean() for g in range(n_groups)
    )
    gaps = [
        np.linalg.norm(centres[a] - centres[b])
        for a in range(n_groups)
        for b in range(a + 1, n_groups)
    ]
    # Each group is a tight cloud, well away from the others.
    assert min(gaps) > 3 * spread


def test_sample_is_reproducible_and_never_larger_than_the_pool():
    records, truth = make_profiles(20, seed=1)
    matrix, _ = preprocess_features(extract_features(records))
    first = segment_projection(matrix, truth, sample_size=1_000)
    assert len(first["x"]) == len(records)
    assert segment_projection(matrix, truth, sample_size=1_000) == first
