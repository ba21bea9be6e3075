"""Writing assignment rows in bulk, with each database's fast path, and keeping sizes right.

A run's rows are written once, when it is trained: a million rows cost a few seconds (COPY on
PostgreSQL, executemany on SQLite; docs/benchmarks.md), against minutes for model instances.
Later changes (a candidate saved, an activation catching up) upsert the few rows concerned and
move segment sizes by the same amounts. Callers wrap these in a transaction: nothing here commits.
"""

from __future__ import annotations

import numpy as np
from django.db import connection
from django.db.models import F

from segmentation.engines.copy_format import copy_chunks
from segmentation.models import Assignment, Segment

BATCH_SIZE = 50_000


def _table() -> tuple[str, str, str, str]:
    quote = connection.ops.quote_name
    meta = Assignment._meta
    return (
        quote(meta.db_table),
        quote(meta.get_field("run").column),
        quote(meta.get_field("candidate").column),
        quote(meta.get_field("segment").column),
    )


def assignment_rows_insert(
    *, run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray
) -> int:
    """Insert a run's rows for candidates that have none under it; returns how many."""
    if len(candidate_ids) == 0:
        return 0
    if connection.vendor == "postgresql":
        _copy_postgresql(run_id, candidate_ids, segment_ids)
    else:
        table, run, candidate, segment = _table()
        sql = f"INSERT INTO {table} ({run}, {candidate}, {segment}) VALUES (%s, %s, %s)"
        ids, segments = candidate_ids.tolist(), segment_ids.tolist()
        with connection.cursor() as cursor:
            for start in range(0, len(ids), BATCH_SIZE):
                stop = start + BATCH_SIZE
                cursor.executemany(
                    sql,
                    [
                        (run_id, c, s)
                        for c, s in zip(ids[start:stop], segments[start:stop], strict=True)
                    ],
                )
    return len(candidate_ids)


def assignment_rows_set(*, run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray) -> int:
    """Give these candidates these segments under the run, moving segment sizes; how many moved.

    For a few candidates at a time (a save, an import batch, an activation catching up): reads
    their current rows, writes only the ones that change, and moves each segment's size by the
    candidates it gained or lost, in the caller's transaction.
    """
    if len(candidate_ids) == 0:
        return 0
    ids, segments = candidate_ids.tolist(), segment_ids.tolist()
    current: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        current.update(
            Assignment.objects.filter(
                run_id=run_id, candidate_id__in=ids[start : start + 500]
            ).values_list("candidate_id", "segment_id")
        )
    moves: dict[int, int] = {}
    changed: list[tuple[int, int]] = []
    new: list[tuple[int, int]] = []
    for candidate_id, segment_id in zip(ids, segments, strict=True):
        old = current.get(candidate_id)
        if old == segment_id:
            continue
        moves[segment_id] = moves.get(segment_id, 0) + 1
        if old is None:
            new.append((candidate_id, segment_id))
        else:
            moves[old] = moves.get(old, 0) - 1
            changed.append((candidate_id, segment_id))
    table, run, candidate, segment = _table()
    with connection.cursor() as cursor:
        if changed:
            cursor.executemany(
                f"UPDATE {table} SET {segment} = %s WHERE {run} = %s AND {candidate} = %s",
                [(segment_id, run_id, candidate_id) for candidate_id, segment_id in changed],
            )
        if new:
            cursor.executemany(
                f"INSERT INTO {table} ({run}, {candidate}, {segment}) VALUES (%s, %s, %s)",
                [(run_id, candidate_id, segment_id) for candidate_id, segment_id in new],
            )
    segment_sizes_move(moves)
    return len(changed) + len(new)


def segment_sizes_move(moves: dict[int, int]) -> None:
    """Add each delta to its segment's size (negative for candidates that left)."""
    for segment_id, delta in moves.items():
        if delta:
            Segment.objects.filter(pk=segment_id).update(size=F("size") + delta)


def assignment_rows_delete(*, run_ids: list[int]) -> int:
    """Remove every row of these runs in one statement per run (no model instances)."""
    table, run, _, _ = _table()
    deleted = 0
    with connection.cursor() as cursor:
        for run_id in run_ids:
            cursor.execute(f"DELETE FROM {table} WHERE {run} = %s", [run_id])
            deleted += max(cursor.rowcount, 0)
    return deleted


def _copy_postgresql(run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray) -> None:
    """COPY straight into the table: no per-row statement, the indexes grow as it goes."""
    table, run, candidate, segment = _table()
    # Django's wrapper does not expose COPY; wrap_database_errors still turns psycopg's errors
    # into Django's (DatabaseError and its kin), as every other write raises them.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor  # psycopg 3 cursor
        with raw.copy(
            f"COPY {table} ({run}, {candidate}, {segment}) FROM STDIN (FORMAT binary)"
        ) as copy:
            for chunk in copy_chunks(run_id, candidate_ids, segment_ids):
                copy.write(chunk)
        # The planner has never seen these rows: without statistics, a segment's members
        # would be read by a full scan until autovacuum gets round to the table.
        cursor.execute(f"ANALYZE {table}")


def assignments_analyze() -> None:
    """Refresh the planner's statistics after rows were written from elsewhere (Spark's COPY).

    Without them a segment's members would be read by a full scan until autovacuum comes by.
    """
    if connection.vendor == "postgresql":
        table, _, _, _ = _table()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
