"""The match, fit and score of docs/recommendations.md, on plain values: no Django, no queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from segmentation.ml.profile_format import profile_statistic

SKILL_WEIGHT = 0.6
EXPERIENCE_WEIGHT = 0.25
LOCATION_WEIGHT = 0.15
# The factor on the match of a candidate in a segment of fit 0 (or in no segment); fit 1 gives 1.
SEGMENT_WEIGHT_FLOOR = 0.5

# A segment is suggested for a campaign when its fit is at least SUGGESTION_MIN_FIT and within
# SUGGESTION_MARGIN of the best segment's: good in itself and nearly as good as the best.
SUGGESTION_MIN_FIT = 0.3
SUGGESTION_MARGIN = 0.15
MAX_SUGGESTIONS = 3


# What the scores read of the models, so that they can be given plain objects in a test.


class SkillLike(Protocol):
    """A required skill (a ``candidates.models.Skill``)."""

    name: str

    @property
    def pk(self) -> Any: ...


class SkillSet(Protocol):
    def all(self) -> Iterable[SkillLike]: ...


class OpeningLike(Protocol):
    """A job opening (a ``campaigns.models.JobOpening``)."""

    min_years_experience: float | None
    location: str

    @property
    def required_skills(self) -> SkillSet: ...


class SegmentLike(Protocol):
    """A segment of the active run (a ``segmentation.models.Segment``)."""

    size: int
    profile: dict[str, Any] | None

    @property
    def pk(self) -> Any: ...


# What an opening asks for, and the scores


@dataclass(frozen=True)
class Criteria:
    """An opening's criteria in the form the scores use."""

    skills: tuple[SkillLike, ...]
    min_years: float | None
    location: str

    @classmethod
    def of(cls, opening: OpeningLike) -> Criteria:
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

    def best_score_holding(self, skills_held: int, *, weight: float) -> float:
        """The best score of anyone holding ``skills_held`` skills, all else met, at ``weight``."""
        match = self.score(skills=skills_held / len(self.skills), experience=1.0, location=1.0)
        return match * weight


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

    segment: SegmentLike
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
        return profile_statistic(self.segment.profile or {}, "years_experience")

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


@dataclass
class SegmentCounts:
    """Per segment, sampled candidates in all and those meeting each criterion."""

    sampled: int | None
    members: dict[int, int] = field(default_factory=dict)
    skill_holders: dict[tuple[int, int], int] = field(default_factory=dict)
    experienced: dict[tuple[int, float], int] = field(default_factory=dict)
    # Keyed by the location in lower case.
    local: dict[tuple[int, str], int] = field(default_factory=dict)


def segment_fit_of(segment: SegmentLike, criteria: Criteria, counts: SegmentCounts) -> SegmentFit:
    """The segment's shares of candidates meeting each criterion, from the counts."""
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


def segment_fits_ranked(
    *, criteria: Criteria, segments: Sequence[SegmentLike], counts: SegmentCounts
) -> SegmentFits:
    """Each segment with its fit, best first, then largest; those never counted last."""
    fits = [segment_fit_of(segment, criteria, counts) for segment in segments]
    fits.sort(key=lambda entry: (entry.fit is None, -(entry.fit or 0.0), -entry.segment.size))
    return SegmentFits(fits=fits, sampled=counts.sampled)


def suggested_segments(fits: Iterable[SegmentFit]) -> list[SegmentFit]:
    """Of fits ranked best first, the good ones nearly as good as the best (at most three)."""
    ranked = [entry for entry in fits if entry.fit is not None]
    if not ranked:
        return []
    floor = max(SUGGESTION_MIN_FIT, ranked[0].fit - SUGGESTION_MARGIN)
    return [entry for entry in ranked if entry.fit >= floor][:MAX_SUGGESTIONS]


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
