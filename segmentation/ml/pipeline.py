"""Preprocessing + clustering, built from one configuration object.

``ClusteringConfig.seed()`` is the seed's exact configuration: K-means (k-means++, n_init=10,
max_iter=300, tol=1e-4, random_state=42) fitted on every candidate. The default configuration
differs only where a measured speed-up keeps the result (see docs/benchmarks.md).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score

from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import CandidateFeatures, FeatureEncoder, preprocess_features
from segmentation.ml.timing import StageTimer

Algorithm = Literal["kmeans"]
ALGORITHMS: tuple[str, ...] = ("kmeans",)
DEFAULT_CLUSTERS = 5
MAX_CLUSTERS = 100


@dataclass(frozen=True)
class ClusteringConfig:
    """Everything that decides a trained model; stored on the run as it was used."""

    n_clusters: int = DEFAULT_CLUSTERS
    algorithm: Algorithm = "kmeans"
    n_init: int = 10
    max_iter: int = 300
    tol: float = 1e-4
    random_state: int = 42
    # Fit on a random sample of this many candidates, then assign everyone; None fits on all.
    fit_sample_size: int | None = None
    silhouette_sample_size: int = 5_000

    def __post_init__(self) -> None:
        if not 1 <= self.n_clusters <= MAX_CLUSTERS:
            raise SegmentationInputError(
                f"The number of segments must be between 1 and {MAX_CLUSTERS}; "
                f"got {self.n_clusters}."
            )
        if self.algorithm not in ALGORITHMS:
            raise SegmentationInputError(
                f"Unknown algorithm {self.algorithm!r}; choose one of {', '.join(ALGORITHMS)}."
            )
        if self.fit_sample_size is not None and self.fit_sample_size < self.n_clusters:
            raise SegmentationInputError("fit_sample_size must be at least the number of segments.")

    @classmethod
    def seed(cls, n_clusters: int = DEFAULT_CLUSTERS) -> ClusteringConfig:
        """The seed's configuration, exactly."""
        return cls(n_clusters=n_clusters, fit_sample_size=None)

    def with_clusters(self, n_clusters: int) -> ClusteringConfig:
        return replace(self, n_clusters=n_clusters)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ClusteringConfig:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in values.items() if key in known})


def build_estimator(config: ClusteringConfig) -> KMeans:
    return KMeans(
        n_clusters=config.n_clusters,
        init="k-means++",
        n_init=config.n_init,
        max_iter=config.max_iter,
        tol=config.tol,
        random_state=config.random_state,
    )


@dataclass
class SegmentationPipeline:
    """A fitted encoder and clustering model: candidates in, segment numbers out."""

    encoder: FeatureEncoder
    estimator: KMeans
    config: ClusteringConfig
    trained_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    sklearn_version: str = sklearn.__version__

    @property
    def feature_names(self) -> list[str]:
        return self.encoder.feature_names

    @property
    def centers(self) -> np.ndarray:
        return self.estimator.cluster_centers_

    def transform(self, features: CandidateFeatures) -> sp.csr_matrix:
        return self.encoder.transform(features)

    def predict(self, features: CandidateFeatures) -> np.ndarray:
        return predict_segments(self, features)


def train_model(matrix: sp.csr_matrix, config: ClusteringConfig) -> KMeans:
    """Fit the clustering model on an encoded matrix, refusing what cannot give k segments."""
    n_rows = matrix.shape[0]
    if n_rows < config.n_clusters:
        raise SegmentationInputError(
            f"Cannot make {config.n_clusters} segments from {n_rows} candidate(s): "
            f"k must not exceed the number of candidates."
        )
    estimator = build_estimator(config)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            estimator.fit(matrix)
        except ConvergenceWarning as exc:
            if "distinct clusters" in str(exc):
                raise SegmentationInputError(
                    f"The candidates have fewer than {config.n_clusters} distinct profiles, so "
                    f"{config.n_clusters} segments cannot be told apart; choose a smaller k."
                ) from exc
            raise
    return estimator


def predict_segments(pipeline: SegmentationPipeline, features: CandidateFeatures) -> np.ndarray:
    """Segment numbers (0..k-1) for the given candidates under a fitted pipeline."""
    if len(features) == 0:
        return np.zeros(0, dtype=np.int32)
    return pipeline.estimator.predict(pipeline.transform(features)).astype(np.int32)


@dataclass(frozen=True)
class TrainingResult:
    pipeline: SegmentationPipeline
    labels: np.ndarray
    inertia: float
    silhouette: float | None
    n_features: int


def sample_rows(n_rows: int, size: int | None, random_state: int) -> np.ndarray | None:
    """Sorted row positions of a reproducible random sample, or None when it would be all."""
    if size is None or size >= n_rows:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def fit_segmentation(
    features: CandidateFeatures, config: ClusteringConfig, timer: StageTimer | None = None
) -> TrainingResult:
    """Encode, fit, and label every candidate; the one entry point services call to train."""
    timer = timer or StageTimer()
    if len(features) == 0:
        raise SegmentationInputError(
            "There are no candidates to train on. Import candidates first "
            "(manage.py import_candidates FILE.csv or generate_candidates)."
        )
    if len(features) < config.n_clusters:
        raise SegmentationInputError(
            f"Cannot make {config.n_clusters} segments from {len(features)} candidate(s): "
            f"k must not exceed the number of candidates."
        )
    with timer.stage("features"):
        matrix, encoder = preprocess_features(features)
    with timer.stage("fit"):
        rows = sample_rows(matrix.shape[0], config.fit_sample_size, config.random_state)
        estimator = train_model(matrix if rows is None else matrix[rows], config)
    pipeline = SegmentationPipeline(encoder=encoder, estimator=estimator, config=config)
    with timer.stage("predict"):
        if rows is None:
            labels = estimator.labels_.astype(np.int32)
            inertia = float(estimator.inertia_)
        else:
            labels = estimator.predict(matrix).astype(np.int32)
            inertia = float(-estimator.score(matrix))
    with timer.stage("silhouette"):
        silhouette = sampled_silhouette(matrix, labels, config)
    return TrainingResult(
        pipeline=pipeline,
        labels=labels,
        inertia=inertia,
        silhouette=silhouette,
        n_features=matrix.shape[1],
    )


def sampled_silhouette(
    matrix: sp.csr_matrix, labels: np.ndarray, config: ClusteringConfig
) -> float | None:
    """Silhouette on a reproducible sample: O(sample^2), so never on every candidate."""
    if len(np.unique(labels)) < 2 or matrix.shape[0] < 3:
        return None
    rows = sample_rows(matrix.shape[0], config.silhouette_sample_size, config.random_state)
    sample, sample_labels = (matrix, labels) if rows is None else (matrix[rows], labels[rows])
    if not 2 <= len(np.unique(sample_labels)) <= sample.shape[0] - 1:
        return None
    return float(silhouette_score(sample, sample_labels, metric="euclidean"))
