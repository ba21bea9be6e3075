"""Applications through the public job pages, and the clicks of tracked links that lead there.

Attribution is given only by a campaign's signed link that names a message the campaign really
sent for this opening: anything else (no link, an altered one, a link of another opening's
campaign) is a plain application with no campaign, candidate or segment.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.links import ApplyRef
from campaigns.models import Application, CampaignMessage, JobOpening
from segmentation.selectors.assignments import active_assignments


class ApplicationRefusedError(Exception):
    """The application was not recorded; the message says why, for the applicant."""

    def __init__(self, message: str, *, http_status: int) -> None:
        super().__init__(message)
        self.http_status = http_status


def tracked_message(*, ref: ApplyRef | None, job_opening: JobOpening) -> CampaignMessage | None:
    """The message a tracked link came from, if it was one of this opening's campaigns'."""
    if ref is None:
        return None
    return (
        CampaignMessage.objects.filter(
            campaign_id=ref.campaign_id,
            candidate_id=ref.candidate_id,
            campaign__job_opening=job_opening,
        )
        .only("pk", "campaign_id", "candidate_id", "clicked_at")
        .first()
    )


def application_click_record(
    *, ref: ApplyRef | None, job_opening: JobOpening, now: datetime.datetime | None = None
) -> bool:
    """Record that a tracked link was followed (its first time counts); whether it was one."""
    message = tracked_message(ref=ref, job_opening=job_opening)
    if message is None:
        return False
    CampaignMessage.objects.filter(pk=message.pk, clicked_at__isnull=True).update(
        clicked_at=now or timezone.now()
    )
    return True


def application_create(
    *,
    job_opening: JobOpening,
    name: str,
    email: str,
    message: str = "",
    cv_url: str = "",
    ref: ApplyRef | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """Record an application, attributed when ``ref`` is a tracked link of this opening.

    Refused when the opening has closed, or when the address has already applied
    ``ADFLUX_APPLY_LIMIT_PER_HOUR`` times in the past hour (a flood from one address).
    """
    now = now or timezone.now()
    email = email.strip().lower()
    if not job_opening.is_open:
        raise ApplicationRefusedError(
            "This job opening has closed; it takes no applications.", http_status=410
        )
    limit = settings.ADFLUX_APPLY_LIMIT_PER_HOUR
    recent = Application.objects.filter(email=email, created_at__gte=now - timedelta(hours=1))
    if recent.count() >= limit:
        raise ApplicationRefusedError(
            f"This address has already sent {limit} applications in the past hour; "
            "please try again later.",
            http_status=429,
        )
    tracked = tracked_message(ref=ref, job_opening=job_opening)
    with transaction.atomic():
        application = Application(
            job_opening=job_opening,
            name=name.strip(),
            email=email,
            message=message.strip(),
            cv_url=cv_url.strip(),
        )
        if tracked is not None:
            application.campaign_id = tracked.campaign_id
            application.candidate_id = tracked.candidate_id
            # The segment the candidate is in now, under the active run.
            application.segment_id = (
                active_assignments()
                .filter(candidate_id=tracked.candidate_id)
                .values_list("segment_id", flat=True)
                .first()
            )
            CampaignMessage.objects.filter(pk=tracked.pk, clicked_at__isnull=True).update(
                clicked_at=now
            )
        application.full_clean()
        application.save()
    return application
