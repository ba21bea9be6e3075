"""What a campaign's job-ad email brought back, per target segment: reads only.

A message counts for the segment that put its candidate in the audience when it was queued; an
application counts for the segment its candidate was in when applying. Applications and
clicks whose segment is not one of the campaign's targets (a retraining since) show on a row
of their own rather than vanish.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from django.db.models import Count, Q

from campaigns.models import Application, Campaign, CampaignMessage
from segmentation.models import Segment
from segmentation.selectors.assignments import audience_size

Status = CampaignMessage.Status
CENTS = Decimal("0.01")
CSV_HEADER = [
    "segment",
    "audience",
    "sent",
    "failed",
    "clicked",
    "applied",
    "apply_rate",
    "budget_share",
    "cost_per_application",
]


@dataclass
class SegmentResult:
    """One row of the results: a target segment, or the applications outside the targets."""

    label: str
    segment_id: int | None = None
    audience: int = 0
    sent: int = 0
    failed: int = 0
    clicked: int = 0
    applied: int = 0
    budget_share: Decimal = Decimal(0)

    @property
    def apply_rate(self) -> float | None:
        """Applicants per message sent; None before anything is sent."""
        return self.applied / self.sent if self.sent else None

    @property
    def cost_per_application(self) -> Decimal | None:
        return (self.budget_share / self.applied).quantize(CENTS) if self.applied else None


@dataclass
class CampaignResults:
    rows: list[SegmentResult] = field(default_factory=list)
    total: SegmentResult = field(default_factory=lambda: SegmentResult("All segments"))

    def chart(self) -> dict[str, object]:
        """The funnel's numbers for the page's chart, per segment row."""
        return {
            "stages": ["Audience", "Sent", "Clicked", "Applied"],
            "segments": [
                {"label": r.label, "values": [r.audience, r.sent, r.clicked, r.applied]}
                for r in self.rows
            ],
        }


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    """The campaign's funnel per target segment, with its budget spread by audience share.

    A target's audience is its members who may be contacted now; targets of older runs reach
    no one.
    """
    targets = list(campaign.target_segments.select_related("run").order_by("run", "number"))
    # The audience's one count (the campaign page's and every channel's), per segment.
    audience_of = {s.pk: audience_size(segment_ids=[s.pk]) for s in targets if s.run.is_active}
    rows = {s.pk: SegmentResult(label=s.name, segment_id=s.pk) for s in targets}
    outside = SegmentResult(label="Not a target segment now")
    for segment_id, audience in audience_of.items():
        if segment_id in rows:
            rows[segment_id].audience = audience
    sent = (
        CampaignMessage.objects.filter(campaign=campaign)
        .values("segment_id")
        .annotate(
            sent=Count("pk", filter=Q(status=Status.SENT)),
            failed=Count("pk", filter=Q(status=Status.FAILED)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
        .order_by()
    )
    for counts in sent:
        row = rows.get(counts["segment_id"], outside)
        row.sent += counts["sent"]
        row.failed += counts["failed"]
        row.clicked += counts["clicked"]
    applied = (
        Application.objects.filter(campaign=campaign)
        .values("segment_id")
        .annotate(applied=Count("candidate_id", distinct=True))
        .order_by()
    )
    for counts in applied:
        rows.get(counts["segment_id"], outside).applied += counts["applied"]
    results = CampaignResults(rows=list(rows.values()))
    if outside.sent or outside.clicked or outside.applied or outside.failed:
        results.rows.append(outside)
    total_audience = sum(row.audience for row in results.rows)
    for row in results.rows:
        if total_audience:
            share = campaign.budget * row.audience / total_audience
            row.budget_share = share.quantize(CENTS, rounding=ROUND_HALF_UP)
        for name in ("audience", "sent", "failed", "clicked", "applied"):
            setattr(results.total, name, getattr(results.total, name) + getattr(row, name))
    results.total.budget_share = campaign.budget if total_audience else Decimal(0)
    return results


def campaign_results_csv(results: CampaignResults, out: TextIO) -> None:
    """The results table as CSV: a row per segment and one for all segments."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in [*results.rows, results.total]:
        rate = row.apply_rate
        cost = row.cost_per_application
        writer.writerow(
            [
                row.label,
                row.audience,
                row.sent,
                row.failed,
                row.clicked,
                row.applied,
                "" if rate is None else f"{rate:.4f}",
                f"{row.budget_share:.2f}",
                "" if cost is None else f"{cost:.2f}",
            ]
        )


@dataclass(frozen=True)
class SegmentCampaignRate:
    """How one campaign did in one segment."""

    campaign: Campaign
    sent: int
    applied: int

    @property
    def apply_rate(self) -> float | None:
        return self.applied / self.sent if self.sent else None


def segment_campaign_rates(
    *, segment: Segment, campaigns: Iterable[Campaign]
) -> list[SegmentCampaignRate]:
    """Each campaign with its messages sent to the segment and its applicants from it."""
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    sent = dict(
        CampaignMessage.objects.filter(campaign_id__in=ids, segment=segment, status=Status.SENT)
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
        .order_by()
    )
    applied = dict(
        Application.objects.filter(campaign_id__in=ids, segment=segment)
        .values("campaign_id")
        .annotate(n=Count("candidate_id", distinct=True))
        .values_list("campaign_id", "n")
        .order_by()
    )
    return [
        SegmentCampaignRate(campaign=c, sent=sent.get(c.pk, 0), applied=applied.get(c.pk, 0))
        for c in campaigns
    ]
