"""Assignments as rows per run: activation is a switch, nothing drifts, sizes stay true."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from segmentation.models import Assignment, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.assignment import candidate_segments_assign
from segmentation.services.assignment_writes import partition_name
from segmentation.services.training import assignment_retention_apply, segmentation_train
from tests.assignments import assert_assignments_true, segment_of, unassigned

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled(grouped_candidates):
    """The candidates, unchanged for an hour: older than any run's safety margin."""
    Candidate.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    return grouped_candidates


def test_a_trained_run_already_holds_everyone_s_row_and_activating_it_computes_nobody(settled):
    run = segmentation_train(n_clusters=3)
    assert Assignment.objects.filter(run=run).count() == 90
    assert sum(run.segments.values_list("size", flat=True)) == 90
    result = segmentation_activate(run=run)
    assert result.recomputed == 0 and result.total == 90
    assert_assignments_true()


def test_reactivating_a_run_computes_only_the_candidates_changed_since(settled):
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    second = segmentation_train(n_clusters=2)
    segmentation_activate(run=second)
    mover = Candidate.objects.order_by("pk").first()
    mover.years_experience = 40
    mover.save()
    candidate_segments_assign(candidate_ids=[mover.pk])

    result = segmentation_activate(run=first)
    assert result.recomputed == 1
    assert_assignments_true()


def test_deleting_candidates_lowers_their_segments_sizes_in_every_run(
    client, superuser, grouped_candidates
):
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    second = segmentation_train(n_clusters=2)
    doomed = list(Candidate.objects.order_by("pk").values_list("pk", flat=True)[:25])
    client.force_login(superuser)
    response = client.post(
        reverse("admin:candidates_candidate_changelist"),
        {"action": "delete_selected", "_selected_action": doomed, "post": "yes"},
    )
    assert response.status_code == 302
    assert Candidate.objects.count() == 65
    for run in (first, second):
        assert sum(run.segments.values_list("size", flat=True)) == 65
    assert_assignments_true()


def test_imports_saves_and_reactivation_keep_the_invariant(grouped_candidates):
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    second = segmentation_train(n_clusters=2)
    candidate = Candidate.objects.order_by("pk").last()
    candidate.location = "Lisbon"
    candidate.save()
    candidate_segments_assign(candidate_ids=[candidate.pk])
    assert_assignments_true()
    segmentation_activate(run=second)
    assert_assignments_true()
    segmentation_activate(run=first)
    assert_assignments_true()
    assert not unassigned().exists()


def test_old_runs_rows_are_pruned_and_a_pruned_run_can_still_be_activated(
    grouped_candidates, settings
):
    settings.ADFLUX_ASSIGNMENT_RUNS_KEPT = 2
    runs = [segmentation_train(n_clusters=k) for k in (2, 3, 4)]
    oldest = SegmentationRun.objects.get(pk=runs[0].pk)
    assert oldest.assignments_pruned
    assert not Assignment.objects.filter(run=oldest).exists()
    assert all(Assignment.objects.filter(run=run).count() == 90 for run in runs[1:])

    result = segmentation_activate(run=oldest)
    assert result.recomputed == 90
    oldest.refresh_from_db()
    assert not oldest.assignments_pruned
    assert_assignments_true()
    # The active run is kept whatever its age.
    assert set(assignment_retention_apply(keep=0)) == {runs[1].pk, runs[2].pk}
    assert Assignment.objects.filter(run=oldest).count() == 90


def test_a_candidate_s_segment_is_the_active_run_s_row(grouped_candidates):
    run = segmentation_train(n_clusters=3)
    candidate = Candidate.objects.order_by("pk").first()
    assert segment_of(candidate) is None  # trained, not active: nobody carries it yet
    segmentation_activate(run=run)
    assert segment_of(candidate).run == run


def test_a_candidate_stamped_before_training_but_committed_after_still_gets_a_row(settled):
    run = segmentation_train(n_clusters=3)
    # An import batch that began (and stamped its rows) before training read the candidates,
    # and committed after: the run has no row for it, and its stamp is older than the run's.
    late = Candidate.objects.create(name="Late", email="late@example.org", location="Berlin")
    Candidate.objects.filter(pk=late.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    result = segmentation_activate(run=run)
    assert result.recomputed == 1
    assert segment_of(late) is not None
    assert_assignments_true()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions per run are PostgreSQL's write path"
)
def test_on_postgresql_each_run_s_rows_are_a_partition_of_their_own_dropped_when_pruned(
    grouped_candidates, settings
):
    settings.ADFLUX_ASSIGNMENT_RUNS_KEPT = 1
    first = segmentation_train(n_clusters=2)

    def held_by() -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT run_id, tableoid::regclass::text FROM {Assignment._meta.db_table} "
                "GROUP BY 1, 2"
            )
            return dict(cursor.fetchall())

    assert held_by() == {first.pk: partition_name(first.pk)}
    second = segmentation_train(n_clusters=3)
    # The first run's partition is gone, not emptied row by row.
    assert held_by() == {second.pk: partition_name(second.pk)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [partition_name(first.pk)])
        assert cursor.fetchone()[0] is None
    # Activating the pruned run writes its partition again; a save then lands in it.
    segmentation_activate(run=first)
    assert held_by() == {first.pk: partition_name(first.pk), second.pk: partition_name(second.pk)}
    candidate = Candidate.objects.order_by("id").first()
    Candidate.objects.filter(pk=candidate.pk).update(years_experience=30)
    candidate_segments_assign(candidate_ids=[candidate.pk])
    assert Assignment.objects.filter(run=first).count() == 90
    assert_assignments_true()
