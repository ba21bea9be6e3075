"""manage.py prune_audit: delete audit entries older than ADFLUX_AUDIT_RETENTION_DAYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import AUDIT_RETENTION_FLOOR_DAYS, AuditRetentionError, audit_prune


class Command(BaseCommand):
    help = (
        "Delete the audit entries older than the retention period (ADFLUX_AUDIT_RETENTION_DAYS, "
        f"default 400 days, never under {AUDIT_RETENTION_FLOOR_DAYS}). Run it daily (cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            help="Keep this many days instead of the setting (at least "
            f"{AUDIT_RETENTION_FLOOR_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            deleted = audit_prune(retention_days=options["days"])
        except AuditRetentionError as exc:
            raise CommandError(str(exc)) from exc
        noun = "entry" if deleted == 1 else "entries"
        self.stdout.write(self.style.SUCCESS(f"Pruned {deleted:,} audit {noun}."))
