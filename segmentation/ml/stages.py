"""The stages a training or an activation goes through, named once.

Timers, job progress, the command-line bar and bench/ all read these names from here. The module
imports nothing, so the benchmarks can load it without Django or NumPy.
"""

from __future__ import annotations

READ = "read"
CHOOSE_K = "choose k"
FEATURES = "features"
FIT = "fit"
PREDICT = "predict"
SILHOUETTE = "silhouette"
PROJECTION = "projection"
OUTLIERS = "outliers"
PROFILES = "profiles"
QUALITY = "quality"
SAVE = "save"
MATCH = "match"
LOAD_MODEL = "load model"
WRITE = "write"

# What a person reads while a stage runs: the names above are for timers, logs and bench/.
STAGE_LABELS: dict[str, str] = {
    READ: "Reading candidates",
    CHOOSE_K: "Choosing the number of segments",
    FEATURES: "Preparing profiles",
    FIT: "Finding segments",
    PREDICT: "Placing candidates in segments",
    SILHOUETTE: "Measuring how distinct the segments are",
    PROJECTION: "Drawing the map of candidates",
    OUTLIERS: "Spotting unusual profiles",
    PROFILES: "Describing the segments",
    QUALITY: "Checking how stable the segments are",
    SAVE: "Saving the model",
    MATCH: "Matching the segments to the active ones",
    LOAD_MODEL: "Loading the model",
    WRITE: "Saving each candidate's segment",
}

TRAIN_STAGES: tuple[str, ...] = (
    READ,
    FEATURES,
    FIT,
    PREDICT,
    SILHOUETTE,
    PROJECTION,
    OUTLIERS,
    PROFILES,
    QUALITY,
    SAVE,
    MATCH,
    WRITE,
)
# An activation reads and predicts only the candidates changed since the run was trained.
ACTIVATE_STAGES: tuple[str, ...] = (LOAD_MODEL, READ, PREDICT, WRITE)


def train_stages(*, choose_k: bool) -> list[str]:
    """The stages of a training, with "choose k" after "read" when k is chosen automatically."""
    if not choose_k:
        return list(TRAIN_STAGES)
    read = TRAIN_STAGES.index(READ)
    return [*TRAIN_STAGES[: read + 1], CHOOSE_K, *TRAIN_STAGES[read + 1 :]]


def job_stages(*, train: bool, activate: bool, choose_k: bool = False) -> list[str]:
    """Every stage of a job: training, activation, or training then activation."""
    stages = train_stages(choose_k=choose_k) if train else []
    return [*stages, *ACTIVATE_STAGES] if activate else stages


def stage_label(stage: str) -> str:
    """The words a person reads for a stage ("fit" -> "Finding segments")."""
    return STAGE_LABELS.get(stage, stage[:1].upper() + stage[1:])
