"""Admin for job openings and the campaigns that target segments for them."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from campaigns import selectors
from campaigns.forms import CAMPAIGN_FIELDS, CampaignForm
from campaigns.models import Application, Campaign, JobOpening
from campaigns.services import campaign_save


@admin.register(JobOpening)
class JobOpeningAdmin(admin.ModelAdmin):
    list_display = ["title", "location", "is_open", "min_years_experience", "created_at"]
    list_filter = ["is_open"]
    search_fields = ["title", "location"]
    fields = [
        "title",
        "location",
        "is_open",
        "required_skills",
        "min_years_experience",
        "description",
    ]
    autocomplete_fields = ["required_skills"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = [
        "name",
        "job_opening",
        "status",
        "budget",
        "start_date",
        "end_date",
        "target_segments_display",
        "audience",
    ]
    list_filter = ["status", "start_date"]
    list_select_related = ["job_opening"]
    search_fields = ["name", "job_opening__title"]
    autocomplete_fields = ["job_opening"]
    fields = [*CAMPAIGN_FIELDS, "target_segments", "created_by", "created_at", "updated_at"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        # The campaign pages' own list, so the audience is counted the same way everywhere.
        return selectors.campaign_list().prefetch_related("target_segments")

    @admin.display(description="Target segments")
    def target_segments_display(self, campaign: Campaign) -> str:
        return ", ".join(f"{s.name} ({s.size:,})" for s in campaign.target_segments.all())

    @admin.display(description="Audience", ordering="audience")
    def audience(self, campaign: Campaign) -> str:
        return f"{campaign.audience:,}"

    def save_model(
        self, request: HttpRequest, obj: Campaign, form: CampaignForm, change: bool
    ) -> None:
        # Through the services, which hold the rules (at least one target) for every door.
        if not change:
            obj.created_by = request.user
        campaign_save(
            campaign=obj,
            user=request.user,
            target_segments=form.cleaned_data["target_segments"],
            **{name: form.cleaned_data[name] for name in CAMPAIGN_FIELDS},
        )

    def save_related(
        self, request: HttpRequest, form: CampaignForm, formsets: list, change: bool
    ) -> None:
        # The services saved the targets with the campaign; the form has nothing left to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Who applied, read-only: applications come from the public job pages only."""

    list_display = ["name", "email", "job_opening", "campaign", "segment", "created_at"]
    list_filter = ["job_opening", "campaign"]
    list_select_related = ["job_opening", "campaign", "segment"]
    search_fields = ["name", "email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
