"""Opening the Spark engine on this project's database: the candidate query and where to write.

The engine itself (segmentation/engines/spark.py) knows no Django; this module hands it the
connection details, the SQL that gives one row per candidate with its skills and its segment
under the active run, and the assignment table's names for the executors' COPY.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.engines.spark import CandidateSource, SparkCandidates, SparkOptions
from segmentation.engines.spark_tasks import AssignmentTarget
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, FeatureEncoder
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import Assignment
from segmentation.selectors.assignments import active_run_id


def spark_options() -> SparkOptions:
    """The cluster to use, from ADFLUX_SPARK_MASTER and its companions (adflux/settings.py)."""
    return SparkOptions(
        master=settings.ADFLUX_SPARK_MASTER,
        jdbc_jar=settings.ADFLUX_SPARK_JDBC_JAR,
        conf=dict(settings.ADFLUX_SPARK_CONF),
        executor_wait_seconds=settings.ADFLUX_SPARK_EXECUTOR_WAIT_SECONDS,
    )


def spark_engine_check() -> None:
    """Refuse the Spark engine on SQLite, in words that say why and what to do instead.

    Executors on other machines cannot reach a file on this one, and the write-back is
    PostgreSQL's COPY (docs/spark.md).
    """
    if connection.vendor != "postgresql":
        raise SegmentationInputError(
            "The Spark engine reads and writes the candidates through PostgreSQL "
            f"(DATABASE_URL=postgres://...); this database is {connection.vendor}. "
            "Use the local engine, or move the data to PostgreSQL."
        )


def spark_candidates_open(*, snapshot: str | None = None) -> SparkCandidates:
    """A started Spark session with every candidate read and cached on the cluster."""
    spark_engine_check()
    database = settings.DATABASES["default"]
    bounds = Candidate.objects.aggregate(low=Min("id"), high=Max("id"))
    source = CandidateSource(
        jdbc_url=(
            f"jdbc:postgresql://{database.get('HOST') or 'localhost'}:"
            f"{database.get('PORT') or 5432}/{database['NAME']}"
        ),
        user=database.get("USER") or "",
        password=database.get("PASSWORD") or "",
        query=_candidate_query(active_run_id()),
        id_low=bounds["low"] or 0,
        id_high=bounds["high"] or 0,
        count_hint=Candidate.objects.count(),
        snapshot=snapshot or settings.ADFLUX_SPARK_SNAPSHOT or None,
        current_query=_current_query(active_run_id()),
    )
    candidates = SparkCandidates(spark_options(), source)
    candidates.start()
    try:
        candidates.read()
    except BaseException:
        candidates.stop()
        raise
    return candidates


def spark_encoder_fit(
    candidates: SparkCandidates, features_sample: object, config: ClusteringConfig
) -> FeatureEncoder | None:
    """The encoder for a sampled fit: numbers from the sample, columns from the whole pool.

    None when the sample is every candidate: the fit then fits its own, as the local engine.
    Every category value and skill in the pool keeps its column, so the model's features are
    the local engine's even when a rare value missed the sample.
    """
    if len(features_sample) >= candidates.count:  # type: ignore[arg-type]
        return None
    encoder = FeatureEncoder(**config.encoder_options).fit(features_sample)  # type: ignore[arg-type]
    categories, vocabulary = candidates.vocabulary()
    encoder.categories = categories
    encoder.skill_vocabulary = vocabulary
    return encoder


def assignment_target(*, run_id: int, segment_ids: np.ndarray) -> AssignmentTarget:
    """Where the executors write the run's rows (the assignment table, by COPY)."""
    database = settings.DATABASES["default"]
    from psycopg.conninfo import make_conninfo

    quote = connection.ops.quote_name
    meta = Assignment._meta
    return AssignmentTarget(
        conninfo=make_conninfo(
            host=database.get("HOST") or "",
            port=str(database.get("PORT") or ""),
            dbname=database["NAME"],
            user=database.get("USER") or "",
            password=database.get("PASSWORD") or "",
        ),
        table=quote(meta.db_table),
        run_column=quote(meta.get_field("run").column),
        candidate_column=quote(meta.get_field("candidate").column),
        segment_column=quote(meta.get_field("segment").column),
        run_id=run_id,
        segment_ids=tuple(int(value) for value in segment_ids),
    )


def _candidate_query(run_id: int | None) -> str:
    """One row per candidate: profile columns, skill names, segment under the active run."""
    quote = connection.ops.quote_name
    candidate = quote(Candidate._meta.db_table)
    pairs = quote(CandidateSkill._meta.db_table)
    skills = quote(Skill._meta.db_table)
    pair_candidate = quote(CandidateSkill._meta.get_field("candidate").column)
    pair_skill = quote(CandidateSkill._meta.get_field("skill").column)
    numbers = ", ".join(
        f"c.{quote(name)}::double precision AS {quote(name)}" for name in NUMERIC_FEATURES
    )
    categories = ", ".join(f"c.{quote(name)} AS {quote(name)}" for name in CATEGORICAL_FEATURES)
    skill_list = (
        f"ARRAY(SELECT s.{quote('name')} FROM {pairs} p JOIN {skills} s "
        f"ON s.id = p.{pair_skill} WHERE p.{pair_candidate} = c.id) AS skills"
    )
    select = f"SELECT c.id AS id, {numbers}, {categories}, {skill_list}"
    if run_id is None:
        return f"{select}, NULL::bigint AS current_segment FROM {candidate} c"
    meta = Assignment._meta
    return (
        f"{select}, a.{quote(meta.get_field('segment').column)} AS current_segment "
        f"FROM {candidate} c LEFT JOIN {quote(meta.db_table)} a "
        f"ON a.{quote(meta.get_field('candidate').column)} = c.id "
        f"AND a.{quote(meta.get_field('run').column)} = {int(run_id)}"
    )


def _current_query(run_id: int | None) -> str | None:
    """For a snapshot: (id, current_segment) of the active run's rows."""
    if run_id is None:
        return None
    meta = Assignment._meta
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote(meta.get_field('candidate').column)} AS id, "
        f"{quote(meta.get_field('segment').column)} AS current_segment "
        f"FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('run').column)} = {int(run_id)}"
    )
