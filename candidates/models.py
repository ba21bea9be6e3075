"""Candidate profiles and the skills they list."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from common.models import JobProgress, QueuedOrRunning, TimeStampedModel

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


# Erasing a person removes data for good: its own permission, apart from "delete candidate".
ERASE_PERMISSION = "candidates.erase_candidate"


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
    # db_default too: bulk writers that insert raw rows (generation, COPY) need not know of it.
    contact_allowed = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Campaigns reach only candidates who may be contacted; unsubscribing clears it.",
    )

    class Meta:
        ordering = ["id"]
        permissions = [("erase_candidate", "Can erase a candidate at their request")]
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
            # Audiences subtract the few who may not be contacted: this index holds only them.
            models.Index(
                fields=["id"], condition=Q(contact_allowed=False), name="candidate_no_contact_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs) -> None:
        # Whoever saves a candidate (the admin, a form, a test), a suppressed email stays
        # uncontactable: one indexed lookup, only while consent is still set.
        if self.contact_allowed and SuppressedEmail.objects.holds(self.email):
            self.contact_allowed = False
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "contact_allowed"}
        super().save(*args, **kwargs)


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


def email_hash(email: str) -> str:
    """The suppression list's key for an email: the same for ``Ann@X.org `` and ``ann@x.org``.

    A keyed hash (HMAC-SHA256, key ``ADFLUX_SUPPRESSION_SALT``): the list names nobody if read,
    yet recognises an address a file brings back.
    """
    key = settings.ADFLUX_SUPPRESSION_SALT.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


class SuppressedEmailQuerySet(models.QuerySet):
    def holds(self, email: str) -> bool:
        return self.filter(email_hash=email_hash(email)).exists()


class SuppressedEmail(models.Model):
    """An email no campaign may reach again: a keyed hash of it, never the address itself.

    Written when a person unsubscribes or is erased. A candidate whose email is on this list
    always has ``contact_allowed`` cleared, whoever saves or imports them (see
    ``candidates/suppression.py``), so audiences need only that one column.
    """

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        ERASED = "erased", "Erased"

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuppressedEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.email_hash[:12]}…"


# Self-reported, optional, and never part of the profile: no clustering feature, no candidate
# page shows them. They exist to measure whether segments and audiences treat groups alike
# (docs/trust.md, "Fairness report"). Every category has "not given", the default.
NOT_GIVEN = "not_given"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Another sex or gender"
    NOT_GIVEN = NOT_GIVEN, "Not given"


class AgeBand(models.TextChoices):
    UNDER_25 = "under_25", "Under 25"
    FROM_25_TO_34 = "25_34", "25–34"
    FROM_35_TO_44 = "35_44", "35–44"
    FROM_45_TO_54 = "45_54", "45–54"
    FROM_55_TO_64 = "55_64", "55–64"
    FROM_65 = "65_plus", "65 and over"
    NOT_GIVEN = NOT_GIVEN, "Not given"


class Ethnicity(models.TextChoices):
    # The EEO-1 race/ethnicity categories NYC Local Law 144's bias audits use, plus "other".
    HISPANIC_LATINO = "hispanic_latino", "Hispanic or Latino"
    WHITE = "white", "White"
    BLACK = "black", "Black or African American"
    ASIAN = "asian", "Asian"
    NATIVE_AMERICAN = "native_american", "Native American or Alaska Native"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Pacific Islander"
    TWO_OR_MORE = "two_or_more", "Two or more races"
    OTHER = "other", "Other"
    NOT_GIVEN = NOT_GIVEN, "Not given"


# The demographic columns of the CSV import and their choices, in one order.
DEMOGRAPHIC_CHOICES: dict[str, type[models.TextChoices]] = {
    "sex": Sex,
    "age_band": AgeBand,
    "ethnicity": Ethnicity,
}


class Demographics(models.Model):
    """A candidate's self-reported sex, age band and race/ethnicity, kept apart from the profile.

    Its own table and its own permission (``candidates.view_demographics``): reading the
    profile never reads these, and only the fairness report, which shows groups, never people,
    uses them.
    """

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, primary_key=True, related_name="demographics"
    )
    sex = models.CharField(max_length=20, choices=Sex.choices, default=NOT_GIVEN)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, default=NOT_GIVEN)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, default=NOT_GIVEN)

    class Meta:
        verbose_name_plural = "demographics"
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{column}__in": choices.values}),
                name=f"demographics_{column}_valid",
            )
            for column, choices in DEMOGRAPHIC_CHOICES.items()
        ]

    def __str__(self) -> str:
        return f"Demographics of candidate {self.candidate_id}"


class CandidateImport(JobProgress, QueuedOrRunning, TimeStampedModel):
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

    progress_fields = ("bytes_read", "file_size")  # what its progress bar counts
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
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected
