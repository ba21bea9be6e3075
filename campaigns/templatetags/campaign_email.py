"""The campaign page's email sections (send, results) and the segment page's campaign rates.

Sections by name, so the campaign page's view stays as it is and the segment page, which
belongs to segmentation, never imports campaigns (the layers run from campaigns down).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from campaigns.models import Campaign, CampaignMessage
from campaigns.results import campaign_results, segment_campaign_rates
from segmentation.models import Segment

register = template.Library()
APPLICATIONS_SHOWN = 20


@register.inclusion_tag("campaigns/_send.html", takes_context=True)
def campaign_send_section(context: template.Context, campaign: Campaign) -> dict[str, Any]:
    user = context["request"].user
    return {
        "campaign": campaign,
        "job": campaign.send_jobs.first(),
        "counts": _message_counts(campaign),
        "can_send": user.has_perm("campaigns.change_campaign"),
        "is_active": campaign.status == Campaign.Status.ACTIVE,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("campaigns/_results.html")
def campaign_results_section(campaign: Campaign) -> dict[str, Any]:
    results = campaign_results(campaign=campaign)
    return {"campaign": campaign, "results": results, "chart": results.chart()}


@register.inclusion_tag("campaigns/_applications.html", takes_context=True)
def campaign_applications_section(context: template.Context, campaign: Campaign) -> dict[str, Any]:
    """The newest applications the campaign brought, for users who may see applicants."""
    if not context["request"].user.has_perm("campaigns.view_application"):
        return {"applications": None}
    newest = campaign.applications.select_related("segment").order_by("-created_at", "-id")
    return {
        "campaign": campaign,
        "applications": newest[:APPLICATIONS_SHOWN],
        "count": campaign.applications.count(),
    }


@register.inclusion_tag("campaigns/_segment_campaigns.html", takes_context=True)
def segment_campaigns(
    context: template.Context, segment: Segment, campaigns: Any
) -> dict[str, Any]:
    return {
        "rates": segment_campaign_rates(segment=segment, campaigns=campaigns),
        "perms": context.get("perms"),
    }


def _message_counts(campaign: Campaign) -> dict[str, int]:
    rows = (
        CampaignMessage.objects.filter(campaign=campaign)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}
