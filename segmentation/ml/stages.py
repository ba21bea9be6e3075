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
# The Spark engine: every candidate assigned and written on the cluster's executors.
ASSIGN = "assign on the cluster"
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


def activate_stages(*, on_cluster: bool = False) -> list[str]:
    """The stages of an activation, with the cluster's assignment of everyone after "load
    model" when a pruned run is activated on the Spark engine."""
    names = list(ACTIVATE_STAGES)
    if on_cluster:
        names.insert(names.index(LOAD_MODEL) + 1, ASSIGN)
    return names


def train_stages(*, choose_k: bool, spark: bool = False) -> list[str]:
    """The stages of a training, with "choose k" after "read" when k is chosen automatically
    and, on the Spark engine, the cluster's assignment before "match"."""
    names = list(TRAIN_STAGES)
    if spark:
        names.insert(names.index(MATCH), ASSIGN)
    if choose_k:
        names.insert(names.index(READ) + 1, CHOOSE_K)
    return names


def job_stages(
    *,
    train: bool,
    activate: bool,
    choose_k: bool = False,
    spark: bool = False,
    activate_on_cluster: bool = False,
) -> list[str]:
    """Every stage of a job: training, activation, or training then activation."""
    stages = train_stages(choose_k=choose_k, spark=spark) if train else []
    if not activate:
        return stages
    return [*stages, *activate_stages(on_cluster=activate_on_cluster)]


def stage_label(stage: str) -> str:
    """The words a person reads for a stage ("fit" -> "Finding segments")."""
    return STAGE_LABELS.get(stage, stage[:1].upper() + stage[1:])
