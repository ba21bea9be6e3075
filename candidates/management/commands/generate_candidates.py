"""manage.py generate_candidates --count N --seed S: synthetic candidates for demos, benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candidates.services.generation import CandidateGenerationError, candidates_generate


class Command(BaseCommand):
    help = (
        "Create synthetic candidates with a hidden structure (archetypes driving skills, "
        "education, experience; salary by location). The same seed gives the same candidates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many candidates.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument("--clear", action="store_true", help="Delete every candidate first.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            created = candidates_generate(
                count=options["count"],
                seed=options["seed"],
                clear=options["clear"],
                progress=options["verbosity"] != 0,
            )
        except CandidateGenerationError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {created:,} candidate{'' if created == 1 else 's'} "
                f"with seed {options['seed']} in {seconds:.1f} s."
            )
        )
