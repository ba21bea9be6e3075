"""Activate a trained run: every candidate gets its segment from it, and it becomes active."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from segmentation.engines import ENGINES, SPARK
from segmentation.jobs.start import segmentation_job_run_here
from segmentation.management.progress import StageProgress
from segmentation.ml.errors import SegmentationError
from segmentation.ml.stages import activate_stages
from segmentation.models import SegmentationJob, SegmentationRun
from segmentation.presenters.runs import activation_report_lines
from segmentation.selectors.runs import run_latest_trained


class Command(BaseCommand):
    help = (
        "Activate a trained run (default: the newest), in one transaction: every candidate gets "
        "its segment from it, campaign targets follow its segments' twins, and it becomes the "
        "active run. Read the run's migration summary first (train_segments prints it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", type=int, help="Id of the trained run to activate.")
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            help="Where to compute every candidate's segment when the run's rows were pruned "
            "(beyond ADFLUX_ASSIGNMENT_RUNS_KEPT): local (this process) or spark (the cluster "
            "at ADFLUX_SPARK_MASTER; docs/spark.md). Default: ADFLUX_ENGINE (local).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the result as one JSON object instead."
        )

    def handle(self, *args: object, **options: object) -> None:
        run = None
        if options["run"] is not None:
            run = SegmentationRun.objects.filter(pk=options["run"]).first()
            if run is None:
                raise CommandError(f"There is no segmentation run with id {options['run']}.")
        run = run or run_latest_trained()
        engine = options["engine"] or settings.ADFLUX_ENGINE
        on_cluster = engine == SPARK and run is not None and run.assignments_pruned
        try:
            with StageProgress(activate_stages(on_cluster=on_cluster)) as progress:
                # A job like any other: refused while another training or activation runs.
                job = segmentation_job_run_here(
                    kind=SegmentationJob.Kind.ACTIVATE,
                    run=run,
                    on_stage=progress,
                    engine=engine,
                )
        except SegmentationError as exc:
            raise CommandError(str(exc)) from exc
        result, run = job.result, job.run
        if options["json"]:
            summary = {key: result[key] for key in ("run", "total", "counts", "timings")}
            self.stdout.write(json.dumps(summary))
            return
        for line in activation_report_lines(result, run):
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Activated run {run.pk}: {result['total']:,} candidates have their segment."
            )
        )
