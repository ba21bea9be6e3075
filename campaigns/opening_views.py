"""The job opening pages: the open openings, one opening with what fits it, segment suggestions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from campaigns import selectors
from campaigns.forms import JobOpeningForm
from campaigns.models import JobOpening
from campaigns.opening_services import job_opening_save
from campaigns.recommendations import opening_recommendations, segment_suggestions

PAGE_SIZE = 25
# Campaigns listed on an opening's page, newest first.
CAMPAIGNS_SHOWN = 20


@require_GET
@permission_required("campaigns.view_jobopening", raise_exception=True)
def job_opening_list(request: HttpRequest) -> HttpResponse:
    closed = request.GET.get("show") == "closed"
    openings = selectors.job_openings_list(closed=closed)
    page = Paginator(openings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/job_opening_list.html",
        {"section": "openings", "page": page, "closed": closed},
    )


@require_http_methods(["GET", "POST"])
@permission_required("campaigns.add_jobopening", raise_exception=True)
def job_opening_create(request: HttpRequest) -> HttpResponse:
    return _job_opening_form(request, JobOpening())


@require_http_methods(["GET", "POST"])
@permission_required("campaigns.change_jobopening", raise_exception=True)
def job_opening_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opening = selectors.job_opening_get(pk=pk)
    if opening is None:
        raise Http404("No job opening with that id.")
    return _job_opening_form(request, opening)


def _job_opening_form(request: HttpRequest, opening: JobOpening) -> HttpResponse:
    is_new = opening.pk is None
    form = JobOpeningForm(request.POST or None, instance=opening)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        job_opening_save(
            opening=opening,
            required_skills=form.cleaned_data["skills"],
            user=request.user,
            **fields,
        )
        messages.success(
            request, f"Job opening “{opening.title}” {'created' if is_new else 'saved'}."
        )
        return redirect("job-opening", pk=opening.pk)
    return render(
        request,
        "campaigns/job_opening_form.html",
        {"section": "openings", "form": form, "opening": None if is_new else opening},
    )


@require_GET
@permission_required("campaigns.view_jobopening", raise_exception=True)
def job_opening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opening = selectors.job_opening_get(pk=pk)
    if opening is None:
        raise Http404("No job opening with that id.")
    # Candidates and campaigns are shown only to those who may see them; nor are they read.
    can_view_candidates = request.user.has_perm("candidates.view_candidate")
    campaigns = None
    if request.user.has_perm("campaigns.view_campaign"):
        campaigns = list(selectors.campaign_list().filter(job_opening=opening)[:CAMPAIGNS_SHOWN])
    return render(
        request,
        "campaigns/job_opening_detail.html",
        {
            "section": "openings",
            "opening": opening,
            "recommendations": opening_recommendations(
                opening=opening, with_candidates=can_view_candidates
            ),
            "campaigns": campaigns,
            "campaigns_shown": CAMPAIGNS_SHOWN,
        },
    )


@require_GET
@never_cache
@permission_required("campaigns.add_campaign", raise_exception=True)
def suggested_segments(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggestions fragment the new-campaign page shows when a job opening is chosen."""
    opening = selectors.job_opening_get(pk=pk)
    if opening is None:
        raise Http404("No job opening with that id.")
    return render(
        request,
        "campaigns/_segment_suggestions.html",
        {"suggestions": segment_suggestions(opening=opening)},
    )
