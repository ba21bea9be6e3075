"""Each consequential act that exists today leaves one audit entry with its particulars."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.kinds import AuditKind
from audit.models import AuditEntry
from audit.via import AuditVia, audit_via
from candidates.csv_format import COLUMNS
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.factories import CampaignFactory, JobOpeningFactory

pytestmark = pytest.mark.django_db


def _only(kind: AuditKind) -> AuditEntry:
    return AuditEntry.objects.get(kind=kind)


def test_training_and_activation_record_who_what_data_and_metrics(grouped_candidates, trainer):
    with audit_via(AuditVia.WORKER):
        first = segmentation_train(n_clusters=3, user=trainer)
        segmentation_activate(run=first, user=trainer)
    second = segmentation_train(n_clusters=3)
    segmentation_activate(run=second)

    started = AuditEntry.objects.filter(kind=AuditKind.TRAINING_STARTED).order_by("id")
    assert [(e.who, e.via, e.object_id) for e in started] == [
        ("trainer", "worker", str(first.pk)),
        ("command", "command", str(second.pk)),
    ]
    assert started[0].details["candidates"] == 90
    assert started[0].details["k"] == 3
    assert started[0].details["parameters"] == first.parameters

    finished = AuditEntry.objects.filter(kind=AuditKind.TRAINING_FINISHED).order_by("id")[0]
    assert finished.details["inertia"] == pytest.approx(first.inertia)
    assert finished.details["silhouette"] == pytest.approx(first.silhouette)
    assert sum(finished.details["segment_sizes"]) == 90
    assert finished.details["quality"] == first.quality

    activations = AuditEntry.objects.filter(kind=AuditKind.RUN_ACTIVATED).order_by("id")
    assert [(e.username, e.details["run"], e.details["previous_run"]) for e in activations] == [
        ("trainer", first.pk, None),
        ("", second.pk, first.pk),
    ]
    assert activations[1].details["candidates"] == 90
    second.refresh_from_db()
    assert activations[1].details["moved"] == second.migration_summary["moving"]


def test_a_failed_training_is_recorded_with_its_reason(grouped_candidates, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the model folder should be")
    settings.ADFLUX_MODEL_DIR = blocker
    with pytest.raises(Exception):  # noqa: B017 - whichever error the save raises
        segmentation_train(n_clusters=3)
    failed = _only(AuditKind.TRAINING_FAILED)
    assert failed.details["error"]
    assert not AuditEntry.objects.filter(kind=AuditKind.TRAINING_FINISHED).exists()


def test_an_import_records_its_counts(tmp_path: Path):
    path = tmp_path / "people.csv"
    path.write_text(
        ",".join(COLUMNS) + "\na,A,a@example.org,,,,,,\nb,B,b@example.org,,,-3,,,\n",
        encoding="utf-8",
    )
    call_command("import_candidates", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    entry = _only(AuditKind.CANDIDATES_IMPORTED)
    assert entry.who == "command"
    assert entry.details | {} == {
        "file": "people.csv",
        "encoding": "utf-8-sig",
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }


def test_an_export_records_rows_and_scope(tmp_path: Path, grouped_candidates):
    call_command("export_candidates", str(tmp_path / "out.csv"), stdout=io.StringIO())
    entry = _only(AuditKind.CANDIDATES_EXPORTED)
    assert entry.details == {"format": "csv", "rows": 90, "scope": "every candidate"}


def test_campaign_creation_and_status_changes_record_the_person(client, superuser):
    from campaigns.models import Campaign
    from segmentation.models import Segment, SegmentationRun

    run = SegmentationRun.objects.create(status="trained", is_active=True, n_clusters=1)
    segment = Segment.objects.create(run=run, number=0, name="Everyone")
    campaign = CampaignFactory(job_opening=JobOpeningFactory(), status="active")
    campaign.target_segments.set([segment])
    client.force_login(superuser)
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    data = {
        "name": campaign.name,
        "job_opening": campaign.job_opening_id,
        "budget": "100",
        "start_date": "2026-03-01",
        "target_segments": [segment.pk],
    }
    for status in ("paused", "paused", "active", "ended"):
        assert client.post(url, {**data, "status": status}).status_code == 302
    entries = AuditEntry.objects.filter(object_type="campaigns.campaign").order_by("id")
    assert [(e.kind, e.details) for e in entries] == [
        ("campaign.paused", {"from": "active", "to": "paused"}),
        ("campaign.status_changed", {"from": "paused", "to": "active"}),
        ("campaign.ended", {"from": "active", "to": "ended"}),
    ]
    assert {(e.username, e.via, e.object_id) for e in entries} == {
        ("root", "web", str(campaign.pk))
    }
    assert Campaign.objects.get().status == "ended"
