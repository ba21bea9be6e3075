"""The campaign page's email doors: the Send button, its job's progress, the results CSV."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import Campaign, CampaignSendJob
from campaigns.results import campaign_results, campaign_results_csv
from campaigns.send_jobs import campaign_send_start
from campaigns.sending import CampaignSendError


@require_POST
@permission_required("campaigns.change_campaign", raise_exception=True)
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("job_opening"), pk=pk)
    try:
        campaign_send_start(campaign=campaign, user=request.user)
    except (CampaignSendError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Sending started: the progress shows below.")
    return redirect("campaign", pk=pk)


@require_GET
@never_cache
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_send_job(request: HttpRequest, pk: int, job_pk: int) -> JsonResponse:
    """A send job's state, as static/adflux/job-status.js reads it."""
    job = CampaignSendJob.objects.filter(pk=job_pk, campaign_id=pk).first()
    if job is None:
        raise Http404("No such send job.")
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": round(job.progress, 3),
            "stage": f"{job.done:,} of {job.total:,} messages",
            "error": job.error,
            "in_progress": job.in_progress,
        }
    )


@require_GET
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_results_download(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    out = io.StringIO()
    campaign_results_csv(campaign_results(campaign=campaign), out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = slugify(campaign.name) or f"campaign-{campaign.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-results.csv"'
    return response
