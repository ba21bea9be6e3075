"""The candidate pages: a filtered list read one page at a time, and one candidate's profile."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaigns.recommendations import openings_for_candidate
from candidates.forms import CandidateFilterForm
from candidates.selectors import (
    PAGE_SIZE,
    candidate_detail_get,
    candidate_list_page,
    candidates_exist,
    locations_suggested,
    segments_active,
)
from segmentation.explanations import candidate_explanation
from segmentation.profile_display import profile_comparison


@require_GET
@permission_required("candidates.view_candidate", raise_exception=True)
def candidate_list(request: HttpRequest) -> HttpResponse:
    segments = segments_active()
    form = CandidateFilterForm(request.GET, segments=segments)
    page, after = None, None
    if form.is_valid():
        after = form.cleaned_data["after"]
        page = candidate_list_page(filters=form.filters(), after=after)
    return render(
        request,
        "candidates/candidate_list.html",
        {
            "section": "candidates",
            "form": form,
            "page": page,
            "page_size": PAGE_SIZE,
            "after": after,
            "locations": locations_suggested(segments),
            # Asked only when nothing is shown, to tell "no match" from "nothing imported yet".
            "has_candidates": bool(page and page.candidates) or candidates_exist(),
        },
    )


@require_GET
@permission_required("candidates.view_candidate", raise_exception=True)
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = candidate_detail_get(pk=pk)
    if detail is None:
        raise Http404("No candidate has that id.")
    segment = detail.candidate.segment
    comparison = (
        profile_comparison(segment.profile, segment.run.pool_profile or {})
        if segment is not None and segment.profile
        else []
    )
    return render(
        request,
        "candidates/candidate_detail.html",
        {
            "section": "candidates",
            "candidate": detail.candidate,
            "skills": detail.skills,
            "segment": segment,
            "comparison": comparison,
            "why_here": candidate_explanation(candidate=detail.candidate),
            "fitting_openings": openings_for_candidate(candidate=detail.candidate)
            if request.user.has_perm("campaigns.view_jobopening")
            else None,
        },
    )
