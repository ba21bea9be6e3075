"""manage.py candidate_data --email X: everything held about a person, as JSON (GDPR art. 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.services.erasure import ErasureError, candidate_data


class Command(BaseCommand):
    help = "Print (or write to --output) everything AdFlux holds about the person with this email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The person's email (any case).")
        parser.add_argument("--output", type=Path, help="Write the JSON to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = candidate_data(email=options["email"])
        except ErasureError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        if options["output"] is None:
            self.stdout.write(text)
            return
        try:
            options["output"].write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}."))
