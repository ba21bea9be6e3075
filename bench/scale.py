"""Ten million candidates: train + activate, peak memory and where the time goes.

    python bench/scale.py --base 1000000 --copies 10 --db sqlite
    python bench/scale.py --base 1000000 --copies 10 --db postgres   # throwaway server, defaults

Generating ten million candidates through the app takes most of an hour (140 s per million on
PostgreSQL), so the script generates ``--base`` candidates once (``generate_candidates``) and
copies them in SQL ``--copies - 1`` more times, each copy with its own ids, emails and external
ids and its salary moved by a few hundred so that no two copies are the same point. Then, each
as its own process (``manage.py``, as a user runs it, start-up included):

1. ``train_segments --activate``: the first run, trained and made active;
2. ``train_segments --clusters 6 --activate``: a retraining against the active run (matching,
   the migration summary, then the switch).

Prints wall time, peak resident memory of the process (``ru_maxrss``) and the stage timings the
command reports. The database server's own memory (PostgreSQL) is not the app's and not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    GIB,
    BenchError,
    fresh_database,
    machine,
    manage,
    postgres_server,
    run_child,
)

# Copies the first ``base`` candidates and their skills ``copies - 1`` times, in SQL.
COPY = r"""
import sys, time
import django
django.setup()
from django.db import connection, transaction
from candidates.models import Candidate, CandidateSkill

copies = int(sys.argv[1])
candidate = Candidate._meta.db_table
link = CandidateSkill._meta.db_table
columns = [field.column for field in Candidate._meta.local_fields]
quote = connection.ops.quote_name
with connection.cursor() as cursor:
    cursor.execute(f"SELECT MAX(id) FROM {candidate}")
    (offset,) = cursor.fetchone()
for copy in range(1, copies):
    started = time.perf_counter()
    shift = copy * offset
    exprs = {
        "id": f"id + {shift}",
        "external_id": f"CASE WHEN external_id IS NULL THEN NULL ELSE external_id || '-{copy}' END",
        "email": f"'{copy}.' || email",
        "desired_salary": f"desired_salary + {copy * 100}",
    }
    select = ", ".join(exprs.get(column, quote(column)) for column in columns)
    names = ", ".join(quote(column) for column in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {candidate} ({names}) SELECT {select} FROM {candidate} "
            f"WHERE id <= {offset}"
        )
        cursor.execute(
            f"INSERT INTO {link} (candidate_id, skill_id) "
            f"SELECT candidate_id + {shift}, skill_id FROM {link} WHERE candidate_id <= {offset}"
        )
    print(f"copy {copy}: {time.perf_counter() - started:.1f} s", flush=True)
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        for table in (candidate, link):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        cursor.execute(f"ANALYZE {candidate}")
        cursor.execute(f"ANALYZE {link}")
print(Candidate.objects.count())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=int, default=1_000_000, help="candidates generated")
    parser.add_argument("--copies", type=int, default=10, help="the base, this many times")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("ADFLUX_BENCH_POSTGRES_URL"))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="on PostgreSQL, keep the database (and print its URL) for bench/spark.py",
    )
    args = parser.parse_args()
    print(f"# bench/scale.py --base {args.base:,} --copies {args.copies} --db {args.db}")
    print(f"# {machine()}", flush=True)
    with ExitStack() as stack:
        server = (
            stack.enter_context(postgres_server(args.postgres_url))
            if args.db == "postgres"
            else None
        )
        database = stack.enter_context(
            fresh_database(args.db, name="adflux_bench_scale", postgres=server, keep=args.keep)
        )
        print(f"# {database.description}" + (f", kept at {database.url}" if args.keep else ""))
        env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": database.url,
            "ADFLUX_MODEL_DIR": str(database.workdir / "models"),
            "DJANGO_SETTINGS_MODULE": "adflux.settings",
        }
        manage(env, "migrate", "--no-input", "-v0")
        started = time.perf_counter()
        manage(env, "generate_candidates", "--count", str(args.base), "--seed", "42")
        copied = run_child(["-c", COPY, str(args.copies)], env)
        total = int(copied.stdout.strip().splitlines()[-1])
        print(f"# {total:,} candidates in {time.perf_counter() - started:.0f} s", flush=True)
        # Production trains long after an import; a training's rows count as current only for
        # changes a few seconds older than its read (services/locks.py).
        time.sleep(6)
        rows = []
        for label, command in (
            ("train_segments --activate", ["--activate"]),
            ("train_segments --clusters 6 --activate", ["--clusters", "6", "--activate"]),
        ):
            run = manage(env, "train_segments", *command, "--json")
            figures = run.json()
            if figures.get("n_candidates") != total:
                raise BenchError(f"{label} trained on {figures.get('n_candidates')} candidates")
            rows.append((label, run.seconds, run.peak_rss_bytes / GIB, figures["timings"]))
            print(f"# {label}: {run.seconds:.1f} s, {run.peak_rss_bytes / GIB:.2f} GiB", flush=True)
            print(f"#   timings {json.dumps(figures['timings'])}", flush=True)
    print()
    print(f"| {total:,} candidates, {args.db} | wall s | peak GiB | largest stages (s) |")
    print("|---|---:|---:|---|")
    for label, seconds, peak, timings in rows:
        stages = sorted(timings.items(), key=lambda item: -item[1])[:6]
        shown = ", ".join(f"{name} {value:.1f}" for name, value in stages)
        print(f"| `{label}` | {seconds:.1f} | {peak:.2f} | {shown} |")


if __name__ == "__main__":
    main()
