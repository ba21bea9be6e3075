"""Writing every candidate's segment in bulk, with each database's fast path.

Per-row ``save()`` and ``bulk_update`` cost minutes at a million candidates (docs/benchmarks.md);
these paths cost seconds. Callers wrap them in a transaction: nothing here commits. Rows whose
segment is already the one given are left alone, so applying the same run twice writes nothing.
tests/segmentation/test_fast_paths.py holds both paths equal to a per-row ``save()``.
"""

from __future__ import annotations

import numpy as np
from django.db import connection

from candidates.models import Candidate

BATCH_SIZE = 50_000


def segment_assignments_write(*, candidate_ids: np.ndarray, segment_ids: np.ndarray) -> int:
    """Set ``segment_id`` for the given candidates; returns how many rows were given."""
    if len(candidate_ids) == 0:
        return 0
    if connection.vendor == "postgresql":
        _write_postgresql(candidate_ids, segment_ids)
    else:
        _write_executemany(candidate_ids, segment_ids)
    return len(candidate_ids)


def _names() -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    meta = Candidate._meta
    return (
        quote(meta.db_table),
        quote(meta.get_field("segment").column),
        quote(meta.pk.column),
    )


def _write_executemany(candidate_ids: np.ndarray, segment_ids: np.ndarray) -> None:
    table, segment, pk = _names()
    # Measured at 1M rows on SQLite: ~2.4 s, against ~3.0 s for a temporary table joined with
    # UPDATE ... FROM (the rows still go in one by one) and ~2.1 s for a json_each() join.
    segments = segment_ids.tolist()
    ids = candidate_ids.tolist()
    # SQLite's null-safe "differs from" skips rows that already hold the segment.
    skip_unchanged = connection.vendor == "sqlite"
    sql = f"UPDATE {table} SET {segment} = %s WHERE {pk} = %s"
    if skip_unchanged:
        sql += f" AND {segment} IS NOT %s"
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH_SIZE):
            batch = segments[start : start + BATCH_SIZE]
            columns = [batch, ids[start : start + BATCH_SIZE]] + ([batch] if skip_unchanged else [])
            cursor.executemany(sql, list(zip(*columns, strict=True)))


# PostgreSQL's binary COPY format: a signature, flags and header-extension length, then per
# row a field count and (length, big-endian value) per field, then -1.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + np.array([0, 0], dtype=">i4").tobytes()
_COPY_TRAILER = np.array([-1], dtype=">i2").tobytes()
_COPY_ROW = np.dtype(
    [("fields", ">i2"), ("id_size", ">i4"), ("id", ">i8"), ("seg_size", ">i4"), ("seg", ">i8")]
)
# A hash of 1M (id, segment) pairs needs ~60 MB; with the 4 MB default PostgreSQL splits the
# join into batches and visits the candidates out of id order, ~15 % slower at 1M rows.
_JOIN_WORK_MEM = "256MB"


def _copy_binary(candidate_ids: np.ndarray, segment_ids: np.ndarray) -> bytes:
    rows = np.empty(len(candidate_ids), dtype=_COPY_ROW)
    rows["fields"] = 2
    rows["id_size"] = 8
    rows["id"] = candidate_ids
    rows["seg_size"] = 8
    rows["seg"] = segment_ids
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def _write_postgresql(candidate_ids: np.ndarray, segment_ids: np.ndarray) -> None:
    """COPY the pairs into a temporary table, then one UPDATE ... FROM join.

    The UPDATE's cost is PostgreSQL maintaining every index of the candidate table for each
    changed row (docs/benchmarks.md); the join itself takes about a second at 1M rows.
    """
    table, segment, pk = _names()
    with connection.cursor() as cursor:
        # A second write in the same transaction (late arrivals) needs a fresh table.
        cursor.execute("DROP TABLE IF EXISTS adflux_assignment")
        cursor.execute(
            "CREATE TEMPORARY TABLE adflux_assignment "
            "(candidate_id bigint, segment_id bigint) ON COMMIT DROP"
        )
        raw = cursor.cursor  # psycopg 3 cursor: Django's wrapper does not expose COPY
        with raw.copy(
            "COPY adflux_assignment (candidate_id, segment_id) FROM STDIN (FORMAT binary)"
        ) as copy:
            copy.write(_copy_binary(candidate_ids, segment_ids))
        # Without statistics the planner guesses the row count from the table's pages, and for
        # a handful of late arrivals would hash the whole candidate table instead of probing
        # its primary key.
        cursor.execute("ANALYZE adflux_assignment")
        cursor.execute("SELECT current_setting('work_mem')")
        (work_mem,) = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('work_mem', %s, true) "
            "WHERE pg_size_bytes(current_setting('work_mem')) < pg_size_bytes(%s)",
            [_JOIN_WORK_MEM, _JOIN_WORK_MEM],
        )
        cursor.execute(
            f"UPDATE {table} AS c SET {segment} = a.segment_id FROM adflux_assignment AS a "
            f"WHERE c.{pk} = a.candidate_id AND c.{segment} IS DISTINCT FROM a.segment_id"
        )
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
