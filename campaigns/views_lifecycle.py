"""The campaign page's lifecycle buttons: one POST per step, through ``campaign_step``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from campaigns.lifecycle import Step
from campaigns.models import Campaign
from campaigns.status_changes import TransitionError, campaign_step

_DONE = {
    Campaign.Status.DRAFT: "is a draft again",
    Campaign.Status.ACTIVE: "is active",
    Campaign.Status.PAUSED: "is paused: nothing is sent until it is resumed",
    Campaign.Status.ENDED: "has ended",
}


@require_POST
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_step_take(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the step the button names; the service checks ``change_campaign`` (403 without)."""
    try:
        step = Step(request.POST.get("step", ""))
    except ValueError:
        return HttpResponseBadRequest("Unknown step: choose one of the page's buttons.")
    try:
        campaign = campaign_step(campaign_id=pk, step=step, user=request.user)
    except Campaign.DoesNotExist as exc:
        raise Http404("No campaign with that id.") from exc
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        if campaign.status == Campaign.Status.SCHEDULED:
            done = f"is scheduled: it starts on {campaign.start_date:%Y-%m-%d}"
        else:
            done = _DONE[campaign.status]
        messages.success(request, f"Campaign “{campaign.name}” {done}.")
    return redirect("campaign", pk=pk)
