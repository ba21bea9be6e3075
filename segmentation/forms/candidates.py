"""The candidate list's filter form: query-string values in, CandidateFilters out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from candidates.models import MAX_YEARS_EXPERIENCE, EducationLevel, Skill
from candidates.selectors import skill_get_by_name
from segmentation.models import Segment
from segmentation.selectors.candidates import CandidateFilters

ANY = ""
NO_SEGMENT = "none"
# The largest id a database column holds; a bigger cursor would overflow the query, not miss.
MAX_ID = 2**63 - 1
PAGE_LINK_INVALID = "The page link is not valid; start again from the first page."


class CandidateFilterForm(forms.Form):
    """Every field is optional; an empty form lists everyone."""

    segment = forms.ChoiceField(required=False)
    location = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "location-suggestions", "autocomplete": "off"}),
        help_text="The whole name, any case; the commonest are suggested.",
    )
    education_level = forms.ChoiceField(
        required=False, label="Education", choices=[(ANY, "Any"), *EducationLevel.choices]
    )
    skill = forms.CharField(required=False, max_length=100, help_text="Exact name, any case.")
    min_years = forms.FloatField(
        required=False,
        label="Years from",
        min_value=0,
        max_value=MAX_YEARS_EXPERIENCE,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    max_years = forms.FloatField(
        required=False,
        label="Years to",
        min_value=0,
        max_value=MAX_YEARS_EXPERIENCE,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    email = forms.CharField(required=False, max_length=254, help_text="The whole address.")
    # The page cursor travels with the filters in the query string but is not a filter: the
    # template leaves it out of the form, so changing a filter starts again at the first page.
    after = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": PAGE_LINK_INVALID,
            "min_value": PAGE_LINK_INVALID,
            "max_value": PAGE_LINK_INVALID,
        },
    )

    def __init__(self, data: Any = None, *, segments: Sequence[Segment] = ()) -> None:
        super().__init__(data)
        field = self.fields["segment"]
        if segments:
            field.choices = [
                (ANY, "Any"),
                *((str(segment.pk), segment.name) for segment in segments),
                (NO_SEGMENT, "No segment"),
            ]
        else:
            field.choices = [(ANY, "Any")]
            field.help_text = "No segmentation model is active yet."

    def clean_skill(self) -> Skill | None:
        name = self.cleaned_data["skill"]
        if not name:
            return None
        skill = skill_get_by_name(name=name)
        if skill is None:
            raise ValidationError(
                "No skill is called “%(name)s”.", code="unknown_skill", params={"name": name}
            )
        return skill

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("min_years"), cleaned.get("max_years")
        if low is not None and high is not None and low > high:
            self.add_error("max_years", "Must not be less than “Years from”.")
        return cleaned

    def filters(self) -> CandidateFilters:
        """The filters the valid form describes; call only after ``is_valid()``."""
        data = self.cleaned_data
        segment = data["segment"]
        skill: Skill | None = data["skill"]
        return CandidateFilters(
            segment_id=int(segment) if segment not in (ANY, NO_SEGMENT) else None,
            unassigned=segment == NO_SEGMENT,
            location=data["location"],
            education_level=data["education_level"],
            skill_id=skill.pk if skill else None,
            min_years=data["min_years"],
            max_years=data["max_years"],
            email=data["email"],
        )
