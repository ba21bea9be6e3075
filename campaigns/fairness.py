"""A campaign's audience measured by group: who of each group the campaign reaches now."""

from __future__ import annotations

from campaigns.models import Campaign
from segmentation.presenters.fairness import ScopeFairness, selection_fairness
from segmentation.selectors.fairness import run_demographic_counts
from segmentation.selectors.runs import run_active


class NoActiveRunError(Exception):
    """Without an active segmentation no campaign has an audience to measure."""


def campaign_fairness(campaign: Campaign) -> ScopeFairness:
    """The report for the campaign's audience (its targets in the active run) in its pool
    (every candidate with a segment under the active run)."""
    run = run_active()
    if run is None:
        raise NoActiveRunError("There is no active segmentation, so no audience to measure.")
    targets = set(campaign.target_segments.filter(run=run).values_list("pk", flat=True))
    return selection_fairness(
        label=f"{campaign.name} (audience)",
        rows=run_demographic_counts(run_id=run.pk),
        selected_segments=targets,
    )
