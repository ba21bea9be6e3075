"""A run's model card: its data, features, parameters, quality, intended use and limits."""

from __future__ import annotations

from typing import Any

from candidates.models import PROFILE_FIELDS, Candidate
from segmentation.models import SegmentationRun
from segmentation.presenters.fairness import group_label, run_fairness

# The profile columns the model reads; identity columns never are, nor demographics.
_NOT_FEATURES = {"external_id", "name", "email"}
FEATURE_COLUMNS: tuple[str, ...] = (
    *(field for field in PROFILE_FIELDS if field not in _NOT_FEATURES),
    "skills",
)


def model_card(run: SegmentationRun, *, with_fairness: bool) -> dict[str, Any]:
    """What the card page shows; the fairness summary only for those who may read it."""
    labels = {
        name: str(Candidate._meta.get_field(name).verbose_name).capitalize()
        for name in FEATURE_COLUMNS
    }
    quality = run.quality or {}
    card: dict[str, Any] = {
        "features": [labels[name] for name in FEATURE_COLUMNS],
        "encoded_features": run.n_features,
        "parameters": sorted((run.parameters or {}).items()),
        "quality": [
            ("Inertia", run.inertia),
            ("Silhouette (on a sample)", run.silhouette),
            ("Agreement across resampled refits", quality.get("agreement_across_resamples")),
            ("Least stable segment (0–1)", quality.get("min_segment_stability")),
            ("Unstable segments", quality.get("unstable_segments")),
            ("Mixed segments", quality.get("mixed_segments")),
        ],
        "segments": list(run.segments.order_by("number").values("name", "size")),
        "fairness": None,
    }
    if with_fairness and not run.assignments_pruned:
        card["fairness"] = [
            {
                "label": scope.label,
                "flagged": [
                    f"{group_label(group.group)} ({group.impact_ratio:.2f})"
                    for category in scope.report.categories
                    for group in category.flagged
                ],
                "not_given": scope.report.categories[0].not_given_pool,
                "pool": scope.report.pool,
            }
            for scope in run_fairness(run)
        ]
    return card
