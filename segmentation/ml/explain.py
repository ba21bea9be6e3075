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
    skill_key,
)

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


def _top(counts: pd.Series, total: int, n: int = TOP_N) -> list[list[Any]]:
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable").head(n)
    return [
        [str(label) or BLANK_LABEL, int(count), round(count / total, 4) if total else 0.0]
        for label, count in counts.items()
    ]


def pool_profile(features: CandidateFeatures) -> dict[str, Any]:
    """The profile of every candidate together: what each segment is compared against."""
    labels = np.zeros(len(features), dtype=np.int32)
    return segment_profiles(features, labels, 1)[0]


def segment_profiles(
    features: CandidateFeatures, labels: np.ndarray, n_clusters: int
) -> list[dict[str, Any]]:
    """One profile per segment: size, share, typical numbers and most common values.

    Categorical and skill tops come as ``[value, count, share of the segment]``.
    """
    n = len(features)
    sizes = np.bincount(labels, minlength=n_clusters) if n else np.zeros(n_clusters, dtype=int)
    profiles: list[dict[str, Any]] = []
    cross = {
        column: pd.crosstab(labels, features.categorical[column]) if n else None
        for column in CATEGORICAL_FEATURES
    }
    skill_counts = _skill_counts(features, labels, n_clusters)
    for segment in range(n_clusters):
        members = labels == segment
        size = int(sizes[segment])
        profile: dict[str, Any] = {"size": size, "share": round(size / n, 4) if n else 0.0}
        for j, column in enumerate(NUMERIC_FEATURES):
            profile[column] = _numeric_summary(features.numeric[members, j])
        for column in CATEGORICAL_FEATURES:
            table = cross[column]
            if table is None or segment not in table.index:
                profile[f"top_{column}"] = []
            else:
                profile[f"top_{column}"] = _top(table.loc[segment], size)
        profile["top_skills"] = _top(skill_counts.loc[segment], size) if size else []
        profiles.append(profile)
    return profiles


def _skill_counts(features: CandidateFeatures, labels: np.ndarray, n_clusters: int) -> pd.DataFrame:
    """Candidates per (segment, skill), counting a candidate once per skill."""
    keys = [skill_key(name) for name in features.skill_names]
    unique_keys = sorted(set(keys))
    display = {key: name for name, key in zip(features.skill_names, keys, strict=True)}
    position = {key: j for j, key in enumerate(unique_keys)}
    code_to_column = np.array([position[key] for key in keys] or [0], dtype=np.int64)
    width = max(len(unique_keys), 1)
    if len(features.skill_rows):
        columns = code_to_column[features.skill_codes]
        pairs = np.unique(features.skill_rows * width + columns)
        rows, columns = np.divmod(pairs, width)
        flat = labels[rows].astype(np.int64) * width + columns
        counts = np.bincount(flat, minlength=n_clusters * width).reshape(n_clusters, width)
    else:
        counts = np.zeros((n_clusters, width), dtype=np.int64)
    names = [display[key] for key in unique_keys] or [""]
    return pd.DataFrame(counts, columns=names)
