"""Job openings and the ad campaigns that target segments for them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from candidates.models import MAX_YEARS_EXPERIENCE
from common.models import TimeStampedModel


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
