"""The active run's assignments: the one place every page, list and audience reads segments from.

A candidate's segment is a row of ``Assignment`` under the active run; nothing is stored on the
candidate. Reads here attach it to candidates as a plain ``segment`` attribute (a ``Segment``
with its run, or None), so templates and callers read ``candidate.segment`` as before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from candidates.models import Candidate
from segmentation.models import (
    RUN_LARGE_COLUMNS,
    Assignment,
    Segment,
    SegmentationRun,
    UnusualCandidate,
)


def active_run_id() -> int | None:
    return SegmentationRun.objects.filter(is_active=True).values_list("pk", flat=True).first()


def active_assignments() -> QuerySet[Assignment]:
    """Rows of the active run (none when no run is active)."""
    return Assignment.objects.filter(run_id=active_run_id())


def segments_attach(candidates: Iterable[Candidate], *, with_run: bool = False) -> None:
    """Set ``candidate.segment`` on each (its segment under the active run, or None).

    Two queries: the candidates' (candidate, segment) pairs under the active run, then those
    few segments once each (without their profiles, which lists do not show): a list page of
    fifty builds five segments, not fifty segments and fifty rows. ``with_run``: each segment
    comes with its profile and its run, without the run's large JSON columns except the pool
    profile (the candidate page compares the segment with the pool).
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
        pairs = dict(rows.values_list("candidate_id", "segment_id"))
        segments = Segment.objects.defer("profile").in_bulk(set(pairs.values()))
        found = {candidate_id: segments[segment_id] for candidate_id, segment_id in pairs.items()}
    for candidate in candidates:
        candidate.segment = found.get(candidate.pk)


def in_segment(segment_id: int) -> Q:
    """Candidates in the segment (of any run: a segment belongs to one)."""
    return Q(Exists(Assignment.objects.filter(candidate_id=OuterRef("pk"), segment_id=segment_id)))


def candidates_in_any_segment(*, segment_ids: Collection[int]) -> QuerySet[Candidate]:
    """Every candidate of these segments (an audience, whole), for reading page by page."""
    return Candidate.objects.filter(
        Exists(
            Assignment.objects.filter(candidate_id=OuterRef("pk"), segment_id__in=list(segment_ids))
        )
    )


def without_segment() -> Q:
    """Candidates with no row under the active run."""
    return ~Q(
        Exists(Assignment.objects.filter(candidate_id=OuterRef("pk"), run_id=active_run_id()))
    )


def candidates_total() -> int:
    """How many candidates there are: the active run's sizes summed, or counted without one.

    The active run holds a row for every candidate (a save assigns, a delete subtracts, in the
    same transaction), so its sizes add up to the table's count without reading the table: a
    ``COUNT(*)`` of a million rows costs 35-45 ms on PostgreSQL warm, far more cold.
    """
    active = Segment.objects.filter(run__is_active=True).aggregate(rows=Sum("size"))["rows"]
    return Candidate.objects.count() if active is None else int(active)


def segments_size(*, segment_ids: Collection[int]) -> int:
    """How many candidates these segments hold now: their stored sizes, kept equal to the rows."""
    sizes = Segment.objects.filter(pk__in=list(segment_ids)).values_list("size", flat=True)
    return sum(sizes)


def audience_size(*, segment_ids: Collection[int]) -> int:
    """How many candidates of these segments a campaign may contact: the audience's one count.

    The segments' stored sizes less their members who may not be contacted. Those are few (a
    partial index holds only them), so the count costs the same whatever the segments' sizes.
    """
    return segments_size(segment_ids=segment_ids) - uncontactable_count(segment_ids=segment_ids)


def uncontactable_count(*, segment_ids: Collection[int]) -> int:
    """Members of these segments who may not be contacted (unsubscribed or suppressed)."""
    if not segment_ids:
        return 0
    return Assignment.objects.filter(
        segment_id__in=list(segment_ids),
        candidate_id__in=Candidate.objects.filter(contact_allowed=False).values("pk"),
    ).count()


def candidates_without_segment() -> QuerySet[Candidate]:
    """Candidates the active run has not assigned (a new one before its assignment commits)."""
    return Candidate.objects.filter(without_segment())


def candidates_in_segments(
    *, segment_ids: Collection[int], limit: int
) -> tuple[int, list[Candidate]]:
    """The audience of these segments: how many it holds, and its first ``limit`` by id.

    What every audience reads (the campaign form's preview, a campaign's page, every channel):
    members who may be contacted (``audience_size``). The sample is one statement of
    ``limit`` rows per segment through the (segment, candidate) index, so a handful of queries
    in all whatever the segments' sizes. Each candidate comes with its ``segment``.
    """
    segments = Segment.objects.only("name", "size", "run_id").in_bulk(list(segment_ids))
    sample = _members_loaded(segments, after=0, limit=limit)
    size = sum(segment.size for segment in segments.values())
    return size - uncontactable_count(segment_ids=list(segments)), sample


def audience_batches(
    *, segment_ids: Collection[int], batch_size: int = 1_000
) -> Iterator[list[Candidate]]:
    """The whole audience of these segments in id order, a batch at a time.

    The same candidates ``candidates_in_segments`` counts, each with its ``segment``. Each batch
    is a fresh read after the last id seen, so a long send holds no cursor or transaction open,
    and a candidate who unsubscribes meanwhile drops out of the batches still to come.
    """
    segments = Segment.objects.only("name", "size", "run_id").in_bulk(list(segment_ids))
    after = 0
    while True:
        batch = _members_loaded(segments, after=after, limit=batch_size)
        if not batch:
            return
        yield batch
        after = batch[-1].pk


def _members_loaded(segments: dict[int, Segment], *, after: int, limit: int) -> list[Candidate]:
    pairs = segment_members_first(
        segment_ids=list(segments), after=after, limit=limit, contactable=True
    )
    members = list(Candidate.objects.filter(id__in=[pk for pk, _ in pairs]).order_by("id"))
    segment_of = dict(pairs)
    for candidate in members:
        candidate.segment = segments[segment_of[candidate.pk]]
    return members


def segment_members_first(
    *, segment_ids: Collection[int], after: int = 0, limit: int, contactable: bool = False
) -> list[tuple[int, int]]:
    """(candidate id, segment id) of the first ``limit`` members above ``after``, by id.

    One statement, one small read per segment through the (segment, candidate) index, each
    cut at ``limit``: a page costs the same whatever the segments' sizes. ``contactable``
    leaves out members who may not be contacted (one primary-key probe per row read).
    """
    if not segment_ids:
        return []
    quote = connection.ops.quote_name
    meta = Assignment._meta
    table = quote(meta.db_table)
    candidate = quote(meta.get_field("candidate").column)
    segment = quote(meta.get_field("segment").column)
    consent = ""
    if contactable:
        people = quote(Candidate._meta.db_table)
        allowed = quote(Candidate._meta.get_field("contact_allowed").column)
        consent = (
            f" AND NOT EXISTS (SELECT 1 FROM {people} p "
            f"WHERE p.{quote('id')} = {table}.{candidate} AND p.{allowed} = %s)"
        )
    each = (
        f"SELECT * FROM (SELECT {candidate} AS c, {segment} AS s FROM {table} "
        f"WHERE {segment} = %s AND {candidate} > %s{consent} ORDER BY {candidate} LIMIT %s) "
        f"AS m{{}}"
    )
    union = " UNION ALL ".join(each.format(i) for i in range(len(segment_ids)))
    sql = f"SELECT c, s FROM ({union}) AS members ORDER BY c LIMIT %s"
    arm = (after, False, limit) if contactable else (after, limit)
    params = [value for segment_id in segment_ids for value in (segment_id, *arm)]
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


def candidates_segment_history(candidate_ids: Collection[int]) -> list[dict[str, object]]:
    """Every segment these candidates hold or held, run by run, and their unusual flags.

    What a subject-access request shows of segmentation: each row names the run, whether it is
    the active one, the segment and, where the run flagged the profile unusual, its distance.
    """
    unusual = {
        (row.run_id, row.candidate_id): row.distance
        for row in UnusualCandidate.objects.filter(candidate_id__in=list(candidate_ids))
    }
    rows = (
        Assignment.objects.filter(candidate_id__in=list(candidate_ids))
        .select_related("segment")
        .order_by("candidate_id", "run_id")
    )
    active = active_run_id()
    return [
        {
            "candidate_id": row.candidate_id,
            "run": row.run_id,
            "active_run": row.run_id == active,
            "segment_number": row.segment.number,
            "segment_name": row.segment.name,
            "unusual_distance": unusual.get((row.run_id, row.candidate_id)),
        }
        for row in rows
    ]


def run_switch_flows(*, from_run_id: int, to_run_id: int) -> list[tuple[int, int, int]]:
    """(segment in the first run, segment in the second, candidates) for every pair that occurs.

    One grouped join of the two runs' assignment rows on the candidate: what switching the
    active run from one to the other moves, as the rows stand now.
    """
    quote = connection.ops.quote_name
    meta = Assignment._meta
    table = quote(meta.db_table)
    candidate = quote(meta.get_field("candidate").column)
    segment = quote(meta.get_field("segment").column)
    run = quote(meta.get_field("run").column)
    sql = (
        f"SELECT a.{segment}, b.{segment}, COUNT(*) FROM {table} a "
        f"JOIN {table} b ON b.{candidate} = a.{candidate} AND b.{run} = %s "
        f"WHERE a.{run} = %s GROUP BY a.{segment}, b.{segment}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [to_run_id, from_run_id])
        return [(int(old), int(new), int(count)) for old, new, count in cursor.fetchall()]
