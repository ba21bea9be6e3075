"""Forms for campaigns: target segments labelled with their sizes, dates checked in order.

``CampaignForm`` serves the admin; ``CampaignCreateForm`` and ``AudienceForm`` the recruiter's
pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from campaigns.models import Campaign, JobOpening
from campaigns.services import NO_TARGET_MESSAGE, campaign_targets_check
from candidates.models import MAX_YEARS_EXPERIENCE, Skill
from candidates.selectors import skill_get_by_name
from candidates.skill_names import split_skills
from segmentation.ml.bounds import MAX_CLUSTERS
from segmentation.models import Segment

# A campaign's own fields, besides its targets: the forms and the admin list them from here.
CAMPAIGN_FIELDS = ("name", "job_opening", "status", "budget", "start_date", "end_date")


class SegmentChoiceField(forms.ModelMultipleChoiceField):
    """Segments labelled with how many candidates each would reach."""

    def label_from_instance(self, obj: Segment) -> str:
        label = f"{obj.name} ({obj.size:,} candidates"
        if not obj.run.is_active:
            label += f", {obj.run}"
        return label + ")"


class CampaignForm(forms.ModelForm):
    target_segments = SegmentChoiceField(
        queryset=Segment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": NO_TARGET_MESSAGE},
        help_text="Segments of the active segmentation run, with their current sizes.",
    )

    class Meta:
        model = Campaign
        fields = [*CAMPAIGN_FIELDS, "target_segments"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = Q(run__is_active=True)
        if self.instance.pk:
            # Segments of an older run stay listed, so saving does not silently drop them.
            offered |= Q(pk__in=self.instance.target_segments.values("pk"))
        self.fields["target_segments"].queryset = (
            Segment.objects.filter(offered)
            .select_related("run")
            .order_by("-run__is_active", "run", "number")
        )

    def clean_target_segments(self) -> Any:
        # The service's rule, so the form says it under the field before anything is saved.
        targets = self.cleaned_data["target_segments"]
        try:
            campaign_targets_check(targets)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["target_segments"]) from exc
        return targets

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        # The database refuses this too (campaign_end_not_before_start), but with no sentence
        # a user could act on.
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned


# The largest id a BigAutoField (a signed 64-bit integer) can hold.
MAX_ID = 2**63 - 1


class ActiveSegmentsField(SegmentChoiceField):
    """Segments of the active run only, refusing any other id with a sentence that names it."""

    default_error_messages = {
        "invalid_choice": "Segment %(value)s is not in the active segmentation.",
        "invalid_pk_value": "“%(pk)s” is not a segment id.",
        "too_many": "Choose at most %(limit)d segments.",
    }

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            distinct = set(value)
            # An active run never has more than MAX_CLUSTERS segments, so more distinct ids
            # cannot all be valid: a tampered request is refused before it builds a long query.
            if len(distinct) > MAX_CLUSTERS:
                raise forms.ValidationError(
                    self.error_messages["too_many"],
                    code="too_many",
                    params={"limit": MAX_CLUSTERS},
                )
            for item in distinct:
                try:
                    number = int(item)
                except (TypeError, ValueError):
                    continue  # not a number at all: the parent class names it
                # No id is that large, and SQLite raises OverflowError rather than find nothing.
                if not 0 < number <= MAX_ID:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        return super().clean(value)


class CampaignCreateForm(CampaignForm):
    """The recruiter's new-campaign page: an open job opening and the active run's segments."""

    target_segments = ActiveSegmentsField(
        queryset=Segment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": NO_TARGET_MESSAGE},
        help_text="Segments of the active segmentation, with how many candidates each holds now.",
    )
    # The model has only a database check for this, whose message names the constraint
    # ("Constraint campaign_budget_non_negative is violated") rather than what to fix.
    budget = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, initial=0)

    field_order = ["name", "job_opening", "target_segments"]

    class Meta(CampaignForm.Meta):
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "job_opening": {"invalid_choice": "That job opening is not open for campaigns."},
        }

    def __init__(
        self,
        *args: Any,
        segments: QuerySet[Segment],
        job_openings: QuerySet[JobOpening],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_segments"].queryset = segments
        self.fields["job_opening"].queryset = job_openings
        self.fields["job_opening"].empty_label = "Choose a job opening"


class AudienceForm(forms.Form):
    """The segments an audience preview is asked for, checked like the campaign's targets."""

    segments = ActiveSegmentsField(queryset=Segment.objects.none(), required=False)

    def __init__(self, *args: Any, segments: QuerySet[Segment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segments"].queryset = segments


# An opening needs a handful; each name is one indexed lookup.
MAX_REQUIRED_SKILLS = 30


class JobOpeningForm(forms.ModelForm):
    """A job opening on the recruiter's pages; required skills typed as names, ``;`` between."""

    skills = forms.CharField(
        required=False,
        label="Required skills",
        max_length=2000,
        help_text="Names of skills candidates list, separated by ; (Python; SQL; Docker).",
    )
    min_years_experience = forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_YEARS_EXPERIENCE,
        label="Minimum years of experience",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    field_order = ["title", "location", "skills", "min_years_experience", "is_open", "description"]

    class Meta:
        model = JobOpening
        fields = ["title", "location", "min_years_experience", "is_open", "description"]
        labels = {"is_open": "Open (campaigns can advertise it)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            names = self.instance.required_skills.order_by("name").values_list("name", flat=True)
            self.initial["skills"] = "; ".join(names)

    def clean_skills(self) -> list[Skill]:
        names = split_skills(self.cleaned_data["skills"])
        if len(names) > MAX_REQUIRED_SKILLS:
            raise forms.ValidationError(
                "List at most %(limit)d skills.", params={"limit": MAX_REQUIRED_SKILLS}
            )
        found: list[Skill] = []
        unknown: list[str] = []
        for name in names:
            skill = skill_get_by_name(name=name)
            if skill is None:
                unknown.append(name)
            elif skill not in found:
                found.append(skill)
        if unknown:
            raise forms.ValidationError(
                "No candidate lists %(names)s: check the spelling, or leave it out.",
                code="unknown_skill",
                params={"names": ", ".join(f"“{name}”" for name in unknown)},
            )
        return found
