"""The campaign page's lifecycle section: its status in words and the steps the user may take."""

from __future__ import annotations

from typing import Any

from django import template

from campaigns.lifecycle import steps_offered
from campaigns.models import Campaign

register = template.Library()


@register.inclusion_tag("campaigns/_lifecycle.html", takes_context=True)
def campaign_lifecycle(context: template.Context, campaign: Campaign) -> dict[str, Any]:
    user = context["request"].user
    may_change = user.has_perm("campaigns.change_campaign")
    return {
        "campaign": campaign,
        "steps": steps_offered(campaign.status) if may_change else [],
        "csrf_token": context.get("csrf_token"),
    }
