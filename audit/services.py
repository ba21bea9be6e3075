"""Writing the audit trail: record an act; prune entries past the retention period.

Record inside the transaction of the act itself where there is one: an act rolled back then
leaves no entry, and a committed act always has one.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, models, transaction
from django.utils import timezone

from audit.kinds import AuditKind
from audit.models import AuditEntry
from audit.via import audit_via_current

# EU AI Act, Article 26(6): deployers of a high-risk system keep its logs for at least six
# months. The trigger of migration 0002 holds the same floor in PostgreSQL itself.
AUDIT_RETENTION_FLOOR_DAYS = 183
# The session setting under which the trigger lets the prune delete rows past the floor.
PRUNE_SETTING = "adflux.audit_prune"


class AuditRetentionError(ValueError):
    """A retention period shorter than the law allows."""


def audit_record(
    *,
    kind: AuditKind,
    user: AbstractBaseUser | AnonymousUser | None = None,
    target: models.Model | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: ``kind`` done by ``user`` (None: the command line or the worker).

    ``target`` is the object acted on (its type, id and name are kept as text, so the entry
    outlives it); ``details`` is JSON-ready (dates, decimals allowed).
    """
    kind = AuditKind(kind)  # an unknown kind fails here, not on the audit page
    known = user is not None and user.is_authenticated
    return AuditEntry.objects.create(
        kind=kind.value,
        user_id=user.pk if known else None,
        username=user.get_username() if known else "",
        via=audit_via_current(),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        details=dict(details or {}),
    )


def audit_retention_days(days: int | None = None) -> int:
    """The retention period in days (default: the setting), refused under the floor."""
    days = settings.ADFLUX_AUDIT_RETENTION_DAYS if days is None else days
    if days < AUDIT_RETENTION_FLOOR_DAYS:
        raise AuditRetentionError(
            f"The audit retention is {days} days; it must be at least "
            f"{AUDIT_RETENTION_FLOOR_DAYS} (six months: EU AI Act, Article 26(6)). "
            "Set ADFLUX_AUDIT_RETENTION_DAYS to 183 or more."
        )
    return days


def audit_prune(*, retention_days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Delete the entries older than the retention period; how many. The prune is recorded."""
    days = audit_retention_days(retention_days)
    before = (now or timezone.now()) - datetime.timedelta(days=days)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    column = connection.ops.quote_name(AuditEntry._meta.get_field("at").column)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only for this transaction; the trigger still refuses rows younger than the floor.
            cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
        # Raw SQL: the model's queryset refuses deletes, which is the point for everyone else.
        cursor.execute(
            f"DELETE FROM {table} WHERE {column} < %s",  # noqa: S608 - names are quoted
            [connection.ops.adapt_datetimefield_value(before)],
        )
        deleted = max(cursor.rowcount, 0)
        if deleted:
            audit_record(
                kind=AuditKind.AUDIT_PRUNED,
                details={"deleted": deleted, "before": before, "retention_days": days},
            )
    return deleted
