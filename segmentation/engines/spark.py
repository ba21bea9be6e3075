"""The Spark engine's driver: read candidates on the cluster, sample them, assign everyone.

The model is fitted on the driver by the very code the local engine runs (the ML core is
pure Python), on every candidate up to the configuration's fit sample (100,000 by default) and
on a reproducible sample above it; the executors then encode and assign their partitions with
that fitted pipeline (broadcast to them) and write the rows with COPY. The segments are the
local engine's by construction; docs/spark.md tells the design and its measured cost.

pyspark is imported inside the functions: it is an optional extra (``pip install .[spark]``)
and loading it costs seconds.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from segmentation.engines.spark_tasks import (
    PARTITION_REPORT_SCHEMA,
    AssignmentTarget,
    partition_assigner,
    partition_count,
    partition_rows_at,
)
from segmentation.ml.columnar import CURRENT_SEGMENT_COLUMN, features_from_arrow, flows_merge
from segmentation.ml.errors import SegmentationError, SegmentationInputError
from segmentation.ml.features import CATEGORICAL_FEATURES, CandidateFeatures, skill_key
from segmentation.ml.pipeline import SegmentationPipeline, sample_rows

logger = logging.getLogger(__name__)

# Rows per partition of the candidate read: a few seconds of work each, so a lost executor
# costs little to redo and the driver can report progress.
ROWS_PER_PARTITION = 250_000
# Arrow batch size handed to each partition's assigner: 20,000 rows encode in ~30 ms.
ARROW_BATCH_ROWS = 20_000


class SparkEngineError(SegmentationError):
    """The Spark job could not finish; the message says why (lost executors, no cluster...)."""


@dataclass(frozen=True)
class SparkOptions:
    """How to reach the cluster; from the settings ADFLUX_SPARK_*."""

    master: str = "local[*]"
    jdbc_jar: str = "/usr/share/java/postgresql.jar"
    # Extra Spark configuration (spark.executor.memory, ...), as spark-submit's --conf.
    conf: dict[str, str] = field(default_factory=dict)
    # With no executor for this long while a job waits, the job is cancelled (a killed
    # worker): Spark itself would wait for ever. Before the first executor has come, the
    # allowance is ``executor_start_seconds`` (executors are JVMs started on demand).
    executor_wait_seconds: float = 60.0
    executor_start_seconds: float = 180.0
    app_name: str = "adflux-segmentation"


@dataclass(frozen=True)
class CandidateSource:
    """Where the candidates are: the database (JDBC, partitioned by id) or a Parquet snapshot.

    ``query`` is the SELECT giving the profile columns (segmentation.ml.columnar) and
    ``current_segment`` for one row per candidate; ``id_low``/``id_high`` bound its ids.
    A snapshot gives the profile columns; ``current_query`` then gives (id, current_segment).
    """

    jdbc_url: str
    user: str
    password: str
    query: str
    id_low: int
    id_high: int
    count_hint: int
    snapshot: str | None = None
    current_query: str | None = None


@dataclass(frozen=True)
class SparkAssignment:
    """What the executors report once every candidate is assigned and written."""

    rows: int
    counts: np.ndarray
    inertia: float
    # (current segment id or -1, new segment number, candidates)
    flows: np.ndarray
    unusual_ids: np.ndarray
    unusual_distances: np.ndarray
    seconds: float


class SparkCandidates:
    """A Spark session holding the candidates (read once, cached on the executors)."""

    def __init__(self, options: SparkOptions, source: CandidateSource) -> None:
        self.options = options
        self.source = source
        self.spark: Any = None
        self.frame: Any = None
        # The master the session runs on: ``options.master``, or spark-submit's --master.
        self.master = options.master
        self.count = 0
        self.partitions = 0
        self.startup_seconds = 0.0
        self.read_seconds = 0.0
        self._watch_reason = ""
        self._executors_seen = False
        self._archive: Path | None = None

    # --- session -----------------------------------------------------------------------

    def start(self) -> None:
        started = time.perf_counter()
        self.spark = spark_session(self.options)
        self.master = str(self.spark.sparkContext.master)
        self._archive = _code_archive()
        self.spark.sparkContext.addPyFile(str(self._archive))
        self.startup_seconds = time.perf_counter() - started
        logger.info("Spark session on %s up in %.1f s", self.master, self.startup_seconds)

    def stop(self) -> None:
        if self.frame is not None:
            try:
                self.frame.unpersist()
            except Exception:  # noqa: BLE001  (a dead cluster cannot unpersist; nothing to keep)
                logger.info("Could not unpersist the candidate frame", exc_info=True)
        if self.spark is not None:
            self.spark.stop()
        if self._archive is not None:
            self._archive.unlink(missing_ok=True)
        self.spark = self.frame = self._archive = None

    def __enter__(self) -> SparkCandidates:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- reading -----------------------------------------------------------------------

    def read(self) -> int:
        """Read every candidate into the cluster's cache; how many there are."""
        from pyspark import StorageLevel

        started = time.perf_counter()
        frame = self._candidate_frame()
        self.frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        self.partitions = int(self.frame.rdd.getNumPartitions())
        self.count = int(self._watched(self.frame.count))
        self.read_seconds = time.perf_counter() - started
        logger.info("Spark read %d candidates in %.1f s", self.count, self.read_seconds)
        return self.count

    def _candidate_frame(self) -> Any:
        source = self.source
        partitions = max(
            2,
            _default_parallelism(self.spark),
            -(-max(source.count_hint, 1) // ROWS_PER_PARTITION),
        )
        if source.snapshot is None:
            return self._jdbc(
                f"({source.query}) AS adflux_candidates",
                partitionColumn="id",
                lowerBound=str(source.id_low),
                upperBound=str(source.id_high + 1),
                numPartitions=str(partitions),
            )
        snapshot = self.spark.read.parquet(source.snapshot)
        if CURRENT_SEGMENT_COLUMN not in snapshot.columns and source.current_query:
            current = self._jdbc(f"({source.current_query}) AS adflux_current")
            snapshot = snapshot.join(current, on="id", how="left")
        # Disjoint id ranges per partition: each partition's write replaces only its own rows.
        return snapshot.repartitionByRange(partitions, "id")

    def _jdbc(self, table: str, **options: str) -> Any:
        source = self.source
        reader = (
            self.spark.read.format("jdbc")
            .option("url", source.jdbc_url)
            .option("dbtable", table)
            .option("user", source.user)
            .option("password", source.password)
            .option("driver", "org.postgresql.Driver")
            .option("fetchsize", "10000")
        )
        for key, value in options.items():
            reader = reader.option(key, value)
        return reader.load()

    def sample(self, size: int | None, random_state: int) -> CandidateFeatures:
        """Every candidate (``size`` None or at least the count), else the local engine's sample.

        Ordered by id, as the local engine reads them. A sample holds the candidates at the
        positions (in id order) that ``sample_rows`` draws for the local engine's fit, so both
        engines fit K-means on the same rows: each partition is one id range, in order, so a
        candidate's position is its partition's offset plus its rank within it.
        """
        frame = self.frame.drop(CURRENT_SEGMENT_COLUMN) if self._has_current() else self.frame
        rows = sample_rows(self.count, size, random_state)
        if rows is not None:
            counts = self._watched(
                frame.mapInArrow(partition_count, "partition int, n long").collect
            )
            sizes = np.zeros(self.partitions, dtype=np.int64)
            for row in counts:
                sizes[row["partition"]] += row["n"]
            offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            positions = self.spark.sparkContext.broadcast(rows)
            try:
                frame = frame.sortWithinPartitions("id").mapInArrow(
                    partition_rows_at(positions, offsets.tolist()), frame.schema
                )
                table = self._watched(frame.toArrow)
            finally:
                positions.destroy()
        else:
            table = self._watched(frame.toArrow)
        features = features_from_arrow(table.sort_by("id"))
        if len(features) != (self.count if rows is None else len(rows)):
            raise SparkEngineError(
                f"The sample read {len(features)} candidates instead of "
                f"{self.count if rows is None else len(rows)}: the table changed while it "
                "was read; train again."
            )
        return features

    def _has_current(self) -> bool:
        return CURRENT_SEGMENT_COLUMN in self.frame.columns

    def vocabulary(self) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
        """Every category value and every skill in the pool: the encoder's columns."""
        from pyspark.sql import functions as F

        # Two jobs, each one pass over the cache with partial aggregation on the executors.
        found = self._watched(
            self.frame.agg(
                *[
                    F.collect_set(F.coalesce(F.col(name), F.lit(""))).alias(name)
                    for name in CATEGORICAL_FEATURES
                ]
            ).collect
        )[0]
        categories = {name: tuple(sorted(found[name])) for name in CATEGORICAL_FEATURES}
        skills = self._watched(
            self.frame.select(F.explode("skills").alias("s")).agg(F.collect_set("s")).collect
        )[0][0]
        by_key: dict[str, str] = {}
        for name in sorted(name.strip() for name in skills if name and name.strip()):
            by_key.setdefault(skill_key(name), name)
        return categories, tuple(sorted(by_key.values()))

    # --- assigning ---------------------------------------------------------------------

    def assign(
        self,
        pipeline: SegmentationPipeline,
        *,
        outlier_threshold: float | None,
        target: AssignmentTarget | None,
    ) -> SparkAssignment:
        """Assign every candidate on the executors (and write the rows when given a target)."""
        started = time.perf_counter()
        context = self.spark.sparkContext
        broadcast = context.broadcast(pipeline)
        try:
            assigner = partition_assigner(
                pipeline_broadcast=broadcast, outlier_threshold=outlier_threshold, target=target
            )
            reports = self._watched(
                self.frame.mapInArrow(assigner, PARTITION_REPORT_SCHEMA).toArrow
            ).to_pylist()
        finally:
            broadcast.destroy()
        k = pipeline.config.n_clusters
        counts = np.zeros(k, dtype=np.int64)
        for report in reports:
            counts += np.asarray(report["counts"], dtype=np.int64)
        return SparkAssignment(
            rows=sum(int(report["rows"]) for report in reports),
            counts=counts,
            inertia=float(sum(report["inertia"] for report in reports)),
            flows=flows_merge(
                [np.asarray(report["flows"], dtype=np.int64).reshape(-1, 3) for report in reports]
            ),
            unusual_ids=np.asarray(
                [i for report in reports for i in report["unusual_ids"]], dtype=np.int64
            ),
            unusual_distances=np.asarray(
                [d for report in reports for d in report["unusual_distances"]], dtype=np.float64
            ),
            seconds=time.perf_counter() - started,
        )

    # --- watching ----------------------------------------------------------------------

    def _watched(self, action: Any) -> Any:
        """Run a Spark action, cancelled if the cluster has no executor for too long."""
        stop = threading.Event()
        self._watch_reason = ""
        watcher = threading.Thread(target=self._watch, args=(stop,), daemon=True)
        if not self.master.startswith("local"):
            watcher.start()
        try:
            return action()
        except Exception as exc:
            if self._watch_reason:
                raise SparkEngineError(self._watch_reason) from exc
            raise SparkEngineError(f"The Spark job failed: {_spark_message(exc)}") from exc
        finally:
            stop.set()

    def _watch(self, stop: threading.Event) -> None:
        context = self.spark.sparkContext
        alone_since: float | None = None
        while not stop.wait(0.5):
            try:
                # The driver counts as one entry of the executor list.
                executors = context._jsc.sc().getExecutorMemoryStatus().size() - 1
            except Exception:  # noqa: BLE001  (the context is stopping: nothing to watch)
                return
            if executors > 0:
                self._executors_seen = True
                alone_since = None
                continue
            alone_since = alone_since or time.monotonic()
            wait = (
                self.options.executor_wait_seconds
                if self._executors_seen
                else max(self.options.executor_start_seconds, self.options.executor_wait_seconds)
            )
            if time.monotonic() - alone_since >= wait:
                what = "lost its executors" if self._executors_seen else "started no executor"
                self._watch_reason = (
                    f"The Spark cluster at {self.master} {what} and had no executor "
                    f"for {wait:g} s while the job waited (a worker was stopped or lost, or "
                    "none is running), so the job was cancelled. The previous segmentation "
                    "is still active."
                )
                context.cancelAllJobs()
                return


def spark_session(options: SparkOptions) -> Any:
    """A Spark session on the configured master, or the one spark-submit already started."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SegmentationInputError(
            "The Spark engine needs pyspark: pip install '.[spark]' (and Java 17)."
        ) from exc
    if options.jdbc_jar and not Path(options.jdbc_jar).exists():
        raise SegmentationInputError(
            f"The PostgreSQL JDBC driver is not at {options.jdbc_jar} (ADFLUX_SPARK_JDBC_JAR); "
            "on Debian: apt-get install libpostgresql-jdbc-java."
        )
    # The executors' Python must have the ML core's libraries; on this machine (local[*], a
    # cluster started here) that is this interpreter. A cluster sets PYSPARK_PYTHON itself.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(options.app_name)
    # Under spark-submit the master and resources come from its command line.
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        master_check(options.master)
        builder = builder.master(options.master)
    settings = {
        "spark.jars": options.jdbc_jar,
        "spark.ui.enabled": "false",
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH_ROWS),
        "spark.sql.execution.pythonUDF.arrow.enabled": "true",
        # Run the tasks a lost executor had elsewhere, but give up on a task failing again.
        "spark.task.maxFailures": "2",
        **options.conf,
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:
        raise SparkEngineError(
            f"Could not start a Spark session on {options.master}: {_spark_message(exc)}"
        ) from exc


def master_check(master: str, *, timeout: float = 5.0) -> None:
    """Refuse at once, in words, a standalone master nobody answers at.

    Spark itself retries registering for a minute, then fails with "Cannot call methods on a
    stopped SparkContext", which names neither the cause nor the setting.
    """
    if not master.startswith("spark://"):
        return
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                return
        except (OSError, ValueError):
            continue
    raise SparkEngineError(
        f"No Spark master answers at {master}: nothing accepts a connection there. Is the "
        "master running, and is ADFLUX_SPARK_MASTER its address?"
    )


def _default_parallelism(spark: Any) -> int:
    try:
        return int(spark.sparkContext.defaultParallelism)
    except Exception:  # noqa: BLE001
        return 2


def _spark_message(exc: BaseException) -> str:
    """The first line of a (Java) error: the reason, without a JVM stack trace."""
    text = str(exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "Traceback", "py4j", "An error occurred")):
            return line[:500]
    return text[:500] or exc.__class__.__name__


def _code_archive() -> Path:
    """The ML core and this package as a zip the executors import from (Django stays out)."""
    root = Path(__file__).resolve().parents[2]
    archive = Path(tempfile.gettempdir()) / f"adflux-spark-{os.getpid()}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(root / "segmentation" / "__init__.py", "segmentation/__init__.py")
        for package in ("ml", "engines"):
            for path in sorted((root / "segmentation" / package).glob("*.py")):
                bundle.write(path, f"segmentation/{package}/{path.name}")
    return archive
