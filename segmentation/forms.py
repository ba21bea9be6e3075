"""Forms of the segmentation pages: start a retrain, rename a segment."""

from __future__ import annotations

from django import forms

from segmentation.ml.pipeline import DEFAULT_CLUSTERS

MIN_CLUSTERS = 2
MAX_CLUSTERS = 50


class RetrainForm(forms.Form):
    n_clusters = forms.IntegerField(
        label="Number of segments (k)",
        min_value=MIN_CLUSTERS,
        max_value=MAX_CLUSTERS,
        initial=DEFAULT_CLUSTERS,
        help_text=f"Between {MIN_CLUSTERS} and {MAX_CLUSTERS}.",
    )


class SegmentRenameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120, strip=True)
