"""Why a candidate is in its segment rather than the next-nearest one, feature by feature.

For a candidate x, its segment's centre c₁ and the nearest other centre c₂ (scaled features), each
original feature's *contribution* is the sum over its encoded columns j of

    (x_j − c₂_j)² − (x_j − c₁_j)²

A positive contribution pulls the candidate toward its own segment, a negative one toward the
other. Summed over every feature, the contributions give d₂² − d₁², the whole margin between the
two squared distances. The features are the profile's: years, salary, location (all its one-hot
columns together), education, primary skill, and each skill on its own.

Confidence is 1 − d₁/d₂ with distances in the clustering space: 0 on the boundary between the two
segments, 1 at the segment's centre. A candidate is *borderline* when d₁/d₂ is at least
``BORDERLINE_RATIO``. docs/explanations.md explains the choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from segmentation.ml.bounds import BORDERLINE_RATIO  # noqa: F401 (re-exported)
from segmentation.ml.features import (
    CATEGORICAL_FEATURES,
    NUMERIC_FEATURES,
    CandidateFeatures,
    FeatureEncoder,
)
from segmentation.ml.outliers import center_spaces, squared_distances
from segmentation.ml.pipeline import SegmentationPipeline

# Borderline (BORDERLINE_RATIO, in bounds.py): the distance to its own segment is at least 90 %
# of the distance to the next (confidence below 10 %).

Kind = Literal["number", "category", "skill"]


@dataclass(frozen=True)
class FeatureGroup:
    """One original feature and the encoded columns it became."""

    name: str  # "years_experience", "location", ..., or the skill's name
    kind: Kind
    start: int
    stop: int


def feature_groups(encoder: FeatureEncoder) -> list[FeatureGroup]:
    """The encoder's columns grouped by the feature they came from, in column order."""
    groups = [FeatureGroup(name, "number", j, j + 1) for j, name in enumerate(NUMERIC_FEATURES)]
    start = len(NUMERIC_FEATURES)
    for column in CATEGORICAL_FEATURES:
        stop = start + len(encoder.categories[column])
        groups.append(FeatureGroup(column, "category", start, stop))
        start = stop
    for skill in encoder.skill_vocabulary:
        groups.append(FeatureGroup(skill, "skill", start, start + 1))
        start += 1
    return groups


@dataclass(frozen=True)
class Contribution:
    """One feature's share of the margin, with the candidate's value in readable form."""

    feature: str  # as FeatureGroup.name
    kind: Kind
    points: float  # > 0 pulls toward the candidate's segment, < 0 toward the next-nearest
    # number: the candidate's value (None when blank, counted as ``filled``);
    # category: the candidate's value ("" when blank); skill: whether the candidate has it.
    value: float | str | bool | None
    pool_median: float | None = None  # numbers only: the training pool's median
    known: bool = True  # categories: whether the value existed at training time
    # Blank numbers only: the value the encoder counted instead, in raw units. The seed preset
    # fills the pool median; the recommended one fills a salary from experience and location.
    filled: float | None = None


@dataclass(frozen=True)
class CandidateReasons:
    segment: int
    next_segment: int | None  # None when the model has one segment
    distance: float  # to the segment's centre, clustering space
    next_distance: float | None
    nearest_distance: float  # to the nearest centre of all (what "unusual" is measured on)
    confidence: float  # 1 − d₁/d₂, in [0, 1]; 1 with a single segment
    borderline: bool
    contributions: list[Contribution]  # every feature, largest pull toward the segment first


def margin_reasons(
    encoded: np.ndarray,
    clustering: np.ndarray,
    encoded_centers: np.ndarray,
    clustering_centers: np.ndarray,
    groups: list[FeatureGroup],
    *,
    segment: int | None = None,
) -> tuple[int, int | None, np.ndarray, np.ndarray]:
    """The math on one candidate: segment, next segment, clustering distances, group points.

    ``encoded`` and ``clustering`` are the candidate's row in the scaled feature space and in the
    clustering space; ``segment`` defaults to the nearest centre.
    """
    squared = squared_distances(clustering.reshape(1, -1), clustering_centers)[0]
    own = int(np.argmin(squared)) if segment is None else int(segment)
    others = np.delete(np.arange(len(squared)), own)
    if len(others) == 0:
        return own, None, np.sqrt(squared), np.zeros(len(groups))
    other = int(others[np.argmin(squared[others])])
    x = encoded.ravel()
    per_column = np.square(x - encoded_centers[other]) - np.square(x - encoded_centers[own])
    column_group = np.repeat(np.arange(len(groups)), [group.stop - group.start for group in groups])
    points = np.bincount(column_group, weights=per_column, minlength=len(groups))
    return own, other, np.sqrt(squared), points


def candidate_reasons(
    pipeline: SegmentationPipeline, features: CandidateFeatures, *, segment: int | None = None
) -> CandidateReasons:
    """Explain the first candidate of ``features`` under a fitted pipeline.

    ``segment`` is the segment number it holds; by default, the nearest centre's.
    """
    encoder = pipeline.encoder
    encoded = pipeline.transform(features.take(np.array([0])))
    clustering = pipeline.reduce(encoded)
    clustering_centers, encoded_centers = center_spaces(pipeline)
    groups = feature_groups(encoder)
    own, other, distances, points = margin_reasons(
        encoded.toarray()[0],
        clustering.toarray()[0] if hasattr(clustering, "toarray") else np.asarray(clustering)[0],
        encoded_centers,
        clustering_centers,
        groups,
        segment=segment,
    )
    values = _readable_values(encoder, features, encoded.toarray()[0], groups)
    contributions = sorted(
        (
            Contribution(
                feature=group.name,
                kind=group.kind,
                points=float(points[index]),
                **values[index],
            )
            for index, group in enumerate(groups)
        ),
        key=lambda contribution: -contribution.points,
    )
    d1 = float(distances[own])
    d2 = None if other is None else float(distances[other])
    confidence, borderline = confidence_of(d1, d2)
    return CandidateReasons(
        segment=own,
        next_segment=other,
        distance=d1,
        next_distance=d2,
        nearest_distance=float(distances.min()),
        confidence=confidence,
        borderline=borderline,
        contributions=contributions,
    )


def confidence_of(distance: float, next_distance: float | None) -> tuple[float, bool]:
    """``(1 − d₁/d₂ clipped to [0, 1], d₁/d₂ ≥ BORDERLINE_RATIO)``; certain with one segment."""
    if next_distance is None:
        return 1.0, False
    if next_distance <= 0:
        return 0.0, True
    ratio = distance / next_distance
    return float(np.clip(1.0 - ratio, 0.0, 1.0)), bool(ratio >= BORDERLINE_RATIO)


def _readable_values(
    encoder: FeatureEncoder,
    features: CandidateFeatures,
    encoded_row: np.ndarray,
    groups: list[FeatureGroup],
) -> list[dict[str, object]]:
    values: list[dict[str, object]] = []
    imputed = encoder.impute(features.take(np.array([0])))[0]
    for group in groups:
        if group.kind == "number":
            j = NUMERIC_FEATURES.index(group.name)
            raw = float(features.numeric[0, j])
            values.append(
                {
                    "value": None if np.isnan(raw) else raw,
                    "pool_median": float(encoder.medians[j]),
                    "filled": float(imputed[j]) if np.isnan(raw) else None,
                }
            )
        elif group.kind == "category":
            raw_text = str(features.categorical[group.name][0])
            values.append({"value": raw_text, "known": raw_text in encoder.categories[group.name]})
        else:
            values.append({"value": bool(encoded_row[group.start] > 0)})
    return values
