"""Why a candidate is in its segment: the active model's reasons, in a recruiter's words.

Computed on request from the active run's model (cached per process by active_model_get): one
candidate's features, one prediction's worth of arithmetic and one query for the other segment's
name; a few milliseconds. The math is segmentation.ml.contributions; docs/explanations.md
describes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from candidates.models import EDUCATION_LABELS, Candidate
from segmentation.ml.bounds import BORDERLINE_RATIO, DEFAULT_OUTLIER_PERCENTILE
from segmentation.ml.errors import SegmentationError
from segmentation.models import Segment
from segmentation.presenters.profiles import format_number

if TYPE_CHECKING:
    from segmentation.ml.contributions import Contribution

logger = logging.getLogger(__name__)

REASONS_SHOWN = 6
AGAINST_SHOWN = 3
# Contributions smaller than this (in squared scaled distance) are noise, not reasons.
MIN_POINTS = 0.05
# A number within 5 % of the pool's median is "typical", not high or low.
TYPICAL_BAND = 0.05

FEATURE_LABELS = {
    "years_experience": "Years of experience",
    "desired_salary": "Desired salary",
    "location": "Location",
    "education_level": "Education",
    "primary_skill": "Primary skill",
}
VALUE_LABELS = {"education_level": EDUCATION_LABELS}
UNITS = {"years_experience": "years", "desired_salary": "salary"}


# How many reasons the leading sentence names; the table behind it lists up to REASONS_SHOWN.
REASONS_SAID = 3


@dataclass(frozen=True)
class Reason:
    text: str  # "Python: yes", "Desired salary: 140k, high"
    points: float  # > 0 pulls toward the candidate's segment
    phrase: str = ""  # the same in a sentence: "Python", "a high desired salary (140k)"

    @property
    def signed(self) -> str:
        return f"{self.points:+.1f}"


@dataclass(frozen=True)
class CandidateExplanation:
    segment: Segment
    next_segment: Segment | None
    distance: float
    next_distance: float | None
    confidence: float  # 1 − d₁/d₂
    borderline: bool
    toward_segment: list[Reason]  # largest first
    toward_next: list[Reason]  # largest pull away first
    unusual: bool
    nearest_distance: float
    outlier_threshold: float | None
    outlier_percentile: float
    borderline_ratio: float = BORDERLINE_RATIO

    @property
    def because(self) -> str:
        """The strongest reasons in a sentence: "Berlin, back-end developer and Python"."""
        phrases = [reason.phrase for reason in self.toward_segment[:REASONS_SAID] if reason.phrase]
        if len(phrases) < 2:
            return "".join(phrases)
        return f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def candidate_explanation(*, candidate: Candidate) -> CandidateExplanation | None:
    """Why ``candidate`` (loaded with ``segment__run``) is in its segment; None if unexplainable.

    Only a candidate whose segment belongs to the active run, whose model file loads, is
    explained: the reasons must come from the model that placed it.
    """
    # Here, not at the top: the candidate page's URL is loaded by every manage.py check.
    from segmentation.ml.contributions import candidate_reasons
    from segmentation.selectors.features import candidate_features_load
    from segmentation.services.model_cache import active_model_get

    segment = candidate.segment
    if segment is None or not segment.run.is_active or not segment.run.artifact_sha256:
        return None
    try:
        model = active_model_get()
    except SegmentationError as exc:
        logger.warning("No explanation for candidate %s: %s", candidate.pk, exc)
        return None
    if model is None or model.run_id != segment.run_id:
        return None
    features = candidate_features_load(candidate_ids=[candidate.pk])
    if len(features) == 0:
        return None
    reasons = candidate_reasons(model.pipeline, features, segment=segment.number)
    next_segment = (
        Segment.objects.filter(run_id=segment.run_id, number=reasons.next_segment)
        .only("id", "run_id", "number", "name")
        .first()
        if reasons.next_segment is not None
        else None
    )
    threshold = segment.run.outlier_threshold
    toward = [c for c in reasons.contributions if c.points >= MIN_POINTS]
    away = sorted((c for c in reasons.contributions if c.points <= -MIN_POINTS), key=_points)
    return CandidateExplanation(
        segment=segment,
        next_segment=next_segment,
        distance=reasons.distance,
        next_distance=reasons.next_distance,
        confidence=reasons.confidence,
        borderline=reasons.borderline,
        toward_segment=[_reason(c) for c in toward[:REASONS_SHOWN]],
        toward_next=[_reason(c) for c in away[:AGAINST_SHOWN]],
        unusual=threshold is not None and reasons.nearest_distance > threshold,
        nearest_distance=reasons.nearest_distance,
        outlier_threshold=threshold,
        # From the model's own configuration: the page defers the run's parameters column.
        outlier_percentile=float(
            getattr(model.pipeline.config, "outlier_percentile", DEFAULT_OUTLIER_PERCENTILE)
        ),
    )


def _points(contribution: Contribution) -> float:
    return contribution.points


def _reason(contribution: Contribution) -> Reason:
    return Reason(
        text=reason_text(contribution),
        points=contribution.points,
        phrase=reason_phrase(contribution),
    )


def reason_phrase(contribution: Contribution) -> str:
    """A feature and the candidate's value as words in a sentence: "Python", "no Java",
    "a high desired salary (140k)", "Berlin", "back-end developer", "no location given"."""
    label = FEATURE_LABELS.get(contribution.feature, contribution.feature).lower()
    if contribution.kind == "skill":
        return contribution.feature if contribution.value else f"no {contribution.feature}"
    if contribution.value is None or contribution.value == "":
        return f"no {label} given"
    if contribution.kind == "number":
        text, level = _number_level(contribution)
        if contribution.feature == "years_experience":
            length = {"typical": "typical", "high": "long", "low": "short"}[level]
            return f"{length} experience ({text} years)"
        return f"a {level} {label} ({text})"
    # Here, not at the top: segmentation.ml.naming loads pandas, which Django start-up must not.
    from segmentation.ml.naming import role_text

    shown = _shown(contribution)
    return role_text(shown) if contribution.feature == "primary_skill" else shown


def _number_level(contribution: Contribution) -> tuple[str, str]:
    """A given number as shown ("140k") and against the pool's median: typical, high or low."""
    value = float(contribution.value)
    median = contribution.pool_median
    text = format_number(value, UNITS.get(contribution.feature, ""))
    if median is None or abs(value - median) <= TYPICAL_BAND * abs(median):
        return text, "typical"
    return text, "high" if value > median else "low"


def _shown(contribution: Contribution) -> str:
    """A category value by its label ("Master's degree" for "master")."""
    value = str(contribution.value)
    return VALUE_LABELS.get(contribution.feature, {}).get(value, value)


def _filled_text(contribution: Contribution, unit: str) -> str:
    """What a blank number was counted as: the pool median (the seed preset, and years), or the
    value the recommended preset estimated from the candidate's experience and location."""
    filled = contribution.filled
    median = contribution.pool_median
    if filled is None or (median is not None and abs(filled - median) < 1e-9):
        return f"counted as the median, {format_number(median, unit)}"
    return f"counted as {format_number(filled, unit)}, estimated from experience and location"


def reason_text(contribution: Contribution) -> str:
    """One feature and the candidate's value: "Python: yes", "Desired salary: 140k, high"."""
    if contribution.kind == "skill":
        return f"{contribution.feature}: {'yes' if contribution.value else 'no'}"
    label = FEATURE_LABELS.get(contribution.feature, contribution.feature)
    if contribution.kind == "number":
        if contribution.value is None:
            unit = UNITS.get(contribution.feature, "")
            return f"{label}: not given ({_filled_text(contribution, unit)})"
        return "{}: {}, {}".format(label, *_number_level(contribution))
    if not contribution.value:
        return f"{label}: not given"
    return f"{label}: {_shown(contribution)}" + (
        "" if contribution.known else " (new since training)"
    )
