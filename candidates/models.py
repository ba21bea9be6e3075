"""Candidate profiles and the skills they list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from common.models import TimeStampedModel

MAX_YEARS_EXPERIENCE = 80
# Real survey data holds salaries in the tens of millions; anything past this is a typo or overflow.
MAX_DESIRED_SALARY = 10_000_000_000


class Skill(models.Model):
    """A skill name, stored trimmed with its original spelling (``C#``, ``HTML/CSS``)."""

    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="skill_name_ci_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="skill_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class EducationLevel(models.TextChoices):
    # Declaration order is the order of attainment; EducationLevel.values keeps it.
    PRIMARY = "primary", "Primary school"
    SECONDARY = "secondary", "Secondary school"
    SOME_COLLEGE = "some_college", "Some college"
    ASSOCIATE = "associate", "Associate degree"
    BACHELOR = "bachelor", "Bachelor's degree"
    MASTER = "master", "Master's degree"
    DOCTORATE = "doctorate", "Doctorate"
    OTHER = "other", "Other"


# Profiles and features store the codes ("some_college"); people read these labels.
EDUCATION_LABELS: dict[str, str] = dict(EducationLevel.choices)


# The candidate's own columns, in the one order every list of them uses: the admin's form, the
# CSV columns, the export, the generator.
PROFILE_FIELDS: tuple[str, ...] = (
    "external_id",
    "name",
    "email",
    "location",
    "education_level",
    "years_experience",
    "desired_salary",
    "primary_skill",
)


class Candidate(TimeStampedModel):
    """One person a campaign may reach."""

    EducationLevel = EducationLevel

    # Indexes on text columns are declared in Meta: a db_index/unique field would also get a
    # PostgreSQL "_like" index that no query here uses and every assignment write must maintain.
    external_id = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        help_text="The identifier in the system the candidate came from; unique when present.",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    location = models.CharField(max_length=100, blank=True)
    education_level = models.CharField(max_length=20, choices=EducationLevel.choices, blank=True)
    years_experience = models.FloatField(null=True, blank=True)
    desired_salary = models.BigIntegerField(
        null=True, blank=True, help_text="Whole units per year."
    )
    primary_skill = models.CharField(max_length=100, blank=True)
    skills = models.ManyToManyField(
        Skill, through="CandidateSkill", related_name="candidates", blank=True
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="candidate_external_id_unique"),
            models.UniqueConstraint(Lower("email"), name="candidate_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(years_experience__isnull=True)
                | Q(years_experience__gte=0, years_experience__lte=MAX_YEARS_EXPERIENCE),
                name="candidate_years_experience_range",
            ),
            models.CheckConstraint(
                condition=Q(desired_salary__isnull=True)
                | Q(desired_salary__gte=0, desired_salary__lte=MAX_DESIRED_SALARY),
                name="candidate_desired_salary_range",
            ),
            models.CheckConstraint(
                condition=Q(education_level="")
                | Q(education_level__in=[c.value for c in EducationLevel]),
                name="candidate_education_level_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["years_experience"], name="candidate_years_idx"),
            models.Index(fields=["location"], name="candidate_location_idx"),
            models.Index(fields=["education_level"], name="candidate_education_idx"),
            models.Index(fields=["primary_skill"], name="candidate_primary_skill_idx"),
            # Activation asks which candidates changed since a run was trained.
            models.Index(fields=["updated_at"], name="candidate_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class CandidateSkill(models.Model):
    """The candidate-skill pair table, explicit so it can be read and written in bulk."""

    # No index of its own: the (candidate, skill) unique index already serves candidate lookups.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "skill"], name="candidate_skill_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}:{self.skill_id}"


class CandidateImport(TimeStampedModel):
    """A CSV file uploaded on the import page, imported by the background worker.

    Not a segmentation job: imports may run while a model trains (their batches take turns
    with activation through the assignments lock), and several imports may run at once, so the
    "one job at a time" rule of training and activation does not apply to them.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(max_length=255, help_text="The name the file was uploaded with.")
    file_path = models.CharField(
        max_length=500, blank=True, help_text="The uploaded file on disk; removed once imported."
    )
    file_size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=40, blank=True, help_text="Blank: UTF-8.")
    bytes_read = models.PositiveBigIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors_shown = models.JSONField(
        default=list, help_text="The first rejected rows' line, column and reason."
    )
    errors_path = models.CharField(
        max_length=500, blank=True, help_text="The rejected rows as CSV, as import --errors-csv."
    )
    ignored_columns = models.JSONField(default=list)
    error = models.TextField(blank=True, help_text="Why the file could not be imported.")
    segment_problem = models.TextField(
        blank=True, help_text="Why the imported candidates were stored without a segment."
    )
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name} ({self.get_status_display().lower()})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def progress(self) -> float:
        if self.status == self.Status.SUCCEEDED:
            return 1.0
        return min(1.0, self.bytes_read / self.file_size) if self.file_size else 0.0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected
