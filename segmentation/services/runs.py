"""Runs and segments as records: deleting an inactive run, renaming a segment."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from segmentation.ml.errors import SegmentationInputError
from segmentation.models import Segment, SegmentationRun
from segmentation.services.assignment_writes import assignment_rows_delete


def segmentation_run_delete(*, run: SegmentationRun) -> None:
    """Delete a run that is not active, its segments, and its model file once that commits."""
    if run.is_active:
        raise SegmentationInputError(
            f"Run {run.pk} is active: every candidate's segment comes from it. "
            f"Activate another run first."
        )
    artifact = Path(run.artifact_path) if run.artifact_path else None
    with transaction.atomic():
        # The run's rows first, in one statement (on PostgreSQL its partition is dropped):
        # the cascade would delete them row by row.
        assignment_rows_delete(run_ids=[run.pk])
        run.delete()
        if artifact is not None:
            # Only after the commit: a rolled-back delete must still find its model file.
            transaction.on_commit(lambda: artifact.unlink(missing_ok=True))


def segment_rename(*, segment: Segment, name: str) -> Segment:
    """Give a segment a recruiter's own name (kept as typed, trimmed)."""
    name = name.strip()
    if not name:
        raise SegmentationInputError("A segment needs a name.")
    segment.name = name
    segment.name_is_custom = True
    segment.save(update_fields=["name", "name_is_custom"])
    return segment
