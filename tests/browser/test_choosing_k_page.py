"""The segmentation page charts how k was chosen, with the chosen k marked."""

from __future__ import annotations

import pytest

from candidates.services.generation import candidates_generate
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def auto_segmented(transactional_db):
    candidates_generate(count=3_000, seed=11)
    run = segmentation_train(config=ClusteringConfig(), k_range=(2, 8))
    segmentation_activate(run=run)
    return run


def test_the_k_chart_shows_every_k_tried_and_marks_the_chosen_one(
    page, screens, auto_segmented, superuser
):
    log_in(page, "root", "pw-root-123!")
    page.goto("/segments/")
    page.wait_for_selector("#chart-k-scores[data-drawn=true]")
    chart = "document.getElementById('chart-k-scores').chart"
    assert page.evaluate(f"{chart}.data.labels") == [2, 3, 4, 5, 6, 7, 8]
    silhouettes = page.evaluate(f"{chart}.data.datasets[0].data")
    assert silhouettes == [round(s["silhouette"], 4) for s in auto_segmented.k_scores]
    # The chosen k's point is drawn larger than the others.
    radii = page.evaluate(f"{chart}.data.datasets[0].pointRadius")
    chosen = auto_segmented.n_clusters
    assert radii[chosen - 2] > max(r for i, r in enumerate(radii) if i != chosen - 2)
    # The seed's preset (ClusteringConfig()) chooses by silhouette; the card gives its reason.
    assert page.locator("#k-choice").inner_text() == auto_segmented.k_reason
    assert auto_segmented.k_reason.startswith(f"k={chosen}: the best silhouette")
    page.locator("#choosing-k").scroll_into_view_if_needed()
    screens.take("choosing-k")


def test_a_stability_choice_charts_the_least_stable_segment_and_smallest_share(
    page, transactional_db, superuser
):
    candidates_generate(count=3_000, seed=11)
    run = segmentation_train(config=ClusteringConfig.recommended(), k_range=(2, 6))
    segmentation_activate(run=run)
    log_in(page, "root", "pw-root-123!")
    page.goto("/segments/")
    page.wait_for_selector("#chart-k-scores[data-drawn=true]")
    datasets = page.evaluate(
        "document.getElementById('chart-k-scores').chart.data.datasets"
        ".map((d) => ({label: d.label, data: d.data}))"
    )
    by_label = {dataset["label"]: dataset["data"] for dataset in datasets}
    assert by_label["Least stable segment (higher is better)"] == [
        round(s["segment_stability"], 4) for s in run.k_scores
    ]
    assert by_label["Smallest segment's share"] == [
        round(s["smallest_share"], 4) for s in run.k_scores
    ]
    assert page.locator("#k-choice").inner_text() == run.k_reason
