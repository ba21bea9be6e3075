"""Writing assignment rows in bulk, with each database's fast path, and keeping sizes right.

A run's rows are written once, when it is trained: a million rows cost a few seconds (COPY on
PostgreSQL, executemany on SQLite; docs/benchmarks.md), against minutes for model instances.
Later changes (a candidate saved, an activation catching up) upsert the few rows concerned and
move segment sizes by the same amounts. Callers wrap these in a transaction: nothing here commits.
"""

from __future__ import annotations

import numpy as np
from django.db import connection, transaction

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
    """Insert a run's rows for candidates that have none under it; returns how many.

    On PostgreSQL a run that has no row yet (a training, a pruned run activated again) gets a
    partition of its own, written before it has an index or a foreign key
    (``_partition_write``); otherwise the rows are copied into the table as it is.
    """
    if len(candidate_ids) == 0:
        return 0
    if connection.vendor == "postgresql":
        if Assignment.objects.filter(run_id=run_id).exists():
            _copy_postgresql(run_id, candidate_ids, segment_ids)
        else:
            _partition_write(run_id, candidate_ids, segment_ids)
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
    table, run, candidate, segment = _table()
    current: dict[int, int] = {}
    # Plain SQL: for one saved candidate, building the query through the ORM cost more than
    # running it.
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"SELECT {candidate}, {segment} FROM {table} WHERE {run} = %s "
                f"AND {candidate} IN ({', '.join(['%s'] * len(chunk))})",
                [run_id, *chunk],
            )
            current.update(cursor.fetchall())
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


def segment_sizes_store(segments: list[Segment], sizes: list[int]) -> None:
    """Set each segment's stored size (a run's rows written whole); unchanged ones stay."""
    for segment, size in zip(segments, sizes, strict=True):
        if segment.size != size:
            segment.size = size
            segment.save(update_fields=["size"])


def segment_sizes_move(moves: dict[int, int]) -> None:
    """Add each delta to its segment's size (negative for candidates that left)."""
    quote = connection.ops.quote_name
    size = quote(Segment._meta.get_field("size").column)
    sql = (
        f"UPDATE {quote(Segment._meta.db_table)} SET {size} = {size} + %s "
        f"WHERE {quote(Segment._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        for segment_id, delta in moves.items():
            if delta:
                cursor.execute(sql, [delta, segment_id])


def assignment_rows_delete(*, run_ids: list[int]) -> int:
    """Remove every row of these runs: one statement per run, no model instances.

    On PostgreSQL a run's partition is dropped whole (no million dead rows left for vacuum),
    then any row of the run held elsewhere (the default partition) is deleted.
    """
    table, run, _, _ = _table()
    deleted = 0
    with connection.cursor() as cursor:
        for run_id in run_ids:
            if connection.vendor == "postgresql" and _partition_exists(cursor, run_id):
                partition = connection.ops.quote_name(partition_name(run_id))
                cursor.execute(f"SELECT count(*) FROM {partition}")
                deleted += cursor.fetchone()[0]
                cursor.execute(f"DROP TABLE {partition}")
            cursor.execute(f"DELETE FROM {table} WHERE {run} = %s", [run_id])
            deleted += max(cursor.rowcount, 0)
    return deleted


def partition_name(run_id: int) -> str:
    """PostgreSQL: the table holding one run's rows, a partition of the assignment table."""
    return f"{Assignment._meta.db_table}_run_{run_id}"


def _partition_exists(cursor, run_id: int) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partition_name(run_id)])
    return bool(cursor.fetchone()[0])


def assignment_partition_prepare(*, run_id: int) -> None:
    """PostgreSQL: an empty, attached partition for a run whose rows others will write.

    The Spark engine's executors COPY a run's rows through the parent table, which routes each
    row to its run's partition: that partition must exist first. Attached empty, it keeps its
    indexes and foreign keys row by row, as the table did before partitions. Call it outside a
    long transaction: attaching locks the candidate table against writes until commit.
    """
    if connection.vendor != "postgresql":
        return
    with transaction.atomic():
        _partition_write(run_id, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))


def _partition_write(run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray) -> None:
    """PostgreSQL: a run's rows as a new partition, indexed and checked in bulk, then attached.

    COPY into the shared table maintained both indexes row by row and queued three foreign-key
    checks per row, each locking the row it points to (FOR KEY SHARE) at commit: at a million
    rows that was most of a training's time (docs/benchmarks.md). Into a bare table the COPY
    writes only rows; each index is then built by one sort, and attaching the partition checks
    each foreign key with one anti-join. Attaching locks the candidate, segment and run tables
    against writes (SHARE ROW EXCLUSIVE) until the caller's transaction ends, so callers write
    the rows last, just before they commit.
    """
    quote = connection.ops.quote_name
    table, run, candidate, segment = _table()
    name = partition_name(run_id)
    partition = quote(name)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if _partition_exists(cursor, run_id):
            # Left empty by a deleted run whose id came round again (a test database's reset
            # sequences): it holds no row, since this run has none.
            cursor.execute(f"DROP TABLE {partition}")
        # LIKE copies the columns, NOT NULL and the id's default; no index, no foreign key.
        cursor.execute(f"CREATE TABLE {partition} (LIKE {table} INCLUDING DEFAULTS)")
        if len(candidate_ids):
            _copy_rows(cursor.cursor, partition, run_id, candidate_ids, segment_ids)
        # A unique *constraint* like the parent's, so attaching adopts it instead of building
        # a second index.
        cursor.execute(
            f"ALTER TABLE {partition} ADD CONSTRAINT {quote(name + '_once')} "
            f"UNIQUE ({candidate}, {run})"
        )
        cursor.execute(
            f"CREATE INDEX {quote(name + '_members')} ON {partition} ({segment}, {candidate})"
        )
        # Statistics for the planner before any page reads the run's members.
        cursor.execute(f"ANALYZE {partition}")
        cursor.execute(
            f"ALTER TABLE {table} ATTACH PARTITION {partition} FOR VALUES IN ({run_id:d})"
        )


def _copy_rows(
    raw_cursor, table: str, run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray
) -> None:
    """One binary COPY of (run, candidate, segment) rows into ``table`` (a quoted name)."""
    _, run, candidate, segment = _table()
    with raw_cursor.copy(
        f"COPY {table} ({run}, {candidate}, {segment}) FROM STDIN (FORMAT binary)"
    ) as copy:
        for chunk in copy_chunks(run_id, candidate_ids, segment_ids):
            copy.write(chunk)


def _copy_postgresql(run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray) -> None:
    """COPY into the table as it is: its indexes grow as it goes."""
    table = _table()[0]
    # Django's wrapper does not expose COPY; wrap_database_errors still turns psycopg's errors
    # into Django's (DatabaseError and its kin), as every other write raises them.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        _copy_rows(cursor.cursor, table, run_id, candidate_ids, segment_ids)
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
