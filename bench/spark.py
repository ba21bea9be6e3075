"""The Spark engine against the local engine: train + activate, side by side, same segments.

    .venv/bin/python bench/spark.py --candidates 1000000 [--workers 1] [--executor-memory 2g]
                                    [--skip-local] [--postgres-url URL]

On a throwaway PostgreSQL database (fsync off, as the test server) with generated candidates:
starts a Spark standalone cluster on 127.0.0.1 from pyspark's own launcher classes
(tests/spark_cluster.py: one master, --workers workers of 2 cores each), measures the start-up
overhead (cluster up; a session submitted; its first stage), then runs, one after the other
in the same run, ``train_segments --activate`` (local engine) and ``train_segments --engine
spark --activate`` as a user runs them (each its own process: wall time, peak RSS), and
compares the two runs' rows: adjusted Rand index and inertia. While the Spark run works, the
RSS of each executor (its JVM and the Python workers it forks) is sampled from /proc every
0.5 s; its peak is reported per executor.

Needs pyspark (requirements.lock), Java 17 and the PostgreSQL JDBC driver
(/usr/share/java/postgresql.jar). Run with the project's .venv Python.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    GIB,
    Database,
    fresh_database,
    machine,
    manage,
    postgres_server,
    run_child,
)
from tests.spark_cluster import StandaloneCluster  # noqa: E402

CONF = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}


def say(text: str = "") -> None:
    print(text, flush=True)


def compare(local_run: int, spark_run: int) -> dict:
    """In a child with DATABASE_URL set: ARI of the two runs' rows, and their counts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    import django

    django.setup()
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from segmentation.ml.artifacts import load_model
    from segmentation.ml.pipeline import inertia_of
    from segmentation.models import Assignment, SegmentationRun
    from segmentation.selectors.features import candidate_features_load

    def rows(run_id: int) -> tuple[np.ndarray, np.ndarray]:
        pairs = np.array(
            Assignment.objects.filter(run_id=run_id)
            .order_by("candidate_id")
            .values_list("candidate_id", "segment__number"),
            dtype=np.int64,
        ).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    local_ids, local_labels = rows(local_run)
    spark_ids, spark_labels = rows(spark_run)
    same = bool(np.array_equal(local_ids, spark_ids))
    # Both labellings measured in the local run's encoded features: one yardstick.
    run = SegmentationRun.objects.get(pk=local_run)
    pipeline = load_model(Path(run.artifact_path), expected_sha256=run.artifact_sha256)
    features = candidate_features_load()
    matrix = pipeline.transform(features)
    return {
        "local_rows": len(local_ids),
        "spark_rows": len(spark_ids),
        "same_candidates": same,
        "ari": float(adjusted_rand_score(local_labels, spark_labels)) if same else None,
        "inertia_local_space": [
            inertia_of(matrix, local_labels) if same else None,
            inertia_of(matrix, spark_labels) if same else None,
        ],
    }


def startup(master: str, memory: str) -> dict:
    """In a child: a session on the cluster, then one tiny stage; seconds for each."""
    from pyspark.sql import SparkSession

    started = time.perf_counter()
    builder = SparkSession.builder.master(master).appName("adflux-bench-startup")
    conf = {**CONF, "spark.executor.memory": memory, "spark.ui.enabled": "false"}
    for key, value in conf.items():
        builder = builder.config(key, value)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = builder.getOrCreate()
    session = time.perf_counter() - started
    spark.sparkContext.parallelize(range(4), 2).map(lambda x: x * 2).collect()
    first_stage = time.perf_counter() - started - session
    spark.stop()
    return {"session_seconds": session, "first_python_stage_seconds": first_stage}


class ExecutorMemory:
    """Samples the RSS of each worker's executor (its JVM and Python workers) from /proc."""

    def __init__(self, worker_pids: list[int]) -> None:
        self.groups = worker_pids
        self.peaks = {pid: 0 for pid in worker_pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ExecutorMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            totals = dict.fromkeys(self.groups, 0)
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text()
                    group = int(stat.rsplit(")", 1)[1].split()[2])
                    if group not in totals or int(entry.name) == group:
                        continue  # not an executor's, or the worker daemon itself
                    for line in (entry / "status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            totals[group] += int(line.split()[1]) * 1024
                except (OSError, ValueError, IndexError):
                    continue
            for group, total in totals.items():
                self.peaks[group] = max(self.peaks[group], total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--executor-memory", default="2g")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--postgres-url")
    parser.add_argument(
        "--database-url",
        help="a filled AdFlux database to use as it is (e.g. bench/scale.py --keep's 10M); "
        "no generation, nothing dropped",
    )
    parser.add_argument("--compare", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--startup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        print(json.dumps(compare(*args.compare)))
        return
    if args.startup:
        print(json.dumps(startup(args.startup, args.executor_memory)))
        return

    # Stopped from outside (timeout, Ctrl-C), the cluster and the database still go away.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    say(f"Machine: {machine()}")
    with ExitStack() as stack:
        if args.database_url:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="adflux-spark.")))
            database = Database("postgres", args.database_url, workdir, "the given database")
            say(f"Database: {database.description}, as it is")
        else:
            server = stack.enter_context(postgres_server(args.postgres_url, ["fsync=off"]))
            database = stack.enter_context(
                fresh_database("postgres", name="spark", postgres=server)
            )
            say(f"Database: {database.description}")
            say(f"Generating {args.candidates:,} candidates ...")
            generated = database.prepare(candidates=args.candidates, seed=args.seed)
            say(f"  generate_candidates: {generated.seconds:.1f} s")

        started = time.perf_counter()
        cluster = StandaloneCluster(
            database.workdir / "spark", workers=args.workers, memory=args.executor_memory
        )
        cluster_up = time.perf_counter() - started
        say(f"Cluster {cluster.url}: {args.workers} worker(s) x 2 cores up in {cluster_up:.1f} s")
        try:
            first = run_child(
                [__file__, "--startup", cluster.url, "--executor-memory", args.executor_memory],
                database.env(),
            ).json()
            say(
                f"  a session on it: {first['session_seconds']:.1f} s; its first Python stage "
                "(executor JVM and Python worker start): "
                f"{first['first_python_stage_seconds']:.1f} s"
            )
            local = None
            if not args.skip_local:
                local = manage(database.env(), "train_segments", "--activate", "--json")
                timings = local.json()["timings"]
                say(f"Local: train + activate {local.seconds:.1f} s, peak RSS "
                    f"{local.peak_rss_bytes / GIB:.2f} GiB; stages {timings}")  # fmt: skip
            conf = {**CONF, "spark.executor.memory": args.executor_memory}
            env = database.env(
                ADFLUX_SPARK_MASTER=cluster.url,
                ADFLUX_SPARK_CONF=json.dumps(conf),
                ADFLUX_SPARK_EXECUTOR_WAIT_SECONDS="120",
            )
            with ExecutorMemory([worker.process.pid for worker in cluster.workers]) as memory:
                spark = manage(env, "train_segments", "--engine", "spark", "--activate", "--json")
            summary = spark.json()
            say(f"Spark: train + activate {spark.seconds:.1f} s, driver peak RSS "
                f"{spark.peak_rss_bytes / GIB:.2f} GiB; stages {summary['timings']}")  # fmt: skip
            say(f"  engine: {summary['parameters'].get('spark')}")
            say(
                "  executor peak RSS (JVM + Python workers): "
                + ", ".join(f"{peak / GIB:.2f} GiB" for peak in memory.peaks.values())
            )
            if local is not None:
                ratio = spark.seconds / local.seconds
                inertia_local = local.json()["inertia"]
                inertia_spark = summary["inertia"]
                same = run_child(
                    [__file__, "--compare", str(local.json()["run"]), str(summary["run"])],
                    database.env(),
                ).json()
                yard_local, yard_spark = same["inertia_local_space"]
                change = 100 * (inertia_spark - inertia_local) / inertia_local
                say(f"Spark / local: {ratio:.2f}x")
                say(
                    f"Same segments: ARI {same['ari']}, rows {same['local_rows']:,} vs "
                    f"{same['spark_rows']:,}; run inertia {inertia_local:.1f} vs "
                    f"{inertia_spark:.1f} ({change:+.3f} %); "
                    f"in the local run's features {yard_local:.1f} vs {yard_spark:.1f} "
                    f"({100 * (yard_spark - yard_local) / yard_local:+.3f} %)"
                )
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
