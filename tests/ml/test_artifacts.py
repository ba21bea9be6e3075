"""Model files: refused when missing, altered, or from another library version."""

from __future__ import annotations

import joblib
import pytest

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
    assert saved.path.name.startswith("run-1-") and saved.path.suffix == ".joblib"
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
        load_model(tmp_path / "gone.joblib", expected_sha256="0" * 64)


def test_file_from_another_scikit_learn_is_refused(tmp_path, trained):
    result, _ = trained
    path = tmp_path / "old.joblib"
    joblib.dump(
        {
            "format": "adflux-segmentation",
            "format_version": 1,
            "sklearn_version": "0.24.2",
            "pipeline": result.pipeline,
        },
        path,
    )
    with pytest.raises(ArtifactError, match="scikit-learn 0.24.2.*Retrain"):
        load_model(path, expected_sha256=file_sha256(path))
