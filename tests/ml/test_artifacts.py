"""Model files: refused when missing, altered, or from another library version."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import skops.io as sio

from segmentation.ml.artifacts import file_sha256, load_model, save_model
from segmentation.ml.errors import ArtifactError
from segmentation.ml.features import extract_features
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
from tests.ml.conftest import make_profiles


@pytest.fixture
def trained():
    records, _ = make_profiles(20)
    features = extract_features(records)
    return fit_segmentation(features, ClusteringConfig(n_clusters=3)), features


def test_round_trip_predicts_the_same(tmp_path, trained):
    result, features = trained
    saved = save_model(result.pipeline, tmp_path, stem="run-1")
    assert saved.path.name.startswith("run-1-") and saved.path.suffix == ".skops"
    assert saved.sha256 == file_sha256(saved.path)
    assert list(tmp_path.iterdir()) == [saved.path]  # no temporary file left behind
    loaded = load_model(saved.path, expected_sha256=saved.sha256)
    assert loaded.predict(features).tolist() == result.labels.tolist()


def test_one_flipped_byte_is_refused(tmp_path, trained):
    result, _ = trained
    saved = save_model(result.pipeline, tmp_path, stem="run-1")
    data = bytearray(saved.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    saved.path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="does not match the checksum"):
        load_model(saved.path, expected_sha256=saved.sha256)


def test_missing_file_is_refused_with_a_way_out(tmp_path):
    with pytest.raises(ArtifactError, match="is missing.*train_segments"):
        load_model(tmp_path / "gone.skops", expected_sha256="0" * 64)


def test_file_from_another_scikit_learn_is_refused(tmp_path, trained):
    result, _ = trained
    path = tmp_path / "old.skops"
    sio.dump(
        {
            "format": "adflux-segmentation",
            "format_version": 2,
            "sklearn_version": "0.24.2",
            "pipeline": result.pipeline,
        },
        path,
    )
    with pytest.raises(ArtifactError, match="scikit-learn 0.24.2.*Retrain"):
        load_model(path, expected_sha256=file_sha256(path))


class _RunsACommand:
    """Unpickling this runs a shell command: the classic poisoned model file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_crafted_to_run_a_command_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "run-9-20260101T000000Z.skops"
    path.write_bytes(pickle.dumps(_RunsACommand(marker)))
    # Even with the attacker's checksum on record, the file is not a model file and is not run.
    with pytest.raises(ArtifactError, match="not an AdFlux model file"):
        load_model(path, expected_sha256=file_sha256(path))
    assert not marker.exists()


class Smuggled:
    """A type no model file may carry."""

    def __init__(self) -> None:
        self.payload = "anything"


def test_a_model_file_with_an_unexpected_type_is_refused(tmp_path, trained):
    result, _ = trained
    path = tmp_path / "smuggled.skops"
    sio.dump(
        {
            "format": "adflux-segmentation",
            "format_version": 2,
            "sklearn_version": "x",
            "pipeline": result.pipeline,
            "extra": Smuggled(),
        },
        path,
    )
    with pytest.raises(ArtifactError, match="may not hold.*Smuggled"):
        load_model(path, expected_sha256=file_sha256(path))


def test_a_read_only_model_folder_is_a_clear_error_and_leaves_no_file(tmp_path, trained):
    from segmentation.ml.errors import ArtifactError

    result, _ = trained
    folder = tmp_path / "models"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores the mode: make the path unusable instead
            folder.rmdir()
            folder.write_text("a file where the folder should be")
        with pytest.raises(ArtifactError, match=r"could not be written to .*models: .*train again"):
            save_model(result.pipeline, folder, stem="run-1")
    finally:
        if folder.is_dir():
            os.chmod(folder, 0o700)
    assert not folder.is_dir() or list(folder.iterdir()) == []
