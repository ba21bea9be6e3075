"""A run's migration summary in words and numbers: for the page, the admin and the commands."""

from __future__ import annotations

from typing import Any

from segmentation.models import Segment, SegmentationRun
from segmentation.selectors.assignments import active_run_id
from segmentation.selectors.runs import runs_without_large_columns

# The page lists the largest flows; the rest are added up in one line.
FLOWS_SHOWN = 40


def migration_summary_display(run: SegmentationRun) -> dict[str, Any] | None:
    """A run's migration summary for the page, with today's segment and campaign names.

    Says when it is out of date: it compares with the run active when this one was trained,
    which may no longer be the active one.
    """
    summary = run.migration_summary or {}
    if not summary:
        return None
    active_id = active_run_id()
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
    # Names as they were at training: campaigns sit in a layer above and are not read here.
    campaigns = [c for c in summary["campaigns"] if c["leaving"] or c["joining"]]
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


def run_pending_display(*, job_in_progress: bool) -> dict[str, Any] | None:
    """The newest trained run when it is not active and no job is in progress, with its summary.

    What the segmentation page offers to activate. None while a job runs (the page has read
    its current job already): its result decides.
    """
    if job_in_progress:
        return None
    run = (
        runs_without_large_columns()
        .filter(status=SegmentationRun.Status.TRAINED)
        .select_related("created_by")
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
