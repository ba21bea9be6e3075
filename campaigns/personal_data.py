"""What campaigns hold about a person, for the candidates app's erasure and access requests.

Receivers of ``candidates.signals.candidate_erasing`` and ``candidate_data_requested``
(connected in apps.py): the candidates app announces, campaigns answer for its own tables.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from campaigns.models import Application, CampaignMessage
from candidates.emails import email_is

ERASED_NAME = "(erased at their request)"


def _applications_of(candidate_ids: list[int], email: str):
    by_email = Application.objects.filter(email_is(email))
    return Application.objects.filter(
        Q(candidate_id__in=candidate_ids) | Q(pk__in=by_email.values("pk"))
    )


def campaign_data_erased(*, candidate_ids: list[int], email: str, **_: Any) -> dict[str, int]:
    """Delete the person's messages; keep their applications as counts, without who they were.

    An application stays (its campaign's and segment's results keep counting it) with its
    name, email, message and CV link blanked and no candidate: nothing in it names anyone.
    """
    messages = CampaignMessage.objects.filter(candidate_id__in=candidate_ids)
    sent = messages.count()
    messages.delete()
    applications = _applications_of(candidate_ids, email).update(
        candidate=None, name=ERASED_NAME, email="", message="", cv_url=""
    )
    return {"campaign messages": sent, "applications anonymised": applications}


def campaign_data_of(*, candidate_ids: list[int], email: str, **_: Any) -> dict[str, Any]:
    """The person's campaign messages and applications, for a subject-access request."""
    messages = CampaignMessage.objects.filter(candidate_id__in=candidate_ids).select_related(
        "campaign"
    )
    applications = _applications_of(candidate_ids, email).select_related("job_opening", "campaign")
    return {
        "campaign_messages": [
            {
                "campaign": message.campaign.name,
                "status": message.status,
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
                "clicked_at": message.clicked_at.isoformat() if message.clicked_at else None,
            }
            for message in messages.order_by("pk")
        ],
        "applications": [
            {
                "job_opening": application.job_opening.title,
                "campaign": application.campaign.name if application.campaign else None,
                "name": application.name,
                "email": application.email,
                "message": application.message,
                "cv_url": application.cv_url,
                "applied_at": application.created_at.isoformat(),
            }
            for application in applications.order_by("pk")
        ],
    }
