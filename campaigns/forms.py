"""Forms for campaigns: target segments labelled with their sizes, dates checked in order."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from campaigns.models import Campaign
from segmentation.models import Segment


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
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Segments of the active segmentation run, with their current sizes.",
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "job_opening",
            "status",
            "budget",
            "start_date",
            "end_date",
            "target_segments",
        ]

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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        # The database refuses this too (campaign_end_not_before_start), but with no sentence
        # a user could act on.
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned
