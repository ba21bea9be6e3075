"""Reading the audit trail: entries filtered as the audit page and its CSV ask."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    """What the page filters by; ``None`` or blank is "any"."""

    kind: str = ""
    who: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


def audit_entries(filters: AuditFilters = AuditFilters()) -> QuerySet[AuditEntry]:
    """Entries, newest first, narrowed by kind, who (a username, "command" or "worker") and
    an inclusive range of days (in the site's time zone)."""
    entries = AuditEntry.objects.all()
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.who:
        if filters.who in (AuditEntry.Via.COMMAND, AuditEntry.Via.WORKER):
            entries = entries.filter(username="", via=filters.who)
        else:
            entries = entries.filter(username=filters.who)
    if filters.since is not None:
        entries = entries.filter(at__gte=_start_of(filters.since))
    if filters.until is not None:
        entries = entries.filter(at__lt=_start_of(filters.until + datetime.timedelta(days=1)))
    return entries.order_by("-at", "-id")


def audit_usernames() -> list[str]:
    """Everyone who appears in the trail, for the page's "who" choices."""
    names = AuditEntry.objects.exclude(username="").order_by("username")
    return list(names.values_list("username", flat=True).distinct())


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
