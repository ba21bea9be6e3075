"""Choosing k: score a range of k on a sample, then pick by stability and size, or silhouette.

Each k is fitted with the configured algorithm on the same reproducible sample of at most
20,000 candidates (the configuration's own fit sample, if smaller), and its silhouette is
measured on the same 5,000 of them, so the scores differ only by k. Two rules pick k:

- ``"stability"`` (the recommended preset's; docs/quality.md): each k is also refitted on
  ``STABILITY_RESAMPLES`` random 80 % subsets of ``STABILITY_K_ROWS`` of the sampled candidates,
  every refit assigning all of them. Its *segment stability* is the lowest, over its segments,
  of the mean Jaccard index between a segment's members and its matched partner's in each refit
  (segmentation/ml/quality.py); its *stability* is the mean adjusted Rand index of the refits
  with the fit; its *smallest share* is its smallest segment's share of the sample. The largest
  k whose every segment is stable (``MIN_K_SEGMENT_STABILITY``) and whose smallest segment holds
  at least ``MIN_K_SEGMENT_SHARE`` wins: as many segments as the data holds reliably, none too
  small to target. When no k qualifies, the k with the most stable segments does.
- ``"silhouette"`` (the seed preset's, as before): the best silhouette wins; a tie goes to the
  smaller k. On survey data the silhouette is 0.03-0.08 for every k and always prefers k=2.

The cost depends on the sample sizes and the range, not on how many candidates there are
(docs/algorithms.md, docs/quality.md). The caller then trains on everyone with that k.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.metrics import adjusted_rand_score, pairwise_distances, silhouette_score

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
from segmentation.ml.quality import resampled_fits, segment_stability

DEFAULT_K_MIN = AUTO_K_MIN
DEFAULT_K_MAX = AUTO_K_MAX
CHOOSE_K_FIT_ROWS = 20_000
CHOOSE_K_SILHOUETTE_ROWS = 5_000
KRule = Literal["stability", "silhouette"]
# The stability rule's measure: refits on this share of this many sampled candidates.
STABILITY_K_ROWS = 5_000
STABILITY_RESAMPLES = 3
RESAMPLE_SHARE = 0.8
# A k qualifies when each of its segments keeps this mean Jaccard index across refits (0.75:
# Hennig's line between a stable cluster and a pattern the starting point made) ...
MIN_K_SEGMENT_STABILITY = 0.75
# ... and its smallest segment holds at least this share of the candidates.
MIN_K_SEGMENT_SHARE = 0.03


@dataclass(frozen=True)
class KChoice:
    """The chosen k and every k's scores, as stored on the run (``SegmentationRun.k_scores``)."""

    k: int
    # [{"k": 2, "silhouette": 0.21, "inertia": 1234.5, "stability": 0.98,
    #   "segment_stability": 0.95, "smallest_share": 0.08}, ...], ascending k; silhouette None
    # when it could not be measured (fewer than two segments in the silhouette sample); the
    # last three only with the stability rule.
    scores: list[dict[str, Any]]
    fit_rows: int
    silhouette_rows: int
    rule: KRule = "silhouette"
    # Why this k, in a sentence for the page ("k=8: the largest k whose ...").
    reason: str = ""

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
    rule: KRule | None = None,
    stability_rows: int = STABILITY_K_ROWS,
    resamples: int = STABILITY_RESAMPLES,
    min_segment_stability: float = MIN_K_SEGMENT_STABILITY,
    min_segment_share: float = MIN_K_SEGMENT_SHARE,
) -> KChoice:
    """Fit every k from k_min to k_max on one sample, score each, and pick one by ``rule``.

    ``rule`` defaults to "stability" for the recommended preset and "silhouette" for the seed's.
    """
    k_range_check(len(features), k_min, k_max)
    rule = rule or ("stability" if config.preset == "recommended" else "silhouette")
    sample_size = min(fit_rows, config.fit_sample_size or fit_rows)
    rows = sample_rows(len(features), sample_size, config.random_state)
    sample = features if rows is None else features.take(rows)
    matrix, _ = preprocess_features(sample, **config.encoder_options)
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

    stable_rows = sample_rows(space.shape[0], stability_rows, config.random_state + 1)
    stable_space = space if stable_rows is None else space[stable_rows]

    scores: list[dict[str, Any]] = []
    for k, estimator in _fits(space, config, ks):
        labels = estimator.labels_ if scored is None else estimator.labels_[scored]
        silhouette = None
        if 2 <= len(np.unique(labels)) <= len(labels) - 1:
            silhouette = float(silhouette_score(distances, labels, metric="precomputed"))
        score = {"k": k, "silhouette": silhouette, "inertia": float(estimator.inertia_)}
        if rule == "stability":
            sizes = np.bincount(estimator.labels_, minlength=k)
            score["smallest_share"] = round(float(sizes.min() / sizes.sum()), 4)
            reference = estimator.predict(stable_space)
            ari, per_segment = _stability(
                stable_space, reference, replace(config, n_clusters=k), resamples
            )
            score["stability"] = round(ari, 4)
            score["segment_stability"] = round(per_segment, 4)
        scores.append(score)
    if not any(score["silhouette"] is not None for score in scores):
        raise SegmentationInputError(
            f"No k from {k_min} to {k_max} gave two or more distinct segments to score; the "
            "candidates are too alike. Choose k yourself."
        )
    if rule == "stability":
        k, reason = k_most_stable(
            scores,
            min_segment_stability=min_segment_stability,
            min_segment_share=min_segment_share,
        )
    else:
        k = k_best(scores)
        best = next(score["silhouette"] for score in scores if score["k"] == k)
        reason = f"k={k}: the best silhouette ({best:.3f})."
    return KChoice(
        k=k,
        scores=scores,
        fit_rows=matrix.shape[0],
        silhouette_rows=distances.shape[0],
        rule=rule,
        reason=reason,
    )


def k_best(scores: list[dict[str, Any]]) -> int:
    """The k with the highest silhouette; of equal silhouettes, the smallest k."""
    measured = [score for score in scores if score["silhouette"] is not None]
    return min(measured, key=lambda score: (-score["silhouette"], score["k"]))["k"]


def k_most_stable(
    scores: list[dict[str, Any]],
    *,
    min_segment_stability: float = MIN_K_SEGMENT_STABILITY,
    min_segment_share: float = MIN_K_SEGMENT_SHARE,
) -> tuple[int, str]:
    """The largest k whose segments are all stable and none too small, and why; else the k
    whose least stable segment is most stable (the smaller k of a tie)."""
    qualified = [
        score
        for score in scores
        if score["segment_stability"] >= min_segment_stability
        and score["smallest_share"] >= min_segment_share
    ]
    if qualified:
        chosen = max(qualified, key=lambda score: score["k"])
        return chosen["k"], (
            f"k={chosen['k']}: the largest k whose every segment is stable across resamples "
            f"(the least stable keeps {chosen['segment_stability']:.2f} of its members together, "
            f"at least {min_segment_stability:.2f}) and none smaller than "
            f"{min_segment_share:.0%} of candidates (smallest {chosen['smallest_share']:.1%})."
        )
    chosen = min(scores, key=lambda score: (-score["segment_stability"], score["k"]))
    return chosen["k"], (
        f"k={chosen['k']}: no k had every segment stable (at least {min_segment_stability:.2f}) "
        f"and none under {min_segment_share:.0%}; this one's segments are the most stable "
        f"({chosen['segment_stability']:.2f}). Consider choosing k yourself."
    )


def _stability(
    space: sp.csr_matrix | np.ndarray,
    reference: np.ndarray,
    config: ClusteringConfig,
    resamples: int,
) -> tuple[float, float]:
    """(mean ARI of the refits with ``reference``, lowest per-segment stability)."""
    try:
        refits = resampled_fits(space, config, resamples=resamples, share=RESAMPLE_SHARE)
    except SegmentationInputError:
        return 0.0, 0.0  # a subset had fewer distinct profiles than k
    ari = float(np.mean([adjusted_rand_score(reference, labels) for labels in refits]))
    return ari, float(segment_stability(reference, refits, config.n_clusters).min())


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
