"""Candidate profiles and the skills they list."""

from __future__ import annotations

import hashlib
import hmac

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
    # db_default too: bulk writers that insert raw rows (generation, COPY) need not know of it.
    contact_allowed = models.BooleanField(
        default=True,
        db_default=True,
        help_text="Campaigns reach only candidates who may be contacted; unsubscribing clears it.",
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
