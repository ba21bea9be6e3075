"""A run's fairness report (page and CSV) and its model card."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from common.csv_responses import csv_download
from segmentation.ml.fairness import FLAG_BELOW, MIN_SHARE
from segmentation.models import SegmentationRun
from segmentation.presenters.fairness import (
    fairness_csv_rows,
    fairness_tables,
    run_fairness,
)
from segmentation.presenters.model_card import model_card

VIEW_RUN = "segmentation.view_segmentationrun"
# Groups, never people, yet still built from self-reported demographics: their own permission.
VIEW_DEMOGRAPHICS = "candidates.view_demographics"


def _run(pk: int) -> SegmentationRun:
    return get_object_or_404(SegmentationRun, pk=pk, status=SegmentationRun.Status.TRAINED)


@require_GET
@permission_required([VIEW_RUN, VIEW_DEMOGRAPHICS], raise_exception=True)
def run_fairness_page(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    return render(
        request,
        "segmentation/fairness.html",
        {
            "section": "segments",
            "title": f"Fairness report: run {run.pk}",
            "intro": "For each segment: the share of each group's candidates that are in it.",
            "scopes": fairness_tables(run_fairness(run)),
            "csv_url": reverse("segmentation-run-fairness-csv", args=[run.pk]),
            "flag_below": FLAG_BELOW,
            "min_share": MIN_SHARE,
            "pruned": run.assignments_pruned,
        },
    )


@require_GET
@permission_required([VIEW_RUN, VIEW_DEMOGRAPHICS], raise_exception=True)
def run_fairness_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    return csv_download(fairness_csv_rows(run_fairness(run)), filename=f"fairness-run-{run.pk}.csv")


@require_GET
@permission_required(VIEW_RUN, raise_exception=True)
def run_model_card(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    with_fairness = request.user.has_perm(VIEW_DEMOGRAPHICS)
    return render(
        request,
        "segmentation/model_card.html",
        {"section": "segments", "run": run, **model_card(run, with_fairness=with_fairness)},
    )
