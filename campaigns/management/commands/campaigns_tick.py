"""manage.py campaigns_tick [--every SECONDS]: start and end campaigns on their dates.

Once (for cron or a systemd timer, every minute), or in a loop beside the background worker
(``--every 60``, as ``make run`` does). django-tasks has no periodic tasks, so the calendar's
check is its own small process; it is idempotent, so two of them do no harm. In a loop it also
does the daily housekeeping, once when it starts and then once a day: ``apply_retention``
(candidates unchanged past ``ADFLUX_CANDIDATE_RETENTION_DAYS``) and ``prune_audit``.
"""

from __future__ import annotations

import datetime
import signal
import time
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from campaigns.status_changes import campaigns_tick


class Command(BaseCommand):
    help = (
        "Start the scheduled campaigns whose start date has come and end those whose end date "
        "has passed. With --every SECONDS, keep checking until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="Check again every SECONDS (at least 0.1) until stopped; default: once.",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Check as if today were this date (default: today in TIME_ZONE).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every: float | None = options["every"]
        if every is not None and not every >= 0.1:
            raise CommandError("--every must be at least 0.1 seconds.")
        if every is None:
            self._tick(options["today"])
            return
        self._running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"Checking campaign dates every {every:g} s.")
        housekept: datetime.date | None = None
        while self._running:
            close_old_connections()
            try:
                self._tick(options["today"])
                if housekept != datetime.date.today():
                    self._housekeeping()
                    housekept = datetime.date.today()
            except DatabaseError as exc:
                # A database restart must not end the loop: the next check tries again.
                self.stderr.write(self.style.ERROR(f"Campaign dates not checked: {exc}"))
            close_old_connections()
            deadline = time.monotonic() + every
            while self._running and time.monotonic() < deadline:
                time.sleep(min(0.1, every))

    def _tick(self, today: datetime.date | None) -> None:
        tick = campaigns_tick(today=today)
        for label, ids in (("Started", tick.started), ("Ended", tick.ended)):
            if ids:
                listed = ", ".join(str(pk) for pk in ids)
                self.stdout.write(self.style.SUCCESS(f"{label} campaign(s) {listed}."))
        self.stdout.flush()

    def _housekeeping(self) -> None:
        """The daily chores: erase candidates past retention, prune the audit trail."""
        call_command("apply_retention", stdout=self.stdout, stderr=self.stderr)
        call_command("prune_audit", stdout=self.stdout, stderr=self.stderr)
        self.stdout.flush()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._running = False
