"""The Spark engine on a real standalone cluster and a real PostgreSQL: the same segments.

The cluster is started once per session from pyspark's own launcher classes
(tests/spark_cluster.py); the engine reads the test database by JDBC, fits on the driver and
assigns and writes on the worker's executor. On SQLite the engine refuses at the door, and
the tests that need it run in the PostgreSQL pass of ``make test`` (as .ci/run runs it).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from sklearn.metrics import adjusted_rand_score

from candidates.models import Candidate
from candidates.services.generation import candidates_generate
from segmentation.engines.spark import SparkEngineError
from segmentation.jobs.start import segmentation_job_run_here
from segmentation.ml import stages
from segmentation.ml.artifacts import load_model
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from segmentation.ml.outliers import predict_with_distances, unusual_rows
from segmentation.ml.pipeline import inertia_of
from segmentation.models import (
    Assignment,
    Segment,
    SegmentationJob,
    SegmentationRun,
    UnusualCandidate,
)
from segmentation.selectors.features import candidate_features_load
from segmentation.services.activation import segmentation_activate
from segmentation.services.assignment import candidate_segments_assign
from segmentation.services.model_cache import active_model_get
from segmentation.services.training import (
    assignment_retention_apply,
    segmentation_config_default,
    segmentation_train,
)
from tests.assignments import assert_assignments_true, segment_of
from tests.spark_cluster import StandaloneCluster, free_port

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="The Spark engine reads by JDBC and writes by COPY into PostgreSQL (on SQLite it "
    "refuses, tested here); this test runs in the PostgreSQL pass of make test and .ci/run.",
)
CLUSTER_CONF = {
    # The executors connect back to the driver: on this machine, over the loopback.
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.executor.memory": "1g",
}


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    cluster = StandaloneCluster(tmp_path_factory.mktemp("spark-cluster"))
    yield cluster
    cluster.stop()


def _on(settings, cluster: StandaloneCluster, *, executor_wait: float = 60.0) -> None:
    settings.ADFLUX_SPARK_MASTER = cluster.url
    settings.ADFLUX_SPARK_CONF = CLUSTER_CONF
    settings.ADFLUX_SPARK_EXECUTOR_WAIT_SECONDS = executor_wait


def _numbers(run: SegmentationRun) -> dict[int, int]:
    return dict(
        Assignment.objects.filter(run=run).values_list("candidate_id", "segment__number")
    )


def _newcomer_like(known: Candidate, email: str) -> Candidate:
    """A candidate saved now with ``known``'s profile, assigned as the app assigns a save."""
    twin = Candidate.objects.create(
        name="Newcomer",
        email=email,
        years_experience=known.years_experience,
        desired_salary=known.desired_salary,
        location=known.location,
        education_level=known.education_level,
        primary_skill=known.primary_skill,
    )
    twin.skills.set(known.skills.all())
    assert candidate_segments_assign(candidate_ids=[twin.pk]) == 1
    return twin


def _train_job(**options) -> SegmentationJob:
    return segmentation_job_run_here(
        kind=SegmentationJob.Kind.TRAIN, config=segmentation_config_default(), **options
    )


@needs_postgres
def test_the_spark_engine_gives_everyone_the_local_engine_s_segments(settings, spark_cluster):
    candidates_generate(count=20_000, seed=3)
    local = segmentation_train(engine="local")
    segmentation_activate(run=local)
    _on(settings, spark_cluster)

    out = StringIO()
    call_command("train_segments", "--engine", "spark", "--activate", stdout=out)

    job = SegmentationJob.objects.latest("pk")
    assert f"Trained run {job.run_id} and activated it" in out.getvalue()
    assert job.status == SegmentationJob.Status.SUCCEEDED, job.error
    run = SegmentationRun.objects.get(pk=job.run_id)
    local.refresh_from_db()
    assert run.is_active and run.parameters["engine"] == "spark"
    assert run.n_candidates == 20_000
    # Every candidate has a row in the active run, and the sizes are what the rows add up to.
    spark_rows, local_rows = _numbers(run), _numbers(local)
    assert set(spark_rows) == set(Candidate.objects.values_list("pk", flat=True))
    sizes = np.bincount(list(spark_rows.values()), minlength=run.n_clusters)
    assert list(run.segments.order_by("number").values_list("size", flat=True)) == sizes.tolist()
    # The same segments as the local engine's, and as tight.
    ids = sorted(local_rows)
    assert adjusted_rand_score([local_rows[i] for i in ids], [spark_rows[i] for i in ids]) >= 0.99
    assert abs(run.inertia - local.inertia) <= 0.001 * local.inertia
    assert run.feature_names == local.feature_names
    # Flagged unusual against the same threshold, and compared with the run it replaced.
    assert set(UnusualCandidate.objects.filter(run=run).values_list("candidate_id", flat=True)) == (
        set(UnusualCandidate.objects.filter(run=local).values_list("candidate_id", flat=True))
    )
    assert run.previous_run_id == local.pk
    assert run.migration_summary["candidates"] == 20_000
    assert all(segment.matched_from_id for segment in run.segments.all())
    # The model file is a normal one: it loads, and a candidate saved now gets a segment.
    model = active_model_get()
    assert model is not None and model.run_id == run.pk
    known = Candidate.objects.order_by("pk").first()
    twin = _newcomer_like(known, "newcomer@example.org")
    assert segment_of(twin) == segment_of(known)


def _snapshot(path) -> str:
    """The candidates as a Parquet snapshot, in the engine's columns (docs/spark.md)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    features = candidate_features_load()
    columns = {"id": features.ids}
    for j, name in enumerate(NUMERIC_FEATURES):
        columns[name] = features.numeric[:, j]
    for name in CATEGORICAL_FEATURES:
        columns[name] = features.categorical[name].tolist()
    columns["skills"] = features.skill_lists()
    pq.write_table(pa.table(columns), path)
    return str(path)


def _inertia_in_local_space(local: SegmentationRun, runs: list[SegmentationRun]) -> list[float]:
    """Each run's segments measured in the local run's encoded features: one yardstick."""
    pipeline = load_model(local.artifact_path, expected_sha256=local.artifact_sha256)
    features = candidate_features_load()
    matrix = pipeline.transform(features)
    numbers = [_numbers(run) for run in runs]
    return [inertia_of(matrix, np.array([n[i] for i in features.ids.tolist()])) for n in numbers]


@needs_postgres
def test_above_the_fit_sample_a_parquet_snapshot_gives_the_local_engine_s_segments(
    settings, spark_cluster, tmp_path
):
    candidates_generate(count=12_000, seed=4)
    # Both engines fit K-means on the same 6,000 sampled rows; the Spark engine estimates the
    # encoder's numbers on them, with every category and skill of the pool as columns.
    settings.ADFLUX_SEGMENTATION = {"fit_sample_size": 6_000}
    local = segmentation_train(engine="local")
    segmentation_activate(run=local)
    _on(settings, spark_cluster)

    run = segmentation_train(engine="spark", snapshot=_snapshot(tmp_path / "candidates.parquet"))

    spark_rows, local_rows = _numbers(run), _numbers(local)
    assert set(spark_rows) == set(local_rows) and len(spark_rows) == 12_000
    ids = sorted(local_rows)
    assert adjusted_rand_score([local_rows[i] for i in ids], [spark_rows[i] for i in ids]) >= 0.99
    local_inertia, spark_inertia = _inertia_in_local_space(local, [local, run])
    assert abs(spark_inertia - local_inertia) <= 0.001 * local_inertia
    assert run.feature_names == local.feature_names
    # The snapshot has no segments: they were joined from the active run's rows.
    assert run.migration_summary["candidates"] == 12_000


@needs_postgres
def test_a_worker_killed_mid_job_fails_it_and_keeps_the_previous_segmentation(
    settings, spark_cluster
):
    candidates_generate(count=3_000, seed=5)
    previous = segmentation_train(engine="local", n_clusters=4)
    segmentation_activate(run=previous)
    before = _numbers(previous)
    _on(settings, spark_cluster, executor_wait=3)

    def kill_the_worker(stage: str) -> None:
        # The cluster's only worker (and the executor it launched) dies as the executors
        # start assigning: after the read, the sample and the fit used them.
        if stage == stages.ASSIGN:
            spark_cluster.worker.kill()

    try:
        with pytest.raises(SparkEngineError, match="lost its executors"):
            _train_job(activate=True, engine="spark", on_stage=kill_the_worker)
    finally:
        spark_cluster.worker.kill()
        spark_cluster.worker_start()

    job = SegmentationJob.objects.latest("pk")
    assert job.status == SegmentationJob.Status.FAILED
    assert "lost its executors" in job.error
    assert "previous segmentation is still active" in job.error
    failed = SegmentationRun.objects.get(pk=job.run_id)
    assert failed.status == SegmentationRun.Status.FAILED
    # Nothing the executors had written, nor the segments they pointed at, is left.
    assert not Assignment.objects.filter(run=failed).exists()
    assert not Segment.objects.filter(run=failed).exists()
    previous.refresh_from_db()
    assert previous.is_active and _numbers(previous) == before


def _pruned_and_active(count: int, seed: int) -> tuple[SegmentationRun, SegmentationRun]:
    """An older run whose rows were pruned, and a newer one that is active."""
    candidates_generate(count=count, seed=seed)
    # Unchanged for an hour: older than a run's safety margin, so a switch recomputes nobody.
    Candidate.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    older = segmentation_train(engine="local", n_clusters=4)
    newer = segmentation_train(engine="local", n_clusters=3)
    segmentation_activate(run=newer)
    assert assignment_retention_apply(keep=1) == [older.pk]
    older.refresh_from_db()
    assert older.assignments_pruned and not Assignment.objects.filter(run=older).exists()
    return older, newer


@needs_postgres
def test_a_pruned_run_activated_on_spark_gets_everyone_s_rows_from_the_cluster(
    settings, spark_cluster
):
    older, newer = _pruned_and_active(2_000, seed=6)
    _on(settings, spark_cluster)
    stages_seen: list[str] = []

    job = segmentation_job_run_here(
        kind=SegmentationJob.Kind.ACTIVATE, run=older, engine="spark", on_stage=stages_seen.append
    )

    assert job.status == SegmentationJob.Status.SUCCEEDED, job.error
    assert job.parameters["engine"] == "spark"
    # The cluster wrote all 2,000 rows; the switch recomputed only what changed since: nobody.
    assert job.result["on_cluster"] == 2_000 and job.result["recomputed"] == 2_000
    assert stages_seen == [
        stages.LOAD_MODEL,
        stages.ASSIGN,
        stages.READ,
        stages.PREDICT,
        stages.WRITE,
    ]
    assert job.stages_total == len(stages_seen)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.is_active and not older.assignments_pruned and not newer.is_active
    # Every candidate has a row in the active run, that row is what the local engine's
    # prediction with the run's model gives, and each segment's size is its row count.
    assert_assignments_true()
    assert Assignment.objects.filter(run=older).count() == 2_000
    # The unusual flags are the executors', against the run's own threshold: the local ones.
    pipeline = load_model(older.artifact_path, expected_sha256=older.artifact_sha256)
    features = candidate_features_load()
    _, distances = predict_with_distances(pipeline, features)
    flagged = features.ids[unusual_rows(distances, older.outlier_threshold)]
    unusual = UnusualCandidate.objects.filter(run=older).values_list("candidate_id", flat=True)
    assert len(flagged) and set(unusual) == set(flagged.tolist())
    # A candidate saved now is assigned under the reactivated run.
    known = Candidate.objects.order_by("pk").first()
    twin = _newcomer_like(known, "reactivated@example.org")
    assert segment_of(twin) == segment_of(known) and segment_of(twin).run == older
    assert_assignments_true()


@needs_postgres
def test_a_pruned_run_on_a_cluster_nobody_answers_stays_pruned_and_the_job_says_why(settings):
    older, newer = _pruned_and_active(300, seed=7)
    before = _numbers(newer)
    # A master URL nobody listens on (a cluster down, a wrong address).
    settings.ADFLUX_SPARK_MASTER = f"spark://127.0.0.1:{free_port()}"
    settings.ADFLUX_SPARK_CONF = CLUSTER_CONF

    with pytest.raises(CommandError, match="No Spark master answers at spark://127.0.0.1:"):
        call_command(
            "predict_segments", "--run", str(older.pk), "--engine", "spark", stdout=StringIO()
        )

    job = SegmentationJob.objects.get(kind=SegmentationJob.Kind.ACTIVATE, run=older)
    assert job.status == SegmentationJob.Status.FAILED
    assert job.error.startswith(f"Run {older.pk} was not activated: its segments could not be")
    assert "No Spark master answers" in job.error
    assert "The previous segmentation is still active." in job.error
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.assignments_pruned and not older.is_active
    assert not Assignment.objects.filter(run=older).exists()
    assert newer.is_active and _numbers(newer) == before


ROOT = Path(__file__).resolve().parents[2]
# The placeholders of docs/spark.md's command, and what they are on this machine.
DOC_MASTER = "spark://spark-master:7077"
DOC_PYTHON = "/opt/adflux/.venv/bin/python"


def _documented_spark_submit() -> list[str]:
    """The ``spark-submit`` command of docs/spark.md ("Running it by hand"), as arguments."""
    text = (ROOT / "docs" / "spark.md").read_text()
    section = text.split("## Running it by hand with spark-submit", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return shlex.split(block[block.index("spark-submit") :].replace("\\\n", " "))


def _database_url() -> str:
    """This test's database, as the DATABASE_URL the docs export."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@needs_postgres
def test_the_documented_spark_submit_command_trains_and_activates_on_the_cluster(
    spark_cluster, tmp_path
):
    candidates_generate(count=2_000, seed=8)
    command = _documented_spark_submit()
    assert command[0] == "spark-submit" and DOC_MASTER in command
    assert f"spark.pyspark.python={DOC_PYTHON}" in command
    # The docs' placeholders, made this machine's; the rest is run as written.
    command = [
        str(Path(sys.executable).parent / "spark-submit"),
        *(
            spark_cluster.url
            if part == DOC_MASTER
            else part.replace(DOC_PYTHON, sys.executable)
            for part in command[1:]
        ),
    ]
    # As the docs' export line: the database and a secret key, no test or debug settings.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG"}
    }
    env.update(
        DATABASE_URL=_database_url(),
        DJANGO_SECRET_KEY="spark-submit-test-key-0123456789-0123456789-0123456789",
        ADFLUX_MODEL_DIR=str(tmp_path / "models"),
        # The executors reach the driver over the loopback, as the module's cluster does.
        SPARK_LOCAL_IP="127.0.0.1",
    )

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    run = SegmentationRun.objects.get(is_active=True)
    assert f"Trained run {run.pk} and activated it" in done.stdout
    assert run.parameters["engine"] == "spark" and run.n_candidates == 2_000
    # spark-submit's --master ran the job (not ADFLUX_SPARK_MASTER, local[*] by default).
    assert run.parameters["spark"]["master"] == spark_cluster.url
    assert Path(run.artifact_path).parent == tmp_path / "models"
    assert_assignments_true()
    assert Assignment.objects.filter(run=run).count() == 2_000


@pytest.mark.skipif(ON_POSTGRES, reason="On PostgreSQL the engine runs (tests above).")
def test_on_sqlite_the_spark_engine_is_refused_at_the_door_with_the_reason():
    candidates_generate(count=50, seed=1)
    with pytest.raises(SegmentationInputError, match="through PostgreSQL.*sqlite"):
        _train_job(engine="spark")
    with pytest.raises(CommandError, match="through PostgreSQL.*sqlite"):
        call_command("train_segments", "--engine", "spark", stdout=StringIO())
    assert not SegmentationJob.objects.exists()
    assert not SegmentationRun.objects.exists()
