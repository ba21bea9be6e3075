"""The segmentation pages through the test client: rights, empty states, retrain, rename."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from segmentation.ml.pipeline import ClusteringConfig
from segmentation.ml.stages import job_stages
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import members
from tests.factories import CampaignFactory


@pytest.fixture
def active_run(grouped_candidates) -> SegmentationRun:
    run = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 3}))
    segmentation_activate(run=run)
    return run


@pytest.fixture
def recruiter(django_user_model):
    user = django_user_model.objects.create_user("rec", "rec@example.org", "pw-rec-123!")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def test_pages_need_a_login(client, active_run):
    segment = active_run.segments.first()
    for url in (reverse("segments"), reverse("segment", args=[segment.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_pages_need_the_view_permission(client, django_user_model, active_run):
    nobody = django_user_model.objects.create_user("nobody", "n@example.org", "pw-nobody-123!")
    client.force_login(nobody)
    assert client.get(reverse("segments")).status_code == 403
    segment = active_run.segments.first()
    assert client.get(reverse("segment", args=[segment.pk])).status_code == 403


def test_overview_shows_the_active_model_and_every_segment(client, recruiter, active_run):
    client.force_login(recruiter)
    response = client.get(reverse("segments"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Active model" in page and "90" in page
    for segment in active_run.segments.all():
        assert segment.name in page
    charts = _chart_data(page)
    assert sum(charts["sizes"]) == 90 and len(charts["projection"]) == 3
    # A recruiter sees no retrain form.
    assert 'id="retrain-form"' not in page


def _chart_data(page: str) -> dict:
    """The data the page's charts draw, as the browser reads it."""
    found = re.search(r'<script id="segment-chart-data"[^>]*>(.*?)</script>', page)
    assert found is not None, "no chart data on the page"
    return json.loads(found.group(1))


def test_the_charts_follow_a_renamed_segment_and_a_new_run(client, trainer, active_run):
    trainer.user_permissions.add(Permission.objects.get(codename="change_segment"))
    client.force_login(trainer)
    first = _chart_data(client.get(reverse("segments")).content.decode())
    segment = active_run.segments.order_by("number").first()
    client.post(reverse("segment", args=[segment.pk]), {"name": "Seniors in Berlin"})
    page = client.get(reverse("segments")).content.decode()
    assert _chart_data(page)["segments"][0] == "Seniors in Berlin"
    assert _chart_data(page)["projection"] == first["projection"]
    # A new run with other segments: its charts, not the cached ones of the run before.
    newer = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 4}))
    segmentation_activate(run=newer)
    charts = _chart_data(client.get(reverse("segments")).content.decode())
    assert len(charts["segments"]) == len(charts["projection"]) == 4
    assert charts["sizes"] == list(newer.segments.order_by("number").values_list("size", flat=True))


def test_overview_without_a_model_says_so(client, trainer, db):
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert "No segmentation yet" in page and 'id="retrain-form"' in page
    assert "segment-chart-data" not in page


def test_retrain_queues_one_job_and_refuses_a_second(client, trainer, grouped_candidates):
    client.force_login(trainer)
    response = client.post(reverse("segments-retrain"), {"n_clusters": 3}, follow=True)
    job = SegmentationJob.objects.get()
    assert job.status == SegmentationJob.Status.QUEUED and job.created_by == trainer
    assert job.parameters["config"]["n_clusters"] == 3 and job.parameters["activate"] is False
    assert f"(job {job.pk})" in response.content.decode()

    response = client.post(reverse("segments-retrain"), {"n_clusters": 4}, follow=True)
    assert "Only one segmentation job runs at a time" in response.content.decode()
    assert SegmentationJob.objects.count() == 1


@pytest.mark.parametrize("k", ["-3", "0", "1", "51", "10000", "abc", ""])
def test_retrain_refuses_absurd_k(client, trainer, grouped_candidates, k):
    client.force_login(trainer)
    response = client.post(reverse("segments-retrain"), {"n_clusters": k}, follow=True)
    assert "Training not started" in response.content.decode()
    assert not SegmentationJob.objects.exists()


def test_retrain_needs_the_train_permission(client, recruiter, grouped_candidates):
    client.force_login(recruiter)
    assert client.post(reverse("segments-retrain"), {"n_clusters": 3}).status_code == 403
    assert not SegmentationJob.objects.exists()


def test_retrain_needs_csrf(trainer, grouped_candidates):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    assert client.post(reverse("segments-retrain"), {"n_clusters": 3}).status_code == 403
    assert not SegmentationJob.objects.exists()


def test_job_status_reports_progress(client, recruiter, grouped_candidates):
    from segmentation.jobs.start import segmentation_job_start

    job = segmentation_job_start(
        kind=SegmentationJob.Kind.TRAIN,
        config=ClusteringConfig.from_dict({"n_clusters": 3}),
    )
    client.force_login(recruiter)
    state = client.get(reverse("segmentation-job", args=[job.pk])).json()
    assert state["status"] == "queued" and state["in_progress"] is True
    assert state["progress"] == 0


def test_segment_detail_compares_with_the_pool_and_lists_campaigns(client, recruiter, active_run):
    segment = active_run.segments.order_by("-size").first()
    campaign = CampaignFactory(name="Backend push")
    campaign.target_segments.add(segment)
    client.force_login(recruiter)
    response = client.get(reverse("segment", args=[segment.pk]))
    page = response.content.decode()
    assert "Profile against all candidates" in page
    assert "Years of experience (median)" in page
    assert "Desired salary (median, USD)" in page
    assert "Backend push" in page
    shown = response.context["candidates"]
    assert len(shown) == segment.size and all(c.segment.pk == segment.pk for c in shown)
    # A recruiter without change_segment sees no rename form and cannot post one.
    assert 'id="rename-form"' not in page
    client.post(reverse("segment", args=[segment.pk]), {"name": "Mine"})
    assert Segment.objects.get(pk=segment.pk).name == segment.name


def test_segment_candidates_are_paged_by_id(client, recruiter, active_run):

    segment = active_run.segments.order_by("-size").first()
    client.force_login(recruiter)
    url = reverse("segment", args=[segment.pk])
    first = client.get(url).context
    ids = [c.pk for c in first["candidates"]]
    expected = list(
        members(segment).order_by("id").values_list("pk", flat=True)
    )
    assert ids == expected[:50]
    if len(expected) > 50:
        second = client.get(url, {"after": first["next_after"]}).context
        assert [c.pk for c in second["candidates"]] == expected[50:100]


def test_rename_keeps_the_name_escaped(client, trainer, active_run):
    trainer.user_permissions.add(Permission.objects.get(codename="change_segment"))
    segment = active_run.segments.first()
    client.force_login(trainer)
    response = client.post(
        reverse("segment", args=[segment.pk]), {"name": "<script>alert(1)</script>"}, follow=True
    )
    assert Segment.objects.get(pk=segment.pk).name == "<script>alert(1)</script>"
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unknown_segment_is_404(client, recruiter, db):
    client.force_login(recruiter)
    assert client.get(reverse("segment", args=[999_999])).status_code == 404


def test_model_figures_sit_in_details_closed_for_a_recruiter_open_for_a_data_admin(
    client, recruiter, trainer, active_run
):
    client.force_login(recruiter)
    page = client.get(reverse("segments")).content.decode()
    card = page.split('id="active-model"', 1)[1].split("</section>", 1)[0]
    before, details = card.split("<details", 1)
    # The recruiter's card leads with the run, k, candidates and date; the figures wait inside.
    assert "Inertia" not in before and "Silhouette" not in before
    assert details.startswith(' id="model-details">') and 'id="model-inertia"' in details
    assert '<details id="model-details" open>' not in page

    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert '<details id="model-details" open>' in page
def test_the_retrain_form_offers_the_engines_with_the_configured_one_chosen(
    client, trainer, settings
):
    settings.ADFLUX_ENGINE = "spark"
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert '<option value="spark" selected>Spark cluster</option>' in page
    assert '<option value="local">Local (this machine)</option>' in page


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="On SQLite the Spark engine is refused (below)."
)
def test_retrain_on_the_spark_engine_queues_a_job_with_its_cluster_stage(
    client, trainer, grouped_candidates
):
    client.force_login(trainer)
    client.post(reverse("segments-retrain"), {"n_clusters": 3, "engine": "spark"})
    job = SegmentationJob.objects.get()
    assert job.parameters["engine"] == "spark"
    assert job.stages_total == len(job_stages(train=True, activate=False, spark=True))


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="On PostgreSQL the Spark engine is offered (above)."
)
def test_retrain_on_the_spark_engine_is_refused_on_sqlite_with_the_reason(
    client, trainer, grouped_candidates
):
    client.force_login(trainer)
    response = client.post(
        reverse("segments-retrain"), {"n_clusters": 3, "engine": "spark"}, follow=True
    )
    assert "reads and writes the candidates through PostgreSQL" in response.content.decode()
    assert not SegmentationJob.objects.exists()


def test_retrain_refuses_an_unknown_engine(client, trainer, grouped_candidates):
    client.force_login(trainer)
    response = client.post(
        reverse("segments-retrain"), {"n_clusters": 3, "engine": "dask"}, follow=True
    )
    assert "Training not started" in response.content.decode()
    assert not SegmentationJob.objects.exists()
