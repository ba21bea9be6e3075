"""The audit page and CSV: data admins read and filter; recruiters are refused."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.kinds import AuditKind
from audit.models import AuditEntry
from audit.services import audit_record
from audit.views import PAGE_SIZE
from tests.roles import role_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_admin(django_user_model):
    user = django_user_model.objects.create_user("dana", password="pw-dana-123!")
    user.groups.add(role_group("Data admin"))
    return user


@pytest.fixture
def recruiter(django_user_model):
    user = django_user_model.objects.create_user("rita", password="pw-rita-123!")
    user.groups.add(role_group("Recruiter"))
    return user


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_recruiters_get_403_on_the_page_and_the_csv(client, recruiter):
    client.force_login(recruiter)
    assert client.get(reverse("audit")).status_code == 403
    assert client.get(reverse("audit-csv")).status_code == 403


def test_a_data_admin_filters_by_kind_who_and_dates(client, data_admin):
    audit_record(kind=AuditKind.CANDIDATES_IMPORTED, user=data_admin, details={"created": 5})
    audit_record(kind=AuditKind.TRAINING_STARTED, details={"candidates": 90})
    AuditEntry.objects.create(
        at=timezone.now() - datetime.timedelta(days=30),
        kind=AuditKind.CANDIDATES_IMPORTED,
        via=AuditEntry.Via.COMMAND,
        details={"created": 99},
    )
    client.force_login(data_admin)
    everything = client.get(reverse("audit"))
    assert everything.status_code == 200
    assert len(everything.context["page"].object_list) == 3

    imports = client.get(reverse("audit"), {"kind": "candidates.imported"})
    assert [e.details["created"] for e in imports.context["page"].object_list] == [5, 99]
    by_dana = client.get(reverse("audit"), {"who": "dana"})
    assert [e.kind for e in by_dana.context["page"].object_list] == ["candidates.imported"]
    by_command = client.get(reverse("audit"), {"who": "command"})
    assert len(by_command.context["page"].object_list) == 2
    today = timezone.localdate().isoformat()
    recent = client.get(reverse("audit"), {"since": today, "until": today})
    assert len(recent.context["page"].object_list) == 2
    backwards = client.get(reverse("audit"), {"since": today, "until": "2020-01-01"})
    assert backwards.status_code == 400
    assert "before the start date" in backwards.content.decode()


def test_the_page_is_paginated_keeping_the_filters(client, data_admin):
    for number in range(PAGE_SIZE + 3):
        audit_record(kind=AuditKind.CANDIDATES_EXPORTED, details={"rows": number})
    client.force_login(data_admin)
    first = client.get(reverse("audit"), {"kind": "candidates.exported"})
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert "kind=candidates.exported&amp;page=2" in first.content.decode()
    second = client.get(reverse("audit"), {"kind": "candidates.exported", "page": 2})
    assert [e.details["rows"] for e in second.context["page"].object_list] == [2, 1, 0]


def test_the_csv_streams_the_filtered_entries_with_formulas_defused(client, data_admin):
    campaign_like = AuditEntry.objects.create(
        kind=AuditKind.CAMPAIGN_CREATED,
        via=AuditEntry.Via.WEB,
        username="dana",
        object_type="campaigns.campaign",
        object_id="7",
        object_repr='=HYPERLINK("http://evil")',
        details={"status": "draft"},
    )
    audit_record(kind=AuditKind.TRAINING_STARTED, details={"candidates": 90})
    client.force_login(data_admin)
    response = client.get(reverse("audit-csv"), {"kind": "campaign.created"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["at", "who", "via", "kind", "object_type", "object_id", "object", "details"]
    assert len(rows) == 2
    at, who, via, kind, object_type, object_id, shown, details = rows[1]
    assert at == campaign_like.at.isoformat()
    assert (who, via, kind, object_id) == ("dana", "web", "campaign.created", "7")
    assert shown == '\'=HYPERLINK("http://evil")'
    assert details == '{"status": "draft"}'
