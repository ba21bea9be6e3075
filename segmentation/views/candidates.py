"""The candidate pages: a filtered list read one page at a time, and one candidate's profile.

They live in segmentation because they show and filter by segment; the openings that fit a
candidate are campaigns' own section, drawn by its template tag.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from candidates.selectors import candidates_exist, locations_by_count
from segmentation.forms.candidates import CandidateFilterForm
from segmentation.presenters.explanations import candidate_explanation
from segmentation.presenters.profiles import profile_comparison
from segmentation.selectors.candidates import (
    COUNT_EXACT_UP_TO,
    PAGE_SIZE,
    MatchCount,
    candidate_detail_get,
    candidate_list_page,
    candidate_match_count,
)
from segmentation.selectors.runs import segments_active


@require_GET
@permission_required("candidates.view_candidate", raise_exception=True)
def candidate_list(request: HttpRequest) -> HttpResponse:
    segments = segments_active()
    form = CandidateFilterForm(request.GET, segments=segments)
    page, after, matches = None, None, None
    if form.is_valid():
        after = form.cleaned_data["after"]
        filters = form.filters()
        page = candidate_list_page(filters=filters, after=after)
        # A first page with no next one holds every match: no need to count them.
        if after is None and page.next_after is None and not filters.only_segment():
            matches = MatchCount(len(page.candidates))
        else:
            matches = candidate_match_count(filters=filters)
    return render(
        request,
        "candidates/candidate_list.html",
        {
            "section": "candidates",
            "form": form,
            "page": page,
            "page_size": PAGE_SIZE,
            "after": after,
            "matches": matches,
            "count_exact_up_to": COUNT_EXACT_UP_TO,
            "locations": locations_by_count(),
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
        },
    )
