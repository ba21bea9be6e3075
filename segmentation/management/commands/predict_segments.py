"""Assign every candidate to a segment with a trained model and make that model active."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from segmentation.ml.errors import SegmentationError
from segmentation.models import SegmentationRun
from segmentation.progress import ASSIGN_STAGES, StageProgress
from segmentation.services import segmentation_assign


class Command(BaseCommand):
    help = (
        "Assign every candidate to a segment using a trained run (default: the newest) and make "
        "that run active, in one transaction."
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
                result = segmentation_assign(run=run, on_stage=progress)
        except SegmentationError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            summary = {
                "run": result.run.pk,
                "total": result.total,
                "counts": result.counts,
                "timings": result.timings,
            }
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(f"Model: run {result.run.pk} ({result.run.artifact_path})")
        self.stdout.write(f"Candidates: {result.total:,}")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items())
        self.stdout.write(f"Timings: {timings}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Assigned {result.total:,} candidates; run {result.run.pk} is active."
            )
        )
