"""How far a recruiter can trust each segment: stability, blank salaries, a clear identity or not.

Pure functions on labels and ``CandidateFeatures`` (docs/quality.md):

- **stability** of a segment: refit the clustering on random 80 % subsamples of the candidates
  (in the trained pipeline's own encoded space), let each refit assign everyone, pair its
  segments with the trained ones one to one (Hungarian algorithm on member overlap), and average
  the Jaccard index of each trained segment's members with its partner's. 1 means its members
  always end up together and alone; a segment below ~0.75 is not a group that exists in the data
  so much as one the starting point made (Hennig's clusterwise bootstrap stability).
- **blank salary share**: the share of members who left the salary blank, next to the pool's;
  a segment far from the pool is made of who answered the question, not of who they are.
- **mixed**: a segment in which no primary skill, location, education level or skill is
  over-represented by the naming rules (segmentation/ml/naming.py) has no trait a recruiter could
  target; it is named "Mixed profiles · ..." rather than given a confident name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from segmentation.ml.features import SALARY_COLUMN, CandidateFeatures
from segmentation.ml.naming import segment_traits
from segmentation.ml.pipeline import (
    ClusteringConfig,
    SegmentationPipeline,
    sample_rows,
    train_model,
)

# Refits of the stability measure, and the share of candidates each one is fitted on.
STABILITY_RESAMPLES = 4
RESAMPLE_SHARE = 0.8
# Candidates the stability is measured on (a reproducible sample when there are more).
STABILITY_ROWS = 20_000
# Below this a segment is reported as unstable.
STABLE_SEGMENT = 0.75
# A skill "sets a segment apart" (the measure) when this share of it holds the skill ...
IDENTITY_SHARE = 0.5
# ... and it is this many times as common as in the pool.
IDENTITY_LIFT = 1.5


def blank_salary_shares(
    features: CandidateFeatures, labels: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, float]:
    """Each segment's share of blank salaries (0 for an empty segment), and the pool's."""
    blank = np.isnan(features.numeric[:, SALARY_COLUMN]).astype(np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    sizes = np.bincount(labels, minlength=n_clusters)
    blanks = np.bincount(labels, weights=blank, minlength=n_clusters)
    shares = np.divide(blanks, sizes, out=np.zeros(n_clusters), where=sizes > 0)
    return shares, float(blank.mean()) if len(blank) else 0.0


def matched_jaccard(reference: np.ndarray, other: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per reference segment, the Jaccard index with its one-to-one partner in ``other``.

    Partners are chosen to maximise the total overlap (Hungarian algorithm); a segment left
    without a partner (``other`` has fewer segments) scores 0.
    """
    reference = np.asarray(reference, dtype=np.int64)
    other = np.asarray(other, dtype=np.int64)
    width = max(n_clusters, int(other.max()) + 1 if len(other) else 0)
    overlap = np.bincount(reference * width + other, minlength=n_clusters * width).reshape(
        n_clusters, width
    )
    sizes_ref = overlap.sum(axis=1)
    sizes_other = overlap.sum(axis=0)
    union = sizes_ref[:, None] + sizes_other[None, :] - overlap
    jaccard = np.divide(overlap, union, out=np.zeros(overlap.shape), where=union > 0)
    rows, columns = linear_sum_assignment(-jaccard)
    scores = np.zeros(n_clusters)
    scores[rows] = jaccard[rows, columns]
    return scores


def mean_pairwise_ari(label_sets: Sequence[np.ndarray]) -> float:
    """The mean adjusted Rand index over every pair of labelings of the same candidates."""
    pairs = list(combinations(range(len(label_sets)), 2))
    if not pairs:
        return 1.0
    return float(np.mean([adjusted_rand_score(label_sets[a], label_sets[b]) for a, b in pairs]))


def resampled_fits(
    space: sp.csr_matrix | np.ndarray,
    config: ClusteringConfig,
    *,
    resamples: int = STABILITY_RESAMPLES,
    share: float = RESAMPLE_SHARE,
) -> list[np.ndarray]:
    """Labels of every row of ``space`` under ``resamples`` fits on random ``share`` subsets.

    ``space`` is what the estimator clusters (encoded, or SVD-reduced). Each refit has its own
    subset and its own ``random_state`` (derived from the configuration's), so the agreement
    measures both the data's and the starting point's share of chance.
    """
    n_rows = space.shape[0]
    size = max(config.n_clusters, int(round(n_rows * share)))
    label_sets = []
    # One thread: these fits are small, and on a busy 2-CPU machine K-means' OpenMP threads
    # spin against other processes (one 15,000-row fit: 0.5 s on one thread, 8.9 s on two at a
    # load average of 4; docs/quality.md).
    with threadpool_limits(limits=1):
        for index in range(resamples):
            seed = config.random_state + 1 + index
            rows = sample_rows(n_rows, size, seed)
            fit_space = space if rows is None else space[rows]
            estimator = train_model(fit_space, replace(config, random_state=seed))
            label_sets.append(estimator.predict(space).astype(np.int32))
    return label_sets


def segment_stability(
    reference: np.ndarray, refits: Sequence[np.ndarray], n_clusters: int
) -> np.ndarray:
    """Per segment, the mean matched Jaccard index of its members across the refits."""
    if not refits:
        return np.ones(n_clusters)
    return np.mean([matched_jaccard(reference, labels, n_clusters) for labels in refits], axis=0)


def pipeline_stability(
    pipeline: SegmentationPipeline,
    features: CandidateFeatures,
    *,
    resamples: int = STABILITY_RESAMPLES,
    sample_size: int | None = STABILITY_ROWS,
) -> tuple[np.ndarray, float]:
    """A trained pipeline's per-segment stability and the mean ARI of its refits with it.

    Measured on a reproducible sample of ``sample_size`` candidates, encoded and reduced by the
    trained pipeline, so only the clustering step is refitted (the encoding is not what varies).
    """
    config = pipeline.config
    rows = sample_rows(len(features), sample_size, config.random_state)
    sample = features if rows is None else features.take(rows)
    space = pipeline.reduce(pipeline.transform(sample))
    reference = pipeline.estimator.predict(space).astype(np.int32)
    refits = resampled_fits(space, config, resamples=resamples)
    stability = segment_stability(reference, refits, config.n_clusters)
    agreement = float(np.mean([adjusted_rand_score(reference, labels) for labels in refits]))
    return stability, agreement


def skill_identities(
    features: CandidateFeatures,
    labels: np.ndarray,
    n_clusters: int,
    *,
    min_share: float = IDENTITY_SHARE,
    min_lift: float = IDENTITY_LIFT,
) -> list[str | None]:
    """Per segment, the skill that sets it apart most (held by ``min_share`` of its members at
    ``min_lift`` times its pool share, largest excess first), or None."""
    labels = np.asarray(labels, dtype=np.int64)
    n_skills = len(features.skill_names)
    if n_skills == 0 or len(labels) == 0:
        return [None] * n_clusters
    holds = sp.csr_matrix(
        (np.ones(len(features.skill_rows)), (features.skill_rows, features.skill_codes)),
        shape=(len(labels), n_skills),
    )
    holds.data[:] = 1.0  # duplicates were summed into one entry: a skill listed twice is held once
    indicator = sp.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(n_clusters, len(labels))
    )
    counts = np.asarray((indicator @ holds).todense())
    sizes = np.bincount(labels, minlength=n_clusters)
    shares = counts / np.maximum(sizes, 1)[:, None]
    pool = counts.sum(axis=0) / len(labels)
    found: list[str | None] = []
    for segment in range(n_clusters):
        ok = (shares[segment] >= min_share) & (shares[segment] >= min_lift * pool)
        if not ok.any() or sizes[segment] == 0:
            found.append(None)
            continue
        excess = np.where(ok, shares[segment] - pool, -np.inf)
        found.append(features.skill_names[int(np.argmax(excess))])
    return found


def segment_quality(
    profiles: Sequence[Mapping[str, Any]],
    pool: Mapping[str, Any],
    features: CandidateFeatures,
    labels: np.ndarray,
    stability: np.ndarray,
) -> list[dict[str, Any]]:
    """One JSON-ready quality entry per segment, for its stored profile (``profile["quality"]``).

    ``profiles`` and ``pool`` are segmentation/ml/profiles.py's; ``stability`` comes from
    ``pipeline_stability``.
    """
    n_clusters = len(profiles)
    blank, pool_blank = blank_salary_shares(features, labels, n_clusters)
    entries = []
    for segment, profile in enumerate(profiles):
        traits = segment_traits(profile, pool)
        entries.append(
            {
                "stability": round(float(stability[segment]), 3),
                "stable": bool(stability[segment] >= STABLE_SEGMENT),
                "blank_salary_share": round(float(blank[segment]), 4),
                "pool_blank_salary_share": round(pool_blank, 4),
                "traits": traits,
                "mixed": not traits,
            }
        )
    return entries


def run_quality(entries: Sequence[Mapping[str, Any]], agreement: float) -> dict[str, Any]:
    """The run-level summary, for the run's metrics JSON (``metrics["quality"]``)."""
    stabilities = [entry["stability"] for entry in entries]
    return {
        "agreement_across_resamples": round(agreement, 4),
        "min_segment_stability": min(stabilities) if stabilities else None,
        "unstable_segments": sum(1 for entry in entries if not entry["stable"]),
        "mixed_segments": sum(1 for entry in entries if entry["mixed"]),
        "max_blank_salary_gap": max(
            (
                abs(entry["blank_salary_share"] - entry["pool_blank_salary_share"])
                for entry in entries
            ),
            default=0.0,
        ),
        "stability_resamples": STABILITY_RESAMPLES,
        "resample_share": RESAMPLE_SHARE,
    }
