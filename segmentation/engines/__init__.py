"""Where a fit and an assignment run: in this process (local) or on a Spark cluster (spark).

Nothing here imports Django: the services hand the engines plain values (connection details,
table names, a fitted pipeline), so the part that runs on a cluster's executors needs only the
ML core and the PostgreSQL driver. docs/spark.md tells the design.
"""

from __future__ import annotations

LOCAL = "local"
SPARK = "spark"
ENGINES: tuple[str, ...] = (LOCAL, SPARK)
ENGINE_LABELS: dict[str, str] = {
    LOCAL: "Local (this machine)",
    SPARK: "Spark cluster",
}


def engine_check(engine: str) -> str:
    """The engine's name, or a clear refusal naming the ones there are."""
    from segmentation.ml.errors import SegmentationInputError

    if engine not in ENGINES:
        raise SegmentationInputError(
            f"Unknown engine {engine!r}; choose one of {', '.join(ENGINES)}."
        )
    return engine
