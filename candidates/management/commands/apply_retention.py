"""manage.py apply_retention: erase candidates unchanged for ADFLUX_CANDIDATE_RETENTION_DAYS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from candidates.services.erasure import candidates_retention_apply


class Command(BaseCommand):
    help = (
        "Erase every candidate not changed for more than ADFLUX_CANDIDATE_RETENTION_DAYS days, "
        "as erase_candidate does. With the setting unset, candidates are kept and nothing happens."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.ADFLUX_CANDIDATE_RETENTION_DAYS
        if days is None:
            self.stdout.write("ADFLUX_CANDIDATE_RETENTION_DAYS is not set: candidates are kept.")
            return
        erased = candidates_retention_apply(days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased {len(erased)} candidate(s) unchanged for more than {days} days."
            )
        )
