"""manage.py send_campaign CAMPAIGN_ID: send the campaign's job-ad email to its audience."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.models import Campaign
from campaigns.sending import CampaignSendError, SendReport, campaign_send


class Command(BaseCommand):
    help = (
        "Send the campaign's job-ad email to every audience member not yet sent it (each "
        "candidate at most once per campaign, ever; a send stopped midway continues with the "
        "rest). The mail server comes from EMAIL_URL, the pace from ADFLUX_EMAIL_RATE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign_id", type=int, help="The id of an active campaign.")
        parser.add_argument(
            "--rate",
            type=float,
            help="Messages per second at most (default ADFLUX_EMAIL_RATE; 0 for no limit).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rate: float | None = options["rate"]
        if rate is not None and rate < 0:
            raise CommandError("--rate must be 0 (no limit) or more.")
        campaign = (
            Campaign.objects.select_related("job_opening").filter(pk=options["campaign_id"]).first()
        )
        if campaign is None:
            raise CommandError(f"There is no campaign with id {options['campaign_id']}.")
        verbose = options["verbosity"] > 1

        def progress(report: SendReport) -> None:
            if verbose and report.done:
                self.stdout.write(f"{report.done:,}/{report.total:,}")

        try:
            report = campaign_send(campaign=campaign, on_progress=progress, rate=rate)
        except CampaignSendError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Campaign “{campaign.name}”: {report.summary()}"))
