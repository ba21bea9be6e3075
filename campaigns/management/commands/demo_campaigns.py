"""manage.py demo_campaigns: three job openings and a campaign for the demo (make run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from campaigns.demo import demo_campaigns_create


class Command(BaseCommand):
    help = (
        "Create three demo job openings and one campaign targeting the segments suggested for "
        "the first, unless the database already has a job opening."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        openings, campaigns = demo_campaigns_create(start_date=timezone.localdate())
        if not openings:
            self.stdout.write("Job openings exist already: no demo ones added.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Added {openings} demo job openings and {campaigns} campaign.")
        )
