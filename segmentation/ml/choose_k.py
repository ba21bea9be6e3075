"""Choosing k: score a range of k on a sample by silhouette, with inertia for an elbow view.

Each k is fitted with the configured algorithm on the same reproducible sample of at most
20,000 candidates (the configuration's own fit sample, if smaller), and its silhouette is
measured on the same 5,000 of them, so the scores differ only by k. The best silhouette wins;
a tie goes to the smaller k. The cost depends on the sample sizes and the range, not on how many
candidates there are (docs/algorithms.md). The caller then trains on everyone with that k.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.metrics import pairwise_distances, silhouette_score

from segmentation.ml.algorithms import ward_fits
from segmentation.ml.bounds import AUTO_K_MAX, AUTO_K_MIN
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import CandidateFeatures, preprocess_features
from segmentation.ml.pipeline import (
    MAX_CLUSTERS,
    ClusteringConfig,
    build_reducer,
    sample_rows,
    train_model,
)

DEFAULT_K_MIN = AUTO_K_MIN
DEFAULT_K_MAX = AUTO_K_MAX
CHOOSE_K_FIT_ROWS = 20_000
CHOOSE_K_SILHOUETTE_ROWS = 5_000


@dataclass(frozen=True)
class KChoice:
    """The chosen k and every k's scores, as stored on the run (``SegmentationRun.k_scores``)."""

    k: int
    # [{"k": 2, "silhouette": 0.21, "inertia": 1234.5}, ...], ascending k; silhouette None
    # when it could not be measured (fewer than two segments in the silhouette sample).
    scores: list[dict[str, Any]]
    fit_rows: int
    silhouette_rows: int

    @property
    def silhouette(self) -> float:
        return next(score["silhouette"] for score in self.scores if score["k"] == self.k)


def k_range_check(n_candidates: int, k_min: int, k_max: int) -> None:
    """Refuse, in words a user can act on, a range of k that cannot be scored."""
    if not AUTO_K_MIN <= k_min <= k_max <= MAX_CLUSTERS:
        raise SegmentationInputError(
            f"The range of k to try must satisfy 2 <= smallest <= largest <= {MAX_CLUSTERS} "
            f"(the silhouette needs at least two segments); got {k_min} to {k_max}."
        )
    if n_candidates <= k_min:
        raise SegmentationInputError(
            f"Choosing k from {k_min} to {k_max} needs more than {k_min} candidates; there "
            f"{'is' if n_candidates == 1 else 'are'} {n_candidates}."
        )


def choose_k(
    features: CandidateFeatures,
    config: ClusteringConfig,
    *,
    k_min: int = DEFAULT_K_MIN,
    k_max: int = DEFAULT_K_MAX,
    fit_rows: int = CHOOSE_K_FIT_ROWS,
    silhouette_rows: int = CHOOSE_K_SILHOUETTE_ROWS,
) -> KChoice:
    """Fit every k from k_min to k_max on one sample and pick the best silhouette."""
    k_range_check(len(features), k_min, k_max)
    sample_size = min(fit_rows, config.fit_sample_size or fit_rows)
    rows = sample_rows(len(features), sample_size, config.random_state)
    sample = features if rows is None else features.take(rows)
    matrix, _ = preprocess_features(sample)
    space = matrix
    reducer = build_reducer(config, matrix.shape[1])
    if reducer is not None:
        space = reducer.fit_transform(matrix)
    # k can be at most one less than the rows the silhouette is measured on.
    ks = list(range(k_min, min(k_max, matrix.shape[0] - 1) + 1))

    # One distance matrix for every k: the silhouette rows are the same, only labels change.
    scored = sample_rows(matrix.shape[0], silhouette_rows, config.random_state)
    scored_matrix = matrix if scored is None else matrix[scored]
    if sp.issparse(scored_matrix):
        scored_matrix = scored_matrix.astype(np.float32)
    with sklearn.config_context(working_memory=128):
        distances = pairwise_distances(scored_matrix, metric="euclidean")
    np.fill_diagonal(distances, 0.0)

    scores: list[dict[str, Any]] = []
    for k, estimator in _fits(space, config, ks):
        labels = estimator.labels_ if scored is None else estimator.labels_[scored]
        silhouette = None
        if 2 <= len(np.unique(labels)) <= len(labels) - 1:
            silhouette = float(silhouette_score(distances, labels, metric="precomputed"))
        scores.append({"k": k, "silhouette": silhouette, "inertia": float(estimator.inertia_)})
    if not any(score["silhouette"] is not None for score in scores):
        raise SegmentationInputError(
            f"No k from {k_min} to {k_max} gave two or more distinct segments to score; the "
            "candidates are too alike. Choose k yourself."
        )
    return KChoice(
        k=k_best(scores),
        scores=scores,
        fit_rows=matrix.shape[0],
        silhouette_rows=distances.shape[0],
    )


def k_best(scores: list[dict[str, Any]]) -> int:
    """The k with the highest silhouette; of equal silhouettes, the smallest k."""
    measured = [score for score in scores if score["silhouette"] is not None]
    return min(measured, key=lambda score: (-score["silhouette"], score["k"]))["k"]


def _fits(space: sp.csr_matrix | np.ndarray, config: ClusteringConfig, ks: list[int]):
    """(k, fitted estimator) for each k that the data can give, ascending."""
    if config.algorithm == "agglomerative":
        # One Ward tree cut at every k, instead of one tree per k (the tree is the cost).
        yield from ward_fits(space, ks).items()
        return
    for k in ks:
        try:
            estimator = train_model(space, replace(config, n_clusters=k))
        except SegmentationInputError:
            # Fewer distinct profiles (or sampled rows) than k: no larger k can work either.
            return
        yield k, estimator
