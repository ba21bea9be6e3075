"""A new run among the others: its twins in the active run, where candidates would move, and
campaign targets that follow the twins when it becomes active.

Training calls ``run_succession_plan`` once the model is fitted (it reads every candidate's
current segment, so it stays outside the write transaction) and ``run_succession_record`` in
the transaction that creates the segments. Activation (``segmentation_assign``) calls
``campaign_targets_carry_over`` in its own transaction, before it switches the active run.
docs/retraining.md tells the whole story.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet

from campaigns.models import Campaign
from segmentation.active_model import active_model_get
from segmentation.ml.errors import SegmentationError
from segmentation.ml.matching import NO_TWIN, SegmentMatching, match_segments
from segmentation.ml.pipeline import SegmentationPipeline
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.selectors import candidate_segment_ids_load

logger = logging.getLogger(__name__)

# The page lists the largest flows; the rest are added up in one line.
FLOWS_SHOWN = 40


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
    *, pipeline: SegmentationPipeline, labels: np.ndarray, candidate_ids: np.ndarray
) -> SuccessionPlan | None:
    """Match a freshly fitted model to the active run and count where candidates would go.

    ``labels`` are the new segment numbers of ``candidate_ids``. None without an active run
    (nothing to compare with). If the active run's model cannot be read, the plan says so and
    the new run simply starts without twins: training is not refused for it.
    """
    try:
        active = active_model_get()
    except SegmentationError as exc:
        run_id = SegmentationRun.objects.filter(is_active=True).values_list("pk", flat=True).first()
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
    flows = _flows(old_segments, labels, candidate_ids, n_new)
    return SuccessionPlan(
        previous_run_id=active.run_id,
        old_segments=old_segments,
        matching=matching,
        flows=flows,
        campaigns=_campaigns_affected(old_segments, matching, flows),
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


def _campaigns_affected(
    old_segments: list[Segment], matching: SegmentMatching, flows: np.ndarray
) -> list[dict[str, Any]]:
    """Active campaigns aimed at the old segments, and how their audience would change.

    On activation a campaign aimed at old segments S also aims at their twins T. ``staying``
    are its candidates who go to T, ``leaving`` those who go elsewhere (it loses them),
    ``joining`` those who come to T from outside S (it gains them).
    """
    number_of = {segment.pk: segment.number for segment in old_segments}
    targets = _active_campaign_targets().filter(segment_id__in=list(number_of))
    aimed: dict[int, tuple[str, set[int]]] = {}
    for campaign_id, name, segment_id in targets.values_list(
        "campaign_id", "campaign__name", "segment_id"
    ):
        aimed.setdefault(campaign_id, (name, set()))[1].add(number_of[segment_id])
    campaigns = []
    for campaign_id, (name, numbers) in sorted(aimed.items()):
        rows = [number + 1 for number in sorted(numbers)]
        twins = [new for new, old in enumerate(matching.old_of_new.tolist()) if old in numbers]
        audience = int(flows[rows].sum())
        staying = int(flows[np.ix_(rows, twins)].sum()) if twins else 0
        campaigns.append(
            {
                "id": campaign_id,
                "name": name,
                "segments": [old_segments[number].pk for number in sorted(numbers)],
                "audience": audience,
                "staying": staying,
                "leaving": audience - staying,
                "joining": (int(flows[:, twins].sum()) - staying) if twins else 0,
            }
        )
    return campaigns


def _active_campaign_targets() -> QuerySet:
    return Campaign.target_segments.through.objects.filter(campaign__status=Campaign.Status.ACTIVE)


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


def campaign_targets_carry_over(*, run: SegmentationRun, pipeline: SegmentationPipeline) -> int:
    """Campaigns aimed at the active run's segments also aim at their twins in ``run``.

    Called as ``run`` becomes active, in that transaction. Twins are the recorded ones when
    ``run`` was trained against the active run (or the other way round: re-activating the
    previous run), else matched now. Ended campaigns keep their targets as a record. Returns
    how many targets were added.
    """
    active = SegmentationRun.objects.filter(is_active=True).exclude(pk=run.pk).first()
    if active is None:
        return 0
    twin_of = dict(_twins(run=run, pipeline=pipeline, active=active))
    if not twin_of:
        return 0
    through = Campaign.target_segments.through
    aimed = (
        through.objects.filter(segment_id__in=list(twin_of))
        .exclude(campaign__status=Campaign.Status.ENDED)
        .values_list("campaign_id", "segment_id")
    )
    added = {(campaign_id, twin_of[segment_id]) for campaign_id, segment_id in aimed}
    through.objects.bulk_create(
        [through(campaign_id=c, segment_id=s) for c, s in sorted(added)], ignore_conflicts=True
    )
    return len(added)


def _twins(
    *, run: SegmentationRun, pipeline: SegmentationPipeline, active: SegmentationRun
) -> list[tuple[int, int]]:
    """(active run's segment id, ``run``'s segment id) pairs."""
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
        logger.warning("Campaign targets not carried to run %s: %s", run.pk, exc)
        return []
    if current is None:
        return []
    matching = match_segments(current.pipeline, pipeline)
    new_ids = dict(Segment.objects.filter(run=run).values_list("number", "pk"))
    return [(int(current.segment_ids[old]), new_ids[new]) for old, new in matching.pairs]


def migration_summary_display(run: SegmentationRun) -> dict[str, Any] | None:
    """A run's migration summary for the page, with today's segment and campaign names.

    Says when it is out of date: it compares with the run active when this one was trained,
    which may no longer be the active one.
    """
    summary = run.migration_summary or {}
    if not summary:
        return None
    active_id = SegmentationRun.objects.filter(is_active=True).values_list("pk", flat=True).first()
    shown: dict[str, Any] = {
        "previous_run": summary.get("previous_run"),
        "stale": summary.get("previous_run") != active_id,
        "error": summary.get("error", ""),
    }
    if "flows" not in summary:
        return shown
    segment_ids = [s["id"] for s in summary["old_segments"] + summary["new_segments"]]
    names = {s["id"]: s["name"] for s in summary["old_segments"] + summary["new_segments"]}
    names.update(Segment.objects.filter(pk__in=segment_ids).values_list("pk", "name"))
    twin_of = {s["id"]: s["twin"] for s in summary["new_segments"]}
    rows = [
        {
            "old": names.get(old) if old is not None else None,
            "new": names.get(new),
            "candidates": count,
            "twin": old is not None and twin_of.get(new) == old,
        }
        for old, new, count in summary["flows"]
    ]
    campaign_names = dict(
        Campaign.objects.filter(pk__in=[c["id"] for c in summary["campaigns"]]).values_list(
            "pk", "name"
        )
    )
    campaigns = [
        {**c, "name": campaign_names.get(c["id"], c["name"])}
        for c in summary["campaigns"]
        if c["leaving"] or c["joining"]
    ]
    matched = {s["twin"] for s in summary["new_segments"] if s["twin"] is not None}
    return {
        **shown,
        "candidates": summary["candidates"],
        "moving": summary["moving"],
        "rows": rows[:FLOWS_SHOWN],
        "rows_hidden": len(rows) - FLOWS_SHOWN if len(rows) > FLOWS_SHOWN else 0,
        "candidates_hidden": sum(row["candidates"] for row in rows[FLOWS_SHOWN:]),
        "new_without_twin": [names[s["id"]] for s in summary["new_segments"] if not s["twin"]],
        "old_without_twin": [
            names[s["id"]] for s in summary["old_segments"] if s["id"] not in matched
        ],
        "campaigns": campaigns,
        "campaigns_unaffected": len(summary["campaigns"]) - len(campaigns),
    }


def run_pending_display() -> dict[str, Any] | None:
    """The newest trained run when it is not active and no job is in progress, with its summary.

    What the segmentation page offers to activate. None while a job runs: its result decides.
    """
    if SegmentationJob.objects.filter(in_progress=True).exists():
        return None
    run = (
        SegmentationRun.objects.filter(status=SegmentationRun.Status.TRAINED)
        .select_related("created_by")
        .defer("feature_names", "pool_profile", "projection", "library_versions")
        .order_by("-created_at", "-id")
        .first()
    )
    if run is None or run.is_active:
        return None
    return {"run": run, "summary": migration_summary_display(run)}


def migration_summary_lines(run: SegmentationRun) -> list[str]:
    """The migration summary as plain lines, for the management commands."""
    summary = migration_summary_display(run)
    if summary is None:
        return ["No run was active when it was trained: nothing to compare with."]
    if "rows" not in summary:
        return [summary["error"]]
    verb = "changed" if run.is_active else "would change"
    lines = [
        f"Compared with run {summary['previous_run']}: {summary['moving']:,} of "
        f"{summary['candidates']:,} candidates {verb} segment."
    ]
    for row in summary["rows"]:
        twin = " (twin)" if row["twin"] else ""
        old = row["old"] or "No segment yet"
        lines.append(f"  {old} -> {row['new']}{twin}: {row['candidates']:,}")
    if summary["rows_hidden"]:
        lines.append(
            f"  {summary['rows_hidden']:,} smaller moves: {summary['candidates_hidden']:,}"
        )
    for campaign in summary["campaigns"]:
        lines.append(
            f"  Active campaign {campaign['name']!r}: {campaign['audience']:,} candidates now, "
            f"{campaign['leaving']:,} leave, {campaign['joining']:,} join."
        )
    return lines
