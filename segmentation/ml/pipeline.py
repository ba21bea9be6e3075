"""Preprocessing + clustering, built from one configuration object.

``ClusteringConfig.seed()`` is the seed's exact configuration: K-means (k-means++, n_init=10,
max_iter=300, tol=1e-4, random_state=42) fitted on every candidate. The options that trade
exactness for speed (a fit sample, fewer initialisations, MiniBatchKMeans, TruncatedSVD) are
fields of the same object; docs/benchmarks.md gives each one's time and quality cost, and the
services choose the default.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.cluster import BisectingKMeans, KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score

from segmentation.ml import stages
from segmentation.ml.algorithm_names import ALGORITHMS
from segmentation.ml.algorithms import (
    MixtureClusterer,
    WardClusterer,
    algorithm_check,
    algorithm_defaults,
)
from segmentation.ml.bounds import (
    DEFAULT_CLUSTERS,
    DEFAULT_OUTLIER_PERCENTILE,
    MAX_CLUSTERS,
    MIN_CLUSTERS,
)
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import CandidateFeatures, FeatureEncoder, preprocess_features
from segmentation.ml.projection import segment_projection
from segmentation.ml.timing import StageTimer

Algorithm = Literal["kmeans", "minibatch", "bisecting", "gmm", "agglomerative"]
# What each one is and when it fits: segmentation/ml/algorithms.py and docs/algorithms.md.
NInit = int | Literal["auto"]
# "seed": the seed's encoding (global-median imputation, standard scaling); "recommended": numbers
# through their quantiles and blank salaries filled from experience and location
# (segmentation/ml/features.py, docs/quality.md). Runs stored before presets existed are "seed".
Preset = Literal["seed", "recommended"]
PRESETS: tuple[str, ...] = ("seed", "recommended")
# What ClusteringConfig.recommended() clusters: this many TruncatedSVD components.
RECOMMENDED_SVD_COMPONENTS = 30
MAX_N_INIT = 100
MAX_SVD_COMPONENTS = 1_000
# Large enough that a 1M-candidate epoch is a few hundred steps, small enough to stay cheap.
DEFAULT_BATCH_SIZE = 4_096


@dataclass(frozen=True)
class ClusteringConfig:
    """Everything that decides a trained model; stored on the run as it was used.

    The field defaults are the seed's configuration; ``segmentation_config_default`` in the
    services decides what a new run uses when nobody says otherwise.
    """

    n_clusters: int = DEFAULT_CLUSTERS
    # "kmeans" is the seed's K-means; "minibatch" is MiniBatchKMeans (batches of batch_size);
    # "bisecting", "gmm" and "agglomerative": see segmentation/ml/algorithms.py.
    algorithm: Algorithm = "kmeans"
    # Initialisations to keep the best of; "auto" is scikit-learn's choice (1 for k-means++).
    n_init: NInit = 10
    max_iter: int = 300
    tol: float = 1e-4
    random_state: int = 42
    # Fit on a random sample of this many candidates, then assign everyone; None fits on all.
    fit_sample_size: int | None = None
    # Project onto this many TruncatedSVD components before clustering; None clusters the
    # encoded features as they are.
    svd_components: int | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    silhouette_sample_size: int = 5_000
    # Candidates farther from every centre than this percentile of the training candidates'
    # distances are unusual profiles (segmentation/ml/outliers.py).
    outlier_percentile: float = DEFAULT_OUTLIER_PERCENTILE
    # How the encoder imputes and scales numbers; see Preset above.
    preset: Preset = "seed"

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise SegmentationInputError(
                f"Unknown preset {self.preset!r}; choose one of {', '.join(PRESETS)}."
            )
        if not MIN_CLUSTERS <= self.n_clusters <= MAX_CLUSTERS:
            raise SegmentationInputError(
                f"The number of segments must be between {MIN_CLUSTERS} and {MAX_CLUSTERS}; "
                f"got {self.n_clusters}."
            )
        if self.algorithm not in ALGORITHMS:
            raise SegmentationInputError(
                f"Unknown algorithm {self.algorithm!r}; choose one of {', '.join(ALGORITHMS)}."
            )
        if self.n_init != "auto" and not (
            isinstance(self.n_init, int) and 1 <= self.n_init <= MAX_N_INIT
        ):
            raise SegmentationInputError(
                f'n_init must be "auto" or a whole number from 1 to {MAX_N_INIT}; '
                f"got {self.n_init!r}."
            )
        if self.fit_sample_size is not None and self.fit_sample_size < self.n_clusters:
            raise SegmentationInputError(
                f"The fit sample size must be at least the number of segments "
                f"({self.n_clusters}); got {self.fit_sample_size}."
            )
        if self.svd_components is not None and not (1 <= self.svd_components <= MAX_SVD_COMPONENTS):
            raise SegmentationInputError(
                f"The number of SVD components must be from 1 to {MAX_SVD_COMPONENTS}; "
                f"got {self.svd_components}."
            )
        if self.max_iter < 1 or self.tol < 0 or self.batch_size < 1:
            raise SegmentationInputError("max_iter and batch_size must be positive, tol >= 0.")
        if self.silhouette_sample_size < 0:
            raise SegmentationInputError("silhouette_sample_size must not be negative.")
        if not 50 <= self.outlier_percentile <= 100:
            raise SegmentationInputError(
                f"outlier_percentile must be from 50 to 100; got {self.outlier_percentile!r}."
            )
        algorithm_check(
            self.algorithm,
            fit_sample_size=self.fit_sample_size,
            svd_components=self.svd_components,
        )

    @classmethod
    def seed(cls, n_clusters: int = DEFAULT_CLUSTERS) -> ClusteringConfig:
        """The seed's configuration, exactly: K-means fitted on every candidate."""
        return cls(
            n_clusters=n_clusters,
            algorithm="kmeans",
            n_init=10,
            max_iter=300,
            tol=1e-4,
            random_state=42,
            fit_sample_size=None,
            svd_components=None,
        )

    @classmethod
    def recommended(cls, n_clusters: int = DEFAULT_CLUSTERS, **changes: Any) -> ClusteringConfig:
        """The recommended configuration (docs/quality.md): quantile-scaled numbers, blank
        salaries filled from experience and location, K-means on 30 SVD components."""
        return cls(
            **{
                "n_clusters": n_clusters,
                "preset": "recommended",
                "svd_components": RECOMMENDED_SVD_COMPONENTS,
                **changes,
            }
        )

    @property
    def encoder_options(self) -> dict[str, str]:
        """The FeatureEncoder options this configuration's preset stands for."""
        if self.preset == "recommended":
            return {"numeric_scaling": "quantile", "salary_imputation": "location_experience"}
        return {"numeric_scaling": "standard", "salary_imputation": "median"}

    def with_clusters(self, n_clusters: int) -> ClusteringConfig:
        return replace(self, n_clusters=n_clusters)

    def with_algorithm(self, algorithm: str) -> ClusteringConfig:
        """This configuration with another algorithm and that algorithm's own defaults."""
        defaults = algorithm_defaults(
            algorithm, fit_sample_size=self.fit_sample_size, svd_components=self.svd_components
        )
        return replace(self, algorithm=algorithm, **defaults)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ClusteringConfig:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in values.items() if key in known})


Clusterer = KMeans | MiniBatchKMeans | BisectingKMeans | MixtureClusterer | WardClusterer


def build_estimator(config: ClusteringConfig) -> Clusterer:
    if config.algorithm == "agglomerative":
        return WardClusterer(n_clusters=config.n_clusters)
    # Bisecting K-means and the mixture take a number of starts, not "auto" (one start).
    starts = 1 if config.n_init == "auto" else config.n_init
    if config.algorithm == "gmm":
        return MixtureClusterer(
            n_clusters=config.n_clusters,
            n_init=starts,
            max_iter=config.max_iter,
            tol=config.tol,
            random_state=config.random_state,
        )
    if config.algorithm == "bisecting":
        return BisectingKMeans(
            n_clusters=config.n_clusters,
            init="k-means++",
            n_init=starts,
            max_iter=config.max_iter,
            tol=config.tol,
            random_state=config.random_state,
        )
    common = {
        "n_clusters": config.n_clusters,
        "init": "k-means++",
        "n_init": config.n_init,
        "max_iter": config.max_iter,
        "tol": config.tol,
        "random_state": config.random_state,
    }
    if config.algorithm == "minibatch":
        return MiniBatchKMeans(batch_size=config.batch_size, **common)
    return KMeans(**common)


def build_reducer(config: ClusteringConfig, n_features: int) -> TruncatedSVD | None:
    """The TruncatedSVD the config asks for, or None; refused when it would not reduce."""
    if config.svd_components is None:
        return None
    if (
        config.preset == "recommended"
        and config.svd_components == RECOMMENDED_SVD_COMPONENTS
        and config.svd_components >= n_features
    ):
        # The preset's own 30 components are a ceiling: a small pool with few distinct skills
        # has fewer features, and is clustered on them as they are. Any other number asked for
        # is refused below, as with the seed's preset.
        return None
    if config.svd_components >= n_features:
        raise SegmentationInputError(
            f"Cannot reduce {n_features} features to {config.svd_components} SVD components; "
            f"choose fewer than {n_features} components, or none."
        )
    return TruncatedSVD(n_components=config.svd_components, random_state=config.random_state)


@dataclass
class SegmentationPipeline:
    """A fitted encoder and clustering model: candidates in, segment numbers out."""

    encoder: FeatureEncoder
    estimator: Clusterer
    config: ClusteringConfig
    trained_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    sklearn_version: str = sklearn.__version__
    # Fitted with the estimator when the config asks for SVD; applied before every predict.
    reducer: TruncatedSVD | None = None

    @property
    def feature_names(self) -> list[str]:
        return self.encoder.feature_names

    @property
    def centers(self) -> np.ndarray:
        """Segment centres in the encoded feature space (mapped back from SVD if used)."""
        centers = self.estimator.cluster_centers_
        return centers if self.reducer is None else self.reducer.inverse_transform(centers)

    def transform(self, features: CandidateFeatures) -> sp.csr_matrix:
        return self.encoder.transform(features)

    def reduce(self, matrix: sp.csr_matrix) -> sp.csr_matrix | np.ndarray:
        """The encoded matrix in the space the estimator clusters."""
        return matrix if self.reducer is None else self.reducer.transform(matrix)

    def predict(self, features: CandidateFeatures) -> np.ndarray:
        return predict_segments(self, features)


def training_input_check(n_candidates: int, config: ClusteringConfig) -> None:
    """Refuse, in words a user can act on, a candidate count that cannot give k segments."""
    if n_candidates == 0:
        raise SegmentationInputError(
            "There are no candidates to train on. Import some first "
            "(manage.py import_candidates FILE.csv, or generate_candidates --count N)."
        )
    if n_candidates < config.n_clusters:
        raise SegmentationInputError(
            f"Cannot make {config.n_clusters} segments from {n_candidates} candidate(s): "
            f"choose k of at most {n_candidates}."
        )


def train_model(matrix: sp.csr_matrix | np.ndarray, config: ClusteringConfig) -> Clusterer:
    """Fit the clustering model on an encoded matrix, refusing what cannot give k segments."""
    training_input_check(matrix.shape[0], config)
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
    space = pipeline.reduce(pipeline.transform(features))
    return pipeline.estimator.predict(space).astype(np.int32)


@dataclass(frozen=True)
class TrainingResult:
    pipeline: SegmentationPipeline
    labels: np.ndarray
    inertia: float
    silhouette: float | None
    n_features: int
    projection: dict[str, Any] = field(default_factory=dict)
    # Every candidate's segment as ``pipeline.predict`` gives it (``labels`` are the fit's own,
    # which may differ from it when the fit used every row) and its nearest-centre distance:
    # what the run's rows and unusual flags need, without encoding everyone a second time.
    assigned: np.ndarray | None = None
    distances: np.ndarray | None = None


def sample_rows(n_rows: int, size: int | None, random_state: int) -> np.ndarray | None:
    """Sorted row positions of a reproducible random sample, or None when it would be all."""
    if size is None or size >= n_rows:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def fit_segmentation(
    features: CandidateFeatures,
    config: ClusteringConfig,
    timer: StageTimer | None = None,
    *,
    encoder: FeatureEncoder | None = None,
) -> TrainingResult:
    """Encode, fit, and label every candidate; the one entry point services call to train.

    ``encoder``, when given, is used as fitted instead of fitting one on ``features`` (the
    Spark engine fits on a sample but keeps every column of the whole pool).
    """
    timer = timer or StageTimer()
    training_input_check(len(features), config)
    with timer.stage(stages.FEATURES):
        matrix, encoder = preprocess_features(features, encoder, **config.encoder_options)
    with timer.stage(stages.FIT):
        rows = sample_rows(matrix.shape[0], config.fit_sample_size, config.random_state)
        fit_matrix = matrix if rows is None else matrix[rows]
        reducer = build_reducer(config, matrix.shape[1])
        if reducer is not None:
            fit_matrix = reducer.fit_transform(fit_matrix)
        estimator = train_model(fit_matrix, config)
    pipeline = SegmentationPipeline(
        encoder=encoder, estimator=estimator, config=config, reducer=reducer
    )
    with timer.stage(stages.PREDICT):
        space = pipeline.reduce(matrix)
        assigned = estimator.predict(space).astype(np.int32)
        if rows is None:
            labels = estimator.labels_.astype(np.int32)
            inertia = float(estimator.inertia_)
        else:
            labels = assigned
            inertia = float(-estimator.score(space))
        distances = nearest_in_space(pipeline, space)
        del space
    with timer.stage(stages.SILHOUETTE):
        silhouette = sampled_silhouette(matrix, labels, config)
    with timer.stage(stages.PROJECTION):
        projection = segment_projection(matrix, labels, random_state=config.random_state)
    return TrainingResult(
        pipeline=pipeline,
        labels=labels,
        inertia=inertia,
        silhouette=silhouette,
        n_features=matrix.shape[1],
        projection=projection,
        assigned=assigned,
        distances=distances,
    )


def inertia_of(matrix: sp.spmatrix | np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances from each row to the mean of its label's rows.

    Measured in the space ``matrix`` is in, whatever space the labels came from, so options that
    cluster a sample or an SVD projection can be compared with the seed on equal terms. Uses
    sum ||x||^2 - sum_c ||sum_c x||^2 / n_c: one pass, sparse-friendly; accurate unless the
    inertia is a tiny fraction of the total sum of squares.
    """
    labels = np.asarray(labels, dtype=np.int64)
    n_rows = matrix.shape[0]
    if n_rows == 0:
        return 0.0
    n_labels = int(labels.max()) + 1
    indicator = sp.csr_matrix(
        (np.ones(n_rows), (labels, np.arange(n_rows))), shape=(n_labels, n_rows)
    )
    sums = np.asarray((indicator @ matrix).toarray() if sp.issparse(matrix) else indicator @ matrix)
    sizes = np.bincount(labels, minlength=n_labels)
    if sp.issparse(matrix):
        total = float(matrix.multiply(matrix).sum())
    else:
        total = float(np.square(matrix).sum())
    used = sizes > 0
    between = float((np.square(sums[used]).sum(axis=1) / sizes[used]).sum())
    return max(total - between, 0.0)


def sampled_silhouette(
    matrix: sp.csr_matrix, labels: np.ndarray, config: ClusteringConfig
) -> float | None:
    """Silhouette on a reproducible sample: O(sample^2), so never on every candidate."""
    if _distinct_count(labels) < 2 or matrix.shape[0] < 3:
        return None
    rows = sample_rows(matrix.shape[0], config.silhouette_sample_size, config.random_state)
    sample, sample_labels = (matrix, labels) if rows is None else (matrix[rows], labels[rows])
    if not 2 <= _distinct_count(sample_labels) <= sample.shape[0] - 1:
        return None
    # Distances in 128 MB chunks: the default makes one 200 MB block for 5,000 rows, whose page
    # faults cost ~0.1 s on first use (40 % of the stage), for the same value.
    with sklearn.config_context(working_memory=128):
        return float(silhouette_score(sample, sample_labels, metric="euclidean"))


def _distinct_count(labels: np.ndarray) -> int:
    return int(np.count_nonzero(np.bincount(labels))) if len(labels) else 0


# Rows per block of the candidates x centres product: 64k rows x 100 centres is 50 MB.
CHUNK_ROWS = 65_536


def center_spaces(pipeline: SegmentationPipeline) -> tuple[np.ndarray, np.ndarray]:
    """The segment centres as ``(in the clustering space, in the scaled feature space)``.

    They are the same array unless an SVD reducer sits before the clustering model. Accepts
    ``pipeline.centers`` in either space: an SVD never keeps as many components as there are
    features, so the width says which one it is.
    """
    centers = np.asarray(pipeline.centers, dtype=np.float64)
    reducer = pipeline.reducer
    if reducer is None:
        return centers, centers
    if centers.shape[1] == pipeline.encoder.n_features:
        return np.asarray(reducer.transform(centers)), centers
    return centers, np.asarray(reducer.inverse_transform(centers))


def squared_distances(space: sp.spmatrix | np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, rows x centres, as ||x||² − 2 x·c + ||c||² (never < 0)."""
    if sp.issparse(space):
        row_norms = np.asarray(space.multiply(space).sum(axis=1)).ravel()
        products = np.asarray(space @ centers.T)
    else:
        space = np.asarray(space, dtype=np.float64)
        row_norms = np.einsum("ij,ij->i", space, space)
        products = space @ centers.T
    squared = row_norms[:, None] - 2.0 * products + np.einsum("ij,ij->i", centers, centers)
    return np.maximum(squared, 0.0)


def nearest_in_space(
    pipeline: SegmentationPipeline, space: sp.spmatrix | np.ndarray, chunk_rows: int = CHUNK_ROWS
) -> np.ndarray:
    """Each row's distance to its nearest centre, for rows already in the clustering space."""
    centers, _ = center_spaces(pipeline)
    distances = np.empty(space.shape[0], dtype=np.float64)
    for start in range(0, space.shape[0], chunk_rows):
        block = squared_distances(space[start : start + chunk_rows], centers)
        distances[start : start + chunk_rows] = np.sqrt(block.min(axis=1))
    return distances
