"""The active run's fitted pipeline, cached per process and reloaded when the active run changes.

Assigning one new candidate must not reload a model file from disk each time, yet a web process
must never keep using a model after another process has activated a newer one; so every call
asks the database which run is active (one indexed query) and reloads only when that changed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from segmentation.ml.artifacts import load_model
from segmentation.ml.pipeline import SegmentationPipeline
from segmentation.models import Segment, SegmentationRun


@dataclass(frozen=True)
class ActiveModel:
    run_id: int
    artifact_sha256: str
    pipeline: SegmentationPipeline
    segment_ids: np.ndarray  # segment primary key by segment number
    # Read with the active run on every call (it is set once a run's distances are known),
    # so a save needs no query of its own for it.
    outlier_threshold: float | None = None

    def segment_ids_for(self, labels: np.ndarray) -> np.ndarray:
        return self.segment_ids[labels]


_lock = threading.Lock()
_cached: ActiveModel | None = None


def active_model_get() -> ActiveModel | None:
    """The active run's model, loaded once per process per activation; None without one."""
    global _cached
    row = (
        SegmentationRun.objects.filter(is_active=True)
        .values_list("pk", "artifact_path", "artifact_sha256", "outlier_threshold")
        .first()
    )
    if row is None:
        return None
    run_id, artifact_path, artifact_sha256, threshold = row
    cached = _cached
    if cached is not None and (cached.run_id, cached.artifact_sha256) == (run_id, artifact_sha256):
        if cached.outlier_threshold != threshold:
            cached = replace(cached, outlier_threshold=threshold)
        return cached
    with _lock:
        if _cached is not None and (_cached.run_id, _cached.artifact_sha256) == (
            run_id,
            artifact_sha256,
        ):
            return _cached
        pipeline = load_model(Path(artifact_path), expected_sha256=artifact_sha256)
        numbers = dict(Segment.objects.filter(run_id=run_id).values_list("number", "pk"))
        segment_ids = np.array([numbers[n] for n in range(len(numbers))], dtype=np.int64)
        _cached = ActiveModel(run_id, artifact_sha256, pipeline, segment_ids, threshold)
        return _cached


def active_model_forget() -> None:
    """Drop the cached model (tests; or to free memory)."""
    global _cached
    with _lock:
        _cached = None
