"""The audit trail: one row per consequential act, written once and never changed.

The application refuses to change or delete a row (``save`` of a stored entry, queryset
``update``/``delete``); on PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE from
anyone, except the prune's DELETE of rows past the legal floor (services.audit_prune).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from audit.kinds import AuditKind
from audit.via import AuditVia


class AuditEntryImmutableError(Exception):
    """Someone tried to change or delete an audit entry."""


def _refuse(what: str) -> NoReturn:
    raise AuditEntryImmutableError(
        f"Audit entries are append-only: cannot {what} one. Old entries are removed only by "
        "manage.py prune_audit, past the retention period."
    )


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")


class AuditEntry(models.Model):
    """When, who, what kind of act, on which object, and its particulars."""

    Kind = AuditKind
    Via = AuditVia

    at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=40, help_text="One of audit.kinds.AuditKind.")
    # Not a foreign key: deleting a user must neither cascade to nor update the trail.
    user_id = models.IntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    via = models.CharField(max_length=10, choices=AuditVia.choices)
    object_type = models.CharField(
        max_length=100, blank=True, help_text='e.g. "campaigns.campaign"'
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            # The page lists newest first; the prune deletes by age.
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["kind", "at"], name="audit_kind_at_idx"),
            models.Index(fields=["username", "at"], name="audit_username_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.who}: {self.kind_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")

    @property
    def who(self) -> str:
        """The user, or the door when none acted (the command line, the worker)."""
        return self.username or self.via

    @property
    def kind_label(self) -> str:
        try:
            return str(AuditKind(self.kind).label)
        except ValueError:
            return self.kind
