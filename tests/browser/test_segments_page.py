"""A recruiter sees the segments with charts; a data admin retrains through the real worker."""

from __future__ import annotations

import re

import pytest

from candidates.services.generation import candidates_generate
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def segmented(transactional_db):
    candidates_generate(count=3_000, seed=11)
    run = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 5}))
    segmentation_activate(run=run)
    return run


def test_segments_page_shows_the_model_and_its_charts(page, screens, segmented, superuser):
    log_in(page, "root", "pw-root-123!")
    page.goto("/segments/")

    rows = page.locator("#segments-table tbody tr")
    assert rows.count() == 5
    sizes = [segment.size for segment in segmented.segments.order_by("number")]
    assert rows.first.locator("td").nth(1).inner_text() == f"{sizes[0]:,}"
    assert page.locator("#active-total").inner_text() == "3,000"

    # Each chart was drawn by the Chart.js shipped with the app, with the page's figures.
    for chart in ("chart-sizes", "chart-projection", "chart-years", "chart-salary"):
        page.wait_for_selector(f"#{chart}[data-drawn=true]")
    drawn_sizes = page.evaluate(
        "document.getElementById('chart-sizes').chart.data.datasets[0].data"
    )
    assert drawn_sizes == sizes
    points = page.evaluate(
        "document.getElementById('chart-projection').chart.data.datasets"
        ".reduce((n, d) => n + d.data.length, 0)"
    )
    assert points == 1_500
    screens.take("segments")

    page.click("#segments-table tbody tr >> nth=0 >> a")
    page.wait_for_selector("#chart-skills[data-drawn=true]")
    assert page.locator("#segment-size").inner_text() == f"{sizes[0]:,}"
    screens.take("segment-detail")


def test_retrain_runs_in_the_worker_then_a_person_reads_the_summary_and_activates(
    page, screens, segmented, superuser, worker
):
    log_in(page, "root", "pw-root-123!")
    page.goto("/segments/")
    page.fill("#id_n_clusters", "4")
    page.click("#retrain-form button[type=submit]")

    page.wait_for_selector("text=Training with k=4 started in the background")
    badge = page.locator("#job-badge")
    assert badge.inner_text() in {"Queued", "Running", "Succeeded"}
    screens.take("job-started")

    # The page polls the job and reloads itself when it ends: the new run waits, inactive,
    # with how candidates would move; the old run's segments are still the ones shown.
    page.wait_for_selector("#job-badge.succeeded", timeout=120_000)
    trained = SegmentationRun.objects.order_by("-pk").first()
    assert (trained.n_clusters, trained.is_active, trained.created_by) == (4, False, superuser)
    assert re.search(r"Job \d+: train with k=4", page.locator("#job-summary").inner_text())
    card = page.locator("#pending-run")
    assert card.locator("h2").inner_text() == f"Run {trained.pk} is trained, not active"
    moving = trained.migration_summary["moving"]
    assert (
        card.locator("#pending-moving")
        .inner_text()
        .startswith(f"{moving:,} of 3,000 candidates would change segment")
    )
    flows = card.locator("#migration-table tbody tr")
    assert flows.count() == len(trained.migration_summary["flows"])
    first_flow = trained.migration_summary["flows"][0]
    assert flows.first.locator("td").nth(2).inner_text() == f"{first_flow[2]:,}"
    assert page.locator("#segments-table tbody tr").count() == 5
    assert SegmentationRun.objects.get(is_active=True) == segmented
    screens.take("trained-not-active")

    page.get_by_role("button", name=f"Activate run {trained.pk}").click()
    # Activation asks first, with the candidates that would move.
    assert page.locator("#activate-moving").inner_text() == f"{moving:,}"
    page.click("#activate-confirm-button")
    page.wait_for_selector(f"text=Activating run {trained.pk} in the background")
    page.wait_for_selector("#job-badge.succeeded", timeout=120_000)
    assert page.locator("#segments-table tbody tr").count() == 4
    assert page.locator("#pending-run").count() == 0
    trained.refresh_from_db()
    assert trained.is_active
    sizes = sorted(segment.size for segment in trained.segments.all())
    shown = page.locator("#segments-table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(int(text.replace(",", "")) for text in shown) == sizes
    screens.take("activated")


def test_a_user_without_rights_is_sent_to_log_in(page):
    page.goto("/segments/")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=/segments/$"))
    assert page.locator("h1").inner_text() == "Log in to AdFlux"
