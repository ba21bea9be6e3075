"""Reads that match job openings with segments and candidates, and candidates with openings.

docs/recommendations.md defines the scores. In short, for an opening asking for skills R, at
least ``m`` years and location ``L``:

- a candidate's **match** is ``0.6 × (skills of R held / |R|) + 0.25 × [years ≥ m]
  + 0.15 × [location = L]``, divided by the weights of the criteria the opening sets (an opening
  with no minimum or no location is matched on the rest alone);
- a segment's **fit** is the average match of its candidates, which is the same sum over shares:
  the mean share holding each skill of R, the share with ``m`` years or more, the share in L;
- a candidate's **score** is ``match × (0.5 + 0.5 × fit of their segment)``.

An opening that lists no required skill gets no recommendation. Segment shares are counted on a
fixed sample of candidates (everyone up to ``SAMPLE_SIZE``): exact counts over a million
candidates take 200-400 ms on SQLite, the sample under 40 ms. The top candidates are exact.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Prefetch

from campaigns.models import JobOpening
from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.models import Segment

SKILL_WEIGHT = 0.6
EXPERIENCE_WEIGHT = 0.25
LOCATION_WEIGHT = 0.15
# The factor on the match of a candidate in a segment of fit 0 (or in no segment); fit 1 gives 1.
SEGMENT_WEIGHT_FLOOR = 0.5

TOP_CANDIDATES = 20
# A tier of the best-matching candidates is ranked on its own only if the holders of the skills
# it is found from are at most this share of all holders of the required skills (see
# _top_candidates); past that, ranking everyone costs about as much.
TIER_MAX_READ_SHARE = 0.25
TOP_OPENINGS = 10

# Segment shares are counted on at most SAMPLE_SIZE candidates: SAMPLE_BLOCKS runs of
# consecutive ids, one at a random place in each of as many equal slices of the id range, so
# that the sample spans every period of imports. A share is then within about 2 points of the
# truth for a segment with 2,000 sampled candidates (a tenth of the pool).
SAMPLE_SIZE = 20_000
SAMPLE_BLOCKS = 100

# A segment is suggested for a campaign when its fit is at least SUGGESTION_MIN_FIT and within
# SUGGESTION_MARGIN of the best segment's: good in itself and nearly as good as the best.
SUGGESTION_MIN_FIT = 0.3
SUGGESTION_MARGIN = 0.15
MAX_SUGGESTIONS = 3


# What an opening asks for, and the scores


@dataclass(frozen=True)
class Criteria:
    """An opening's criteria in the form the scores use."""

    skills: tuple[Skill, ...]
    min_years: float | None
    location: str

    @classmethod
    def of(cls, opening: JobOpening) -> Criteria:
        """The opening's criteria; its required skills are read once (or from a prefetch)."""
        skills = sorted(opening.required_skills.all(), key=lambda skill: skill.name.lower())
        return cls(
            skills=tuple(skills),
            min_years=opening.min_years_experience,
            location=opening.location.strip(),
        )

    @property
    def skill_ids(self) -> list[int]:
        return [skill.pk for skill in self.skills]

    @property
    def weights(self) -> tuple[float, float, float]:
        """Skills, experience and location weights, over the criteria set; they add up to 1."""
        experience = EXPERIENCE_WEIGHT if self.min_years is not None else 0.0
        location = LOCATION_WEIGHT if self.location else 0.0
        total = SKILL_WEIGHT + experience + location
        return SKILL_WEIGHT / total, experience / total, location / total

    def meets_experience(self, years: float | None) -> bool:
        if self.min_years is None:
            return True
        return years is not None and years >= self.min_years

    def in_location(self, location: str) -> bool:
        return not self.location or location.lower() == self.location.lower()

    def score(self, *, skills: float, experience: float, location: float) -> float:
        """The weighted sum of the three parts, each 0 to 1: a match, or a fit from shares."""
        skill_weight, experience_weight, location_weight = self.weights
        return skill_weight * skills + experience_weight * experience + location_weight * location


def segment_weight(fit: float | None) -> float:
    """What a candidate's match is multiplied by: 0.5 in a segment of fit 0 (or none), 1 at 1."""
    return SEGMENT_WEIGHT_FLOOR + (1 - SEGMENT_WEIGHT_FLOOR) * (fit or 0.0)


# Segments


@dataclass(frozen=True)
class SkillShare:
    name: str
    share: float


@dataclass(frozen=True)
class SegmentFit:
    """One segment of the active run measured against an opening."""

    segment: Segment
    criteria: Criteria
    # Candidates of the segment the shares were counted on; with none the fit is unknown.
    counted: int
    skill_shares: tuple[SkillShare, ...] = ()
    experience_share: float = 0.0
    location_share: float = 0.0

    @property
    def fit(self) -> float | None:
        if not self.counted:
            return None
        shares = [entry.share for entry in self.skill_shares]
        return self.criteria.score(
            skills=sum(shares) / len(shares) if shares else 0.0,
            experience=self.experience_share,
            location=self.location_share,
        )

    @property
    def median_years(self) -> float | None:
        summary = (self.segment.profile or {}).get("years_experience") or {}
        return summary.get("median") if summary.get("known") else None

    @property
    def reason(self) -> str:
        """Why the fit is what it is, in the recruiter's terms."""
        if not self.counted:
            return "No candidate of this segment was in the sample."
        parts = [", ".join(f"{entry.share:.0%} have {entry.name}" for entry in self.skill_shares)]
        if self.criteria.min_years is not None:
            years = f"{self.experience_share:.0%} have {self.criteria.min_years:g}+ years"
            if self.median_years is not None:
                years += f" (median {self.median_years:g})"
            parts.append(years)
        if self.criteria.location:
            parts.append(f"{self.location_share:.0%} in {self.criteria.location}")
        return "; ".join(parts)


@dataclass(frozen=True)
class SegmentFits:
    """The active run's segments, best fit first, and how many candidates were counted."""

    fits: list[SegmentFit]
    # The candidates the shares were counted on when that was a sample; None for everyone.
    sampled: int | None

    def by_segment(self) -> dict[int, float | None]:
        return {entry.segment.pk: entry.fit for entry in self.fits}


def segment_fits(
    *, criteria: Criteria, segments: Sequence[Segment], random_state: int = 0
) -> SegmentFits:
    """Each of ``segments`` (of the active run) with its fit, best first, then largest."""
    if not segments or not criteria.skills:
        return SegmentFits(fits=[], sampled=None)
    counts = _segment_counts(
        skill_ids=criteria.skill_ids,
        min_years=[] if criteria.min_years is None else [criteria.min_years],
        locations=[criteria.location] if criteria.location else [],
        random_state=random_state,
    )
    fits = [_fit_of(segment, criteria, counts) for segment in segments]
    fits.sort(key=lambda entry: (entry.fit is None, -(entry.fit or 0.0), -entry.segment.size))
    return SegmentFits(fits=fits, sampled=counts.sampled)


def active_segments_with_profiles() -> list[Segment]:
    """The active run's segments with what a fit shows (name, size, profile), by number."""
    return list(
        Segment.objects.filter(run__is_active=True)
        .only("id", "run_id", "number", "name", "size", "profile")
        .order_by("number")
    )


def _fit_of(segment: Segment, criteria: Criteria, counts: _SegmentCounts) -> SegmentFit:
    counted = counts.members.get(segment.pk, 0)
    if not counted:
        return SegmentFit(segment=segment, criteria=criteria, counted=0)
    experienced = counts.experienced.get((segment.pk, criteria.min_years), 0)
    local = counts.local.get((segment.pk, criteria.location.lower()), 0)
    return SegmentFit(
        segment=segment,
        criteria=criteria,
        counted=counted,
        skill_shares=tuple(
            SkillShare(skill.name, counts.skill_holders.get((segment.pk, skill.pk), 0) / counted)
            for skill in criteria.skills
        ),
        experience_share=1.0 if criteria.min_years is None else experienced / counted,
        location_share=1.0 if not criteria.location else local / counted,
    )


@dataclass
class _SegmentCounts:
    """Per segment, sampled candidates in all and those meeting each criterion."""

    sampled: int | None
    members: dict[int, int] = field(default_factory=dict)
    skill_holders: dict[tuple[int, int], int] = field(default_factory=dict)
    experienced: dict[tuple[int, float], int] = field(default_factory=dict)
    # Keyed by the location in lower case.
    local: dict[tuple[int, str], int] = field(default_factory=dict)


def _segment_counts(
    *,
    skill_ids: Collection[int],
    min_years: Collection[float],
    locations: Collection[str],
    random_state: int,
    segment_id: int | None = None,
) -> _SegmentCounts:
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
    counts = _SegmentCounts(sampled=None)
    if not ranges:
        return counts
    min_years = sorted(set(min_years))
    locations = sorted({location.lower() for location in locations})
    quote = connection.ops.quote_name
    column = {
        name: quote(Candidate._meta.get_field(name).column)
        for name in ("id", "years_experience", "location", "segment")
    }
    sample = " UNION ALL ".join(
        [
            f"SELECT {column['id']} AS candidate_id, {column['segment']} AS segment_id, "
            f"{column['years_experience']} AS years, {column['location']} AS place "
            f"FROM {quote(Candidate._meta.db_table)} "
            f"WHERE {column['id']} BETWEEN %s AND %s AND {column['segment']} IS NOT NULL"
            # Unary plus: compared on each row read by id, never a reason to use its index.
            + ("" if segment_id is None else f" AND +{column['segment']} = %s")
        ]
        * len(ranges)
    )
    sample_params = [
        value
        for low, high in ranges
        for value in ((low, high) if segment_id is None else (low, high, segment_id))
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
    pair_candidate = quote(CandidateSkill._meta.get_field("candidate").column)
    pair_skill = quote(CandidateSkill._meta.get_field("skill").column)
    holders_sql = f"""
        SELECT s.segment_id, cs.{pair_skill}, COUNT(*)
        FROM ({sample}) s CROSS JOIN {quote(CandidateSkill._meta.db_table)} cs
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


# One candidate against one opening


@dataclass(frozen=True)
class Fit:
    """One candidate measured against one opening's criteria."""

    criteria: Criteria
    skills_held: tuple[str, ...]
    years: float | None
    location: str
    meets_experience: bool
    in_location: bool
    # The fit of the candidate's segment to the opening; None outside the active run's segments.
    segment_fit: float | None

    @property
    def match(self) -> float:
        return self.criteria.score(
            skills=len(self.skills_held) / len(self.criteria.skills),
            experience=float(self.meets_experience),
            location=float(self.in_location),
        )

    @property
    def score(self) -> float:
        return self.match * segment_weight(self.segment_fit)

    @property
    def skills_missing(self) -> list[str]:
        held = set(self.skills_held)
        return [skill.name for skill in self.criteria.skills if skill.name not in held]

    @property
    def reason(self) -> str:
        """Which criteria the candidate meets, in the recruiter's terms."""
        criteria = self.criteria
        skills = f"{len(self.skills_held)} of {len(criteria.skills)} skills"
        if self.skills_held:
            skills += f" ({', '.join(self.skills_held)})"
        if self.skills_missing:
            skills += f", lacks {', '.join(self.skills_missing)}"
        parts = [skills]
        if criteria.min_years is not None:
            years = "unknown" if self.years is None else _one_decimal(self.years)
            verdict = "meets" if self.meets_experience else "below"
            parts.append(f"{years} years, {verdict} {criteria.min_years:g}+")
        if criteria.location:
            parts.append(("in " if self.in_location else "not in ") + criteria.location)
        if self.segment_fit is None:
            parts.append("no segment fit")
        else:
            parts.append(f"segment fit {self.segment_fit:.2f}")
        return "; ".join(parts)


def _one_decimal(value: float) -> str:
    """12.0105 as "12", 11.62 as "11.6": how the pages show years."""
    return f"{value:.1f}".removesuffix(".0")


# Candidates for an opening


@dataclass(frozen=True)
class CandidateFit(Fit):
    candidate: Candidate


def candidates_for_opening(
    *, criteria: Criteria, fits: SegmentFits, limit: int = TOP_CANDIDATES
) -> list[CandidateFit]:
    """The ``limit`` best-scoring candidates holding at least one required skill, best first."""
    if not criteria.skills:
        return []
    weights = fits.by_segment()
    top = _top_candidates(criteria=criteria, weights=weights, limit=limit)
    if not top:
        return []
    by_id = (
        Candidate.objects.select_related("segment")
        .only("name", "location", "years_experience", "primary_skill", "segment__name")
        .in_bulk([row.candidate_id for row in top])
    )
    names = {skill.pk: skill.name for skill in criteria.skills}
    held: dict[int, set[str]] = {row.candidate_id: set() for row in top}
    pairs = CandidateSkill.objects.filter(candidate_id__in=list(held), skill_id__in=list(names))
    for candidate_id, skill_id in pairs.values_list("candidate_id", "skill_id"):
        held[candidate_id].add(names[skill_id])
    found = []
    for row in top:
        candidate = by_id.get(row.candidate_id)
        if candidate is None:  # deleted since the ranking query
            continue
        found.append(
            CandidateFit(
                criteria=criteria,
                skills_held=tuple(name for name in names.values() if name in held[candidate.pk]),
                years=candidate.years_experience,
                location=candidate.location,
                meets_experience=row.meets_experience,
                in_location=row.in_location,
                segment_fit=weights.get(candidate.segment_id),
                candidate=candidate,
            )
        )
    return found


@dataclass(frozen=True)
class _RankedCandidate:
    candidate_id: int
    meets_experience: bool
    in_location: bool
    score: float


def _top_candidates(
    *, criteria: Criteria, weights: dict[int, float | None], limit: int
) -> list[_RankedCandidate]:
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
        below = criteria.score(skills=(tier - 1) / n, experience=1.0, location=1.0) * best_weight
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
) -> list[_RankedCandidate]:
    """One ranking query: over every holder of a required skill, or over a tier of them.

    Raw SQL because the ORM cannot join a grouped subquery: counting each candidate's matched
    skills first, then reading only those candidates' rows, is 20-30% faster on SQLite than
    grouping the joined rows. The experience and location verdicts come back with the ranking,
    so the page shows what was scored.
    """
    quote = connection.ops.quote_name
    column = {
        name: quote(Candidate._meta.get_field(name).column)
        for name in ("id", "years_experience", "location", "segment")
    }
    pairs = quote(CandidateSkill._meta.db_table)
    pair_candidate = quote(CandidateSkill._meta.get_field("candidate").column)
    pair_skill = quote(CandidateSkill._meta.get_field("skill").column)
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
    known = {int(pk): fit for pk, fit in weights.items() if fit is not None}
    weight = repr(segment_weight(None))
    if known:
        cases = " ".join(f"WHEN {pk} THEN {segment_weight(fit)!r}" for pk, fit in known.items())
        weight = f"CASE c.{column['segment']} {cases} ELSE {weight} END"
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
            ) parts
        ) scored
        ORDER BY score DESC, candidate_id
        LIMIT %s
    """
    params = [*experience_params, *location_params, *matched_params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            _RankedCandidate(candidate_id, bool(experienced), bool(located), float(score))
            for candidate_id, experienced, located, score in cursor.fetchall()
        ]


# The whole picture for one opening


@dataclass(frozen=True)
class OpeningRecommendations:
    """What the job opening page shows: segments and candidates that fit, or why there are none."""

    criteria: Criteria
    has_segmentation: bool
    segments: list[SegmentFit]
    # None when not asked for.
    candidates: list[CandidateFit] | None
    # The candidates the segment shares were counted on when that was a sample; None for all.
    sampled: int | None

    @property
    def has_skills(self) -> bool:
        return bool(self.criteria.skills)


def opening_recommendations(
    *, opening: JobOpening, with_candidates: bool = True, random_state: int = 0
) -> OpeningRecommendations:
    """The active run's segments by fit to the opening and, if asked, its best candidates.

    An opening that lists no required skill gets neither: skills are most of a match, and
    without them every candidate in the location would tie.
    """
    criteria = Criteria.of(opening)
    if not criteria.skills:
        return OpeningRecommendations(
            criteria=criteria, has_segmentation=False, segments=[], candidates=[], sampled=None
        )
    segments = active_segments_with_profiles()
    fits = segment_fits(criteria=criteria, segments=segments, random_state=random_state)
    candidates = candidates_for_opening(criteria=criteria, fits=fits) if with_candidates else None
    return OpeningRecommendations(
        criteria=criteria,
        has_segmentation=bool(segments),
        segments=fits.fits,
        candidates=candidates,
        sampled=fits.sampled,
    )


@dataclass(frozen=True)
class SegmentSuggestions:
    """The segments a new campaign for an opening should target, and all of them ranked."""

    opening: JobOpening
    recommendations: OpeningRecommendations
    suggested: list[SegmentFit]

    @property
    def suggested_ids(self) -> list[int]:
        return [entry.segment.pk for entry in self.suggested]

    @property
    def best(self) -> SegmentFit | None:
        fits = self.recommendations.segments
        return fits[0] if fits and fits[0].fit is not None else None


def segment_suggestions(*, opening: JobOpening, random_state: int = 0) -> SegmentSuggestions:
    """The segments to target for the opening (see ``suggested_segments``)."""
    recommendations = opening_recommendations(
        opening=opening, with_candidates=False, random_state=random_state
    )
    return SegmentSuggestions(
        opening=opening,
        recommendations=recommendations,
        suggested=suggested_segments(recommendations.segments),
    )


def suggested_segments(fits: Iterable[SegmentFit]) -> list[SegmentFit]:
    """Of fits ranked best first, the good ones nearly as good as the best (at most three)."""
    ranked = [entry for entry in fits if entry.fit is not None]
    if not ranked:
        return []
    floor = max(SUGGESTION_MIN_FIT, ranked[0].fit - SUGGESTION_MARGIN)
    return [entry for entry in ranked if entry.fit >= floor][:MAX_SUGGESTIONS]


# Openings for a candidate


@dataclass(frozen=True)
class OpeningFit(Fit):
    opening: JobOpening


def openings_for_candidate(
    *, candidate: Candidate, limit: int = TOP_OPENINGS, random_state: int = 0
) -> list[OpeningFit]:
    """Open openings where the candidate holds a required skill, best score first.

    Openings are few, so they are scored here, by the rules the database applies on the opening
    page; the fit of the candidate's segment to all of them comes from one pair of sample
    queries. ``candidate.segment`` should come with its run (``select_related``).
    """
    openings = [
        opening
        for opening in JobOpening.objects.filter(is_open=True)
        .only("id", "title", "location", "min_years_experience")
        .prefetch_related(Prefetch("required_skills", Skill.objects.only("id", "name")))
        .order_by("title", "id")
        if opening.required_skills.all()
    ]
    if not openings:
        return []
    criteria_of = {opening.pk: Criteria.of(opening) for opening in openings}
    required = {pk for criteria in criteria_of.values() for pk in criteria.skill_ids}
    held = set(
        CandidateSkill.objects.filter(
            candidate_id=candidate.pk, skill_id__in=list(required)
        ).values_list("skill_id", flat=True)
    )
    relevant = {
        pk: criteria
        for pk, criteria in criteria_of.items()
        if held.intersection(criteria.skill_ids)
    }
    segment_fit_of = _segment_fit_per_opening(
        _active_segment_of(candidate), relevant, random_state=random_state
    )
    results = []
    for opening in openings:
        criteria = relevant.get(opening.pk)
        if criteria is None:
            continue
        results.append(
            OpeningFit(
                criteria=criteria,
                skills_held=tuple(skill.name for skill in criteria.skills if skill.pk in held),
                years=candidate.years_experience,
                location=candidate.location,
                meets_experience=criteria.meets_experience(candidate.years_experience),
                in_location=criteria.in_location(candidate.location),
                segment_fit=segment_fit_of.get(opening.pk),
                opening=opening,
            )
        )
    results.sort(key=lambda entry: -entry.score)  # stable: equal scores stay by title
    return results[:limit]


def _active_segment_of(candidate: Candidate) -> Segment | None:
    if candidate.segment_id is None or not candidate.segment.run.is_active:
        return None
    return candidate.segment


def _segment_fit_per_opening(
    segment: Segment | None, criteria_of: dict[int, Criteria], *, random_state: int
) -> dict[int, float | None]:
    """One segment's fit to each opening (by opening id), from one pair of sample queries."""
    if segment is None or not criteria_of:
        return {}
    every = criteria_of.values()
    counts = _segment_counts(
        skill_ids={pk for criteria in every for pk in criteria.skill_ids},
        min_years={criteria.min_years for criteria in every if criteria.min_years is not None},
        locations={criteria.location for criteria in every if criteria.location},
        random_state=random_state,
        segment_id=segment.pk,
    )
    return {pk: _fit_of(segment, criteria, counts).fit for pk, criteria in criteria_of.items()}
