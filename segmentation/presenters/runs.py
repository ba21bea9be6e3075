"""A run in words and numbers for the command line: its configuration, scores and results."""

from __future__ import annotations

from typing import Any

from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import SegmentationRun
from segmentation.presenters.migration import migration_summary_lines


def config_describe(config: ClusteringConfig) -> str:
    sample = "all candidates" if config.fit_sample_size is None else f"{config.fit_sample_size:,}"
    parts = [f"{config.algorithm}", f"n_init={config.n_init}", f"fit on {sample}"]
    if config.svd_components is not None:
        parts.append(f"SVD to {config.svd_components} components")
    parts.append(f"{config.preset} preset")
    return ", ".join(parts)


def k_score_lines(run: SegmentationRun) -> list[str]:
    lines = []
    for score in run.k_scores:
        value = score["silhouette"]
        shown = "n/a" if value is None else f"{value:.4f}"
        chosen = "  <- chosen" if score["k"] == run.n_clusters else ""
        stability = ""
        if "segment_stability" in score:
            stability = (
                f"  least stable segment {score['segment_stability']:.2f}"
                f"  smallest {score['smallest_share']:.1%}"
            )
        lines.append(
            f"  k={score['k']:<3}{stability}  silhouette {shown}  "
            f"inertia {score['inertia']:,.1f}{chosen}"
        )
    return lines


def run_summary_json(run: SegmentationRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "n_candidates": run.n_candidates,
        "n_clusters": run.n_clusters,
        "k_auto": run.k_auto,
        "k_scores": run.k_scores,
        "k_rule": run.k_rule,
        "k_reason": run.k_reason,
        "quality": run.quality,
        "n_features": run.n_features,
        "inertia": run.inertia,
        "silhouette": run.silhouette,
        "parameters": run.parameters,
        "timings": run.timings,
        "artifact_path": run.artifact_path,
        "active": run.is_active,
        "previous_run": run.previous_run_id,
        "migration_summary": run.migration_summary,
    }


def quality_lines(run: SegmentationRun) -> list[str]:
    """The run's quality summary (docs/quality.md), for the command line; none before it existed."""
    quality = run.quality
    if not quality:
        return []
    return [
        f"Stability: {quality['agreement_across_resamples']:.2f} agreement across "
        f"{quality['stability_resamples']} resampled refits; least stable segment "
        f"{quality['min_segment_stability']:.2f}; {quality['unstable_segments']} unstable, "
        f"{quality['mixed_segments']} mixed"
    ]


def training_report_lines(run: SegmentationRun, config: ClusteringConfig) -> list[str]:
    """What a training did, line by line, for the command line."""
    silhouette = "n/a" if run.silhouette is None else f"{run.silhouette:.4f}"
    lines = [f"Candidates: {run.n_candidates:,}"]
    if run.k_auto and run.k_scores:
        tried = sorted(score["k"] for score in run.k_scores)
        reason = run.k_reason or f"k={run.n_clusters}: the best silhouette on a sample."
        lines.append(f"Clusters: {run.n_clusters} (chosen from {tried[0]}-{tried[-1]}) {reason}")
        lines.extend(k_score_lines(run))
    else:
        lines.append(f"Clusters: {run.n_clusters}")
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in run.timings.items())
    lines += [
        f"Configuration: {config_describe(config)}",
        f"Features: {run.n_features:,}",
        f"Inertia: {run.inertia:,.2f}",
        f"Silhouette (sample): {silhouette}",
        *quality_lines(run),
        f"Model saved to: {run.artifact_path}",
        f"Timings: {timings}",
    ]
    return [*lines, *migration_summary_lines(run)]


def activation_report_lines(result: dict[str, Any], run: SegmentationRun) -> list[str]:
    """What an activation did (a job's result), line by line, for the command line."""
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result["timings"].items())
    return [
        f"Model: run {run.pk} ({run.artifact_path})",
        f"Candidates: {result['total']:,}",
        *(f"  {name}: {count:,}" for name, count in result["counts"].items()),
        *(
            [f"Computed again on the Spark cluster: {result['on_cluster']:,} candidates"]
            if result.get("on_cluster")
            else []
        ),
        f"Timings: {timings}",
    ]
