"""How k was chosen, as the segmentation page charts it: the scores per k tried and the reason."""

from __future__ import annotations

from typing import Any

from segmentation.models import SegmentationRun


def k_scores_chart(run: SegmentationRun) -> dict[str, Any] | None:
    """Chart data for a run whose k was chosen automatically, or None when it was not.

    With the stability rule each k also has its least stable segment's stability and its
    smallest segment's share (``segment_stability``, ``smallest_share``); they are charted when
    present, and the run's own reason is the summary. Runs from before the rule was stored read
    "best silhouette", as they were chosen.
    """
    if not run.k_auto or not run.k_scores:
        return None
    scores = sorted(run.k_scores, key=lambda score: score["k"])
    chart = {
        "k": [score["k"] for score in scores],
        "silhouette": [_rounded(score["silhouette"]) for score in scores],
        "inertia": [score["inertia"] for score in scores],
        "chosen": run.n_clusters,
        "summary": run.k_reason or _silhouette_summary(run, scores),
        "rule": run.k_rule or "silhouette",
        "range": f"{scores[0]['k']}–{scores[-1]['k']}",
    }
    for key in ("segment_stability", "smallest_share"):
        if all(key in score for score in scores):
            chart[key] = [_rounded(score[key]) for score in scores]
    return chart


def _silhouette_summary(run: SegmentationRun, scores: list[dict[str, Any]]) -> str:
    chosen = next((score for score in scores if score["k"] == run.n_clusters), None)
    silhouette = None if chosen is None else chosen.get("silhouette")
    summary = f"k={run.n_clusters} chosen"
    if silhouette is not None:
        summary += f": best silhouette {silhouette:.2f}"
    return summary


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
