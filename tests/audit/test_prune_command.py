"""manage.py prune_audit: what it says and refuses."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.kinds import AuditKind
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_prune_audit_reports_how_many_it_removed():
    for days in (500, 450, 10):
        AuditEntry.objects.create(
            at=timezone.now() - datetime.timedelta(days=days),
            kind=AuditKind.RUN_ACTIVATED,
            via=AuditEntry.Via.WORKER,
        )
    out = StringIO()
    call_command("prune_audit", stdout=out)  # the default retention: 400 days
    assert "Pruned 2 audit entries." in out.getvalue()
    assert AuditEntry.objects.filter(kind=AuditKind.RUN_ACTIVATED).count() == 1


def test_prune_audit_refuses_days_under_the_floor():
    with pytest.raises(CommandError, match="at least 183"):
        call_command("prune_audit", "--days", "90", stdout=StringIO())
