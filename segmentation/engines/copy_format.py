"""PostgreSQL's binary COPY format for assignment rows: (run, candidate, segment) as bigints.

Shared by the app's own write (services/assignment_writes.py) and the Spark executors, which
write their partitions' rows with psycopg directly; the format is PostgreSQL's, documented in
its COPY page: a signature, flags and header-extension length, then per row a field count and
(length, big-endian value) per field, then -1.
"""

from __future__ import annotations

import numpy as np

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + np.array([0, 0], dtype=">i4").tobytes()
COPY_TRAILER = np.array([-1], dtype=">i2").tobytes()
_COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("run_size", ">i4"),
        ("run", ">i8"),
        ("id_size", ">i4"),
        ("id", ">i8"),
        ("seg_size", ">i4"),
        ("seg", ">i8"),
    ]
)
# Rows per chunk handed to the COPY stream: 200,000 rows are 7 MB.
COPY_CHUNK_ROWS = 200_000


def copy_binary(run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray) -> bytes:
    """One complete COPY stream (header, rows, trailer) for these rows."""
    rows = np.empty(len(candidate_ids), dtype=_COPY_ROW)
    rows["fields"] = 3
    rows["run_size"] = rows["id_size"] = rows["seg_size"] = 8
    rows["run"] = run_id
    rows["id"] = candidate_ids
    rows["seg"] = segment_ids
    return COPY_HEADER + rows.tobytes() + COPY_TRAILER


def copy_chunks(run_id: int, candidate_ids: np.ndarray, segment_ids: np.ndarray):
    """The stream in chunks of ``COPY_CHUNK_ROWS`` rows: one header and trailer in all."""
    total = len(candidate_ids)
    for start in range(0, total, COPY_CHUNK_ROWS):
        stop = start + COPY_CHUNK_ROWS
        chunk = copy_binary(run_id, candidate_ids[start:stop], segment_ids[start:stop])
        if start:
            chunk = chunk[len(COPY_HEADER) :]
        if stop < total:
            chunk = chunk[: -len(COPY_TRAILER)]
        yield chunk
