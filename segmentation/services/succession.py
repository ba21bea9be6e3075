"""A new run among the others: its twins in the active run and where candidates would move.

Training calls ``run_succession_plan`` once the model is fitted (it reads every candidate's
current segment, so it stays outside the write transaction) and ``run_succession_record`` in
the transaction that creates the segments. Activation asks ``segment_twins`` in its own
transaction and sends them with ``run_activating``, so campaigns can follow the twins.
What depends on segments (campaigns) is asked through signals, never imported: it sits in a
layer above. docs/retraining.md tells the whole story.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from segmentation.ml.errors import SegmentationError
from segmentation.ml.matching import NO_TWIN, SegmentMatching, match_segments
from segmentation.ml.pipeline import SegmentationPipeline
from segmentation.models import Segment, SegmentationRun
from segmentation.selectors.assignments import active_run_id
from segmentation.selectors.features import candidate_segment_ids_load
from segmentation.services.model_cache import active_model_get
from segmentation.signals import succession_planned

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuccessionPlan:
    """What a new run is compared with, computed before its segments exist (by number)."""

    previous_run_id: int
    old_segments: list[Segment] = field(default_factory=list)
    matching: SegmentMatching | None = None
    # flows[i + 1, j]: candidates now in the old segment numbered i who would go to new
    # segment j; row 0 holds those with no segment of the previous run.
    flows: np.ndarray | None = None
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def run_succession_plan(
    *,
    pipeline: SegmentationPipeline,
    labels: np.ndarray,
    candidate_ids: np.ndarray,
    flow_counts: np.ndarray | None = None,
) -> SuccessionPlan | None:
    """Match a freshly fitted model to the active run and count where candidates would go.

    ``labels`` are the new segment numbers of ``candidate_ids``; or, from an engine that
    counted them where the candidates are (Spark), ``flow_counts`` rows of (current segment id
    or -1, new segment number, candidates) for every candidate. None without an active run
    (nothing to compare with). If the active run's model cannot be read, the plan says so and
    the new run simply starts without twins: training is not refused for it.
    """
    try:
        active = active_model_get()
    except SegmentationError as exc:
        run_id = active_run_id()
        logger.warning("New run not matched to active run %s: %s", run_id, exc)
        return SuccessionPlan(
            previous_run_id=run_id,
            error=f"Its segments were not matched to run {run_id}'s: {exc}",
        )
    if active is None:
        return None
    old_segments = list(Segment.objects.filter(run_id=active.run_id).order_by("number"))
    matching = match_segments(active.pipeline, pipeline)
    n_new = int(matching.old_of_new.shape[0])
    flows = (
        _flows(old_segments, labels, candidate_ids, n_new)
        if flow_counts is None
        else _flows_counted(old_segments, flow_counts, n_new)
    )
    return SuccessionPlan(
        previous_run_id=active.run_id,
        old_segments=old_segments,
        matching=matching,
        flows=flows,
        campaigns=_dependents_affected(old_segments, matching, flows),
    )


def _flows(
    old_segments: list[Segment], labels: np.ndarray, candidate_ids: np.ndarray, n_new: int
) -> np.ndarray:
    """(old segments + 1) x new segments counts, from one bincount over combined codes."""
    ids, segment_ids = candidate_segment_ids_load()
    # Both are ordered by id; a candidate created between the two reads has no segment yet.
    position = np.minimum(np.searchsorted(ids, candidate_ids), max(len(ids) - 1, 0))
    found = (ids[position] == candidate_ids) if len(ids) else np.zeros(len(candidate_ids), bool)
    current = np.where(found, segment_ids[position] if len(ids) else 0, 0)
    old_ids = np.array([segment.pk for segment in old_segments], dtype=np.int64)
    order = np.argsort(old_ids)
    at = np.minimum(np.searchsorted(old_ids[order], current), max(len(old_ids) - 1, 0))
    known = (old_ids[order][at] == current) if len(old_ids) else np.zeros(len(current), bool)
    old_code = np.where(known, order[at] + 1, 0)
    combined = old_code * n_new + np.asarray(labels, dtype=np.int64)
    counts = np.bincount(combined, minlength=(len(old_segments) + 1) * n_new)
    return counts.reshape(len(old_segments) + 1, n_new)


def _flows_counted(old_segments: list[Segment], flow_counts: np.ndarray, n_new: int) -> np.ndarray:
    """The same matrix as ``_flows``, from (current segment id, new number, count) rows."""
    code_of = {segment.pk: code for code, segment in enumerate(old_segments, start=1)}
    flows = np.zeros((len(old_segments) + 1, n_new), dtype=np.int64)
    for current, new, count in np.asarray(flow_counts, dtype=np.int64).reshape(-1, 3).tolist():
        flows[code_of.get(current, 0), new] += count
    return flows


def _dependents_affected(
    old_segments: list[Segment], matching: SegmentMatching, flows: np.ndarray
) -> list[dict[str, Any]]:
    """What the apps above say would change for them (campaigns: their audiences)."""
    responses = succession_planned.send(
        sender=SegmentationRun,
        old_segment_ids=[segment.pk for segment in old_segments],
        old_of_new=matching.old_of_new.tolist(),
        flows=flows,
    )
    return [entry for _, entries in responses for entry in entries or []]


def run_succession_record(*, run: SegmentationRun, plan: SuccessionPlan | None) -> None:
    """Record the plan on a run whose segments now exist: twins, carried names, the summary.

    A twin's name carries over when a person gave it (``name_is_custom``); otherwise the new
    segment keeps the name training gave it.
    """
    if plan is None:
        return
    new_segments = list(run.segments.order_by("number"))
    old_segments = plan.old_segments
    if plan.matching is not None:
        for segment, old in zip(new_segments, plan.matching.old_of_new.tolist(), strict=True):
            if old == NO_TWIN:
                continue
            twin = old_segments[old]
            segment.matched_from = twin
            if twin.name_is_custom:
                segment.name, segment.name_is_custom = twin.name, True
        Segment.objects.bulk_update(new_segments, ["matched_from", "name", "name_is_custom"])
    run.previous_run_id = plan.previous_run_id
    run.migration_summary = _summary(plan, new_segments)
    run.save(update_fields=["previous_run", "migration_summary", "updated_at"])


def _summary(plan: SuccessionPlan, new_segments: list[Segment]) -> dict[str, Any]:
    """Compact JSON: segment ids, names and counts; flows only where someone moves."""
    if plan.matching is None or plan.flows is None:
        return {"previous_run": plan.previous_run_id, "error": plan.error}
    old_ids = [None, *(segment.pk for segment in plan.old_segments)]
    flows = [
        [old_ids[row], new_segments[column].pk, int(plan.flows[row, column])]
        for row, column in zip(*np.nonzero(plan.flows), strict=True)
    ]
    flows.sort(key=lambda flow: -flow[2])
    twin_rows = plan.matching.old_of_new + 1
    staying = int(plan.flows[twin_rows, np.arange(len(new_segments))][twin_rows > 0].sum())
    total = int(plan.flows.sum())
    return {
        "previous_run": plan.previous_run_id,
        "candidates": total,
        "moving": total - staying,
        "old_segments": [
            {"id": s.pk, "name": s.name, "candidates": int(plan.flows[s.number + 1].sum())}
            for s in plan.old_segments
        ],
        "new_segments": [
            {
                "id": s.pk,
                "name": s.name,
                "twin": s.matched_from_id,
                "distance": None
                if np.isnan(plan.matching.distances[s.number])
                else round(float(plan.matching.distances[s.number]), 4),
            }
            for s in new_segments
        ],
        "flows": flows,
        "campaigns": plan.campaigns,
    }


def segment_twins(
    *,
    run: SegmentationRun,
    pipeline: Callable[[], SegmentationPipeline],
    active: SegmentationRun,
) -> dict[int, int]:
    """{active run's segment id: its twin's id in ``run``}, for the segments that have one.

    Twins are the recorded ones when ``run`` was trained against the active run (or the other
    way round: re-activating the previous run), else matched now with ``run``'s pipeline,
    which ``pipeline()`` loads only then.
    """
    return dict(_twin_pairs(run=run, pipeline=pipeline, active=active))


def _twin_pairs(
    *,
    run: SegmentationRun,
    pipeline: Callable[[], SegmentationPipeline],
    active: SegmentationRun,
) -> list[tuple[int, int]]:
    if run.previous_run_id == active.pk:
        return list(
            Segment.objects.filter(run=run, matched_from__run=active).values_list(
                "matched_from_id", "pk"
            )
        )
    if active.previous_run_id == run.pk:
        return list(
            Segment.objects.filter(run=active, matched_from__run=run).values_list(
                "pk", "matched_from_id"
            )
        )
    try:
        current = active_model_get()
    except SegmentationError as exc:
        logger.warning("Run %s not matched to the active run: %s", run.pk, exc)
        return []
    if current is None:
        return []
    matching = match_segments(current.pipeline, pipeline())
    new_ids = dict(Segment.objects.filter(run=run).values_list("number", "pk"))
    return [(int(current.segment_ids[old]), new_ids[new]) for old, new in matching.pairs]
