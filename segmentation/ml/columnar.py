"""Candidate profiles as Arrow columns, and what one block of them contributes to a run.

The Spark engine (segmentation/engines/) hands the ML core blocks of rows as Arrow record
batches: one column per profile field, skills as a list of names, and the candidate's segment
under the active run (``current_segment``, null without one). Each block is encoded and
assigned by the very code the local engine runs (``predict_with_distances``), so a candidate's
segment does not depend on where it was computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.ml.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, CandidateFeatures
from segmentation.ml.outliers import predict_with_distances, unusual_rows
from segmentation.ml.pipeline import SegmentationPipeline

ID_COLUMN = "id"
SKILLS_COLUMN = "skills"
CURRENT_SEGMENT_COLUMN = "current_segment"
# The columns a snapshot or a database read must provide, in this order.
PROFILE_ARROW_COLUMNS: tuple[str, ...] = (
    ID_COLUMN,
    *NUMERIC_FEATURES,
    *CATEGORICAL_FEATURES,
    SKILLS_COLUMN,
)


def features_from_arrow(table: object) -> CandidateFeatures:
    """A pyarrow Table or RecordBatch of profile columns as ``CandidateFeatures``.

    Blank numbers become NaN and blank or null categories "", as the database read gives them.
    A null skills list is no skills.
    """
    columns = set(table.schema.names)  # type: ignore[attr-defined]
    missing = [name for name in PROFILE_ARROW_COLUMNS if name not in columns]
    if missing:
        raise ValueError(
            f"The candidate columns lack {', '.join(missing)}; expected "
            f"{', '.join(PROFILE_ARROW_COLUMNS)}."
        )
    column = table.column  # type: ignore[attr-defined]
    ids = np.asarray(column(ID_COLUMN).to_numpy(zero_copy_only=False), dtype=np.int64)
    numeric = (
        np.column_stack(
            [
                np.asarray(
                    column(name).cast("double").to_numpy(zero_copy_only=False), dtype=np.float64
                )
                for name in NUMERIC_FEATURES
            ]
        )
        if len(ids)
        else np.zeros((0, len(NUMERIC_FEATURES)), dtype=np.float64)
    )
    categorical = {
        name: np.asarray(
            pd.Series(column(name).to_pylist(), dtype=object).fillna("").to_numpy(),
            dtype=object,
        )
        for name in CATEGORICAL_FEATURES
    }
    import pyarrow.compute as pc

    skills = column(SKILLS_COLUMN)
    if hasattr(skills, "combine_chunks"):
        skills = skills.combine_chunks()
    lengths = np.asarray(
        pc.list_value_length(skills).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    # Only the values of non-null lists: a null list is no skills.
    flat = pc.list_flatten(skills).to_pylist()
    codes, names = pd.factorize(pd.Series(flat, dtype=object))
    return CandidateFeatures(
        ids=ids,
        numeric=numeric,
        categorical=categorical,
        skill_rows=np.repeat(np.arange(len(ids), dtype=np.int64), lengths),
        skill_codes=np.asarray(codes, dtype=np.int64),
        skill_names=tuple(names.tolist()),
    )


@dataclass(frozen=True)
class BlockAssignment:
    """A block's candidates with their segment numbers, and its share of the run's totals."""

    ids: np.ndarray
    labels: np.ndarray
    # Candidates per segment number.
    counts: np.ndarray
    # Sum of squared nearest-centre distances: the block's share of the run's inertia.
    inertia: float
    # (current segment id or -1, new segment number, candidates) for the migration summary.
    flows: np.ndarray
    unusual_ids: np.ndarray
    unusual_distances: np.ndarray


def block_assign(
    pipeline: SegmentationPipeline, table: object, *, outlier_threshold: float | None
) -> BlockAssignment:
    """Assign a block of candidates as the local engine does, with its contribution."""
    features = features_from_arrow(table)
    labels, distances = predict_with_distances(pipeline, features)
    k = pipeline.config.n_clusters
    names = table.schema.names  # type: ignore[attr-defined]
    if CURRENT_SEGMENT_COLUMN in names:
        current = table.column(CURRENT_SEGMENT_COLUMN).fill_null(-1)  # type: ignore[attr-defined]
        current = np.asarray(current.to_numpy(zero_copy_only=False), dtype=np.int64)
    else:
        current = np.full(len(labels), -1, dtype=np.int64)
    flows = flows_count(current, labels)
    unusual = unusual_rows(distances, outlier_threshold)
    return BlockAssignment(
        ids=features.ids,
        labels=labels,
        counts=np.bincount(labels, minlength=k).astype(np.int64),
        inertia=float(np.square(distances).sum()),
        flows=flows,
        unusual_ids=features.ids[unusual],
        unusual_distances=distances[unusual],
    )


def flows_count(current: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(current segment id, new segment number, count) rows, one per pair that occurs."""
    if len(labels) == 0:
        return np.zeros((0, 3), dtype=np.int64)
    pairs = np.column_stack([np.asarray(current, np.int64), np.asarray(labels, np.int64)])
    unique, counts = np.unique(pairs, axis=0, return_counts=True)
    return np.column_stack([unique, counts]).astype(np.int64)


def flows_merge(parts: list[np.ndarray]) -> np.ndarray:
    """Several blocks' flow rows added up into one row per (current, new) pair."""
    rows = [part for part in parts if len(part)]
    if not rows:
        return np.zeros((0, 3), dtype=np.int64)
    stacked = np.concatenate(rows)
    unique, inverse = np.unique(stacked[:, :2], axis=0, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=stacked[:, 2], minlength=len(unique))
    return np.column_stack([unique, totals.astype(np.int64)])
