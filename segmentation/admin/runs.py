"""Admin for segmentation runs, segments and jobs.

Runs and jobs are records to read; segments may be renamed. Training and activating start a
background job (segmentation/jobs) and say where to follow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from common.numbers import number_text
from segmentation.admin.messages import job_started_message
from segmentation.forms.segments import RetrainForm
from segmentation.jobs.start import (
    CANCEL_PERMISSION,
    segmentation_job_cancel,
    segmentation_job_start,
)
from segmentation.ml.errors import SegmentationError
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.permissions import ACTIVATE_PERMISSION
from segmentation.presenters.migration import migration_summary_display
from segmentation.presenters.profiles import profile_entries, profile_value_text
from segmentation.services.runs import segment_rename, segmentation_run_delete


def render_profile(profile: Mapping[str, Any]) -> SafeString:
    """A profile as a two-column HTML table; every key and value is escaped."""
    if not profile:
        return format_html("<p>{}</p>", "No profile recorded.")
    return _table(profile_entries(profile))


def render_migration_summary(run: SegmentationRun) -> SafeString:
    """Where candidates would move from the previous run's segments, as the page shows it."""
    summary = migration_summary_display(run)
    if summary is None:
        return format_html("<p>{}</p>", "No run was active when it was trained.")
    if summary["error"] or "rows" not in summary:
        return format_html("<p>{}</p>", summary["error"])
    moves = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (row["old"] or "No segment yet", row["new"], f"{row['candidates']:,}")
            for row in summary["rows"]
        ),
    )
    return format_html(
        "<p>{} of {} candidates would change segment (from run {}).</p>"
        "<table><tr><th>Now in</th><th>Would be in</th><th>Candidates</th></tr>{}</table>",
        f"{summary['moving']:,}",
        f"{summary['candidates']:,}",
        summary["previous_run"],
        moves,
    )


def _table(rows: Iterable[tuple[str, str]]) -> SafeString:
    body = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
    return format_html("<table>{}</table>", body)


def _key_value_table(mapping: Mapping[str, Any]) -> SafeString:
    if not mapping:
        return format_html("{}", "—")
    return _table((str(key), profile_value_text(value)) for key, value in mapping.items())


class TrainSegmentationForm(RetrainForm):
    """The page's retrain form (same k and range), plus whether the new run goes live at once.

    Going live is activation, so the box is only for those who may activate; for the others it
    is disabled, and Django then ignores whatever the request says for it.
    """

    activate = forms.BooleanField(
        label="Assign segments and make it active when training finishes",
        required=False,
        initial=False,
        help_text="Otherwise the new run waits, inactive, with a summary of how candidates would "
        "move, until someone activates it.",
    )

    def __init__(self, *args: Any, can_activate: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_activate:
            activate = self.fields["activate"]
            activate.disabled = True
            activate.help_text = (
                "Activating needs the permission “Can activate a segmentation run”."
            )


class SegmentInline(admin.TabularInline):
    model = Segment
    fields = ["number", "name_link", "size"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["number"]

    @admin.display(description="Name")
    def name_link(self, segment: Segment) -> SafeString:
        url = reverse("admin:segmentation_segment_change", args=[segment.pk])
        return format_html('<a href="{}">{}</a>', url, segment.name)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SegmentationRun)
class SegmentationRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "status",
        "is_active",
        "algorithm",
        "n_clusters",
        "n_candidates",
        "inertia_display",
        "silhouette_display",
        "created_by",
        "created_at",
    ]
    list_display_links = ["id", "status"]
    list_filter = ["status", "is_active"]
    list_select_related = ["created_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status",
                    "is_active",
                    "algorithm",
                    "n_clusters",
                    "n_candidates",
                    "n_features",
                    "inertia",
                    "silhouette",
                    "created_by",
                    "created_at",
                    "finished_at",
                    "activated_at",
                    "error",
                ]
            },
        ),
        ("Configuration", {"fields": ["parameters_table", "feature_names_list"]}),
        ("Timings and versions", {"fields": ["timings_table", "library_versions_table"]}),
        ("Model file", {"fields": ["artifact_path", "artifact_sha256"]}),
        ("All candidates at training time", {"fields": ["pool_profile_table"]}),
        (
            "Compared with the run active when it was trained",
            {"fields": ["previous_run", "migration_summary_table"]},
        ),
    ]
    readonly_fields = [
        "created_at",
        "parameters_table",
        "feature_names_list",
        "timings_table",
        "library_versions_table",
        "pool_profile_table",
        "migration_summary_table",
    ]
    inlines = [SegmentInline]
    actions = ["activate_selected_run"]

    @admin.display(description="Inertia", ordering="inertia")
    def inertia_display(self, run: SegmentationRun) -> str | None:
        return None if run.inertia is None else number_text(run.inertia, 0)

    @admin.display(description="Silhouette", ordering="silhouette")
    def silhouette_display(self, run: SegmentationRun) -> str | None:
        return None if run.silhouette is None else f"{run.silhouette:.3f}"

    @admin.display(description="Parameters")
    def parameters_table(self, run: SegmentationRun) -> SafeString:
        return _key_value_table(run.parameters)

    @admin.display(description="Feature names")
    def feature_names_list(self, run: SegmentationRun) -> str:
        return ", ".join(map(str, run.feature_names)) or "—"

    @admin.display(description="Timings (seconds)")
    def timings_table(self, run: SegmentationRun) -> SafeString:
        return _key_value_table(run.timings)

    @admin.display(description="Library versions")
    def library_versions_table(self, run: SegmentationRun) -> SafeString:
        return _key_value_table(run.library_versions)

    @admin.display(description="Profile")
    def pool_profile_table(self, run: SegmentationRun) -> SafeString:
        return render_profile(run.pool_profile)

    @admin.display(description="Migration summary")
    def migration_summary_table(self, run: SegmentationRun) -> SafeString:
        return render_migration_summary(run)

    # A run is the record of what a model was trained on: nobody edits it by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting the active run would leave every candidate without a segment.
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: SegmentationRun) -> None:
        segmentation_run_delete(run=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for run in queryset:
            segmentation_run_delete(run=run)

    def get_deleted_objects(
        self, objs: Iterable[SegmentationRun], request: HttpRequest
    ) -> tuple[list, dict, set, list]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Segments cannot be deleted on their own, but they go with their run.
        perms_needed = perms_needed - {Segment._meta.verbose_name}
        active = [run for run in objs if run.is_active]
        if active and super().has_delete_permission(request):
            # has_delete_permission(obj) already refuses the active run, which Django would
            # report as "no permission"; a protected entry tells the user why instead.
            perms_needed = perms_needed - {self.opts.verbose_name}
            protected = [*protected, *(f"{run}: activate another run first" for run in active)]
        return deleted, counts, perms_needed, protected

    def has_train_segmentation_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("segmentation.train_segmentation")

    def has_activate_segmentation_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ACTIVATE_PERMISSION)

    @admin.action(
        description="Activate the selected run (assign every candidate)",
        permissions=["activate_segmentation"],
    )
    def activate_selected_run(
        self, request: HttpRequest, queryset: QuerySet[SegmentationRun]
    ) -> None:
        runs = list(queryset[:2])
        if len(runs) != 1:
            self.message_user(request, "Select exactly one run to activate.", messages.ERROR)
            return
        try:
            job = segmentation_job_start(
                kind=SegmentationJob.Kind.ACTIVATE, user=request.user, run=runs[0]
            )
        except SegmentationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, job_started_message(job), messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        train = path(
            "train/",
            self.admin_site.admin_view(self.train_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_train",
        )
        # Before the defaults, whose "<path:object_id>/" would otherwise swallow "train/".
        return [train, *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "has_train_permission": self.has_train_segmentation_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def train_view(self, request: HttpRequest) -> HttpResponse:
        """A form for k, then a training job in the background (admin_view adds CSRF checks)."""
        if not self.has_train_segmentation_permission(request):
            raise PermissionDenied
        form = TrainSegmentationForm(
            request.POST or None,
            can_activate=self.has_activate_segmentation_permission(request),
        )
        if request.method == "POST" and form.is_valid():
            try:
                job = segmentation_job_start(
                    kind=SegmentationJob.Kind.TRAIN,
                    user=request.user,
                    activate=form.cleaned_data["activate"],
                    **form.training_request(),
                )
            except SegmentationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, job_started_message(job), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:segmentation_segmentationrun_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Train a new segmentation model",
            "form": form,
        }
        return TemplateResponse(request, "admin/segmentation/segmentationrun/train.html", context)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["run", "number", "name", "size_display"]
    list_display_links = ["name"]
    list_filter = ["run"]
    list_select_related = ["run"]
    search_fields = ["name"]
    fields = ["run", "number", "name", "matched_from", "size", "profile_table"]
    # Only the name is the user's; the rest is what training and assignment measured.
    readonly_fields = ["run", "number", "matched_from", "size", "profile_table"]

    @admin.display(description="Size", ordering="size")
    def size_display(self, segment: Segment) -> str:
        return f"{segment.size:,}"

    @admin.display(description="Profile")
    def profile_table(self, segment: Segment) -> SafeString:
        return render_profile(segment.profile)

    def save_model(self, request: HttpRequest, obj: Segment, form: Any, change: bool) -> None:
        # Through the service, so a person's name is marked as theirs and survives retraining.
        if change and "name" in form.changed_data:
            segment_rename(segment=obj, name=obj.name)
        else:
            super().save_model(request, obj, form, change)

    # Segments belong to a run: created by training, removed with their run.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SegmentationJob)
class SegmentationJobAdmin(admin.ModelAdmin):
    """Jobs are the record of what was asked and how it ended; only the job service writes them."""

    list_display = [
        "id",
        "kind",
        "status",
        "stage",
        "progress_display",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by"]
    fields = [
        "kind",
        "status",
        "stage",
        "progress_display",
        "run",
        "created_by",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "task_id",
        "parameters_table",
        "result_table",
        "error",
    ]
    readonly_fields = fields
    actions = ["cancel_selected_jobs"]

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CANCEL_PERMISSION)

    @admin.action(description="Cancel the selected jobs", permissions=["cancel"])
    def cancel_selected_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        for job in queryset:
            try:
                said = segmentation_job_cancel(job=job, user=request.user)
            except SegmentationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, said, messages.SUCCESS)

    @admin.display(description="Progress")
    def progress_display(self, job: SegmentationJob) -> str:
        return f"{job.progress:.0%}"

    @admin.display(description="Parameters")
    def parameters_table(self, job: SegmentationJob) -> SafeString:
        return _key_value_table(job.parameters)

    @admin.display(description="Result")
    def result_table(self, job: SegmentationJob) -> SafeString:
        return _key_value_table(job.result)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
