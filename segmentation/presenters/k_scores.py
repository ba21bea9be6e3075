"""How k was chosen, as the segmentation page charts it: silhouette and inertia per k tried."""

from __future__ import annotations

from typing import Any

from segmentation.models import SegmentationRun


def k_scores_chart(run: SegmentationRun) -> dict[str, Any] | None:
    """Chart data for a run whose k was chosen automatically, or None when it was not."""
    if not run.k_auto or not run.k_scores:
        return None
    scores = sorted(run.k_scores, key=lambda score: score["k"])
    chosen = next((score for score in scores if score["k"] == run.n_clusters), None)
    silhouette = None if chosen is None else chosen.get("silhouette")
    summary = f"k={run.n_clusters} chosen"
    if silhouette is not None:
        summary += f": best silhouette {silhouette:.2f}"
    return {
        "k": [score["k"] for score in scores],
        "silhouette": [
            None if score["silhouette"] is None else round(score["silhouette"], 4)
            for score in scores
        ],
        "inertia": [score["inertia"] for score in scores],
        "chosen": run.n_clusters,
        "summary": summary,
        "range": f"{scores[0]['k']}–{scores[-1]['k']}",
    }
