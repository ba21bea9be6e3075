"""manage.py import_candidates FILE.csv: upsert candidates, report the rows it rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.csv_files import UTF8
from candidates.csv_format import COLUMNS, CandidateCsvError
from candidates.services.csv_import import DEFAULT_BATCH_SIZE, candidates_import_csv

# Enough to see what is wrong; the --errors-csv file holds every rejected row.
ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        f"Import candidates from a CSV file with the columns {','.join(COLUMNS)} "
        "(skills separated by ';'). Rows are matched by external_id, else by email (ignoring "
        "case); a later row for the same candidate wins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, or Windows-1252).")
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
        try:
            report = candidates_import_csv(
                path=options["file"],
                errors_csv=options["errors_csv"],
                progress=options["verbosity"] != 0,
                batch_size=batch_size,
            )
        except CandidateCsvError as exc:
            raise CommandError(str(exc)) from exc

        if report.ignored_columns:
            self.stderr.write(
                self.style.WARNING(
                    f"Ignored the unknown column(s): {', '.join(report.ignored_columns)}."
                )
            )
        if report.encoding != UTF8:
            self.stderr.write(
                self.style.WARNING(f"The file is not UTF-8; read it as {report.encoding}.")
            )
        for error in report.errors[:ERRORS_SHOWN]:
            self.stderr.write(self.style.ERROR(str(error)))
        more = len(report.errors) + report.errors_not_kept - ERRORS_SHOWN
        if more > 0:
            where = f"see {options['errors_csv']}" if options["errors_csv"] else "use --errors-csv"
            self.stderr.write(self.style.ERROR(f"... and {more:,} more errors ({where})."))
        self.stdout.write(self.style.SUCCESS(report.summary()))
