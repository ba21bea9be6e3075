"""The clustering algorithms besides K-means, behind the interface the pipeline relies on.

Every estimator the pipeline fits offers what scikit-learn's ``KMeans`` does: ``fit``,
``predict``, ``score`` (the negative inertia of the rows given), ``cluster_centers_``, and after
fitting ``labels_`` and ``inertia_``. ``KMeans``, ``MiniBatchKMeans`` and ``BisectingKMeans``
have all of it. The two classes here wrap the algorithms that do not:

- ``MixtureClusterer``: a ``GaussianMixture`` with diagonal covariances. Its centres are the
  component means; a candidate's segment is its most probable component.
- ``WardClusterer``: agglomerative clustering with Ward linkage, which has no ``predict``. Its
  centres are the means of the clusters it found, and every candidate, those it was fitted on
  included, belongs to the nearest centre; so the segments of the training sample are exactly
  what assigning them again gives.

Inertia is the same measure for all of them: the sum of squared distances from each candidate
to the centre of its segment.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, ward
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import AgglomerativeClustering
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from segmentation.ml.algorithm_names import ALGORITHM_DESCRIPTIONS  # noqa: F401 (re-exported)
from segmentation.ml.errors import SegmentationInputError

# One line each, for the command's --algorithm help, the forms and docs/algorithms.md.

# Ward linkage holds every pairwise distance: 10,000 rows take about 0.9 GiB and 7 s
# (docs/algorithms.md); 20,000 would take four times both.
AGGLOMERATIVE_MAX_FIT_ROWS = 10_000
# A Gaussian mixture needs a dense matrix; this many cells is 400 MB of float64.
# Unless told otherwise it clusters this many SVD components, which are dense already.
GMM_SVD_COMPONENTS = 20
DENSE_MAX_CELLS = 50_000_000
# Rows densified at a time when predicting, so a million candidates never become dense at once.
PREDICT_CHUNK_ROWS = 20_000


def algorithm_check(
    algorithm: str, *, fit_sample_size: int | None, svd_components: int | None
) -> None:
    """Refuse, with a way out, a configuration the algorithm cannot fit within memory."""
    if algorithm == "agglomerative" and (
        fit_sample_size is None or fit_sample_size > AGGLOMERATIVE_MAX_FIT_ROWS
    ):
        got = "every candidate" if fit_sample_size is None else f"{fit_sample_size:,}"
        raise SegmentationInputError(
            "Agglomerative clustering keeps the distance between every pair of candidates in "
            f"memory, so it fits on a sample of at most {AGGLOMERATIVE_MAX_FIT_ROWS:,} "
            f"candidates (got {got}); set the sample size to {AGGLOMERATIVE_MAX_FIT_ROWS:,} or "
            "less (train_segments --sample-size)."
        )
    if algorithm == "gmm" and fit_sample_size is None and svd_components is None:
        raise SegmentationInputError(
            "A Gaussian mixture needs dense input, which every candidate's features would not "
            "fit in memory: fit it on a sample (train_segments --sample-size, e.g. 100000) or "
            "on SVD components (--svd-components, e.g. 50)."
        )


def algorithm_defaults(
    algorithm: str, *, fit_sample_size: int | None, svd_components: int | None
) -> dict[str, Any]:
    """The configuration changes that come with choosing an algorithm (explicit options win).

    Agglomerative caps the fit sample at what its distance matrix allows. A Gaussian mixture
    starts once (its start is already a K-means fit) on 20 SVD components unless told
    otherwise: on the one-hot features themselves it was slower and left a component empty
    (docs/algorithms.md).
    """
    if algorithm == "agglomerative":
        cap = AGGLOMERATIVE_MAX_FIT_ROWS
        return {"fit_sample_size": cap if fit_sample_size is None else min(fit_sample_size, cap)}
    if algorithm == "gmm":
        return {"n_init": 1, "svd_components": svd_components or GMM_SVD_COMPONENTS}
    return {}


def dense_rows(matrix: sp.spmatrix | np.ndarray, *, what: str) -> np.ndarray:
    """The matrix as a dense array, refused when it would take more than DENSE_MAX_CELLS."""
    if not sp.issparse(matrix):
        return np.asarray(matrix)
    n_rows, n_columns = matrix.shape
    if n_rows * n_columns > DENSE_MAX_CELLS:
        most = max(DENSE_MAX_CELLS // max(n_columns, 1), 1)
        raise SegmentationInputError(
            f"{what} needs dense input, and {n_rows:,} candidates × {n_columns:,} features is "
            f"too large ({n_rows * n_columns * 8 / 1024**3:.1f} GiB); fit on a sample of at "
            f"most {most:,} candidates (--sample-size) or reduce the features with "
            "--svd-components."
        )
    return matrix.toarray()


def nearest_centres(
    matrix: sp.spmatrix | np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest centre and the squared distance to it, in chunks of rows."""
    n_rows = matrix.shape[0]
    labels = np.empty(n_rows, dtype=np.int32)
    distances = np.empty(n_rows, dtype=np.float64)
    centre_norms = np.square(centres).sum(axis=1)
    for start in range(0, n_rows, PREDICT_CHUNK_ROWS):
        block = matrix[start : start + PREDICT_CHUNK_ROWS]
        if sp.issparse(block):
            row_norms = np.asarray(block.multiply(block).sum(axis=1)).ravel()
            products = np.asarray(block @ centres.T)
        else:
            row_norms = np.square(block).sum(axis=1)
            products = block @ centres.T
        squared = row_norms[:, None] - 2.0 * products + centre_norms[None, :]
        nearest = np.argmin(squared, axis=1)
        labels[start : start + len(nearest)] = nearest
        distances[start : start + len(nearest)] = np.maximum(
            squared[np.arange(len(nearest)), nearest], 0.0
        )
    return labels, distances


def _squared_distances_to(
    matrix: sp.spmatrix | np.ndarray, centres: np.ndarray, labels: np.ndarray
) -> float:
    """Sum of squared distances from each row to the centre of its label."""
    total = 0.0
    for start in range(0, matrix.shape[0], PREDICT_CHUNK_ROWS):
        block = matrix[start : start + PREDICT_CHUNK_ROWS]
        block = block.toarray() if sp.issparse(block) else np.asarray(block)
        total += float(np.square(block - centres[labels[start : start + len(block)]]).sum())
    return total


class WardClusterer(ClusterMixin, BaseEstimator):
    """Ward agglomerative clustering, then nearest-centre segments for everyone."""

    def __init__(self, n_clusters: int = 5) -> None:
        self.n_clusters = n_clusters

    def fit(self, matrix: sp.spmatrix | np.ndarray, y: object = None) -> WardClusterer:
        if matrix.shape[0] > AGGLOMERATIVE_MAX_FIT_ROWS:
            raise SegmentationInputError(
                f"Agglomerative clustering fits on at most {AGGLOMERATIVE_MAX_FIT_ROWS:,} "
                f"candidates; got {matrix.shape[0]:,}. Fit it on a sample (--sample-size)."
            )
        dense = dense_rows(matrix, what="Agglomerative clustering")
        tree_labels = AgglomerativeClustering(
            n_clusters=self.n_clusters, linkage="ward"
        ).fit_predict(dense)
        self._centres_from(dense, tree_labels)
        return self

    def _centres_from(self, dense: np.ndarray, tree_labels: np.ndarray) -> None:
        sizes = np.bincount(tree_labels, minlength=self.n_clusters)
        sums = np.zeros((self.n_clusters, dense.shape[1]))
        np.add.at(sums, tree_labels, dense)
        self.cluster_centers_ = sums / np.maximum(sizes, 1)[:, None]
        self.labels_, distances = nearest_centres(dense, self.cluster_centers_)
        self.inertia_ = float(distances.sum())

    def predict(self, matrix: sp.spmatrix | np.ndarray) -> np.ndarray:
        return nearest_centres(matrix, self.cluster_centers_)[0]

    def score(self, matrix: sp.spmatrix | np.ndarray, y: object = None) -> float:
        return -float(nearest_centres(matrix, self.cluster_centers_)[1].sum())


def ward_fits(matrix: sp.spmatrix | np.ndarray, ks: list[int]) -> dict[int, WardClusterer]:
    """Fitted Ward clusterers for several k from one tree (what AgglomerativeClustering builds).

    Building the tree is the whole cost, so choosing k cuts one tree rather than growing one per
    k. A k the tree cannot be cut into (ties) is left out.
    """
    dense = dense_rows(matrix, what="Agglomerative clustering")
    tree = ward(dense)
    fits: dict[int, WardClusterer] = {}
    for k in ks:
        cut = fcluster(tree, t=k, criterion="maxclust")
        _, tree_labels = np.unique(cut, return_inverse=True)
        if tree_labels.max() + 1 != k:
            continue
        clusterer = WardClusterer(n_clusters=k)
        clusterer._centres_from(dense, tree_labels)
        fits[k] = clusterer
    return fits


class MixtureClusterer(ClusterMixin, BaseEstimator):
    """A diagonal-covariance Gaussian mixture; a candidate's segment is its likeliest component."""

    def __init__(
        self,
        n_clusters: int = 5,
        n_init: int = 1,
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, matrix: sp.spmatrix | np.ndarray, y: object = None) -> MixtureClusterer:
        dense = dense_rows(matrix, what="A Gaussian mixture")
        self.mixture_ = GaussianMixture(
            n_components=self.n_clusters,
            covariance_type="diag",
            n_init=self.n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            # Not converging within max_iter still gives usable segments; converged_ says so.
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.mixture_.fit(dense)
        self.converged_ = bool(self.mixture_.converged_)
        self.cluster_centers_ = self.mixture_.means_
        self.labels_ = self.mixture_.predict(dense).astype(np.int32)
        self.inertia_ = _squared_distances_to(dense, self.cluster_centers_, self.labels_)
        return self

    def predict(self, matrix: sp.spmatrix | np.ndarray) -> np.ndarray:
        labels = np.empty(matrix.shape[0], dtype=np.int32)
        for start in range(0, matrix.shape[0], PREDICT_CHUNK_ROWS):
            block = matrix[start : start + PREDICT_CHUNK_ROWS]
            block = block.toarray() if sp.issparse(block) else np.asarray(block)
            labels[start : start + len(block)] = self.mixture_.predict(block)
        return labels

    def score(self, matrix: sp.spmatrix | np.ndarray, y: object = None) -> float:
        """Negative inertia, as K-means scores; not the mixture's log-likelihood."""
        return -_squared_distances_to(matrix, self.cluster_centers_, self.predict(matrix))
