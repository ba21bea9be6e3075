"""Saving and loading trained pipelines: atomic writes, checksums, a format that runs no code.

Two locks on the door. A model file is read only after its SHA-256 matches the one the caller
vouches for (the database records it at training time), so an altered or substituted file is
refused before any of its bytes are interpreted. And the file is a skops archive, not a pickle:
loading it builds only allow-listed types (AdFlux's own pipeline classes, and the scikit-learn,
NumPy and SciPy types skops trusts by default), so even a file with a matching checksum cannot
run a command when it is loaded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sklearn
import skops.io as sio

from segmentation.ml.errors import ArtifactError
from segmentation.ml.pipeline import SegmentationPipeline

ARTIFACT_FORMAT = "adflux-segmentation"
ARTIFACT_FORMAT_VERSION = 2
ARTIFACT_SUFFIX = ".skops"

# The only non-default types a model file may contain; anything else is refused unread.
TRUSTED_TYPES: tuple[str, ...] = (
    "segmentation.ml.features.FeatureEncoder",
    "segmentation.ml.pipeline.ClusteringConfig",
    "segmentation.ml.pipeline.SegmentationPipeline",
    # The estimators of segmentation/ml/algorithms.py, and what BisectingKMeans keeps: its
    # tree of splits (whose root centre is a numpy.matrix) and the function that fits a split.
    "segmentation.ml.algorithms.MixtureClusterer",
    "segmentation.ml.algorithms.WardClusterer",
    "numpy.matrix",
    "sklearn.cluster._bisect_k_means._BisectingTree",
    "sklearn.cluster._kmeans._kmeans_single_lloyd",
)


@dataclass(frozen=True)
class SavedArtifact:
    path: Path
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(pipeline: SegmentationPipeline, directory: Path, *, stem: str) -> SavedArtifact:
    """Write the pipeline to ``directory/stem-<timestamp>.skops`` atomically; return its hash.

    A folder that cannot be written (read-only, full, missing permissions) is an
    ``ArtifactError`` naming the folder and the reason, and leaves no partial file behind.
    """
    try:
        return _save(pipeline, directory, stem)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ArtifactError(
            f"The model could not be written to {directory}: {reason}. Free some space or make "
            "the folder writable (ADFLUX_MODEL_DIR), then train again; the previous "
            "segmentation is unchanged."
        ) from exc


def _save(pipeline: SegmentationPipeline, directory: Path, stem: str) -> SavedArtifact:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = directory / f"{stem}-{stamp}{ARTIFACT_SUFFIX}"
    payload = {
        "format": ARTIFACT_FORMAT,
        "format_version": ARTIFACT_FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "saved_at": datetime.now(UTC).isoformat(),
        "pipeline": pipeline,
    }
    # delete=False: the file must outlive the handle so it can be renamed into place.
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{stem}-", delete=False)  # noqa: SIM115
    try:
        with handle:
            sio.dump(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())
        # Rename is atomic on one filesystem: readers see the old file set or the whole new file.
        os.replace(handle.name, final)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return SavedArtifact(path=final, sha256=file_sha256(final))


def model_file_check(path: Path, *, expected_sha256: str, sklearn_version: str | None) -> None:
    """Refuse, in words, a model file that is missing, altered or from another scikit-learn.

    What ``load_model`` checks before it unpickles, for a caller that may not need the model
    at all (an activation with nobody to predict): hashing the file costs milliseconds, loading
    it a tenth of a second. ``sklearn_version`` is the one recorded when the file was written.
    """
    _file_check(Path(path), expected_sha256)
    if sklearn_version is not None and sklearn_version != sklearn.__version__:
        raise _version_error(path, sklearn_version)


def _version_error(path: Path, version: object) -> ArtifactError:
    return ArtifactError(
        f"{path} was trained with scikit-learn {version}, but "
        f"scikit-learn {sklearn.__version__} is installed; models do not carry over between "
        f"versions. Retrain the model."
    )


def _file_check(path: Path, expected_sha256: str) -> None:
    if not path.is_file():
        raise ArtifactError(
            f"The model file {path} is missing. Retrain the segmentation model "
            f"(manage.py train_segments) to create a new one."
        )
    actual = file_sha256(path)
    if not expected_sha256 or actual != expected_sha256:
        raise ArtifactError(
            f"The model file {path} does not match the checksum recorded when it was trained "
            f"(expected SHA-256 {expected_sha256 or 'none'}, found {actual}). It may have been "
            f"altered or replaced, so it was not loaded. Retrain the model."
        )


def load_model(path: Path, *, expected_sha256: str) -> SegmentationPipeline:
    """Load a pipeline only if the file exists, matches its recorded hash and our versions."""
    path = Path(path)
    _file_check(path, expected_sha256)
    try:
        untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
    except Exception as exc:  # not a zip, no schema: skops names the problem
        raise ArtifactError(f"{path} is not an AdFlux model file ({exc}).") from exc
    if untrusted:
        raise ArtifactError(
            f"{path} contains types a model file may not hold ({', '.join(untrusted)}); "
            f"it was not loaded. Retrain the model."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # version mismatches are reported below, in words
        try:
            payload = sio.load(path, trusted=list(TRUSTED_TYPES))
        except Exception as exc:
            raise ArtifactError(f"{path} could not be read as a model file ({exc}).") from exc
    if not isinstance(payload, dict) or payload.get("format") != ARTIFACT_FORMAT:
        raise ArtifactError(f"{path} is not an AdFlux segmentation model file.")
    if payload.get("format_version") != ARTIFACT_FORMAT_VERSION:
        raise ArtifactError(
            f"{path} has model format version {payload.get('format_version')}; this AdFlux "
            f"reads version {ARTIFACT_FORMAT_VERSION}. Retrain the model."
        )
    if payload.get("sklearn_version") != sklearn.__version__:
        raise _version_error(path, payload.get("sklearn_version"))
    pipeline = payload.get("pipeline")
    if not isinstance(pipeline, SegmentationPipeline):
        raise ArtifactError(f"{path} does not hold a segmentation pipeline.")
    return pipeline
