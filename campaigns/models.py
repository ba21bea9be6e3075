"""Job openings and the ad campaigns that target segments for them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from candidates.models import MAX_YEARS_EXPERIENCE
from common.models import JobProgress, QueuedOrRunning, TimeStampedModel


class JobOpening(TimeStampedModel):
    """A role a recruiter wants to fill."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=100, blank=True)
    required_skills = models.ManyToManyField(
        "candidates.Skill", related_name="job_openings", blank=True
    )
    min_years_experience = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_YEARS_EXPERIENCE)],
        help_text=f"From 0 to {MAX_YEARS_EXPERIENCE} years, as a candidate's experience.",
    )
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_years_experience__isnull=True)
                | Q(min_years_experience__gte=0, min_years_experience__lte=MAX_YEARS_EXPERIENCE),
                name="job_opening_min_years_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Campaign(TimeStampedModel):
    """A job-ad campaign aimed at one or more segments."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Activated, waiting for its start date: the worker's check starts it (lifecycle.py).
        SCHEDULED = "scheduled", "Scheduled"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    name = models.CharField(max_length=200)
    job_opening = models.ForeignKey(JobOpening, on_delete=models.PROTECT, related_name="campaigns")
    target_segments = models.ManyToManyField(
        "segmentation.Segment", related_name="campaigns", blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("export_audience", "Can export a campaign's audience for ad platforms"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="campaign_end_not_before_start",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignSendJob(JobProgress, QueuedOrRunning, TimeStampedModel):
    """One run of a campaign's job-ad email, started from its page: progress for the page.

    It holds no lock: what keeps each message to one delivery is the claim on its
    ``CampaignMessage`` row, so two sends of one campaign side by side still send each once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="send_jobs")
    progress_fields = ("done", "total")  # what its progress bar counts
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_id = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="Messages this send had to deliver.")
    done = models.PositiveIntegerField(
        default=0, help_text="Of those, sent, failed or skipped so far."
    )
    summary = models.TextField(blank=True, help_text="What the send did, once it ended.")
    error = models.TextField(blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Send {self.pk} of campaign {self.campaign_id} ({self.status})"


class CampaignMessage(TimeStampedModel):
    """The one job-ad email a campaign may send a candidate, ever: claimed, then marked.

    ``sending`` is written before the message goes to the mail server and ``sent`` after; a
    row a killed sender left in ``sending`` is never sent again (at most once: it may or may
    not have been delivered). docs/campaigns.md explains the choice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="campaign_messages"
    )
    # The segment that put the candidate in the audience, for the results per segment.
    segment = models.ForeignKey(
        "segmentation.Segment", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the candidate first followed its apply link."
    )

    class Meta:
        ordering = ["campaign", "candidate"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "candidate"], name="one_message_per_campaign_candidate"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="message_campaign_status")]

    def __str__(self) -> str:
        return f"Message of campaign {self.campaign_id} to candidate {self.candidate_id}"


class Application(TimeStampedModel):
    """Someone applied to a job opening through its public page.

    Campaign, candidate and segment are set only when the visitor came through a campaign's
    signed link: the segment is the candidate's at the moment of applying.
    """

    job_opening = models.ForeignKey(
        JobOpening, on_delete=models.CASCADE, related_name="applications"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    candidate = models.ForeignKey(
        "candidates.Candidate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    segment = models.ForeignKey(
        "segmentation.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    message = models.TextField(blank=True, max_length=2000)
    cv_url = models.URLField(blank=True, max_length=500)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "created_at"], name="application_email_time")]

    def __str__(self) -> str:
        return f"{self.name} for {self.job_opening_id}"
