"""Campaign targets across retrains: who a new run would move, and targets that follow twins.

Segmentation sits below campaigns and never imports them; it sends ``succession_planned`` when
a new run is matched to the active one and ``run_activating`` inside the activation
transaction. The receivers here (connected in ``CampaignsConfig.ready``) answer with each
campaign's audience change, and add each targeted segment's twin to the campaign's targets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db.models import QuerySet

from campaigns.models import Campaign


def campaign_audience_changes(
    *,
    old_segment_ids: list[int],
    old_of_new: list[int],
    flows: np.ndarray,
    **_: Any,
) -> list[dict[str, Any]]:
    """Active campaigns aimed at the old segments, and how their audience would change.

    On activation a campaign aimed at old segments S also aims at their twins T. ``staying``
    are its candidates who go to T, ``leaving`` those who go elsewhere (it loses them),
    ``joining`` those who come to T from outside S (it gains them).
    """
    number_of = {segment_id: number for number, segment_id in enumerate(old_segment_ids)}
    targets = _active_campaign_targets().filter(segment_id__in=list(number_of))
    aimed: dict[int, tuple[str, set[int]]] = {}
    for campaign_id, name, segment_id in targets.values_list(
        "campaign_id", "campaign__name", "segment_id"
    ):
        aimed.setdefault(campaign_id, (name, set()))[1].add(number_of[segment_id])
    campaigns = []
    for campaign_id, (name, numbers) in sorted(aimed.items()):
        rows = [number + 1 for number in sorted(numbers)]
        twins = [new for new, old in enumerate(old_of_new) if old in numbers]
        audience = int(flows[rows].sum())
        staying = int(flows[np.ix_(rows, twins)].sum()) if twins else 0
        campaigns.append(
            {
                "id": campaign_id,
                "name": name,
                "segments": [old_segment_ids[number] for number in sorted(numbers)],
                "audience": audience,
                "staying": staying,
                "leaving": audience - staying,
                "joining": (int(flows[:, twins].sum()) - staying) if twins else 0,
            }
        )
    return campaigns


def campaigns_targeting(*, segment_ids: list[int], **_: Any) -> list[dict[str, Any]]:
    """Campaigns not ended that aim at any of these segments: what an activation must ask about."""
    through = Campaign.target_segments.through
    rows = (
        through.objects.filter(segment_id__in=segment_ids)
        .exclude(campaign__status=Campaign.Status.ENDED)
        .values_list("campaign_id", "campaign__name", "campaign__status", "segment_id")
        .order_by("campaign__name", "campaign_id")
    )
    found: dict[int, dict[str, Any]] = {}
    for campaign_id, name, status, segment_id in rows:
        entry = found.setdefault(
            campaign_id, {"id": campaign_id, "name": name, "status": status, "segment_ids": []}
        )
        entry["segment_ids"].append(segment_id)
    return list(found.values())


def _active_campaign_targets() -> QuerySet:
    return Campaign.target_segments.through.objects.filter(campaign__status=Campaign.Status.ACTIVE)


def campaign_targets_follow_twins(
    *, twins: dict[int, int], retarget: dict[int, list[int]] | None = None, **_: Any
) -> int:
    """Campaigns aimed at a replaced segment also aim at its twin; returns targets added.

    ``retarget`` adds the new segments a person chose for a campaign whose segment ends without
    a twin (a campaign deleted since is skipped). Runs in the activation's transaction. Ended
    campaigns keep their targets as a record.
    """
    through = Campaign.target_segments.through
    aimed = (
        through.objects.filter(segment_id__in=list(twins))
        .exclude(campaign__status=Campaign.Status.ENDED)
        .values_list("campaign_id", "segment_id")
    )
    added = {(campaign_id, twins[segment_id]) for campaign_id, segment_id in aimed}
    if retarget:
        existing = set(Campaign.objects.filter(pk__in=list(retarget)).values_list("pk", flat=True))
        added |= {
            (campaign_id, segment_id)
            for campaign_id, segment_ids in retarget.items()
            if campaign_id in existing
            for segment_id in segment_ids
        }
    if not added:
        return 0
    through.objects.bulk_create(
        [through(campaign_id=c, segment_id=s) for c, s in sorted(added)], ignore_conflicts=True
    )
    return len(added)
