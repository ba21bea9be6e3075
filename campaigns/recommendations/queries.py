"""The reads recommendations need: segment counts over a sample, candidate rankings, openings."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch

from campaigns.models import JobOpening
from campaigns.recommendations.scoring import Criteria, SegmentCounts, segment_weight
from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.models import Assignment
from segmentation.selectors.assignments import active_run_id, segments_attach

# A tier of the best-matching candidates is ranked on its own only if the holders of the skills
# it is found from are at most this share of all holders of the required skills (see
# top_candidates); past that, ranking everyone costs about as much.
TIER_MAX_READ_SHARE = 0.25

# Segment shares are counted on at most SAMPLE_SIZE candidates, because exact counts over a
# million candidates take 200-400 ms on SQLite and the sample under 40 ms: SAMPLE_BLOCKS runs of
# consecutive ids, one at a random place in each of as many equal slices of the id range, so
# that the sample spans every period of imports. A share is then within about 2 points of the
# truth for a segment with 2,000 sampled candidates (a tenth of the pool).
SAMPLE_SIZE = 20_000
SAMPLE_BLOCKS = 100


# Segments


def segment_counts(
    *,
    skill_ids: Collection[int],
    min_years: Collection[float],
    locations: Collection[str],
    random_state: int,
    segment_id: int | None = None,
) -> SegmentCounts:
    """Two grouped queries over the sample: candidates per segment, then skill holders.

    Raw SQL, because the sample is a union of id ranges, which the ORM cannot aggregate over.
    Written as ``id BETWEEN .. OR id BETWEEN ..`` SQLite scans the whole table (2.5 s at a
    million candidates), and joined with a VALUES list PostgreSQL misjudges the join by a
    thousandfold (seconds); as a union of ranges each is read through the primary key and
    estimated right by both (5 ms and 10-20 ms). The skill table is then reached from each
    sampled candidate through the (candidate, skill) index (``CROSS JOIN`` fixes that order in
    SQLite, which would otherwise read every holder of each skill).
    """
    ranges, sampled = _sample_ranges(random_state=random_state)
    counts = SegmentCounts(sampled=None)
    if not ranges:
        return counts
    min_years = sorted(set(min_years))
    locations = sorted({location.lower() for location in locations})
    quote = connection.ops.quote_name
    column = _candidate_columns()
    assignments, assigned, assigned_segment, assigned_run = _assignment_table()
    run_id = active_run_id()
    # Each sampled candidate's row under the active run, through the (candidate, run) index.
    sample = " UNION ALL ".join(
        [
            f"SELECT c.{column['id']} AS candidate_id, a.{assigned_segment} AS segment_id, "
            f"c.{column['years_experience']} AS years, c.{column['location']} AS place "
            f"FROM {quote(Candidate._meta.db_table)} c CROSS JOIN {assignments} a "
            f"WHERE c.{column['id']} BETWEEN %s AND %s AND a.{assigned} = c.{column['id']} "
            f"AND a.{assigned_run} = %s"
            # Unary plus: compared on each row read by id, never a reason to use its index.
            + ("" if segment_id is None else f" AND +a.{assigned_segment} = %s")
        ]
        * len(ranges)
    )
    sample_params = [
        value
        for low, high in ranges
        for value in (
            (low, high, run_id) if segment_id is None else (low, high, run_id, segment_id)
        )
    ]
    sums = [
        *("SUM(CASE WHEN s.years >= %s THEN 1 ELSE 0 END)" for _ in min_years),
        *("SUM(CASE WHEN LOWER(s.place) = LOWER(%s) THEN 1 ELSE 0 END)" for _ in locations),
    ]
    members_sql = f"""
        SELECT s.segment_id, COUNT(*) {"".join(", " + part for part in sums)}
        FROM ({sample}) s
        GROUP BY s.segment_id
    """
    pairs, pair_candidate, pair_skill = _candidate_skill_table()
    holders_sql = f"""
        SELECT s.segment_id, cs.{pair_skill}, COUNT(*)
        FROM ({sample}) s CROSS JOIN {pairs} cs
        WHERE cs.{pair_candidate} = s.candidate_id
            AND cs.{pair_skill} IN ({", ".join(["%s"] * len(skill_ids))})
        GROUP BY s.segment_id, cs.{pair_skill}
    """
    with connection.cursor() as cursor:
        cursor.execute(members_sql, [*min_years, *locations, *sample_params])
        total = 0
        for segment, members, *met in cursor.fetchall():
            counts.members[segment] = members
            total += members
            for years, number in zip(min_years, met[: len(min_years)], strict=True):
                counts.experienced[(segment, years)] = number
            for location, number in zip(locations, met[len(min_years) :], strict=True):
                counts.local[(segment, location)] = number
        if skill_ids and counts.members:
            cursor.execute(holders_sql, [*sample_params, *skill_ids])
            for segment, skill_id, number in cursor.fetchall():
                counts.skill_holders[(segment, skill_id)] = number
    counts.sampled = total if sampled else None
    return counts


def _sample_ranges(*, random_state: int) -> tuple[list[tuple[int, int]], bool]:
    """Id ranges holding about SAMPLE_SIZE candidates, and whether that is a sample at all.

    One range covering every id when they span SAMPLE_SIZE or fewer; none without candidates.
    """
    # Two queries: SQLite answers MIN or MAX alone from the primary key, both together by a scan.
    ids = Candidate.objects.order_by("id").values_list("id", flat=True)
    low, high = ids.first(), ids.last()
    if low is None:
        return [], False
    if high - low + 1 <= SAMPLE_SIZE:
        return [(low, high)], False
    block = SAMPLE_SIZE // SAMPLE_BLOCKS
    stride = (high - low + 1) / SAMPLE_BLOCKS
    rng = random.Random(random_state)
    ranges = []
    for i in range(SAMPLE_BLOCKS):
        start = low + int(i * stride) + rng.randrange(max(1, int(stride) - block + 1))
        ranges.append((start, start + block - 1))
    return ranges, True


# Candidates for an opening


@dataclass(frozen=True)
class RankedCandidate:
    candidate_id: int
    meets_experience: bool
    in_location: bool
    score: float


def top_candidates(
    *, criteria: Criteria, weights: dict[int, float | None], limit: int
) -> list[RankedCandidate]:
    """The best ``limit`` candidates holding a required skill (equal scores: lowest id first).

    Ranking everyone who holds a required skill reads every holder: 200-300k rows and 300 ms
    for three or four skills each held by a tenth of a million candidates (SQLite). So the
    candidates holding most of the skills are ranked first, and that answer is kept when it is
    provably the same: a candidate holding ``t`` of the ``n`` skills holds one of the
    ``n - t + 1`` rarest, so the tier is found from the holders of those few skills; if the
    last of its best ``limit`` scores more than anyone holding ``t - 1`` skills could (all else
    met, in the best-fitting segment), no one outside the tier can enter the list.
    """
    # COUNT(skill_id), not COUNT(id): the skill index alone answers it on PostgreSQL too.
    holders = dict(
        CandidateSkill.objects.filter(skill_id__in=criteria.skill_ids)
        .values_list("skill_id")
        .annotate(Count("skill_id"))
        .order_by()
    )
    total = sum(holders.values())
    if not total:
        return []
    rarest_first = sorted(criteria.skill_ids, key=lambda pk: holders.get(pk, 0))
    n = len(rarest_first)
    best_weight = max([segment_weight(fit) for fit in weights.values()] + [segment_weight(None)])
    for tier in range(n, 1, -1):
        driving = rarest_first[: n - tier + 1]
        if sum(holders.get(pk, 0) for pk in driving) > TIER_MAX_READ_SHARE * total:
            break  # reading the tier would cost about what ranking everyone does
        ranked = _ranked(criteria, weights, limit, driving=driving, min_matched=tier)
        below = criteria.best_score_holding(tier - 1, weight=best_weight)
        if len(ranked) == limit and ranked[-1].score > below + 1e-9:
            return ranked
    return _ranked(criteria, weights, limit)


def _ranked(
    criteria: Criteria,
    weights: dict[int, float | None],
    limit: int,
    *,
    driving: Sequence[int] = (),
    min_matched: int = 1,
) -> list[RankedCandidate]:
    """One ranking query: over every holder of a required skill, or over a tier of them.

    Raw SQL because the ORM cannot join a grouped subquery: counting each candidate's matched
    skills first, then reading only those candidates' rows, is 20-30% faster on SQLite than
    grouping the joined rows. The experience and location verdicts come back with the ranking,
    so the page shows what was scored.
    """
    quote = connection.ops.quote_name
    column = _candidate_columns()
    pairs, pair_candidate, pair_skill = _candidate_skill_table()
    required = ", ".join(["%s"] * len(criteria.skills))
    if driving:
        # From each holder of a driving skill to their required skills through the (candidate,
        # skill) index; CROSS JOIN keeps SQLite from reading every holder of every skill.
        matched = f"""
            SELECT d.candidate_id, COUNT(*) AS matched
            FROM (
                SELECT DISTINCT {pair_candidate} AS candidate_id FROM {pairs}
                WHERE {pair_skill} IN ({", ".join(["%s"] * len(driving))})
            ) d CROSS JOIN {pairs} p
            WHERE p.{pair_candidate} = d.candidate_id AND p.{pair_skill} IN ({required})
            GROUP BY d.candidate_id
            HAVING COUNT(*) >= %s
        """
        matched_params = [*driving, *criteria.skill_ids, min_matched]
    else:
        matched = f"""
            SELECT {pair_candidate} AS candidate_id, COUNT(*) AS matched FROM {pairs}
            WHERE {pair_skill} IN ({required})
            GROUP BY {pair_candidate}
        """
        matched_params = list(criteria.skill_ids)
    experience, experience_params = "1", []
    if criteria.min_years is not None:
        experience = f"CASE WHEN c.{column['years_experience']} >= %s THEN 1 ELSE 0 END"
        experience_params = [criteria.min_years]
    location, location_params = "1", []
    if criteria.location:
        location = f"CASE WHEN LOWER(c.{column['location']}) = LOWER(%s) THEN 1 ELSE 0 END"
        location_params = [criteria.location]
    # The weights are numbers computed here and written into the statement: as parameters,
    # PostgreSQL would have to guess the type of a bare placeholder in a select list.
    assignments, assigned, assigned_segment, assigned_run = _assignment_table()
    known = {int(pk): fit for pk, fit in weights.items() if fit is not None}
    weight = repr(segment_weight(None))
    if known:
        cases = " ".join(f"WHEN {pk} THEN {segment_weight(fit)!r}" for pk, fit in known.items())
        weight = f"CASE a.{assigned_segment} {cases} ELSE {weight} END"
    skill_weight, experience_weight, location_weight = criteria.weights
    sql = f"""
        SELECT candidate_id, experienced, located, score FROM (
            SELECT candidate_id, experienced, located,
                ({skill_weight / len(criteria.skills)!r} * matched
                + {experience_weight!r} * experienced + {location_weight!r} * located) * weight
                AS score
            FROM (
                SELECT m.candidate_id, m.matched,
                    {experience} AS experienced,
                    {location} AS located,
                    {weight} AS weight
                FROM ({matched}) m
                JOIN {quote(Candidate._meta.db_table)} c ON c.{column["id"]} = m.candidate_id
                LEFT JOIN {assignments} a
                    ON a.{assigned} = m.candidate_id AND a.{assigned_run} = %s
            ) parts
        ) scored
        ORDER BY score DESC, candidate_id
        LIMIT %s
    """
    params = [*experience_params, *location_params, *matched_params, active_run_id(), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            RankedCandidate(candidate_id, bool(experienced), bool(located), float(score))
            for candidate_id, experienced, located, score in cursor.fetchall()
        ]


def _candidate_columns() -> dict[str, str]:
    """The quoted candidate columns the raw statements read, by field name."""
    quote = connection.ops.quote_name
    return {
        name: quote(Candidate._meta.get_field(name).column)
        for name in ("id", "years_experience", "location")
    }


def _assignment_table() -> tuple[str, str, str, str]:
    """The quoted assignment table and its candidate, segment and run columns."""
    quote = connection.ops.quote_name
    meta = Assignment._meta
    return (
        quote(meta.db_table),
        *(quote(meta.get_field(name).column) for name in ("candidate", "segment", "run")),
    )


def _candidate_skill_table() -> tuple[str, str, str]:
    """The quoted (candidate, skill) table and its candidate and skill columns."""
    quote = connection.ops.quote_name
    return (
        quote(CandidateSkill._meta.db_table),
        quote(CandidateSkill._meta.get_field("candidate").column),
        quote(CandidateSkill._meta.get_field("skill").column),
    )


def candidates_by_id(ids: list[int]) -> dict[int, Candidate]:
    """The ranked candidates with what their recommendation shows, by id."""
    found = Candidate.objects.only("name", "location", "years_experience", "primary_skill").in_bulk(
        ids
    )
    segments_attach(found.values())
    return found


def skills_held(
    *, candidate_ids: Collection[int], skill_ids: Collection[int]
) -> dict[int, set[int]]:
    """Of ``skill_ids``, those each candidate holds, by candidate id (every candidate a key)."""
    held: dict[int, set[int]] = {pk: set() for pk in candidate_ids}
    pairs = CandidateSkill.objects.filter(
        candidate_id__in=list(candidate_ids), skill_id__in=list(skill_ids)
    )
    for candidate_id, skill_id in pairs.values_list("candidate_id", "skill_id"):
        held[candidate_id].add(skill_id)
    return held


# Openings for a candidate


def open_openings_with_skills() -> list[JobOpening]:
    """Open openings that list a required skill, by title, their skills prefetched."""
    return [
        opening
        for opening in JobOpening.objects.filter(is_open=True)
        .only("id", "title", "location", "min_years_experience")
        .prefetch_related(Prefetch("required_skills", Skill.objects.only("id", "name")))
        .order_by("title", "id")
        if opening.required_skills.all()
    ]
