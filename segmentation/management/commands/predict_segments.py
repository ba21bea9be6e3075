"""Assign every candidate to a segment with a trained model and make that model active."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from segmentation.jobs import segmentation_job_run_here
from segmentation.ml.errors import SegmentationError
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.progress import ASSIGN_STAGES, StageProgress
from segmentation.selectors import run_latest_trained


class Command(BaseCommand):
    help = (
        "Activate a trained run (default: the newest): assign every candidate to a segment with "
        "it, carry campaign targets over to its segments' twins and make it the active run, in "
        "one transaction. Read the run's migration summary first (train_segments prints it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", type=int, help="Id of the trained run to apply.")
        parser.add_argument(
            "--json", action="store_true", help="Print the result as one JSON object instead."
        )

    def handle(self, *args: object, **options: object) -> None:
        run = None
        if options["run"] is not None:
            run = SegmentationRun.objects.filter(pk=options["run"]).first()
            if run is None:
                raise CommandError(f"There is no segmentation run with id {options['run']}.")
        try:
            with StageProgress(ASSIGN_STAGES) as progress:
                # A job like any other: refused while another training or assignment runs.
                job = segmentation_job_run_here(
                    kind=SegmentationJob.Kind.ASSIGN,
                    run=run or run_latest_trained(),
                    on_stage=progress,
                )
        except SegmentationError as exc:
            raise CommandError(str(exc)) from exc
        result, run = job.result, job.run
        if options["json"]:
            summary = {key: result[key] for key in ("run", "total", "counts", "timings")}
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(f"Model: run {run.pk} ({run.artifact_path})")
        self.stdout.write(f"Candidates: {result['total']:,}")
        for name, count in result["counts"].items():
            self.stdout.write(f"  {name}: {count:,}")
        timings = ", ".join(
            f"{stage} {seconds:.2f}s" for stage, seconds in result["timings"].items()
        )
        self.stdout.write(f"Timings: {timings}")
        self.stdout.write(
            self.style.SUCCESS(f"Assigned {result['total']:,} candidates; run {run.pk} is active.")
        )
