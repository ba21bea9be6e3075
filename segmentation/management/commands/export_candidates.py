"""manage.py export_candidates FILE.csv: candidates with skills and segment, as CSV.

A segmentation command (it lives here because it writes each candidate's segment, which the
candidates app below does not know); the CSV itself is the candidates app's export service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.models import Candidate
from candidates.services.csv_export import DEFAULT_PAGE_SIZE, candidates_export_csv
from segmentation.models import Segment
from segmentation.selectors.assignments import in_segment, segment_numbers_and_names

STDOUT = "-"


class Command(BaseCommand):
    help = (
        "Export every candidate (or one segment's, with --segment) to CSV in the import's "
        "columns plus segment and segment_name (under the active run). FILE '-' writes to "
        "standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file to write, or '-' for standard output.")
        parser.add_argument(
            "--page-size",
            type=int,
            default=DEFAULT_PAGE_SIZE,
            help=f"Candidates read per query (default {DEFAULT_PAGE_SIZE:,}).",
        )
        parser.add_argument(
            "--segment", type=int, help="Only the candidates of the segment with this id."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        page_size: int = options["page_size"]
        if page_size < 1:
            raise CommandError("--page-size must be at least 1.")
        export = {
            "page_size": page_size,
            "progress": options["verbosity"] != 0,
            "segments_of": segment_numbers_and_names,
        }
        if options["segment"] is not None:
            if not Segment.objects.filter(pk=options["segment"]).exists():
                raise CommandError(f"There is no segment with id {options['segment']}.")
            export["candidates"] = Candidate.objects.filter(in_segment(options["segment"]))
            export["scope"] = f"segment {options['segment']}"
        target: str = options["file"]
        if target == STDOUT:
            count = candidates_export_csv(out=self.stdout, **export)
            # The CSV owns standard output; the summary must not end up inside it.
            self.stderr.write(self.style.SUCCESS(f"Exported {_candidates(count)}."))
            return
        path = Path(target)
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write {path}: the folder {path.parent} does not exist.")
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                count = candidates_export_csv(out=out, **export)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Exported {_candidates(count)} to {path}."))


def _candidates(count: int) -> str:
    return f"{count:,} candidate" + ("" if count == 1 else "s")
