"""Writing a campaign's audience as an ad platform's customer list: the command and the page's
download buttons both go through here.

The audience is read only through ``audience_size`` and ``audience_batches`` (segmentation's
audience selectors) over the campaign's targets in the active run, so a file holds exactly the
number of rows the campaign page shows, and nobody who may not be contacted. The rows
themselves are the pure rules of ``campaigns/audience_formats.py``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from audit.kinds import AuditKind
from audit.services import audit_record
from campaigns.audience_formats import (
    FORMATS,
    AudienceSizeError,
    Person,
    Platform,
    size_check,
)
from campaigns.models import Campaign
from segmentation.models import Segment
from segmentation.selectors.assignments import audience_batches, audience_size

EXPORT_PERMISSIONS = ("campaigns.view_campaign", "campaigns.export_audience")
BATCH_SIZE = 2_000


class AudienceExportRefused(Exception):
    """The export cannot be made (ended campaign, audience too small or large); says why."""


@dataclass(frozen=True)
class AudienceExport:
    """An export that passed its checks: what to write, and a warning to show with it."""

    campaign: Campaign
    platform: Platform
    segment_ids: list[int]
    size: int
    warning: str | None
    user: AbstractBaseUser | AnonymousUser | None

    @property
    def filename(self) -> str:
        return f"campaign-{self.campaign.pk}-{self.platform}-audience.csv"


def audience_export_prepare(
    *,
    campaign_id: int,
    platform: Platform,
    user: AbstractBaseUser | AnonymousUser | None,
) -> AudienceExport:
    """Check that this audience may leave for ``platform`` now, and by whom.

    ``user`` needs ``view_campaign`` and ``export_audience`` (PermissionDenied); None is the
    command line. Campaign.DoesNotExist if there is no such campaign; AudienceExportRefused
    with a sentence for an ended campaign or a size the platform refuses.
    """
    if user is not None and not user.has_perms(EXPORT_PERMISSIONS):
        raise PermissionDenied("You may not export campaign audiences.")
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status == Campaign.Status.ENDED:
        raise AudienceExportRefused(
            f"Campaign “{campaign.name}” has ended: its audience is no longer exported."
        )
    # Targets of an older run reach nobody: their candidates now belong to the active run's.
    segment_ids = list(
        Segment.objects.filter(campaigns=campaign, run__is_active=True).values_list("pk", flat=True)
    )
    size = audience_size(segment_ids=segment_ids)
    try:
        warning = size_check(platform, size)
    except AudienceSizeError as exc:
        raise AudienceExportRefused(str(exc)) from exc
    return AudienceExport(
        campaign=campaign,
        platform=platform,
        segment_ids=segment_ids,
        size=size,
        warning=warning,
        user=user,
    )


def audience_rows(export: AudienceExport) -> Iterator[list[str]]:
    """The header, then one row per audience member in id order, a batch at a time."""
    spec = FORMATS[export.platform]
    yield list(spec.header)
    for batch in audience_batches(segment_ids=export.segment_ids, batch_size=BATCH_SIZE):
        for candidate in batch:
            yield spec.row(
                Person(name=candidate.name, email=candidate.email, location=candidate.location)
            )


def audience_csv_write(*, export: AudienceExport, out: TextIO) -> int:
    """Write the file to ``out`` (opened with ``newline=""``); the number of people written."""
    writer = csv.writer(out)
    rows = -1  # the header is not a person
    for row in audience_rows(export):
        writer.writerow(row)
        rows += 1
    _exported(export, rows)
    return rows


def audience_csv_chunks(export: AudienceExport) -> Iterator[str]:
    """The file as text, a batch of rows at a time, for a streamed download."""
    buffer = _Lines()
    writer = csv.writer(buffer)
    rows = -1
    for row in audience_rows(export):
        writer.writerow(row)
        rows += 1
        if len(buffer.lines) >= BATCH_SIZE:
            yield buffer.take()
    yield buffer.take()
    _exported(export, rows)


class _Lines:
    """A file-like target for csv.writer that keeps the lines until they are taken."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, line: str) -> None:
        self.lines.append(line)

    def take(self) -> str:
        text = "".join(self.lines)
        self.lines.clear()
        return text


def _exported(export: AudienceExport, rows: int) -> None:
    # Recorded once the file is complete: who took which audience out, in which format, and
    # how many people it holds. A download broken off midway records nothing.
    audit_record(
        kind=AuditKind.AUDIENCE_EXPORTED,
        user=export.user,
        target=export.campaign,
        details={"format": export.platform.value, "rows": rows},
    )
