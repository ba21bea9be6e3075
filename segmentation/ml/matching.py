"""Which segment of a new model is which segment of the previous one: matching their centres.

K-means numbers its clusters arbitrarily, so two runs on the same candidates find the same groups
under different numbers. Pairing each new centre with its nearest old one, one to one
(the Hungarian algorithm on Euclidean distances), lets names and campaign targets follow the
group rather than the number.

Two runs may encode candidates differently: a location or skill seen by one only, and numbers
scaled by each run's own means and deviations. Centres are therefore compared in the new run's
units over the union of both feature vocabularies, a feature a run does not know being 0 in its
centres (which is what its one-hot or multi-hot column would hold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from segmentation.ml.features import NUMERIC_FEATURES
from segmentation.ml.pipeline import SegmentationPipeline

NO_TWIN = -1


@dataclass(frozen=True)
class SegmentMatching:
    """For each new segment number, its twin's number in the old run (or -1) and their distance."""

    old_of_new: np.ndarray
    distances: np.ndarray

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """(old number, new number) of every matched pair, by new number."""
        return [(int(old), new) for new, old in enumerate(self.old_of_new.tolist()) if old >= 0]


def centers_aligned(
    old_centers: np.ndarray,
    old_names: list[str],
    new_centers: np.ndarray,
    new_names: list[str],
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Both sets of centres over the union of the feature names (new run's order first)."""
    names = list(new_names) + sorted(set(old_names) - set(new_names))
    column = {name: j for j, name in enumerate(names)}
    old = np.zeros((old_centers.shape[0], len(names)))
    new = np.zeros((new_centers.shape[0], len(names)))
    old[:, [column[name] for name in old_names]] = old_centers
    new[:, [column[name] for name in new_names]] = new_centers
    return old, new, names


def match_centers(old_centers: np.ndarray, new_centers: np.ndarray) -> SegmentMatching:
    """Pair centres one to one at the least total distance; either side's surplus stays unpaired."""
    distances = cdist(new_centers, old_centers, metric="euclidean")
    old_of_new = np.full(new_centers.shape[0], NO_TWIN, dtype=np.int64)
    twin_distance = np.full(new_centers.shape[0], np.nan)
    if distances.size:
        new_rows, old_columns = linear_sum_assignment(distances)
        old_of_new[new_rows] = old_columns
        twin_distance[new_rows] = distances[new_rows, old_columns]
    return SegmentMatching(old_of_new=old_of_new, distances=twin_distance)


def match_segments(old: SegmentationPipeline, new: SegmentationPipeline) -> SegmentMatching:
    """Match the segments of two fitted pipelines by their centres."""
    old_names, new_names = old.feature_names, new.feature_names
    old_centers = _numbers_in_units_of(np.array(old.centers, dtype=np.float64), old_names, old, new)
    aligned_old, aligned_new, _ = centers_aligned(
        old_centers, old_names, np.asarray(new.centers, dtype=np.float64), new_names
    )
    return match_centers(aligned_old, aligned_new)


def _numbers_in_units_of(
    centers: np.ndarray,
    names: list[str],
    source: SegmentationPipeline,
    target: SegmentationPipeline,
) -> np.ndarray:
    """The scaled number columns of ``source`` centres, rescaled as ``target`` scales them.

    Through raw units (years, dollars), so a run with quantile-scaled numbers (the recommended
    preset) and one with the seed's scaling are compared in the same units.
    """
    columns = [names.index(name) for name in NUMERIC_FEATURES if name in names]
    if len(columns) != len(NUMERIC_FEATURES):
        return centers
    raw = source.encoder.numbers_raw(centers[:, columns])
    centers[:, columns] = target.encoder.numbers_scaled(raw)
    return centers
