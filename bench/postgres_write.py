"""Where PostgreSQL's assignment write goes: the same write with fewer candidate indexes.

    python bench/postgres_write.py --candidates 1000000 [--postgres-url URL]

On a fresh database (see bench/segmentation.py for how one is found or started) with generated
candidates, runs segmentation.writes.segment_assignments_write for every candidate --repeat
times per variant, each time inside a transaction that first drops the variant's indexes and is
then rolled back (DROP INDEX is transactional), with a VACUUM after each. Variants: every index
the models define; without the ``varchar_pattern_ops`` ("_like") copies Django adds for
``db_index=True`` / ``unique=True`` text columns; only the primary key and unique indexes. The
write's own work (COPY, join) is the same in each; the difference is index maintenance.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    BenchError,
    fresh_database,
    machine,
    median,
    postgres_server,
    run_child,
)

VARIANTS = {
    "every index the models define": "SELECT NULL WHERE false",
    "without the _like (varchar_pattern_ops) indexes": (
        "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE '%%_pattern_ops%%'"
    ),
    "only the primary key and unique indexes": (
        "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s AND NOT x.indisunique"
    ),
}


def measure(repeat: int) -> dict:
    """In a child with DATABASE_URL set: time the write under each variant."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    import django

    django.setup()
    import numpy as np
    from django.db import connection, transaction

    from candidates.models import Candidate
    from segmentation.models import Segment, SegmentationRun
    from segmentation.services.assignment_writes import segment_assignments_write

    ids = np.array(Candidate.objects.order_by("id").values_list("id", flat=True), dtype=np.int64)
    run = SegmentationRun.objects.create(n_clusters=5)
    segments = np.array(
        [Segment.objects.create(run=run, number=i, name=f"S{i}").pk for i in range(5)]
    )
    table = Candidate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [table])
        (n_indexes,) = cursor.fetchone()
    rows = []
    for name, query in VARIANTS.items():
        seconds = []
        dropped = 0
        for attempt in range(repeat):
            labels = (np.arange(len(ids)) + attempt) % len(segments)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(query, [table] if "%s" in query else [])
                names = [row[0] for row in cursor.fetchall()]
                for index in names:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(index)}")
                dropped = len(names)
                started = time.perf_counter()
                segment_assignments_write(candidate_ids=ids, segment_ids=segments[labels])
                seconds.append(time.perf_counter() - started)
                transaction.set_rollback(True)
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
        rows.append({"variant": name, "indexes": n_indexes - dropped, "seconds": seconds})
        print(f"  {name}: {median(seconds):.2f} s", file=sys.stderr, flush=True)
    return {"candidates": len(ids), "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url")
    parser.add_argument("--postgres-setting", action="append", default=[])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.repeat)))
        return 0
    info = machine()
    print(f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory")
    print(f"Command: {' '.join(shlex.quote(a) for a in sys.argv)}", flush=True)
    try:
        with postgres_server(args.postgres_url, args.postgres_setting) as server:
            print(f"Database: {server[1]}", flush=True)
            with fresh_database("postgres", name="adflux_bench", postgres=server) as database:
                database.prepare(candidates=args.candidates, seed=args.seed)
                child = run_child(
                    ["bench/postgres_write.py", "--measure", "--repeat", str(args.repeat)],
                    database.env(),
                )
    except BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    figures = child.json()
    print()
    print(
        f"### Writing {figures['candidates']:,} segment ids on PostgreSQL, by the candidate "
        f"table's indexes (median of {args.repeat}, transaction rolled back)"
    )
    print()
    print("| indexes on the candidate table | count | write s |")
    print("|---|---:|---:|")
    for row in figures["rows"]:
        print(f"| {row['variant']} | {row['indexes']} | {median(row['seconds']):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
