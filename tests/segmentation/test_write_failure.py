"""A database failure in the middle of a bulk write of assignment rows undoes all of it.

The failure is the database's own: a trigger that aborts the write of one candidate's row far
into the write, after many rows (and, on SQLite, several batches) have already gone in.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from candidates.models import Candidate
from segmentation.models import Assignment, SegmentationRun
from segmentation.services import assignment_writes as writes
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import segments_now

pytestmark = pytest.mark.django_db


def _plant_failing_trigger(candidate_id: int, *, on: str) -> None:
    """Abort any INSERT or UPDATE (``on``) of an assignment row of this candidate."""
    table = Assignment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION adflux_test_fail() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.candidate_id = {candidate_id} THEN RAISE EXCEPTION 'injected failure'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER adflux_test_fail BEFORE {on} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION adflux_test_fail()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER adflux_test_fail BEFORE {on} ON {table} "
                f"WHEN NEW.candidate_id = {candidate_id} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )


def _plant_failing_index_build() -> None:
    """PostgreSQL: abort the next CREATE INDEX (an event trigger; the test user is a superuser)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION adflux_test_fail_ddl() RETURNS event_trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE EVENT TRIGGER adflux_test_fail_ddl ON ddl_command_end "
            "WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION adflux_test_fail_ddl()"
        )


def _state(run: SegmentationRun) -> tuple:
    sizes = list(run.segments.order_by("number").values_list("size", flat=True))
    return segments_now(), sizes, SegmentationRun.objects.get(is_active=True).pk


def test_failure_midway_through_training_s_write_leaves_no_row_and_the_old_run_active(
    grouped_candidates, monkeypatch
):
    ids, _ = grouped_candidates
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    before = _state(first)

    monkeypatch.setattr(writes, "BATCH_SIZE", 10)  # 9 batches on SQLite; fail in the 7th
    if connection.vendor == "postgresql":
        # The run's rows go into a bare partition of their own (no row trigger of the table
        # fires there), which is then indexed: fail there, with every row already copied.
        _plant_failing_index_build()
    else:
        _plant_failing_trigger(sorted(ids)[65], on="INSERT")
    with pytest.raises(DatabaseError, match="injected failure"):
        segmentation_train(n_clusters=2)

    failed = SegmentationRun.objects.exclude(pk=first.pk).get()
    assert failed.status == SegmentationRun.Status.FAILED and "injected failure" in failed.error
    assert not Assignment.objects.filter(run=failed).exists()
    assert not failed.segments.exists()
    assert _state(first) == before


def test_failure_midway_through_activation_leaves_everything_as_it_was(grouped_candidates):
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    second = segmentation_train(n_clusters=2)
    before = _state(first)
    rows = Assignment.objects.filter(run=second)
    # Rows gone stale (as if written long ago) and everyone changed since: activation must
    # rewrite the rows of every candidate whose segment is not the first one.
    zero, one = second.segments.order_by("number")
    movers = sorted(rows.filter(segment=one).values_list("candidate_id", flat=True))
    rows.update(segment=zero)
    stale = dict(rows.values_list("candidate_id", "segment_id"))
    sizes = list(second.segments.order_by("number").values_list("size", flat=True))
    Candidate.objects.update(updated_at=timezone.now())
    _plant_failing_trigger(movers[len(movers) // 2], on="UPDATE")
    with pytest.raises(DatabaseError, match="injected failure"):
        segmentation_activate(run=second)

    assert _state(first) == before
    second.refresh_from_db()
    assert not second.is_active and second.activated_at is None
    assert dict(rows.values_list("candidate_id", "segment_id")) == stale
    assert list(second.segments.order_by("number").values_list("size", flat=True)) == sizes
