"""How long a run's fairness report takes: the counting query, then the arithmetic.

Makes a fresh SQLite database (or uses DATABASE_URL with --reuse on an empty database),
generates candidates, gives 70 % of them random self-reported demographics, records a run of
8 segments with every candidate's assignment row (random segments), then times the report for
every segment of the run (what /segments/runs/<id>/fairness/ computes), and the counting query
two ways side by side: the ORM's (which joins the candidate table on the way; the first
version) and the selector's SQL, which joins the demographics table to the assignment rows
directly.

    .venv/bin/python bench/fairness.py --candidates 200000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEGMENTS = 8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="use DATABASE_URL as it is")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="adflux-bench-fairness.")
    if not args.reuse:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/db.sqlite3"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from candidates.models import DEMOGRAPHIC_CHOICES, Candidate, Demographics
    from candidates.services.generation import candidates_generate
    from segmentation.models import Assignment, Segment, SegmentationRun
    from segmentation.presenters.fairness import run_fairness
    from segmentation.selectors.fairness import run_demographic_counts
    from segmentation.services.assignment_writes import assignment_rows_insert

    call_command("migrate", verbosity=0)
    candidates_generate(count=args.candidates, seed=1)
    rng = np.random.default_rng(1)
    ids = np.array(Candidate.objects.order_by("id").values_list("id", flat=True), dtype=np.int64)
    values = {column: list(choices.values) for column, choices in DEMOGRAPHIC_CHOICES.items()}
    given = ids[rng.random(len(ids)) < 0.7]
    Demographics.objects.bulk_create(
        (
            Demographics(
                candidate_id=int(pk),
                **{column: str(rng.choice(options)) for column, options in values.items()},
            )
            for pk in given
        ),
        batch_size=5_000,
    )
    run = SegmentationRun.objects.create(status="trained", n_clusters=SEGMENTS)
    segments = Segment.objects.bulk_create(
        Segment(run=run, number=number, name=f"Segment {number}") for number in range(SEGMENTS)
    )
    segment_ids = np.array([s.pk for s in segments], dtype=np.int64)
    assignment_rows_insert(
        run_id=run.pk,
        candidate_ids=ids,
        segment_ids=segment_ids[rng.integers(0, SEGMENTS, len(ids))],
    )

    def through_candidates() -> list:
        # The first version of the selector, kept here to compare.
        return list(
            Assignment.objects.filter(run_id=run.pk)
            .values_list(
                "segment_id",
                "candidate__demographics__sex",
                "candidate__demographics__age_band",
                "candidate__demographics__ethnicity",
            )
            .annotate(candidates=Count("*"))
            .order_by()
        )

    def timed(work) -> tuple[float, object]:
        seconds = []
        result = None
        for _ in range(args.repeats):
            started = time.perf_counter()
            result = work()
            seconds.append(time.perf_counter() - started)
        return statistics.median(seconds), result

    orm_seconds, orm_rows = timed(through_candidates)
    direct_seconds, direct_rows = timed(lambda: run_demographic_counts(run_id=run.pk))
    assert set(map(tuple, orm_rows)) == set(map(tuple, direct_rows)), "queries disagree"
    report_seconds, scopes = timed(lambda: run_fairness(run))
    print(
        f"{connection.vendor}, {len(ids):,} candidates ({len(given):,} with demographics), "
        f"{SEGMENTS} segments, median of {args.repeats}:"
    )
    print(f"  counting, ORM through candidates (before): {orm_seconds * 1000:8.1f} ms")
    print(f"  counting, selector's direct join (after):  {direct_seconds * 1000:8.1f} ms")
    print(f"  the whole run report ({len(scopes)} segments):      {report_seconds * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
