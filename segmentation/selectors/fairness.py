"""Counting a run's candidates by segment and self-reported group, for the fairness report."""

from __future__ import annotations

from django.db import connection

from candidates.models import Demographics
from segmentation.models import Assignment

SegmentGroupCount = tuple[int, str | None, str | None, str | None, int]


def run_demographic_counts(*, run_id: int) -> list[SegmentGroupCount]:
    """(segment id, sex, age band, ethnicity, candidates) for every combination in the run.

    One GROUP BY over the run's assignment rows, the demographics table joined to them on the
    candidate id; a candidate without a demographics row reads as None (not given). SQL, not
    the ORM: the ORM reaches demographics through the candidate table, a join that half the
    time goes to (bench/fairness.py, docs/benchmarks.md). No candidate is loaded.
    """
    quote = connection.ops.quote_name
    assignments = quote(Assignment._meta.db_table)
    demographics = quote(Demographics._meta.db_table)
    sql = (
        f"SELECT a.segment_id, d.sex, d.age_band, d.ethnicity, COUNT(*) "  # noqa: S608
        f"FROM {assignments} a LEFT JOIN {demographics} d ON d.candidate_id = a.candidate_id "
        "WHERE a.run_id = %s GROUP BY a.segment_id, d.sex, d.age_band, d.ethnicity"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [run_id])
        return [tuple(row) for row in cursor.fetchall()]
