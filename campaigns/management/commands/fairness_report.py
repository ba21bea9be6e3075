"""manage.py fairness_report --run ID | --campaign ID: selection rates and impact ratios."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.fairness import NoActiveRunError, campaign_fairness
from campaigns.models import Campaign
from segmentation.models import SegmentationRun
from segmentation.presenters.fairness import (
    ScopeFairness,
    fairness_csv_rows,
    fairness_text_lines,
    run_fairness,
)


class Command(BaseCommand):
    help = (
        "Report, by self-reported sex, age band, race/ethnicity and sex x race/ethnicity, each "
        "group's selection rate and impact ratio: for each segment of a run (--run) or for a "
        "campaign's audience (--campaign). Ratios under 0.8 are flagged; groups under 2% are "
        "excluded from the ratios. --csv prints CSV instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--run", type=int, help="A trained run's id.")
        which.add_argument("--campaign", type=int, help="A campaign's id.")
        parser.add_argument("--csv", action="store_true", help="Print CSV rows instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = self._scopes(options)
        if options["csv"]:
            csv.writer(self.stdout).writerows(fairness_csv_rows(scopes))
            return
        for line in fairness_text_lines(scopes):
            self.stdout.write(line)

    def _scopes(self, options: dict[str, Any]) -> list[ScopeFairness]:
        if options["run"] is not None:
            run = SegmentationRun.objects.filter(
                pk=options["run"], status=SegmentationRun.Status.TRAINED
            ).first()
            if run is None:
                raise CommandError(f"There is no trained run with id {options['run']}.")
            if run.assignments_pruned:
                raise CommandError(
                    f"Run {run.pk}'s assignment rows were pruned; activate it to report on it."
                )
            return run_fairness(run)
        campaign = Campaign.objects.filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"There is no campaign with id {options['campaign']}.")
        try:
            return [campaign_fairness(campaign)]
        except NoActiveRunError as exc:
            raise CommandError(str(exc)) from exc
