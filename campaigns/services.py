"""Writes for campaigns: creating one from the recruiter's page."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, JobOpening
from segmentation.models import Segment

NO_TARGET_MESSAGE = "Choose at least one segment: a campaign must target someone."


@transaction.atomic
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
    """Save a campaign and its targets together, or neither."""
    targets = list(target_segments)
    # The table cannot express "at least one target" (it is a many-to-many), so it is held here.
    if not targets:
        raise ValidationError({"target_segments": NO_TARGET_MESSAGE})
    campaign = Campaign(
        name=name,
        job_opening=job_opening,
        status=status,
        budget=budget,
        start_date=start_date,
        end_date=end_date,
        created_by=user,
    )
    campaign.full_clean()
    campaign.save()
    campaign.target_segments.set(targets)
    return campaign
