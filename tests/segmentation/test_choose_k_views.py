"""Automatic k and the algorithm from the segmentation page and the admin, and the k chart."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from segmentation.jobs.execute import segmentation_job_execute
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationJob
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import SEGMENTATION_DEFAULTS, segmentation_train
from tests.ml.conftest import make_profiles
from tests.ml.planted import make_planted_diffuse
from tests.segmentation.conftest import store_profiles

RETRAIN = reverse("segments-retrain")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_page_offers_automatic_k_and_every_algorithm(client, trainer, db):
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert "Choose k automatically (2–12)" in page
    assert 'name="auto_k"' in page
    for name in ("kmeans", "minibatch", "bisecting", "gmm", "agglomerative"):
        assert f'<option value="{name}"' in page
    assert re.search(r'<option value="kmeans" selected>K-means', page)


@pytest.fixture
def three_groups_for_auto_k(db) -> list[int]:
    """Three groups with one clear answer under the default's stability rule (see
    make_planted_diffuse: the regular planted groups hold real, stable sub-groups)."""
    return store_profiles(make_planted_diffuse(3, 30, seed=4)[0])


def test_retrain_with_automatic_k_and_an_algorithm_queues_that_job(
    client, trainer, three_groups_for_auto_k
):
    client.force_login(trainer)
    response = client.post(
        RETRAIN, {"n_clusters": "", "auto_k": "on", "algorithm": "bisecting"}, follow=True
    )
    job = SegmentationJob.objects.get()
    assert job.status == SegmentationJob.Status.QUEUED
    assert job.parameters["k_range"] == [2, 12]
    assert job.parameters["config"]["algorithm"] == "bisecting"
    assert any(
        message.startswith("Training with k chosen automatically (2–12) started")
        for message in _messages(response)
    )

    # What the worker then does with it: choose k, and record how.
    segmentation_job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == SegmentationJob.Status.SUCCEEDED, job.error
    assert job.run.k_auto and job.run.n_clusters == 3 and job.run.algorithm == "bisecting"
    assert job.run.k_rule == "stability" and job.run.k_reason.startswith("k=3: the largest k")
    assert [score["k"] for score in job.run.k_scores] == list(range(2, 13))


def test_retrain_with_an_algorithm_and_a_fixed_k(client, trainer, grouped_candidates):
    client.force_login(trainer)
    client.post(RETRAIN, {"n_clusters": 3, "algorithm": "agglomerative"})
    job = SegmentationJob.objects.get()
    assert "k_range" not in job.parameters
    config = job.parameters["config"]
    assert (config["algorithm"], config["n_clusters"], config["fit_sample_size"]) == (
        "agglomerative",
        3,
        10_000,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"n_clusters": 3, "algorithm": "dbscan"}, "Select a valid choice"),
        ({"n_clusters": ""}, "Enter the number of segments, or choose k automatically"),
    ],
)
def test_retrain_refuses_an_unknown_algorithm_or_no_k(
    client, trainer, grouped_candidates, data, message
):
    client.force_login(trainer)
    response = client.post(RETRAIN, data, follow=True)
    assert any(
        text.startswith("Training not started") and message in text for text in _messages(response)
    )
    assert not SegmentationJob.objects.exists()


def test_the_admin_train_form_queues_automatic_k_with_an_algorithm(client, trainer, db):
    store_profiles(make_profiles(5)[0])
    client.force_login(trainer)
    url = reverse("admin:segmentation_segmentationrun_train")
    form = client.get(url).content.decode()
    assert "Choose k automatically (2–12)" in form and 'name="algorithm"' in form
    response = client.post(url, {"n_clusters": 4, "auto_k": "on", "algorithm": "gmm"}, follow=True)
    job = SegmentationJob.objects.get()
    assert job.parameters["k_range"] == [2, 12]
    assert job.parameters["config"]["algorithm"] == "gmm"
    # The mixture starts once; the recommended default already reduces to its own 30 SVD
    # components, which the mixture keeps (its own 20 are for a configuration without SVD).
    assert (job.parameters["config"]["n_init"], job.parameters["config"]["svd_components"]) == (
        1,
        SEGMENTATION_DEFAULTS["svd_components"],
    )
    assert "Training with k chosen automatically (2–12) started" in response.content.decode()


@pytest.fixture
def auto_run(grouped_candidates):
    run = segmentation_train(config=ClusteringConfig(), k_range=(2, 6))
    segmentation_activate(run=run)
    return run


def test_the_page_charts_the_scores_and_marks_the_chosen_k(client, trainer, auto_run):
    client.force_login(trainer)
    response = client.get(reverse("segments"))
    page = response.content.decode()
    assert 'id="choosing-k"' in page and 'id="chart-k-scores"' in page
    silhouette = next(s["silhouette"] for s in auto_run.k_scores if s["k"] == 3)
    # The seed's preset (ClusteringConfig()) chooses by silhouette, and the page says so.
    assert auto_run.k_rule == "silhouette"
    assert f'<strong id="k-choice">k=3: the best silhouette ({silhouette:.3f}).</strong>' in page
    data = json.loads(
        re.search(r'<script id="k-score-data" type="application/json">(.*?)</script>', page)[1]
    )
    assert data["k"] == [2, 3, 4, 5, 6] and data["chosen"] == 3
    assert data["silhouette"][1] == max(data["silhouette"]) == round(silhouette, 4)
    assert data["inertia"] == [score["inertia"] for score in auto_run.k_scores]
    # The history says which runs chose their k.
    assert re.search(r'3 <span class="muted" title="k chosen automatically">\(auto\)</span>', page)


def test_a_run_with_a_fixed_k_has_no_k_chart(client, trainer, grouped_candidates):
    run = segmentation_train(config=ClusteringConfig(n_clusters=3))
    segmentation_activate(run=run)
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert "chart-k-scores" not in page and "k-score-data" not in page


def test_a_stability_choice_is_charted_with_its_reason(client, trainer, three_groups_for_auto_k):
    run = segmentation_train(config=ClusteringConfig.recommended(), k_range=(2, 6))
    segmentation_activate(run=run)
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert run.k_rule == "stability"
    assert f'<strong id="k-choice">{run.k_reason}</strong>' in page
    assert "best silhouette" not in page and "largest k whose every segment is stable" in page
    data = json.loads(
        re.search(r'<script id="k-score-data" type="application/json">(.*?)</script>', page)[1]
    )
    assert data["rule"] == "stability" and data["chosen"] == run.n_clusters
    assert data["segment_stability"] == [round(s["segment_stability"], 4) for s in run.k_scores]
    assert data["smallest_share"] == [round(s["smallest_share"], 4) for s in run.k_scores]


def test_a_silhouette_choice_has_no_stability_series(client, trainer, auto_run):
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    data = json.loads(
        re.search(r'<script id="k-score-data" type="application/json">(.*?)</script>', page)[1]
    )
    assert "segment_stability" not in data and "smallest_share" not in data
