"""manage.py import_candidates FILE.csv: upsert candidates, report the rows it rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.csv_format import COLUMNS, CandidateCsvError
from candidates.models import Candidate
from candidates.services.csv_import import DEFAULT_BATCH_SIZE, candidates_import_csv
from candidates.signals import candidates_written

# Enough to see what is wrong; the --errors-csv file holds every rejected row.
ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        f"Import candidates from a CSV file with the columns {','.join(COLUMNS)} "
        "(skills separated by ';'). Rows are matched by external_id, else by email (ignoring "
        "case); a later row for the same candidate wins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--encoding",
            metavar="NAME",
            help=(
                "The file's encoding when it is not UTF-8, e.g. cp1252 (Excel's CSV on Windows) "
                "or latin-1. Without it, a file that is not valid UTF-8 is refused."
            ),
        )
        parser.add_argument(
            "--errors-csv",
            type=Path,
            metavar="PATH",
            help="Write the rejected rows here, with line, column and error, to fix and re-import.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE:,}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        segment_problems: list[str] = []

        def give_segments(candidate_ids: list[int]) -> None:
            # Segmentation answers with the problem, if any: a broken model must not stop an
            # import. The rows are stored either way, and predict_segments can give them their
            # segments once the model is fixed.
            if not segment_problems:
                responses = candidates_written.send(sender=Candidate, candidate_ids=candidate_ids)
                segment_problems.extend(problem for _, problem in responses if problem)

        try:
            report = candidates_import_csv(
                path=options["file"],
                encoding=options["encoding"],
                errors_csv=options["errors_csv"],
                progress=options["verbosity"] != 0,
                batch_size=batch_size,
                on_batch_written=give_segments,
            )
        except CandidateCsvError as exc:
            raise CommandError(str(exc)) from exc
        if segment_problems:
            self.stderr.write(
                self.style.WARNING(
                    f"Candidates were stored but not given segments: {segment_problems[0]}"
                )
            )

        if report.ignored_columns:
            self.stderr.write(
                self.style.WARNING(
                    f"Ignored the unknown column(s): {', '.join(report.ignored_columns)}."
                )
            )
        for error in report.errors[:ERRORS_SHOWN]:
            self.stderr.write(self.style.ERROR(str(error)))
        more = len(report.errors) + report.errors_not_kept - ERRORS_SHOWN
        if more > 0:
            where = f"see {options['errors_csv']}" if options["errors_csv"] else "use --errors-csv"
            self.stderr.write(self.style.ERROR(f"... and {more:,} more errors ({where})."))
        self.stdout.write(self.style.SUCCESS(report.summary()))
