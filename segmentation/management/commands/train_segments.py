"""Train a segmentation model on every candidate in the database."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from segmentation.ml.errors import SegmentationError
from segmentation.ml.pipeline import DEFAULT_CLUSTERS, MAX_CLUSTERS
from segmentation.progress import TRAIN_STAGES, StageProgress
from segmentation.services import segmentation_train


class Command(BaseCommand):
    help = (
        "Train a segmentation model (K-means) on every candidate and record it as a new run. "
        "Candidates keep their segments until predict_segments applies it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clusters",
            type=int,
            default=DEFAULT_CLUSTERS,
            help=f"Number of segments k (1-{MAX_CLUSTERS}; default {DEFAULT_CLUSTERS}).",
        )

    def handle(self, *args: object, **options: object) -> None:
        clusters = int(options["clusters"])  # type: ignore[arg-type]
        try:
            with StageProgress(TRAIN_STAGES) as progress:
                run = segmentation_train(n_clusters=clusters, on_stage=progress)
        except SegmentationError as exc:
            raise CommandError(str(exc)) from exc
        silhouette = "n/a" if run.silhouette is None else f"{run.silhouette:.4f}"
        self.stdout.write(f"Candidates: {run.n_candidates:,}")
        self.stdout.write(f"Clusters: {run.n_clusters}")
        self.stdout.write(f"Features: {run.n_features:,}")
        self.stdout.write(f"Inertia: {run.inertia:,.2f}")
        self.stdout.write(f"Silhouette (sample): {silhouette}")
        self.stdout.write(f"Model saved to: {run.artifact_path}")
        timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in run.timings.items())
        self.stdout.write(f"Timings: {timings}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained run {run.pk}. Apply it with: manage.py predict_segments --run {run.pk}"
            )
        )
