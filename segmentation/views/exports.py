"""CSV downloads of the lists the pages show: the filtered candidate list and a segment.

Each streams the candidates app's export (import columns plus the active run's segment, cells
defused against spreadsheet formulas) one page of candidates at a time.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from candidates.models import Candidate
from candidates.services.csv_export import candidates_export_csv_chunks
from common.csv_download import csv_download
from segmentation.forms.candidates import CandidateFilterForm
from segmentation.models import Segment
from segmentation.selectors.assignments import in_segment, segment_numbers_and_names
from segmentation.selectors.candidates import candidates_filtered
from segmentation.selectors.runs import segments_active


@require_GET
@permission_required("candidates.view_candidate", raise_exception=True)
def candidate_list_export(request: HttpRequest) -> HttpResponse:
    """Every candidate the list's filters match (all pages), as CSV."""
    form = CandidateFilterForm(request.GET, segments=segments_active())
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label or name}: {' '.join(errors)}"
            for name, errors in form.errors.items()
            if name != "after"
        )
        return HttpResponseBadRequest(
            f"Nothing exported: the filters are not valid ({problems}).",
            content_type="text/plain; charset=utf-8",
        )
    chunks = candidates_export_csv_chunks(
        candidates=candidates_filtered(filters=form.filters()),
        segments_of=segment_numbers_and_names,
        scope=f"the candidate list filtered by {request.GET.urlencode() or 'nothing'}",
        user=request.user,
    )
    return csv_download(chunks=chunks, filename="candidates.csv")


@require_GET
@permission_required("segmentation.view_segment", raise_exception=True)
@permission_required("candidates.view_candidate", raise_exception=True)
def segment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The segment's candidates, as ``export_candidates --segment ID`` writes them."""
    segment = get_object_or_404(Segment, pk=pk)
    chunks = candidates_export_csv_chunks(
        candidates=Candidate.objects.filter(in_segment(segment.pk)),
        segments_of=segment_numbers_and_names,
        scope=f"segment {segment.pk} ({segment.name})",
        user=request.user,
    )
    return csv_download(chunks=chunks, filename=f"segment-{segment.pk}.csv")
