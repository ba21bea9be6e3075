"""A database failure in the middle of the assignment write undoes the whole assignment.

The failure is the database's own: a trigger that aborts the UPDATE of one candidate far into
the write, after many rows (and, on SQLite, several batches) have already been updated.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from candidates.models import Candidate
from segmentation.models import SegmentationRun
from segmentation.services import assignment_writes as writes
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train

pytestmark = pytest.mark.django_db


def _plant_failing_trigger(candidate_id: int) -> None:
    table = Candidate._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION adflux_test_fail() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.id = {candidate_id} THEN RAISE EXCEPTION 'injected failure'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER adflux_test_fail BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION adflux_test_fail()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER adflux_test_fail BEFORE UPDATE OF segment_id ON {table} "
                f"WHEN NEW.id = {candidate_id} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )


def test_failure_midway_through_the_batched_write_leaves_everything_as_it_was(
    grouped_candidates, monkeypatch
):
    ids, _ = grouped_candidates
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    before = dict(Candidate.objects.values_list("id", "segment_id"))
    sizes_before = list(first.segments.order_by("number").values_list("size", flat=True))
    second = segmentation_train(n_clusters=2)

    monkeypatch.setattr(writes, "BATCH_SIZE", 10)  # 9 batches on SQLite; fail in the 7th
    _plant_failing_trigger(sorted(ids)[65])
    with pytest.raises(DatabaseError, match="injected failure"):
        segmentation_activate(run=second)

    assert dict(Candidate.objects.values_list("id", "segment_id")) == before
    assert SegmentationRun.objects.get(is_active=True) == first
    assert list(first.segments.order_by("number").values_list("size", flat=True)) == sizes_before
    second.refresh_from_db()
    assert not second.is_active and second.activated_at is None
