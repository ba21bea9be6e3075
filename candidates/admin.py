"""Admin for candidates and skills, built to stay usable with a million candidates.

The segment column, its filters and the train and activate actions are added by
``segmentation/admin/candidates.py``, which registers its subclass of ``CandidateAdmin`` in
place of this one: segmentation sits in the layer above and this app never imports it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from candidates.models import (
    ERASE_PERMISSION,
    PROFILE_FIELDS,
    Candidate,
    CandidateSkill,
    EducationLevel,
    Skill,
)
from candidates.services.erasure import candidate_erase

# A long list of links in the sidebar is unusable; this template renders a select instead.
DROPDOWN_FILTER_TEMPLATE = "admin/dropdown_filter.html"


class DropdownAllValuesFilter(admin.AllValuesFieldListFilter):
    """Every distinct value of the field, as a select (locations run to a few hundred)."""

    template = DROPDOWN_FILTER_TEMPLATE


class SkillFilter(admin.SimpleListFilter):
    """Candidates listing a skill, looked up in the pair table rather than through a join.

    A join on the M2M would need DISTINCT over the whole candidate table; the subquery on
    CandidateSkill keeps the changelist query a plain indexed ``id IN (...)``.
    """

    title = "skill"
    parameter_name = "skill"
    template = DROPDOWN_FILTER_TEMPLATE

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Iterable[tuple]:
        return [(str(pk), name) for pk, name in Skill.objects.values_list("pk", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(f"Unknown skill {value!r}.")
        pairs = CandidateSkill.objects.filter(skill_id=int(value))
        return queryset.filter(id__in=pairs.values("candidate_id"))


class EducationFilter(admin.SimpleListFilter):
    """The education levels, plus the blank level the choices-based filter leaves out."""

    title = "education level"
    parameter_name = "education"
    BLANK = "blank"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [*EducationLevel.choices, (self.BLANK, "Unknown")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        if value == self.BLANK:
            return queryset.filter(education_level="")
        if value not in EducationLevel.values:
            raise IncorrectLookupParameters(f"Unknown education level {value!r}.")
        return queryset.filter(education_level=value)


class YearsExperienceFilter(admin.SimpleListFilter):
    """Experience in ranges; each lower bound is included, each upper bound is not."""

    title = "years of experience"
    parameter_name = "years"
    BLANK = "blank"
    RANGES: dict[str, tuple[str, float, float | None]] = {
        "0-2": ("0–2 years", 0, 2),
        "2-5": ("2–5 years", 2, 5),
        "5-10": ("5–10 years", 5, 10),
        "10+": ("10 years or more", 10, None),
    }

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            *((key, label) for key, (label, _, _) in self.RANGES.items()),
            (self.BLANK, "Unknown"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        if value == self.BLANK:
            return queryset.filter(years_experience__isnull=True)
        if value not in self.RANGES:
            raise IncorrectLookupParameters(f"Unknown experience range {value!r}.")
        _, low, high = self.RANGES[value]
        condition = Q(years_experience__gte=low)
        if high is not None:
            condition &= Q(years_experience__lt=high)
        return queryset.filter(condition)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class CandidateSkillFormSet(BaseInlineFormSet):
    @classmethod
    def get_default_prefix(cls) -> str:
        # The pair table's related_name="+" leaves Django's default prefix empty ("-1-...").
        return "skills"


class CandidateSkillInline(admin.TabularInline):
    model = CandidateSkill
    formset = CandidateSkillFormSet
    autocomplete_fields = ["skill"]
    extra = 1
    verbose_name = "skill"
    verbose_name_plural = "skills"


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "location",
        "education_level",
        "years_experience",
        "salary",
        "primary_skill",
    ]
    search_fields = ["name", "email", "external_id", "primary_skill", "location"]
    list_filter = [
        ("location", DropdownAllValuesFilter),
        EducationFilter,
        SkillFilter,
        YearsExperienceFilter,
    ]
    # Each of these would be another full scan of the candidate table on every page view.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    inlines = [CandidateSkillInline]
    fields = [*PROFILE_FIELDS, "contact_allowed", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["erase_selected"]

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ERASE_PERMISSION)

    @admin.action(
        description="Erase selected candidates at their request (GDPR; cannot be undone)",
        permissions=["erase"],
    )
    def erase_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        erased = [
            candidate_erase(email=email, user=request.user)
            for email in queryset.values_list("email", flat=True)
        ]
        self.message_user(
            request,
            f"Erased {len(erased)} candidate(s); their emails are on the suppression list, "
            "so an import cannot bring them back.",
            messages.SUCCESS,
        )

    @admin.display(description="Desired salary", ordering="desired_salary")
    def salary(self, candidate: Candidate) -> str | None:
        if candidate.desired_salary is None:
            return None
        return f"{candidate.desired_salary:,}"
