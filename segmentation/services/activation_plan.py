"""What activating a run would do, asked before it is done: the activation page's numbers.

How many candidates would change segment, and which segments of the active run would end
without a twin while a person named them or a campaign aims at them: for those campaigns the
page asks which of the new segments to target instead (``retarget``, kept by
``run_activating``'s receivers during the activation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from candidates.models import Candidate
from segmentation.ml.errors import SegmentationError
from segmentation.models import Segment, SegmentationRun
from segmentation.selectors.assignments import run_switch_flows
from segmentation.selectors.runs import run_active
from segmentation.services.activation import segmentation_pipeline_load
from segmentation.services.succession import segment_twins
from segmentation.signals import targets_asked


@dataclass(frozen=True)
class SegmentEnding:
    """A segment of the active run that the new run has no twin for, and who relies on it."""

    segment: Segment
    campaigns: list[dict[str, Any]]


@dataclass(frozen=True)
class ActivationPlan:
    run: SegmentationRun
    active: SegmentationRun | None
    candidates: int
    # None when it cannot be known before activating (the run's rows were pruned).
    moving: int | None
    new_segments: list[Segment]
    ending: list[SegmentEnding] = field(default_factory=list)
    error: str = ""

    @property
    def campaigns(self) -> list[dict[str, Any]]:
        """Each campaign aimed at an ending segment, once, with the names of those segments."""
        found: dict[int, dict[str, Any]] = {}
        for ending in self.ending:
            for campaign in ending.campaigns:
                entry = found.setdefault(campaign["id"], {**campaign, "segments": []})
                entry["segments"].append(ending.segment.name)
        return sorted(found.values(), key=lambda campaign: campaign["name"])

    @property
    def renamed_ending(self) -> list[Segment]:
        return [ending.segment for ending in self.ending if ending.segment.name_is_custom]


def activation_plan(*, run: SegmentationRun) -> ActivationPlan:
    """What activating ``run`` now would move and leave without a twin."""
    active = run_active()
    new_segments = list(run.segments.order_by("number"))
    if active is None or active.pk == run.pk:
        return ActivationPlan(
            run=run,
            active=active,
            candidates=Candidate.objects.count(),
            moving=None,
            new_segments=new_segments,
        )
    old_segments = list(active.segments.order_by("number"))
    candidates = sum(segment.size for segment in old_segments)
    try:
        # Loaded only if the twins were not recorded at training (a run two or more back).
        twins = segment_twins(
            run=run, pipeline=lambda: segmentation_pipeline_load(run), active=active
        )
    except SegmentationError as exc:
        return ActivationPlan(
            run=run,
            active=active,
            candidates=candidates,
            moving=None,
            new_segments=new_segments,
            error=str(exc),
        )
    moving = None
    if not run.assignments_pruned:
        flows = run_switch_flows(from_run_id=active.pk, to_run_id=run.pk)
        moving = sum(count for old, new, count in flows if twins.get(old) != new)
    without_twin = [segment for segment in old_segments if segment.pk not in twins]
    aiming = _campaigns_aiming_at([segment.pk for segment in without_twin])
    ending = [
        SegmentEnding(
            segment=segment,
            campaigns=[c for c in aiming if segment.pk in c["segment_ids"]],
        )
        for segment in without_twin
    ]
    return ActivationPlan(
        run=run,
        active=active,
        candidates=candidates,
        moving=moving,
        new_segments=new_segments,
        ending=[e for e in ending if e.campaigns or e.segment.name_is_custom],
    )


def _campaigns_aiming_at(segment_ids: list[int]) -> list[dict[str, Any]]:
    if not segment_ids:
        return []
    responses = targets_asked.send(sender=SegmentationRun, segment_ids=segment_ids)
    return [entry for _, entries in responses for entry in entries or []]
