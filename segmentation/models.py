"""Trained segmentation models (runs) and the segments each one defines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import TimeStampedModel


class SegmentationRun(TimeStampedModel):
    """One trained model: its parameters, metrics, artifact and lifecycle."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        TRAINED = "trained", "Trained"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    is_active = models.BooleanField(
        default=False, help_text="The run whose segments the candidates carry now."
    )
    algorithm = models.CharField(max_length=40, default="kmeans")
    n_clusters = models.PositiveSmallIntegerField()
    parameters = models.JSONField(default=dict, help_text="The full clustering configuration.")
    n_candidates = models.PositiveIntegerField(default=0)
    n_features = models.PositiveIntegerField(default=0)
    inertia = models.FloatField(null=True, blank=True)
    silhouette = models.FloatField(
        null=True, blank=True, help_text="Silhouette score on a random sample of candidates."
    )
    feature_names = models.JSONField(default=list)
    pool_profile = models.JSONField(
        default=dict, help_text="Profile of every candidate at training time, for comparison."
    )
    library_versions = models.JSONField(default=dict)
    timings = models.JSONField(default=dict, help_text="Seconds per stage.")
    artifact_path = models.CharField(max_length=500, blank=True)
    artifact_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        permissions = [
            ("train_segmentation", "Can train a segmentation model"),
            ("assign_segments", "Can assign candidates to segments"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_run"
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(status="trained"), name="active_run_is_trained"
            ),
            models.CheckConstraint(condition=Q(n_clusters__gte=1), name="run_n_clusters_positive"),
        ]

    def __str__(self) -> str:
        state = "active" if self.is_active else self.get_status_display().lower()
        return f"Run {self.pk} (k={self.n_clusters}, {state})"


class Segment(models.Model):
    """A cluster of a run, with a readable profile of who is in it."""

    run = models.ForeignKey(SegmentationRun, on_delete=models.CASCADE, related_name="segments")
    number = models.PositiveSmallIntegerField(help_text="The cluster label within its run.")
    name = models.CharField(max_length=120)
    size = models.PositiveIntegerField(default=0)
    profile = models.JSONField(default=dict)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="segment_number_unique_in_run"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.name:
            self.name = f"Segment {self.number}"
        super().save(*args, **kwargs)
