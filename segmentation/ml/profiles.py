"""Readable profiles: who is in each segment, in the units a recruiter thinks in."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from segmentation.ml.features import (
    BLANK_LABEL,
    CATEGORICAL_FEATURES,
    NUMERIC_FEATURES,
    CandidateFeatures,
    distinct_sorted,
    pair_keys,
    skill_key,
)
from segmentation.ml.profile_format import profile_statistic  # noqa: F401 (re-exported)

TOP_N = 5


def _round(value: float | None, digits: int = 1) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _numeric_summary(values: np.ndarray) -> dict[str, Any]:
    known = values[~np.isnan(values)]
    if len(known) == 0:
        return {"mean": None, "median": None, "known": 0}
    return {
        "mean": _round(known.mean()),
        "median": _round(float(np.median(known))),
        "known": int(len(known)),
    }


def _top(
    names: list[str],
    counts: np.ndarray,
    total: int,
    pool_counts: np.ndarray | None = None,
    pool_total: int = 0,
    n: int = TOP_N,
) -> list[list[Any]]:
    """The n largest counts as ``[name, count, share]``, plus the pool's share when given.

    The pool's share of the same value is what makes a share readable: "68% Python" means
    something only next to "21% of all candidates". Ties keep the order of ``names``.
    """
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0][:n]
    share = (lambda count: round(count / total, 4)) if total else (lambda count: 0.0)
    top: list[list[Any]] = []
    for i in order.tolist():
        entry: list[Any] = [names[i] or BLANK_LABEL, int(counts[i]), share(int(counts[i]))]
        if pool_counts is not None and pool_total:
            entry.append(round(int(pool_counts[i]) / pool_total, 4))
        top.append(entry)
    return top


def pool_profile(features: CandidateFeatures) -> dict[str, Any]:
    """The profile of every candidate together: what each segment is compared against."""
    labels = np.zeros(len(features), dtype=np.int32)
    return segment_profiles(features, labels, 1)[0]


def segment_profiles(
    features: CandidateFeatures, labels: np.ndarray, n_clusters: int
) -> list[dict[str, Any]]:
    """One profile per segment: size, share, typical numbers and most common values.

    Categorical and skill tops come as ``[value, count, share of the segment, share of the
    pool]``. Counting is
    done with one ``bincount`` per column over (segment, value) codes, so the cost does not grow
    with the number of segments beyond the per-segment medians.
    """
    n = len(features)
    labels = np.asarray(labels, dtype=np.int64)
    sizes = np.bincount(labels, minlength=n_clusters)
    # Members of each segment as one slice of a stable sort: in row order, like a mask.
    order = np.argsort(labels, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    categories = {
        column: _category_counts(features.categorical[column], labels, n_clusters)
        for column in CATEGORICAL_FEATURES
    }
    skill_names, skill_counts = _skill_counts(features, labels, n_clusters)
    profiles: list[dict[str, Any]] = []
    pool_categories = {column: counts.sum(axis=0) for column, (_, counts) in categories.items()}
    pool_skills = skill_counts.sum(axis=0)
    for segment in range(n_clusters):
        members = order[bounds[segment] : bounds[segment + 1]]
        size = int(sizes[segment])
        profile: dict[str, Any] = {"size": size, "share": round(size / n, 4) if n else 0.0}
        for j, column in enumerate(NUMERIC_FEATURES):
            profile[column] = _numeric_summary(features.numeric[members, j])
        for column in CATEGORICAL_FEATURES:
            names, counts = categories[column]
            profile[f"top_{column}"] = _top(
                names, counts[segment], size, pool_categories[column], n
            )
        profile["top_skills"] = (
            _top(skill_names, skill_counts[segment], size, pool_skills, n) if size else []
        )
        profiles.append(profile)
    return profiles


def _category_counts(
    values: np.ndarray, labels: np.ndarray, n_clusters: int
) -> tuple[list[str], np.ndarray]:
    """The sorted distinct values and a (segment, value) count table."""
    codes, uniques = pd.factorize(values, sort=True)
    names = [str(value) for value in uniques]
    width = max(len(names), 1)
    flat = labels * width + codes
    counts = np.bincount(flat, minlength=n_clusters * width).reshape(n_clusters, width)
    return names, counts


def _skill_counts(
    features: CandidateFeatures, labels: np.ndarray, n_clusters: int
) -> tuple[list[str], np.ndarray]:
    """Skill names sorted by key, and candidates per (segment, skill), each counted once."""
    keys = [skill_key(name) for name in features.skill_names]
    unique_keys = sorted(set(keys))
    display = {key: name for name, key in zip(features.skill_names, keys, strict=True)}
    position = {key: j for j, key in enumerate(unique_keys)}
    code_to_column = np.array([position[key] for key in keys] or [0], dtype=np.int64)
    width = max(len(unique_keys), 1)
    n = len(features)
    if len(features.skill_rows):
        columns = code_to_column[features.skill_codes]
        pairs = distinct_sorted(pair_keys(features.skill_rows, columns, width, n))
        rows, columns = np.divmod(pairs, width)
        flat = labels[rows] * width + columns
        counts = np.bincount(flat, minlength=n_clusters * width).reshape(n_clusters, width)
    else:
        counts = np.zeros((n_clusters, width), dtype=np.int64)
    names = [display[key] for key in unique_keys] or [""]
    return names, counts
