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


def engine_field(help_text: str) -> forms.ChoiceField:
    """Where the work runs; left out (a script, an older page), ADFLUX_ENGINE decides."""
    return forms.ChoiceField(
        label="Engine",
        choices=[(name, ENGINE_LABELS[name]) for name in ENGINES],
        required=False,
        initial=settings.ADFLUX_ENGINE,
        help_text=help_text,
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

    engine = engine_field(
        "Where the training runs: this machine, or the Spark cluster the settings "
        "name (same segments; for pools beyond one machine, docs/spark.md)."
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


KEEP_NONE = "none"


class ActivationConfirmForm(forms.Form):
    """Confirming an activation: for each campaign whose segment ends, its new targets or none.

    ``active_run`` is the run active when the page was shown: if another became active since,
    the numbers shown are not what would happen, and the page is shown again. A run whose rows
    were pruned has every candidate's segment computed again: ``engine`` says where.
    """

    active_run = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["active_run"].initial = plan.active.pk if plan.active else None
        if plan.run.assignments_pruned:
            self.fields["engine"] = engine_field(
                "Where every candidate's segment is computed again: this machine, or the "
                "Spark cluster the settings name (same segments; docs/spark.md)."
            )
        choices = [
            (str(segment.pk), f"{segment.name} ({segment.size:,} candidates)")
            for segment in plan.new_segments
        ]
        for campaign in plan.campaigns:
            self.fields[self.field_name(campaign["id"])] = forms.MultipleChoiceField(
                label=campaign["name"],
                choices=[*choices, (KEEP_NONE, "None of them: keep no new target")],
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "required": "Choose the new segments this campaign should target, or "
                    "keep none.",
                    "invalid_choice": "%(value)s is not a segment of this run.",
                },
            )

    @staticmethod
    def field_name(campaign_id: int) -> str:
        return f"campaign_{campaign_id}"

    def campaign_fields(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(c, self[self.field_name(c["id"])]) for c in self.plan.campaigns]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for campaign in self.plan.campaigns:
            name = self.field_name(campaign["id"])
            chosen = cleaned.get(name) or []
            if KEEP_NONE in chosen and len(chosen) > 1:
                self.add_error(name, "Choose segments or keep none, not both.")
        active = self.plan.active.pk if self.plan.active else None
        if cleaned.get("active_run") != active:
            raise forms.ValidationError(
                "Another run became active since this page was shown: check the figures below "
                "again, then confirm."
            )
        return cleaned

    def retarget(self) -> dict[int, list[int]]:
        """{campaign id: chosen segment ids}, leaving out campaigns kept without a target."""
        chosen = {
            campaign["id"]: [
                int(value)
                for value in self.cleaned_data[self.field_name(campaign["id"])]
                if value != KEEP_NONE
            ]
            for campaign in self.plan.campaigns
        }
        return {campaign_id: ids for campaign_id, ids in chosen.items() if ids}

    def chosen_engine(self) -> str | None:
        """The engine chosen for a pruned run, or None (the configured one)."""
        return self.cleaned_data.get("engine") or None
