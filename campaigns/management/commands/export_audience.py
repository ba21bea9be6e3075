"""manage.py export_audience CAMPAIGN_ID --format google|meta|linkedin --output FILE."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.audience_files import (
    AudienceExportRefused,
    audience_csv_write,
    audience_export_prepare,
)
from campaigns.audience_formats import FORMATS, Platform
from campaigns.models import Campaign

STDOUT = "-"


class Command(BaseCommand):
    help = (
        "Write a campaign's audience (its target segments in the active run, without those who "
        "may not be contacted) as an ad platform's customer list: Google Ads Customer Match, "
        "a Meta custom audience or a LinkedIn matched audience. Emails are SHA-256 hashed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign_id", type=int, help="The campaign's id.")
        parser.add_argument(
            "--format",
            required=True,
            choices=[platform.value for platform in Platform],
            help="The platform whose customer-list format to write.",
        )
        parser.add_argument(
            "--output", required=True, help="The CSV file to write, or '-' for standard output."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        platform = Platform(options["format"])
        try:
            export = audience_export_prepare(
                campaign_id=options["campaign_id"], platform=platform, user=None
            )
        except Campaign.DoesNotExist as exc:
            raise CommandError(f"There is no campaign with id {options['campaign_id']}.") from exc
        except AudienceExportRefused as exc:
            raise CommandError(str(exc)) from exc
        if export.warning:
            self.stderr.write(self.style.WARNING(f"Warning: {export.warning}"))
        label = FORMATS[platform].label
        target: str = options["output"]
        if target == STDOUT:
            rows = audience_csv_write(export=export, out=self.stdout)
            # The CSV owns standard output; the summary must not end up inside it.
            self.stderr.write(self.style.SUCCESS(f"Exported {_people(rows)} for {label}."))
            return
        path = Path(target)
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write {path}: the folder {path.parent} does not exist.")
        # Written beside the target and renamed when complete: a failure leaves no half file.
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                rows = audience_csv_write(export=export, out=out)
            os.replace(temporary, path)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stdout.write(self.style.SUCCESS(f"Exported {_people(rows)} for {label} to {path}."))


def _people(count: int) -> str:
    return f"{count:,} " + ("person" if count == 1 else "people")
