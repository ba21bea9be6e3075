"""Writes for a campaign's lifecycle: a person's step, and the calendar's check.

The rules are the table in ``campaigns/lifecycle.py``; here they are applied to a row locked for
the change, so a button and the worker's check on the same campaign never cross.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.kinds import AuditKind
from audit.services import audit_record
from campaigns.lifecycle import Step, TransitionError, step_due, transition
from campaigns.models import Campaign

logger = logging.getLogger(__name__)

CHANGE_PERMISSION = "campaigns.change_campaign"

# Scheduled, paused and ended have their own kinds; started (scheduled → active), resumed and
# back to draft are status changes, their step in the details.
_AUDIT_KINDS = {
    Campaign.Status.SCHEDULED: AuditKind.CAMPAIGN_SCHEDULED,
    Campaign.Status.PAUSED: AuditKind.CAMPAIGN_PAUSED,
    Campaign.Status.ENDED: AuditKind.CAMPAIGN_ENDED,
}

__all__ = ["CampaignTick", "TransitionError", "campaign_step", "campaigns_tick"]


def campaign_step(
    *,
    campaign_id: int,
    step: Step,
    user: AbstractBaseUser | AnonymousUser | None,
    today: datetime.date | None = None,
) -> Campaign:
    """Take ``step`` on the campaign and return it with its new status.

    ``user`` must hold ``campaigns.change_campaign`` (PermissionDenied otherwise); None is the
    calendar's own check. A step the lifecycle forbids raises TransitionError and changes
    nothing; Campaign.DoesNotExist if there is no such campaign.
    """
    if user is not None and not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied("You may not change campaigns.")
    today = today or timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        before = campaign.status
        campaign.status = transition(
            status=before,
            step=Step(step),
            start_date=campaign.start_date,
            end_date=campaign.end_date,
            today=today,
        )
        campaign.save(update_fields=["status", "updated_at"])
        audit_record(
            kind=_AUDIT_KINDS.get(campaign.status, AuditKind.CAMPAIGN_STATUS_CHANGED),
            user=user,
            target=campaign,
            details={"from": before, "to": campaign.status, "step": step.value},
        )
    logger.info(
        "Campaign %s: %s -> %s (%s by %s)",
        campaign.pk,
        before,
        campaign.status,
        step,
        "the calendar" if user is None else user.get_username(),
    )
    return campaign


@dataclass(frozen=True)
class CampaignTick:
    """What one check of the calendar did: the ids of the campaigns started and ended."""

    started: list[int]
    ended: list[int]


def campaigns_tick(*, today: datetime.date | None = None) -> CampaignTick:
    """Start the scheduled campaigns whose date has come; end those whose end date has passed.

    Idempotent: run it every minute (``manage.py campaigns_tick --every 60``, or cron), a
    second run on the same day finds nothing to do.
    """
    today = today or timezone.localdate()
    running = [Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE, Campaign.Status.PAUSED]
    # The query finds every campaign that may be due; ``step_due`` decides, as for one.
    maybe_due = Campaign.objects.filter(
        Q(status__in=running, end_date__lt=today)
        | Q(status=Campaign.Status.SCHEDULED, start_date__lte=today)
    ).values_list("pk", "status", "start_date", "end_date")
    started: list[int] = []
    ended: list[int] = []
    for pk, status, start_date, end_date in maybe_due:
        step = step_due(status=status, start_date=start_date, end_date=end_date, today=today)
        if step is None:
            continue
        try:
            campaign_step(campaign_id=pk, step=step, user=None, today=today)
        except (TransitionError, Campaign.DoesNotExist):
            continue  # changed by someone else since the query: nothing left to do for it
        (ended if step is Step.END else started).append(pk)
    return CampaignTick(started=started, ended=ended)
