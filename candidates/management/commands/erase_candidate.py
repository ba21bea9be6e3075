"""manage.py erase_candidate --email X: erase a person at their request (GDPR art. 17)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.services.erasure import ErasureError, candidate_erase


class Command(BaseCommand):
    help = (
        "Erase everything held about the person with this email (profile, skills, segment "
        "assignments, messages, applications' personal data) in one transaction, and put a "
        "keyed hash of the email on the suppression list so no import brings them back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The person's email (any case).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            erasure = candidate_erase(email=options["email"])
        except ErasureError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(erasure.summary()))
