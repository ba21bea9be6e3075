"""The recruiter's campaign pages: list, detail, and a new-campaign form with a live audience."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaigns import selectors, services
from campaigns.forms import MAX_ID, AudienceForm, CampaignCreateForm
from campaigns.models import JobOpening
from campaigns.recommendations import SegmentSuggestions, segment_suggestions

PAGE_SIZE = 25
# The suggestions' button: without JavaScript it submits the form to come back with them ticked.
TICK_SUGGESTED = "tick_suggested"


@require_GET
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.campaign_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "section": "campaigns",
            "page": page,
            "page_has_stale_targets": any(campaign.stale_count for campaign in page),
        },
    )


@require_GET
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(pk=pk)
    if campaign is None:
        raise Http404("No campaign with that id.")
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "section": "campaigns",
            "campaign": campaign,
            "targets": campaign.target_segments.all(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("campaigns.add_campaign", raise_exception=True)
def campaign_create(request: HttpRequest) -> HttpResponse:
    segments = selectors.active_segments()
    job_openings = selectors.job_openings_open()
    form_kwargs = {"segments": segments, "job_openings": job_openings}
    audience: dict[str, Any] = {}
    if request.method == "POST" and ("preview" in request.POST or TICK_SUGGESTED in request.POST):
        # "Preview audience" without JavaScript: the form comes back as filled in, with the
        # audience, and no errors for fields the user has not reached yet. Nothing is saved.
        # "Tick suggested segments" does the same with the suggested segments ticked as well.
        data = request.POST.copy()
        suggestions = _suggestions_for(data.get("job_opening"), job_openings)
        if TICK_SUGGESTED in data and suggestions is not None:
            ticked = data.getlist("target_segments")
            extra = [str(pk) for pk in suggestions.suggested_ids if str(pk) not in ticked]
            data.setlist("target_segments", ticked + extra)
        form = CampaignCreateForm(initial=_initial_from(data), **form_kwargs)
        audience = _audience(AudienceForm(_segments_from(data), segments=segments))
    elif request.method == "POST":
        form = CampaignCreateForm(request.POST, **form_kwargs)
        if form.is_valid():
            target_ids = [segment.pk for segment in form.cleaned_data["target_segments"]]
            try:
                campaign = services.campaign_create(**form.cleaned_data, user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                reached = selectors.audience_count(segment_ids=target_ids)
                messages.success(
                    request,
                    f"Campaign “{campaign.name}” created, reaching {reached:,} candidates.",
                )
                return redirect("campaign", pk=campaign.pk)
        audience = _audience(AudienceForm(_segments_from(request.POST), segments=segments))
        suggestions = _suggestions_for(request.POST.get("job_opening"), job_openings)
    else:
        suggestions = _suggestions_for(request.GET.get("job_opening"), job_openings)
        initial: dict[str, Any] = {"start_date": timezone.localdate()}
        if suggestions is not None:  # from a job opening's "New campaign for this opening"
            initial["job_opening"] = suggestions.opening.pk
        form = CampaignCreateForm(initial=initial, **form_kwargs)
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "section": "campaigns",
            "form": form,
            "has_segments": segments.exists(),
            "has_job_openings": job_openings.exists(),
            "suggestions": suggestions,
            **audience,
        },
    )


@require_GET
@never_cache
@permission_required("campaigns.add_campaign", raise_exception=True)
def audience_preview(request: HttpRequest) -> HttpResponse:
    """The audience fragment the new-campaign page shows as segments are ticked."""
    audience = _audience(AudienceForm(request.GET, segments=selectors.active_segments()))
    status = 400 if "audience_error" in audience else 200
    return render(request, "campaigns/_audience_preview.html", audience, status=status)


def _suggestions_for(
    value: str | None, job_openings: QuerySet[JobOpening]
) -> SegmentSuggestions | None:
    """Segments to suggest for the chosen job opening, if one of those offered is chosen."""
    try:
        pk = int(value or "")
    except ValueError:
        return None
    if not 0 < pk <= MAX_ID:
        return None
    opening = job_openings.filter(pk=pk).first()
    return None if opening is None else segment_suggestions(opening=opening)


def _audience(form: AudienceForm) -> dict[str, Any]:
    """Template context for the audience fragment: the preview, an error, or nothing chosen."""
    if not form.is_valid():
        return {"audience_error": form.errors["segments"][0]}
    segment_ids = [segment.pk for segment in form.cleaned_data["segments"]]
    if not segment_ids:
        return {}
    return {"audience": selectors.audience_preview(segment_ids=segment_ids)}


def _segments_from(data: QueryDict) -> QueryDict:
    """The form's ticked ``target_segments`` under the preview's parameter name."""
    segments = QueryDict(mutable=True)
    segments.setlist("segments", data.getlist("target_segments"))
    return segments


def _initial_from(data: QueryDict) -> dict[str, Any]:
    """Submitted values as a form's initial values, keeping every ticked segment."""
    return {**data.dict(), "target_segments": data.getlist("target_segments")}
