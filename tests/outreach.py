"""A campaign with an audience, built by hand: an active run, two segments, placed candidates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from campaigns.models import Campaign, JobOpening
from candidates.models import Candidate
from segmentation.models import Segment, SegmentationRun
from tests.assignments import place
from tests.factories import CandidateFactory


@dataclass
class Outreach:
    campaign: Campaign
    segments: list[Segment]
    members: dict[int, list[Candidate]]  # by segment id, in id order

    @property
    def audience(self) -> list[Candidate]:
        return sorted((c for group in self.members.values() for c in group), key=lambda c: c.pk)


def outreach_make(
    sizes: tuple[int, ...] = (3, 2),
    *,
    status: str = Campaign.Status.ACTIVE,
    budget: Decimal = Decimal("500.00"),
    title: str = "Senior back-end engineer",
) -> Outreach:
    """A campaign for one opening aimed at every segment of a new active run of these sizes.

    One more segment of the run, not targeted, holds a candidate the campaign must never reach.
    """
    run = SegmentationRun.objects.create(
        status=SegmentationRun.Status.TRAINED, is_active=True, n_clusters=len(sizes) + 1
    )
    segments = [
        Segment.objects.create(run=run, number=i, name=f"Segment {chr(65 + i)}")
        for i in range(len(sizes) + 1)
    ]
    members: dict[int, list[Candidate]] = {}
    for segment, size in zip(segments, sizes, strict=False):
        members[segment.pk] = [
            CandidateFactory(
                name=f"{segment.name} person {i}", email=f"s{segment.number}p{i}@example.org"
            )
            for i in range(size)
        ]
        place(members[segment.pk], segment)
    place(CandidateFactory(name="Not targeted", email="outsider@example.org"), segments[-1])
    opening = JobOpening.objects.create(
        title=title,
        location="Berlin",
        description="Python and PostgreSQL, on call one week in six.",
    )
    campaign = Campaign.objects.create(
        name="Back-end spring",
        job_opening=opening,
        status=status,
        budget=budget,
        start_date=datetime.date(2026, 1, 1),
    )
    campaign.target_segments.set(segments[:-1])
    return Outreach(campaign=campaign, segments=segments[:-1], members=members)
