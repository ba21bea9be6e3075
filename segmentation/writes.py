"""Writing every candidate's segment in bulk, with each database's fast path.

Per-row ``save()`` and ``bulk_update`` cost minutes at a million candidates (see
shared PERFORMANCE figures in docs/benchmarks.md); these paths cost seconds. Callers wrap them in
a transaction: nothing here commits.
"""

from __future__ import annotations

import io

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
    sql = f"UPDATE {table} SET {segment} = %s WHERE {pk} = %s"
    segments = segment_ids.tolist()
    ids = candidate_ids.tolist()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH_SIZE):
            stop = start + BATCH_SIZE
            cursor.executemany(sql, list(zip(segments[start:stop], ids[start:stop], strict=True)))


def _write_postgresql(candidate_ids: np.ndarray, segment_ids: np.ndarray) -> None:
    """COPY the pairs into a temporary table, then one UPDATE ... FROM join."""
    table, segment, pk = _names()
    buffer = io.StringIO()
    np.savetxt(buffer, np.column_stack((candidate_ids, segment_ids)), fmt="%d", delimiter="\t")
    with connection.cursor() as cursor:
        # A second write in the same transaction (late arrivals) needs a fresh table.
        cursor.execute("DROP TABLE IF EXISTS adflux_assignment")
        cursor.execute(
            "CREATE TEMPORARY TABLE adflux_assignment "
            "(candidate_id bigint, segment_id bigint) ON COMMIT DROP"
        )
        raw = cursor.cursor  # psycopg 3 cursor: Django's wrapper does not expose COPY
        with raw.copy("COPY adflux_assignment (candidate_id, segment_id) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            f"UPDATE {table} AS c SET {segment} = a.segment_id FROM adflux_assignment AS a "
            f"WHERE c.{pk} = a.candidate_id AND c.{segment} IS DISTINCT FROM a.segment_id"
        )
