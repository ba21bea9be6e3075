"""What runs on the Spark executors: assign a partition of candidates and write its rows.

Imported on the executors by the functions Spark ships there, so it imports only the ML core,
NumPy, pyarrow and psycopg, never Django. Each partition's rows are written in one PostgreSQL
transaction that first removes whatever an earlier attempt of the same task wrote: Spark
re-runs a task whose executor was lost, and the retry must not collide with its own rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

# The one row each partition sends back to the driver (Spark DDL schema).
PARTITION_REPORT_SCHEMA = (
    "rows long, counts array<long>, inertia double, flows array<long>, "
    "unusual_ids array<long>, unusual_distances array<double>"
)


@dataclass(frozen=True)
class AssignmentTarget:
    """Where executors write a run's rows: a libpq connection string and the table's names."""

    conninfo: str
    table: str
    run_column: str
    candidate_column: str
    segment_column: str
    run_id: int
    # Segment number -> the database id of the run's segment.
    segment_ids: tuple[int, ...]


def partition_assigner(
    *, pipeline_broadcast: object, outlier_threshold: float | None, target: AssignmentTarget | None
) -> Callable[[Iterator[object]], Iterator[object]]:
    """The function ``mapInArrow`` runs on each partition (shipped to the executors)."""

    def assign(batches: Iterator[object]) -> Iterator[object]:
        import pyarrow as pa

        from segmentation.ml.columnar import block_assign, flows_merge

        pipeline = pipeline_broadcast.value  # type: ignore[attr-defined]
        k = pipeline.config.n_clusters
        ids: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        counts = np.zeros(k, dtype=np.int64)
        inertia = 0.0
        flows: list[np.ndarray] = []
        unusual_ids: list[np.ndarray] = []
        unusual_distances: list[np.ndarray] = []
        for batch in batches:
            if batch.num_rows == 0:
                continue
            block = block_assign(pipeline, batch, outlier_threshold=outlier_threshold)
            ids.append(block.ids)
            labels.append(block.labels)
            counts += block.counts
            inertia += block.inertia
            flows.append(block.flows)
            unusual_ids.append(block.unusual_ids)
            unusual_distances.append(block.unusual_distances)
        all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        if target is not None and len(all_ids):
            all_labels = np.concatenate(labels)
            segment_of = np.asarray(target.segment_ids, dtype=np.int64)
            rows_write(target, all_ids, segment_of[all_labels])
        yield pa.RecordBatch.from_pydict(
            {
                "rows": [len(all_ids)],
                "counts": [counts.tolist()],
                "inertia": [inertia],
                "flows": [flows_merge(flows).ravel().tolist()],
                "unusual_ids": [np.concatenate(unusual_ids).tolist() if unusual_ids else []],
                "unusual_distances": [
                    np.concatenate(unusual_distances).tolist() if unusual_distances else []
                ],
            },
            schema=pa.schema(
                [
                    ("rows", pa.int64()),
                    ("counts", pa.list_(pa.int64())),
                    ("inertia", pa.float64()),
                    ("flows", pa.list_(pa.int64())),
                    ("unusual_ids", pa.list_(pa.int64())),
                    ("unusual_distances", pa.list_(pa.float64())),
                ]
            ),
        )

    return assign


def partition_count(batches: Iterator[object]) -> Iterator[object]:
    """How many rows this partition holds, as one row (partition index, count)."""
    import pyarrow as pa
    from pyspark import TaskContext

    total = sum(batch.num_rows for batch in batches)
    yield pa.RecordBatch.from_pydict(
        {"partition": [TaskContext.get().partitionId()], "n": [total]},
        schema=pa.schema([("partition", pa.int32()), ("n", pa.int64())]),
    )


def partition_rows_at(
    positions_broadcast: object, offsets: list[int]
) -> Callable[[Iterator[object]], Iterator[object]]:
    """Keep the rows at these global positions (in id order) of a partition sorted by id."""

    def keep(batches: Iterator[object]) -> Iterator[object]:
        from pyspark import TaskContext

        positions = positions_broadcast.value  # type: ignore[attr-defined]
        start = offsets[TaskContext.get().partitionId()]
        for batch in batches:
            stop = start + batch.num_rows
            wanted = positions[np.searchsorted(positions, start) : np.searchsorted(positions, stop)]
            if len(wanted):
                yield batch.take(wanted - start)
            start = stop

    return keep


def rows_write(
    target: AssignmentTarget, candidate_ids: np.ndarray, segment_ids: np.ndarray
) -> None:
    """One partition's rows by binary COPY, replacing an earlier attempt's, in one transaction.

    A partition of a JDBC read by id holds one id range, so "this run's rows between the
    partition's smallest and largest id" are exactly the rows an earlier attempt wrote.
    """
    import psycopg

    from segmentation.engines.copy_format import copy_chunks

    t = target
    with psycopg.connect(t.conninfo) as connection, connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {t.table} WHERE {t.run_column} = %s "
            f"AND {t.candidate_column} BETWEEN %s AND %s",
            [t.run_id, int(candidate_ids.min()), int(candidate_ids.max())],
        )
        with cursor.copy(
            f"COPY {t.table} ({t.run_column}, {t.candidate_column}, {t.segment_column}) "
            "FROM STDIN (FORMAT binary)"
        ) as copy:
            for chunk in copy_chunks(t.run_id, candidate_ids, segment_ids):
                copy.write(chunk)
