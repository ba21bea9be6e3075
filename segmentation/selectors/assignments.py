"""The active run's assignments: the one place every page, list and audience reads segments from.

A candidate's segment is a row of ``Assignment`` under the active run; nothing is stored on the
candidate. Reads here attach it to candidates as a plain ``segment`` attribute (a ``Segment``
with its run, or None), so templates and callers read ``candidate.segment`` as before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from candidates.models import Candidate
from segmentation.models import RUN_LARGE_COLUMNS, Assignment, Segment, SegmentationRun


def active_run_id() -> int | None:
    return SegmentationRun.objects.filter(is_active=True).values_list("pk", flat=True).first()


def active_assignments() -> QuerySet[Assignment]:
    """Rows of the active run (none when no run is active)."""
    return Assignment.objects.filter(run_id=active_run_id())


def segments_attach(candidates: Iterable[Candidate], *, with_run: bool = False) -> None:
    """Set ``candidate.segment`` on each (its segment under the active run, or None).

    One query: the candidates' rows under the active run, with their segments (without their
    profiles, which lists do not show). ``with_run``: each segment comes with its profile and
    its run, without the run's large JSON columns except the pool profile (the candidate page
    compares the segment with the pool).
    """
    candidates = list(candidates)
    rows = Assignment.objects.filter(
        run__is_active=True, candidate_id__in=[c.pk for c in candidates]
    )
    if not candidates:
        found = {}
    elif with_run:
        rows = rows.select_related("segment__run").defer(
            *(f"segment__run__{column}" for column in RUN_LARGE_COLUMNS if column != "pool_profile")
        )
        found = {row.candidate_id: row.segment for row in rows}
    else:
        # Lists show the segment's name: without its profile, a list page no longer decodes
        # the same segment's profile (a JSON document) for each of its fifty rows.
        rows = rows.select_related("segment").defer("segment__profile")
        found = {row.candidate_id: row.segment for row in rows}
    for candidate in candidates:
        candidate.segment = found.get(candidate.pk)


def in_segment(segment_id: int) -> Q:
    """Candidates in the segment (of any run: a segment belongs to one)."""
    return Q(Exists(Assignment.objects.filter(candidate_id=OuterRef("pk"), segment_id=segment_id)))


def without_segment() -> Q:
    """Candidates with no row under the active run."""
    return ~Q(
        Exists(Assignment.objects.filter(candidate_id=OuterRef("pk"), run_id=active_run_id()))
    )


def segments_size(*, segment_ids: Collection[int]) -> int:
    """How many candidates these segments hold now: their stored sizes, kept equal to the rows."""
    sizes = Segment.objects.filter(pk__in=list(segment_ids)).values_list("size", flat=True)
    return sum(sizes)


def candidates_without_segment() -> QuerySet[Candidate]:
    """Candidates the active run has not assigned (a new one before its assignment commits)."""
    return Candidate.objects.filter(without_segment())


def candidates_in_segments(
    *, segment_ids: Collection[int], limit: int
) -> tuple[int, list[Candidate]]:
    """How many candidates these segments hold, and the first ``limit`` of them by id.

    What every audience reads (the campaign form's preview, a campaign's page). The count is
    the segments' stored sizes, which every write keeps equal to their rows; the sample is one
    statement of ``limit`` rows per segment through the (segment, candidate) index, so three
    queries in all whatever the segments' sizes. Each candidate comes with its ``segment``.
    """
    segments = Segment.objects.only("name", "size", "run_id").in_bulk(list(segment_ids))
    pairs = segment_members_first(segment_ids=list(segments), limit=limit)
    sample = list(Candidate.objects.filter(id__in=[pk for pk, _ in pairs]).order_by("id"))
    segment_of = dict(pairs)
    for candidate in sample:
        candidate.segment = segments[segment_of[candidate.pk]]
    return sum(segment.size for segment in segments.values()), sample


def segment_members_first(
    *, segment_ids: Collection[int], after: int = 0, limit: int
) -> list[tuple[int, int]]:
    """(candidate id, segment id) of the first ``limit`` members above ``after``, by id.

    One statement, one small read per segment through the (segment, candidate) index, each
    cut at ``limit``: a page costs the same whatever the segments' sizes.
    """
    if not segment_ids:
        return []
    quote = connection.ops.quote_name
    meta = Assignment._meta
    table = quote(meta.db_table)
    candidate = quote(meta.get_field("candidate").column)
    segment = quote(meta.get_field("segment").column)
    each = (
        f"SELECT * FROM (SELECT {candidate} AS c, {segment} AS s FROM {table} "
        f"WHERE {segment} = %s AND {candidate} > %s ORDER BY {candidate} LIMIT %s) AS m{{}}"
    )
    union = " UNION ALL ".join(each.format(i) for i in range(len(segment_ids)))
    sql = f"SELECT c, s FROM ({union}) AS members ORDER BY c LIMIT %s"
    params = [value for segment_id in segment_ids for value in (segment_id, after, limit)]
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(c), int(s)) for c, s in cursor.fetchall()]


def segment_numbers_and_names(candidate_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Each candidate's segment under the active run as (number, name): the export's columns."""
    rows = active_assignments().filter(candidate_id__in=candidate_ids)
    return {
        candidate_id: (number, name)
        for candidate_id, number, name in rows.values_list(
            "candidate_id", "segment__number", "segment__name"
        )
    }
