"""Training and assignment against a real database: results, errors, and nothing half-done."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.utils import timezone
from sklearn.metrics import adjusted_rand_score

from candidates.models import Candidate
from segmentation.ml.errors import ArtifactError, SegmentationInputError
from segmentation.models import Segment, SegmentationRun
from segmentation.services import activation
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import runs_of_candidates, segments_now, unassigned
from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


def _segments_by_candidate() -> dict[int, int | None]:
    return segments_now()


def test_train_records_a_run_with_metrics_segments_and_a_verified_artifact(grouped_candidates):
    run = segmentation_train(n_clusters=3)
    run.refresh_from_db()
    assert run.status == SegmentationRun.Status.TRAINED
    assert not run.is_active  # training alone changes no candidate's segment
    assert run.n_candidates == 90 and run.n_clusters == 3
    assert run.inertia > 0 and 0.3 < run.silhouette <= 1
    assert run.feature_names[:2] == ["years_experience", "desired_salary"]
    assert run.library_versions["scikit-learn"]
    assert run.parameters["n_init"] == 10 and run.parameters["random_state"] == 42
    # Every stage, the write of the rows included (it ends with the commit, after the run saved).
    assert set(run.timings) >= {"read", "features", "fit", "profiles", "write"}
    path = Path(run.artifact_path)
    assert path.is_file() and len(run.artifact_sha256) == 64
    segments = list(run.segments.order_by("number"))
    # Automatic names tell the planted groups apart by their cities (tests/ml/test_naming.py).
    cities = ("Berlin", "Lisbon", "Toronto")
    assert sorted(city for s in segments for city in cities if city in s.name) == list(cities)
    assert sorted(s.size for s in segments) == [30, 30, 30]
    assert all(s.profile["top_location"] for s in segments)
    assert run.pool_profile["size"] == 90
    assert set(_segments_by_candidate().values()) == {None}


def test_assign_gives_every_candidate_a_segment_and_activates_the_run(grouped_candidates):
    ids, truth = grouped_candidates
    run = segmentation_train(n_clusters=3)
    result = segmentation_activate()
    assert result.run == run and result.total == 90
    assert sum(result.counts.values()) == 90
    run.refresh_from_db()
    assert run.is_active and run.activated_at is not None
    assignment = _segments_by_candidate()
    numbers = dict(Segment.objects.values_list("id", "number"))
    labels = np.array([numbers[assignment[i]] for i in ids])
    assert adjusted_rand_score(truth, labels) >= 0.95


def test_only_one_run_is_active_and_the_newest_trained_is_applied(grouped_candidates):
    first = segmentation_train(n_clusters=3)
    segmentation_activate()
    second = segmentation_train(n_clusters=2)
    segmentation_activate()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert runs_of_candidates() == {second.pk}
    segmentation_activate(run=first)  # the previous run can be applied again
    assert SegmentationRun.objects.get(is_active=True) == first


def test_assign_without_a_trained_model_says_what_to_do(grouped_candidates):
    with pytest.raises(
        SegmentationInputError, match="no trained segmentation model.*train_segments"
    ):
        segmentation_activate()


def test_train_on_an_empty_database_is_refused_without_a_run(db):
    with pytest.raises(SegmentationInputError, match="no candidates"):
        segmentation_train()
    assert not SegmentationRun.objects.exists()


def test_k_larger_than_the_candidates_is_refused_without_a_run(db):
    store_profiles(make_profiles(1)[0])
    with pytest.raises(SegmentationInputError, match="Cannot make 5 segments from 3 candidate"):
        segmentation_train(n_clusters=5)
    assert not SegmentationRun.objects.exists()


def _assigned_state():
    return _segments_by_candidate(), list(
        SegmentationRun.objects.filter(is_active=True).values_list("id", flat=True)
    )


def test_missing_artifact_is_refused_and_assignments_stay(grouped_candidates):
    segmentation_train(n_clusters=3)
    segmentation_activate()
    before = _assigned_state()
    second = segmentation_train(n_clusters=2)
    Path(second.artifact_path).unlink()
    with pytest.raises(ArtifactError, match="is missing"):
        segmentation_activate()
    assert _assigned_state() == before


def test_tampered_artifact_is_refused_and_assignments_stay(grouped_candidates):
    segmentation_train(n_clusters=3)
    segmentation_activate()
    before = _assigned_state()
    second = segmentation_train(n_clusters=2)
    path = Path(second.artifact_path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="does not match the checksum"):
        segmentation_activate()
    assert _assigned_state() == before


def test_a_model_from_another_scikit_learn_is_refused_and_assignments_stay(grouped_candidates):
    """Activation checks the file without loading it; the recorded version still counts."""
    segmentation_train(n_clusters=3)
    segmentation_activate()
    before = _assigned_state()
    second = segmentation_train(n_clusters=2)
    SegmentationRun.objects.filter(pk=second.pk).update(
        library_versions={**second.library_versions, "scikit-learn": "0.24.2"}
    )
    with pytest.raises(ArtifactError, match="trained with scikit-learn 0.24.2"):
        segmentation_activate()
    assert _assigned_state() == before


def test_failure_after_the_bulk_write_rolls_everything_back(grouped_candidates, monkeypatch):
    segmentation_train(n_clusters=3)
    segmentation_activate()
    before = _assigned_state()
    segmentation_train(n_clusters=2)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    # Everyone counts as changed since training, so activation rewrites every row of the new
    # run before this runs; the transaction must undo all of it.
    Candidate.objects.update(updated_at=timezone.now())
    monkeypatch.setattr(activation, "segment_twins", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        segmentation_activate()
    assert _assigned_state() == before


def test_failed_training_is_recorded_and_changes_nothing_else(db):
    records, _ = make_profiles(1)
    store_profiles([dict(records[0]) for _ in range(6)])
    with pytest.raises(SegmentationInputError, match="fewer than 4 distinct profiles"):
        segmentation_train(n_clusters=4)
    run = SegmentationRun.objects.get()
    assert run.status == SegmentationRun.Status.FAILED
    assert "distinct profiles" in run.error
    assert not run.segments.exists() and not run.is_active
    assert list(Path(settings.ADFLUX_MODEL_DIR).glob("*.joblib")) == []


def test_candidates_created_after_training_get_a_segment_on_activation(grouped_candidates):
    run = segmentation_train(n_clusters=3)
    late_records, _ = make_profiles(1, seed=99)
    store_profiles(late_records, prefix="late")
    result = segmentation_activate(run=run)
    assert result.total == 93
    assert not unassigned().exists()
    assert sum(run.segments.values_list("size", flat=True)) == 93


def test_the_active_run_cannot_be_deleted(grouped_candidates):
    from segmentation.services.runs import segmentation_run_delete

    run = segmentation_train(n_clusters=3)
    segmentation_activate(run=run)
    with pytest.raises(SegmentationInputError, match="is active"):
        segmentation_run_delete(run=run)
    assert Path(run.artifact_path).exists() and SegmentationRun.objects.filter(pk=run.pk).exists()


def test_a_model_folder_that_cannot_be_written_fails_the_run_clearly(grouped_candidates, settings):
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    before = _assigned_state()
    blocked = Path(settings.ADFLUX_MODEL_DIR).parent / "not-a-folder"
    blocked.write_text("a file where the model folder should be")
    settings.ADFLUX_MODEL_DIR = blocked
    with pytest.raises(ArtifactError, match="could not be written to .*not-a-folder"):
        segmentation_train(n_clusters=2)
    failed = SegmentationRun.objects.exclude(pk=first.pk).get()
    assert failed.status == SegmentationRun.Status.FAILED and "could not be written" in failed.error
    assert _assigned_state() == before
