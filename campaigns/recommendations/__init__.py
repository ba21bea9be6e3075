"""Segments and candidates for a job opening, openings for a candidate (docs/recommendations.md)."""

from campaigns.recommendations.scoring import (
    Criteria,
    Fit,
    SegmentFit,
    SegmentFits,
    SkillShare,
    segment_weight,
    suggested_segments,
)
from campaigns.recommendations.services import (
    CandidateFit,
    OpeningFit,
    OpeningRecommendations,
    SegmentSuggestions,
    candidates_for_opening,
    opening_recommendations,
    openings_for_candidate,
    segment_fits,
    segment_suggestions,
)

__all__ = [
    "CandidateFit",
    "Criteria",
    "Fit",
    "OpeningFit",
    "OpeningRecommendations",
    "SegmentFit",
    "SegmentFits",
    "SegmentSuggestions",
    "SkillShare",
    "candidates_for_opening",
    "opening_recommendations",
    "openings_for_candidate",
    "segment_fits",
    "segment_suggestions",
    "segment_weight",
    "suggested_segments",
]
