"""train_segments and predict_segments, as a user runs them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from segmentation.models import SegmentationRun
from tests.assignments import unassigned

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_train_then_predict_prints_what_the_seed_printed(grouped_candidates):
    out = _run("train_segments", "--clusters", "3")
    run = SegmentationRun.objects.get()
    assert "Candidates: 90" in out
    assert "Clusters: 3" in out
    assert f"Model saved to: {run.artifact_path}" in out
    out = _run("predict_segments")
    assert "Candidates: 90" in out
    for segment in run.segments.all():
        assert f"  {segment.name}: {segment.size:,}" in out
    assert not unassigned().exists()


def test_predict_with_no_model_is_a_clear_command_error(grouped_candidates):
    with pytest.raises(CommandError, match="no trained segmentation model"):
        _run("predict_segments")


def test_predict_with_an_unknown_run_id(grouped_candidates):
    with pytest.raises(CommandError, match="no segmentation run with id 42"):
        _run("predict_segments", "--run", "42")


def test_too_many_clusters_is_a_clear_command_error(grouped_candidates):
    with pytest.raises(CommandError, match="Cannot make 91 segments from 90"):
        _run("train_segments", "--clusters", "91")


def test_train_on_empty_database(db):
    with pytest.raises(CommandError, match="no candidates to train on"):
        _run("train_segments")
