"""A campaign's fairness report, as a page and a CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from campaigns.fairness import NoActiveRunError, campaign_fairness
from campaigns.models import Campaign
from common.csv_responses import csv_download
from segmentation.ml.fairness import FLAG_BELOW, MIN_SHARE
from segmentation.presenters.fairness import fairness_csv_rows, fairness_tables

PERMISSIONS = ["campaigns.view_campaign", "candidates.view_demographics"]


@require_GET
@permission_required(PERMISSIONS, raise_exception=True)
def campaign_fairness_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        scopes = [campaign_fairness(campaign)]
    except NoActiveRunError as exc:
        return render(request, "segmentation/fairness.html", _context(campaign, [], str(exc)))
    return render(request, "segmentation/fairness.html", _context(campaign, scopes, ""))


@require_GET
@permission_required(PERMISSIONS, raise_exception=True)
def campaign_fairness_csv(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        scopes = [campaign_fairness(campaign)]
    except NoActiveRunError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    return csv_download(fairness_csv_rows(scopes), filename=f"fairness-campaign-{pk}.csv")


def _context(campaign: Campaign, scopes: list, error: str) -> dict:
    return {
        "section": "campaigns",
        "title": f"Fairness report: {campaign.name}",
        "intro": error
        or "The campaign's audience (its target segments under the active segmentation) "
        "within every segmented candidate: the share of each group's candidates it reaches.",
        "scopes": fairness_tables(scopes),
        "csv_url": reverse("campaign-fairness-csv", args=[campaign.pk]),
        "flag_below": FLAG_BELOW,
        "min_share": MIN_SHARE,
    }
