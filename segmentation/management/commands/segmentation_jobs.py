"""manage.py segmentation_jobs [--cancel ID]: the recent jobs, or cancel one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from segmentation.jobs.start import segmentation_job_cancel, segmentation_jobs_recover_stale
from segmentation.ml.errors import SegmentationError
from segmentation.models import SegmentationJob
from segmentation.presenters.jobs import job_describe
from segmentation.selectors.runs import jobs_recent


class Command(BaseCommand):
    help = (
        "List the recent training and activation jobs (settling any whose worker is gone), or "
        "cancel one with --cancel ID: a queued job at once, a running one at its next stage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cancel", type=int, metavar="ID", help="The job to cancel.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cancel"] is None:
            segmentation_jobs_recover_stale()
            for job in jobs_recent():
                self.stdout.write(job_describe(job))
            return
        job = SegmentationJob.objects.filter(pk=options["cancel"]).first()
        if job is None:
            raise CommandError(f"There is no segmentation job with id {options['cancel']}.")
        try:
            said = segmentation_job_cancel(job=job, user=None)
        except SegmentationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(said))
