"""A campaign's audience as a CSV download: the candidates its active target segments hold."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from campaigns import selectors
from candidates.services.csv_export import candidates_export_csv_chunks
from common.csv_download import csv_download
from segmentation.selectors.assignments import segment_numbers_and_names


@require_GET
@permission_required("campaigns.view_campaign", raise_exception=True)
@permission_required("candidates.view_candidate", raise_exception=True)
def campaign_audience_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every candidate the campaign reaches now, in the export's columns."""
    campaign = selectors.campaign_get(pk=pk)
    if campaign is None:
        raise Http404("No campaign with that id.")
    chunks = candidates_export_csv_chunks(
        candidates=selectors.campaign_audience_candidates(campaign=campaign),
        segments_of=segment_numbers_and_names,
        scope=f"the audience of campaign {campaign.pk} ({campaign.name})",
        user=request.user,
    )
    return csv_download(chunks=chunks, filename=f"campaign-{campaign.pk}-audience.csv")
