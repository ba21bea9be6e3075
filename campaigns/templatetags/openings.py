"""Template tags that put campaign sections on pages owned by the layers below.

The candidate page belongs to segmentation, which never imports campaigns; its template asks
for this section by name, so the dependency runs from campaigns down, as the layers require.
"""

from __future__ import annotations

from typing import Any

from django import template

from campaigns.recommendations import openings_for_candidate
from candidates.models import Candidate

register = template.Library()


@register.inclusion_tag("campaigns/_openings_for_candidate.html", takes_context=True)
def openings_that_fit(context: template.Context, candidate: Candidate) -> dict[str, Any]:
    """Open job openings that fit the candidate, for users who may see job openings."""
    user = context["request"].user
    return {
        "fitting_openings": openings_for_candidate(candidate=candidate)
        if user.has_perm("campaigns.view_jobopening")
        else None,
    }
