"""Automatic k and the other algorithms through the service, the job and train_segments."""

from __future__ import annotations

import json
import re
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from sklearn.metrics import adjusted_rand_score

from segmentation.jobs.start import segmentation_job_run_here
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.ml.stages import CHOOSE_K, train_stages
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.presenters.jobs import job_describe
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import segment_numbers_by
from tests.ml.planted import make_planted, make_planted_diffuse
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_groups(db) -> tuple[list[int], np.ndarray]:
    records, truth = make_planted(4, 25, seed=3)
    return store_profiles(records), truth


@pytest.fixture
def four_groups_for_auto_k(db) -> tuple[list[int], np.ndarray]:
    """Four groups with one clear answer under the default's stability rule (make_planted's
    3-of-4 skill draws are real sub-groups, and the rule rightly counts them)."""
    records, truth = make_planted_diffuse(4, 25, seed=3)
    return store_profiles(records), truth


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _segments_of(ids: list[int]) -> list[int]:
    by_id = segment_numbers_by("pk")
    return [by_id[pk] for pk in ids]


def test_train_segments_auto_finds_the_groups_and_keeps_every_score(four_groups_for_auto_k):
    out = _run("train_segments", "--clusters", "auto", "--k-max", "7")
    run = SegmentationRun.objects.get()
    assert run.k_auto is True and run.n_clusters == 4
    assert [score["k"] for score in run.k_scores] == [2, 3, 4, 5, 6, 7]
    assert all(
        set(score)
        == {"k", "silhouette", "inertia", "stability", "segment_stability", "smallest_share"}
        for score in run.k_scores
    )
    # The default's rule: the largest k whose every segment holds together across resamples.
    stable = [score["k"] for score in run.k_scores if score["segment_stability"] >= 0.75]
    assert max(stable) == 4
    assert run.k_rule == "stability"
    assert run.k_reason.startswith("k=4: the largest k whose every segment is stable")
    assert "Clusters: 4 (chosen from 2-7) k=4: the largest k" in out
    assert re.search(r"k=4 +least stable segment 1\.00 .*<- chosen", out)
    # The run's configuration records the k it was trained with, and the time choosing took.
    assert run.parameters["n_clusters"] == 4 and "choose k" in run.timings


def test_seed_exact_auto_k_still_chooses_by_silhouette(four_groups):
    _run("train_segments", "--clusters", "auto", "--k-max", "7", "--seed-exact")
    run = SegmentationRun.objects.get()
    assert run.k_rule == "silhouette" and run.n_clusters == 4
    assert all(set(score) == {"k", "silhouette", "inertia"} for score in run.k_scores)
    best = max(run.k_scores, key=lambda score: score["silhouette"])
    assert best["k"] == 4
    assert run.k_reason == f"k=4: the best silhouette ({best['silhouette']:.3f})."


def test_train_segments_auto_json_carries_the_scores(four_groups_for_auto_k):
    summary = json.loads(_run("train_segments", "--clusters", "auto", "--k-max", "5", "--json"))
    assert summary["k_auto"] is True and summary["n_clusters"] == 4
    assert [score["k"] for score in summary["k_scores"]] == [2, 3, 4, 5]
    assert summary["k_rule"] == "stability" and summary["k_reason"].startswith("k=4:")
    assert summary["quality"]["min_segment_stability"] is not None


def test_a_fixed_k_is_not_marked_automatic(four_groups):
    _run("train_segments", "--clusters", "3")
    run = SegmentationRun.objects.get()
    assert (run.k_auto, run.k_scores, run.n_clusters) == (False, [], 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clusters", "5", "--k-max", "8"], "--k-min and --k-max go with --clusters auto"),
        (["--clusters", "auto", "--k-min", "1"], "2 <= k-min <= k-max"),
        (["--clusters", "auto", "--k-min", "9", "--k-max", "4"], "got 9 and 4"),
    ],
)
def test_a_wrong_k_range_is_refused_before_any_work(four_groups, args, message):
    with pytest.raises(CommandError, match=message):
        _run("train_segments", *args)
    assert not SegmentationJob.objects.exists()


def test_clusters_must_be_a_number_or_auto(four_groups):
    with pytest.raises(CommandError, match='whole number of segments or "auto"'):
        _run("train_segments", "--clusters", "many")


def test_too_few_candidates_for_the_range_leave_no_run(db):
    store_profiles(make_planted(2, 1)[0])
    with pytest.raises(CommandError, match="needs more than 2 candidates; there are 2"):
        _run("train_segments", "--clusters", "auto")
    assert not SegmentationRun.objects.exists()
    with pytest.raises(SegmentationInputError, match="needs more than 2 candidates"):
        segmentation_train(config=ClusteringConfig(), k_range=(2, 12))
    assert not SegmentationRun.objects.exists()


def test_the_job_counts_the_choose_k_stage_and_reaches_every_stage(four_groups):
    seen: list[str] = []
    job = segmentation_job_run_here(
        kind=SegmentationJob.Kind.TRAIN,
        config=ClusteringConfig(),
        activate=False,
        k_range=(2, 6),
        on_stage=seen.append,
    )
    assert seen == train_stages(choose_k=True) and CHOOSE_K in seen
    assert job.stages_total == len(seen) and job.stages_done == job.stages_total
    assert job.parameters["k_range"] == [2, 6]
    assert "k chosen automatically (2–6)" in job_describe(job)
    assert job.run.k_auto and job.run.n_clusters == 4


@pytest.mark.parametrize("algorithm", ["minibatch", "bisecting", "gmm", "agglomerative"])
def test_each_algorithm_trains_from_the_command_and_assigns_every_candidate(four_groups, algorithm):
    ids, truth = four_groups
    out = _run("train_segments", "--clusters", "4", "--algorithm", algorithm)
    run = SegmentationRun.objects.get()
    assert run.algorithm == algorithm and f"Configuration: {algorithm}" in out
    # Assigning loads the model file from disk (skops, trusted types only) and predicts all.
    segmentation_activate(run=run)
    assert adjusted_rand_score(truth, _segments_of(ids)) >= 0.9
    assert sum(segment.size for segment in run.segments.all()) == len(ids)


def test_agglomerative_from_the_command_fits_on_its_capped_sample(four_groups):
    _run("train_segments", "--clusters", "4", "--algorithm", "agglomerative")
    assert SegmentationRun.objects.get().parameters["fit_sample_size"] == 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--algorithm", "agglomerative", "--sample-size", "50000"],
            "at most 10,000 candidates \\(got 50,000\\)",
        ),
        (
            ["--algorithm", "gmm", "--sample-size", "0", "--svd-components", "0"],
            "Gaussian mixture needs dense input",
        ),
    ],
)
def test_an_algorithm_that_would_not_fit_in_memory_is_refused_with_a_way_out(
    four_groups, args, message
):
    with pytest.raises(CommandError, match=message):
        _run("train_segments", "--clusters", "4", *args)
    assert not SegmentationRun.objects.exists()


def test_auto_k_with_another_algorithm(four_groups_for_auto_k):
    _run("train_segments", "--clusters", "auto", "--k-max", "6", "--algorithm", "agglomerative")
    run = SegmentationRun.objects.get()
    assert (run.algorithm, run.k_auto, run.n_clusters) == ("agglomerative", True, 4)
