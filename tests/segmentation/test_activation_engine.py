"""The engine chosen at the activation doors reaches the job that activates (no cluster here).

A run whose rows were pruned has every candidate's segment computed again when it is
activated: ``predict_segments --engine`` and the activation page's *Engine* say where. The
Spark side itself, on a real cluster, is tests/segmentation/test_spark_engine.py.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from segmentation.ml.stages import ASSIGN, job_stages
from segmentation.models import Assignment, SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import assignment_retention_apply, segmentation_train
from tests.assignments import assert_assignments_true

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def pruned(grouped_candidates) -> tuple[SegmentationRun, SegmentationRun]:
    """An older run whose rows were pruned, and the newer, active one."""
    # Unchanged for an hour: older than a run's safety margin, so a switch recomputes nobody.
    Candidate.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    older = segmentation_train(n_clusters=2)
    newer = segmentation_train(n_clusters=3)
    segmentation_activate(run=newer)
    assert assignment_retention_apply(keep=1) == [older.pk]
    older.refresh_from_db()
    return older, newer


def _activate(*arguments: str) -> str:
    out = StringIO()
    call_command("predict_segments", *arguments, stdout=out)
    return out.getvalue()


def test_predict_segments_engine_overrides_the_setting_and_a_local_pruned_run_is_computed_here(
    pruned, settings
):
    older, newer = pruned
    settings.ADFLUX_ENGINE = "spark"

    out = _activate("--run", str(older.pk), "--engine", "local")

    job = SegmentationJob.objects.get(kind=SegmentationJob.Kind.ACTIVATE)
    assert job.status == SegmentationJob.Status.SUCCEEDED
    assert job.parameters["engine"] == "local"
    assert job.result["recomputed"] == 90 and job.result["on_cluster"] == 0
    assert "Spark cluster" not in out and f"Activated run {older.pk}: 90 candidates" in out
    older.refresh_from_db()
    assert older.is_active and not older.assignments_pruned
    assert_assignments_true()


def test_predict_segments_on_spark_with_the_run_s_rows_kept_is_the_usual_switch(pruned):
    _, newer = pruned
    older_kept = segmentation_train(n_clusters=2)  # trained after newer: rows kept

    _activate("--run", str(older_kept.pk), "--engine", "spark")

    job = SegmentationJob.objects.get(kind=SegmentationJob.Kind.ACTIVATE)
    assert job.status == SegmentationJob.Status.SUCCEEDED
    # The choice travels with the job; with rows to switch to, no cluster is needed.
    assert job.parameters["engine"] == "spark"
    assert job.result["recomputed"] == 0 and job.result["on_cluster"] == 0
    assert job.stages_total == len(job_stages(train=False, activate=True))
    older_kept.refresh_from_db()
    assert older_kept.is_active
    assert_assignments_true()


@pytest.mark.skipif(ON_POSTGRES, reason="On PostgreSQL the cluster runs (test_spark_engine.py).")
def test_on_sqlite_a_pruned_run_on_spark_is_refused_at_the_door_with_the_reason(pruned):
    older, newer = pruned
    with pytest.raises(CommandError, match="through PostgreSQL.*sqlite"):
        _activate("--run", str(older.pk), "--engine", "spark")
    assert not SegmentationJob.objects.filter(kind=SegmentationJob.Kind.ACTIVATE).exists()
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.assignments_pruned and newer.is_active
    assert not Assignment.objects.filter(run=older).exists()


def _page(run: SegmentationRun) -> str:
    return reverse("segmentation-run-activate", args=[run.pk])


def test_the_activation_page_offers_the_engine_only_for_a_pruned_run(
    client, trainer, pruned, settings
):
    older, newer = pruned
    kept = segmentation_train(n_clusters=2)
    settings.ADFLUX_ENGINE = "spark"
    client.force_login(trainer)

    page = client.get(_page(older)).content.decode()
    assert 'id="activate-engine"' in page
    assert '<option value="spark" selected>Spark cluster</option>' in page
    # A run with its rows is a switch: nothing to compute, no engine to choose.
    assert 'id="activate-engine"' not in client.get(_page(kept)).content.decode()


def test_the_engine_chosen_on_the_page_goes_with_the_activation_job(
    client, trainer, pruned, settings
):
    older, newer = pruned
    settings.ADFLUX_ENGINE = "spark"
    client.force_login(trainer)

    response = client.post(_page(older), {"active_run": newer.pk, "engine": "local"})

    assert response.status_code == 302
    job = SegmentationJob.objects.get(kind=SegmentationJob.Kind.ACTIVATE)
    assert job.status == SegmentationJob.Status.QUEUED and job.run == older
    assert job.parameters["engine"] == "local"
    assert job.stages_total == len(job_stages(train=False, activate=True))


@pytest.mark.skipif(not ON_POSTGRES, reason="On SQLite the Spark engine is refused (below).")
def test_on_postgresql_a_pruned_run_on_spark_queues_a_job_with_the_cluster_stage(
    client, trainer, pruned
):
    older, newer = pruned
    client.force_login(trainer)
    client.post(_page(older), {"active_run": newer.pk, "engine": "spark"})
    job = SegmentationJob.objects.get(kind=SegmentationJob.Kind.ACTIVATE)
    assert job.parameters["engine"] == "spark"
    stages = job_stages(train=False, activate=True, activate_on_cluster=True)
    assert ASSIGN in stages and job.stages_total == len(stages)


@pytest.mark.skipif(ON_POSTGRES, reason="On PostgreSQL the job is queued (above).")
def test_on_sqlite_the_page_refuses_a_pruned_run_on_spark_with_the_reason(client, trainer, pruned):
    older, newer = pruned
    client.force_login(trainer)
    page = client.post(
        _page(older), {"active_run": newer.pk, "engine": "spark"}, follow=True
    ).content.decode()
    assert f"Run {older.pk} not activated: The Spark engine reads and writes" in page
    assert not SegmentationJob.objects.filter(kind=SegmentationJob.Kind.ACTIVATE).exists()
