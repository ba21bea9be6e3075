"""Writes for campaigns: creating and changing one, from the recruiter's pages or the admin."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.kinds import AuditKind
from audit.services import audit_record
from campaigns.models import Campaign, JobOpening
from segmentation.models import Segment

NO_TARGET_MESSAGE = "Choose at least one segment: a campaign must target someone."


def campaign_targets_check(target_segments: Iterable[Segment]) -> list[Segment]:
    """The targets as a list; refused without one (the table cannot hold this rule itself)."""
    targets = list(target_segments)
    if not targets:
        raise ValidationError({"target_segments": NO_TARGET_MESSAGE})
    return targets


# A change to these statuses is recorded as its own kind; any other as a status change.
_STATUS_KINDS = {
    Campaign.Status.PAUSED: AuditKind.CAMPAIGN_PAUSED,
    Campaign.Status.ENDED: AuditKind.CAMPAIGN_ENDED,
}


@transaction.atomic
def campaign_save(
    *,
    campaign: Campaign,
    target_segments: Iterable[Segment],
    user: AbstractBaseUser | None = None,
    **fields: Any,
) -> Campaign:
    """Save a new or changed campaign with these fields and targets together, or neither.

    Its creation and any change of status are recorded in the audit trail, done by ``user``.
    """
    targets = campaign_targets_check(target_segments)
    before = (
        Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
        if campaign.pk
        else None
    )
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    campaign.target_segments.set(targets)
    if before is None:
        audit_record(
            kind=AuditKind.CAMPAIGN_CREATED,
            user=user,
            target=campaign,
            details={
                "status": campaign.status,
                "job_opening": campaign.job_opening_id,
                "target_segments": sorted(segment.pk for segment in targets),
            },
        )
    elif before != campaign.status:
        audit_record(
            kind=_STATUS_KINDS.get(campaign.status, AuditKind.CAMPAIGN_STATUS_CHANGED),
            user=user,
            target=campaign,
            details={"from": before, "to": campaign.status},
        )
    return campaign


def campaign_create(
    *,
    name: str,
    job_opening: JobOpening,
    target_segments: Iterable[Segment],
    status: str = Campaign.Status.DRAFT,
    budget: Decimal = Decimal(0),
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    user: AbstractBaseUser | None,
) -> Campaign:
    """A new campaign and its targets, saved together, or neither."""
    return campaign_save(
        campaign=Campaign(created_by=user),
        user=user,
        target_segments=target_segments,
        name=name,
        job_opening=job_opening,
        status=status,
        budget=budget,
        start_date=start_date,
        end_date=end_date,
    )
