"""The campaign page's audience files: a download per ad platform, or why there is none."""

from __future__ import annotations

from typing import Any

from django import template

from campaigns.audience_files import EXPORT_PERMISSIONS
from campaigns.audience_formats import FORMATS, AudienceSizeError, size_check
from campaigns.models import Campaign

register = template.Library()


@register.inclusion_tag("campaigns/_exports.html", takes_context=True)
def campaign_exports(context: template.Context, campaign: Campaign) -> dict[str, Any]:
    """For users who may export: each platform with its link, warning or refusal.

    ``campaign.audience`` is the page's audience number, the same count the export checks.
    """
    if not context["request"].user.has_perms(EXPORT_PERMISSIONS):
        return {"platforms": None}
    platforms = []
    for platform, spec in FORMATS.items():
        refusal = warning = None
        try:
            warning = size_check(platform, campaign.audience)
        except AudienceSizeError as exc:
            refusal = str(exc)
        platforms.append(
            {"key": platform.value, "label": spec.label, "refusal": refusal, "warning": warning}
        )
    return {
        "campaign": campaign,
        "platforms": platforms,
        "ended": campaign.status == Campaign.Status.ENDED,
    }
