"""The job opening pages: the open openings, one opening with what fits it, segment suggestions."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from campaigns import selectors
from campaigns.recommendations import opening_recommendations, segment_suggestions

PAGE_SIZE = 25
# Campaigns listed on an opening's page, newest first.
CAMPAIGNS_SHOWN = 20


@require_GET
@permission_required("campaigns.view_jobopening", raise_exception=True)
def job_opening_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.job_openings_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/job_opening_list.html", {"section": "openings", "page": page})


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
