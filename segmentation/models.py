"""Trained segmentation models (runs) and the segments each one defines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.models import JobProgress, TimeStampedModel

# JSON columns no list of runs needs: the projection alone holds thousands of points.
RUN_LARGE_COLUMNS: tuple[str, ...] = (
    "feature_names",
    "pool_profile",
    "projection",
    "library_versions",
)


class SegmentationRunQuerySet(models.QuerySet):
    def without_large_columns(self, *, keep: tuple[str, ...] = ()) -> SegmentationRunQuerySet:
        """Runs with their large JSON columns left unread (each stays readable on access)."""
        return self.defer(*(column for column in RUN_LARGE_COLUMNS if column not in keep))


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
    projection = models.JSONField(
        default=dict, help_text="2-D coordinates of a sample of candidates, for the scatter chart."
    )
    library_versions = models.JSONField(default=dict)
    k_scores = models.JSONField(
        default=list,
        help_text="With automatic k: silhouette and inertia for each k tried, and with the "
        "stability rule stability, segment_stability and smallest_share, "
        '[{"k": 2, "silhouette": 0.21, "inertia": 1234.5}, ...].',
    )
    k_auto = models.BooleanField(default=False, help_text="k was chosen by the scores above.")
    k_rule = models.CharField(
        max_length=20,
        blank=True,
        help_text='With automatic k: the rule that chose it, "stability" or "silhouette".',
    )
    k_reason = models.TextField(
        blank=True, help_text="With automatic k: why this k, in a sentence."
    )
    quality = models.JSONField(
        default=dict,
        help_text="How far the segments can be trusted: agreement across resampled refits, the "
        "least stable segment, mixed segments (segmentation/ml/quality.py, docs/quality.md).",
    )
    outlier_threshold = models.FloatField(
        null=True,
        blank=True,
        help_text="Distance to the nearest centre above which a candidate is unusual "
        "(a percentile of the training distances).",
    )
    previous_run = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The run active when this one was trained; its segments were matched to ours.",
    )
    migration_summary = models.JSONField(
        default=dict,
        help_text="How candidates would move from the previous run's segments to this run's.",
    )
    timings = models.JSONField(default=dict, help_text="Seconds per stage.")
    artifact_path = models.CharField(max_length=500, blank=True)
    artifact_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    assignments_as_of = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the candidates its assignment rows were computed from were read; a "
        "candidate changed since gets a fresh row when the run is activated.",
    )
    assignments_pruned = models.BooleanField(
        default=False,
        help_text="Its assignment rows were removed by the retention rule; activating it "
        "computes every candidate's segment again.",
    )

    objects = SegmentationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        permissions = [
            ("train_segmentation", "Can train a segmentation model"),
            ("activate_segmentation", "Can activate a segmentation run"),
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


class SegmentQuerySet(models.QuerySet):
    def active(self) -> SegmentQuerySet:
        """The segments candidates carry now: the active run's, in number order."""
        return self.filter(run__is_active=True).order_by("number")


class Segment(models.Model):
    """A cluster of a run, with a readable profile of who is in it."""

    run = models.ForeignKey(SegmentationRun, on_delete=models.CASCADE, related_name="segments")
    number = models.PositiveSmallIntegerField(help_text="The cluster label within its run.")
    name = models.CharField(max_length=120)
    name_is_custom = models.BooleanField(
        default=False, help_text="A person named it; retraining keeps that name for its twin."
    )
    matched_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matched_to",
        help_text="Its twin in the previous run (Hungarian matching of centres).",
    )
    size = models.PositiveIntegerField(default=0)
    profile = models.JSONField(default=dict)

    objects = SegmentQuerySet.as_manager()

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


class SegmentationJob(JobProgress, TimeStampedModel):
    """A training or an activation, queued for the worker or running, and how it ended.

    The run is the result; the job is the work. At most one job is queued or running at a time,
    held by a partial unique index on ``in_progress`` so it holds across processes on SQLite and
    PostgreSQL alike: a second request fails to insert and is refused with a message.
    """

    class Kind(models.TextChoices):
        TRAIN = "train", "Train"
        ACTIVATE = "activate", "Activate"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    progress_fields = ("stages_done", "stages_total")  # what its progress bar counts
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    in_progress = models.BooleanField(
        default=True, editable=False, help_text="Queued or running; at most one job at a time."
    )
    parameters = models.JSONField(default=dict, help_text="What was asked: k, configuration.")
    run = models.ForeignKey(
        SegmentationRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text="The run trained (train) or activated (activate).",
    )
    result = models.JSONField(default=dict, help_text="What it did: run, candidates per segment.")
    stage = models.CharField(max_length=40, blank=True)
    stages_done = models.PositiveSmallIntegerField(default=0)
    stages_total = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="Someone asked to cancel it; it stops at its next stage."
    )
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["in_progress"], condition=Q(in_progress=True), name="one_job_in_progress"
            ),
            models.CheckConstraint(
                condition=Q(in_progress=True, status__in=["queued", "running"])
                | Q(in_progress=False, status__in=["succeeded", "failed", "cancelled"]),
                name="job_in_progress_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk}: {self.get_kind_display().lower()} ({self.status})"


class UnusualCandidate(models.Model):
    """A candidate far from every segment centre under a run (an unusual profile)."""

    run = models.ForeignKey(SegmentationRun, on_delete=models.CASCADE, related_name="unusual")
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="unusual_in"
    )
    distance = models.FloatField(help_text="Distance to the nearest segment centre.")

    class Meta:
        ordering = ["run", "-distance"]
        constraints = [
            models.UniqueConstraint(fields=["run", "candidate"], name="unusual_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"Candidate {self.candidate_id} unusual in run {self.run_id}"


class Assignment(models.Model):
    """A candidate's segment under one run: written when the run is trained, kept per run.

    Activating a run only switches which run is active; the pages read the active run's rows
    (segmentation/selectors/assignments.py). Segment sizes are these rows counted, stored on the
    segment and kept right by whatever adds, moves or deletes a row, in the same transaction.
    """

    # (candidate, run) serves one candidate's rows and the cascade when a candidate is deleted;
    # (segment, candidate) a segment's members in id order. No other index: each one costs
    # every training's bulk write.
    run = models.ForeignKey(
        SegmentationRun, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "run"], name="assignment_once_per_run"),
        ]
        indexes = [
            models.Index(fields=["segment", "candidate"], name="assignment_segment_members"),
        ]

    def __str__(self) -> str:
        return f"Candidate {self.candidate_id} in segment {self.segment_id} (run {self.run_id})"
