"""Unusual profiles: candidates far from every segment centre.

A candidate's *distance* is the Euclidean distance from its encoded profile to the nearest
segment centre, measured in the space the clustering model works in (the scaled features, or
their SVD projection when the configuration asks for one). A run's *threshold* is a percentile of
those distances over the candidates it was trained on (the 99th by default); a candidate whose
distance is above it is unusual. docs/explanations.md gives the reasoning.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD

from segmentation.ml.bounds import DEFAULT_OUTLIER_PERCENTILE  # noqa: F401 (re-exported)
from segmentation.ml.features import CandidateFeatures
from segmentation.ml.pipeline import (  # noqa: F401 (center_spaces, squared_distances re-exported)
    CHUNK_ROWS,
    SegmentationPipeline,
    center_spaces,
    nearest_in_space,
    sample_rows,
    squared_distances,
)

# The configuration's default (99): one place to change it.
# The threshold is a percentile of the distances of this many sampled training candidates: exact
# up to this size, and above it within a few hundredths of a percent of the share flagged, for a
# tenth of the cost of encoding a million candidates again.
THRESHOLD_SAMPLE_SIZE = 100_000


def nearest_distances(
    pipeline: SegmentationPipeline, features: CandidateFeatures, *, chunk_rows: int = CHUNK_ROWS
) -> np.ndarray:
    """Each candidate's distance to the nearest segment centre, in the clustering space."""
    if len(features) == 0:
        return np.zeros(0, dtype=np.float64)
    return nearest_in_space(pipeline, pipeline.reduce(pipeline.transform(features)), chunk_rows)


def predict_with_distances(
    pipeline: SegmentationPipeline, features: CandidateFeatures, *, chunk_rows: int = CHUNK_ROWS
) -> tuple[np.ndarray, np.ndarray]:
    """Segment numbers, as ``pipeline.predict`` gives them, and nearest-centre distances.

    One encoding serves both: encoding is most of a prediction's cost (0.5 s of the 0.8 s at a
    million candidates). tests/ml/test_outliers.py holds the labels equal to
    ``pipeline.predict`` for every algorithm.
    """
    if len(features) == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
    if len(features) <= FEW_ROWS and _nearest_centre_model(pipeline):
        return _few_placed(pipeline, features)
    space = pipeline.reduce(pipeline.transform(features))
    labels = pipeline.estimator.predict(space).astype(np.int32)
    return labels, nearest_in_space(pipeline, space, chunk_rows)


# Up to this many rows (a save, a small import batch) the dense path below is taken: one
# candidate cost ~1.4 ms through sparse blocks, scikit-learn's validation and its predict.
FEW_ROWS = 32


def _nearest_centre_model(pipeline: SegmentationPipeline) -> bool:
    """Whether the model's predict is "the nearest centre" in a space a matrix product gives.

    True for K-means and mini-batch K-means, with or without a TruncatedSVD before them; not
    for bisecting K-means, whose predict walks its tree of splits.
    """
    return type(pipeline.estimator) in (KMeans, MiniBatchKMeans) and (
        pipeline.reducer is None or type(pipeline.reducer) is TruncatedSVD
    )


def _few_placed(
    pipeline: SegmentationPipeline, features: CandidateFeatures
) -> tuple[np.ndarray, np.ndarray]:
    """``predict_with_distances`` for a few rows in plain NumPy (tests/ml/test_few_rows.py)."""
    space = pipeline.encoder.transform_dense(features)
    if pipeline.reducer is not None:
        space = space @ pipeline.reducer.components_.T  # TruncatedSVD.transform
    squared = squared_distances(space, np.asarray(pipeline.estimator.cluster_centers_))
    return squared.argmin(axis=1).astype(np.int32), np.sqrt(squared.min(axis=1))


def outlier_threshold(distances: np.ndarray, percentile: float) -> float | None:
    """The distance above which a candidate is unusual; None without distances."""
    if len(distances) == 0:
        return None
    return float(np.percentile(distances, percentile))


def training_outlier_threshold(
    pipeline: SegmentationPipeline,
    features: CandidateFeatures,
    *,
    percentile: float = DEFAULT_OUTLIER_PERCENTILE,
    sample_size: int | None = THRESHOLD_SAMPLE_SIZE,
    random_state: int = 0,
) -> float | None:
    """The run's threshold: a percentile of the training candidates' nearest-centre distances.

    Measured on a reproducible sample of ``sample_size`` candidates when there are more.
    """
    rows = sample_rows(len(features), sample_size, random_state)
    sample = features if rows is None else features.take(rows)
    return outlier_threshold(nearest_distances(pipeline, sample), percentile)


def training_outlier_threshold_of(
    distances: np.ndarray,
    *,
    percentile: float = DEFAULT_OUTLIER_PERCENTILE,
    sample_size: int | None = THRESHOLD_SAMPLE_SIZE,
    random_state: int = 0,
) -> float | None:
    """``training_outlier_threshold`` from every training candidate's distance, already known.

    The same sample of rows, so the same threshold (tests/ml/test_outliers.py), without
    encoding the sample again.
    """
    rows = sample_rows(len(distances), sample_size, random_state)
    return outlier_threshold(distances if rows is None else distances[rows], percentile)


def unusual_rows(distances: np.ndarray, threshold: float | None) -> np.ndarray:
    """Row positions of the candidates whose distance is above the threshold."""
    if threshold is None:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(distances > threshold)
