"""Forms of the segmentation pages: start a retrain, rename a segment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from segmentation.engines import ENGINE_LABELS, ENGINES
from segmentation.ml.algorithm_names import ALGORITHM_DESCRIPTIONS, ALGORITHMS
from segmentation.ml.bounds import (
    AUTO_K_MAX as DEFAULT_K_MAX,
)
from segmentation.ml.bounds import (
    AUTO_K_MIN as DEFAULT_K_MIN,
)
from segmentation.ml.bounds import (
    DEFAULT_CLUSTERS,
    OFFERED_MAX_K,
    OFFERED_MIN_K,
)


class RetrainForm(forms.Form):
    n_clusters = forms.IntegerField(
        label="Number of segments (k)",
        min_value=OFFERED_MIN_K,
        max_value=OFFERED_MAX_K,
        initial=DEFAULT_CLUSTERS,
        # Not needed when k is chosen automatically; clean() asks for it otherwise.
        required=False,
        help_text=f"Between {OFFERED_MIN_K} and {OFFERED_MAX_K}.",
    )
    auto_k = forms.BooleanField(
        label=f"Choose k automatically ({DEFAULT_K_MIN}–{DEFAULT_K_MAX})",
        required=False,
        help_text="Tries every k in the range on a sample of candidates and keeps the largest "
        "whose segments all hold together when refitted on resampled candidates, none too small "
        "to target; the number of segments above is then ignored.",
    )
    algorithm = forms.ChoiceField(
        label="Algorithm",
        choices=[(name, ALGORITHM_DESCRIPTIONS[name]) for name in ALGORITHMS],
        initial="kmeans",
        # Left out (a script, an older page), the configured default is used.
        required=False,
    )

    engine = forms.ChoiceField(
        label="Engine",
        choices=[(name, ENGINE_LABELS[name]) for name in ENGINES],
        # Left out, the configured engine (ADFLUX_ENGINE) is used.
        required=False,
        help_text="Where the training runs: this machine, or the Spark cluster the settings "
        "name (same segments; for pools beyond one machine, docs/spark.md).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engine"].initial = settings.ADFLUX_ENGINE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            not cleaned.get("auto_k")
            and cleaned.get("n_clusters") is None
            and "n_clusters" not in self.errors
        ):
            self.add_error("n_clusters", "Enter the number of segments, or choose k automatically.")
        return cleaned

    def training_request(self) -> dict[str, Any]:
        """The configuration and k range to start a training job with, from valid data."""
        # Here, not at the top: the admin imports this form when Django starts.
        from segmentation.services.training import segmentation_config_default

        n_clusters = self.cleaned_data.get("n_clusters") or DEFAULT_CLUSTERS
        config = segmentation_config_default(n_clusters=n_clusters)
        algorithm = self.cleaned_data.get("algorithm")
        if algorithm and algorithm != config.algorithm:
            config = config.with_algorithm(algorithm)
        auto = self.cleaned_data["auto_k"]
        return {
            "config": config,
            "k_range": (DEFAULT_K_MIN, DEFAULT_K_MAX) if auto else None,
            "engine": self.cleaned_data.get("engine") or None,
        }


class SegmentRenameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120, strip=True)
