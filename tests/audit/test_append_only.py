"""The audit trail cannot be edited or deleted, by the app, the admin or (PostgreSQL) raw SQL."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.kinds import AuditKind
from audit.models import AuditEntry, AuditEntryImmutableError
from audit.services import AuditRetentionError, audit_prune, audit_record

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger exists only on PostgreSQL (make test runs this file there too)",
)


def _entry(days_old: float = 0) -> AuditEntry:
    return AuditEntry.objects.create(
        at=timezone.now() - datetime.timedelta(days=days_old),
        kind=AuditKind.CANDIDATES_IMPORTED,
        via=AuditEntry.Via.COMMAND,
        details={"created": 3},
    )


def test_a_stored_entry_refuses_save_update_and_delete():
    entry = audit_record(kind=AuditKind.CANDIDATES_IMPORTED, details={"created": 1})
    entry.details = {"created": 1000}
    with pytest.raises(AuditEntryImmutableError, match="append-only"):
        entry.save()
    with pytest.raises(AuditEntryImmutableError):
        entry.delete()
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(details={})
    with pytest.raises(AuditEntryImmutableError):
        AuditEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.details == {"created": 1}


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        audit_record(kind="made.up")  # type: ignore[arg-type]
    assert not AuditEntry.objects.exists()


def test_the_admin_shows_entries_but_offers_no_add_change_or_delete(client, superuser):
    entry = audit_record(kind=AuditKind.CANDIDATES_EXPORTED, user=superuser, details={"rows": 7})
    client.force_login(superuser)
    listing = client.get(reverse("admin:audit_auditentry_changelist"))
    assert listing.status_code == 200
    assert "Candidates exported" in listing.content.decode()
    assert "action-checkbox" not in listing.content.decode()  # no bulk delete
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200  # a read-only view
    assert 'name="_save"' not in page.content.decode()
    client.post(change_url, {"kind": "candidates.imported", "username": "someone else"})
    delete_url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.kind, entry.username) == ("candidates.exported", "root")


def test_prune_deletes_only_entries_past_the_retention_and_records_itself(settings):
    settings.ADFLUX_AUDIT_RETENTION_DAYS = 200
    old, kept = _entry(days_old=201), _entry(days_old=199)
    assert audit_prune() == 1
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and kept.pk in remaining
    pruned = AuditEntry.objects.get(kind=AuditKind.AUDIT_PRUNED)
    assert pruned.details["deleted"] == 1 and pruned.details["retention_days"] == 200


def test_prune_refuses_a_retention_under_the_floor(settings):
    old = _entry(days_old=190)
    with pytest.raises(AuditRetentionError, match="at least 183"):
        audit_prune(retention_days=182)
    settings.ADFLUX_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(AuditRetentionError, match="ADFLUX_AUDIT_RETENTION_DAYS"):
        audit_prune()
    assert AuditEntry.objects.filter(pk=old.pk).exists()


@on_postgres
def test_postgres_refuses_a_raw_update_and_delete():
    entry = _entry(days_old=1000)
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET details = '{{}}' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.details == {"created": 3}


@on_postgres
def test_postgres_lets_the_prune_setting_delete_only_rows_past_the_floor():
    young, old = _entry(days_old=100), _entry(days_old=200)
    table = AuditEntry._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('adflux.audit_prune', 'on', true)")
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [young.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('adflux.audit_prune', 'on', true)")
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [old.pk])
        assert cursor.rowcount == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [young.pk]
