"""Job-ad email: one message per audience member, each (campaign, candidate) at most once, ever.

Every message has a ``CampaignMessage`` row. The row is queued, then claimed (``sending``,
written and committed before the message goes to the mail server), then marked ``sent`` or
``failed``. Only queued rows are ever claimed, by an update that one sender alone can win, so
a send killed midway and started again sends only the rest, two sends side by side never send
one message twice, and sending again sends nothing. The price: a sender killed between its
claim and its mark leaves a row in ``sending`` that may or may not have been delivered; it is
never retried (at most once rather than at least once; docs/campaigns.md says why).
"""

from __future__ import annotations

import enum
import logging
import smtplib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone

from audit.kinds import AuditKind
from audit.services import audit_record
from campaigns import links
from campaigns.models import Campaign, CampaignMessage
from segmentation.selectors.assignments import audience_batches

logger = logging.getLogger(__name__)

Status = CampaignMessage.Status
SEND_PERMISSION = "campaigns.change_campaign"
# Audience members read and queued per statement; messages claimed per read.
BATCH_SIZE = 500
# What the mail server says about one message: it refused it, the rest can go on.
REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


class CampaignSendError(Exception):
    """The campaign cannot send now; the message says why and what to do."""


@dataclass
class SendReport:
    """What one send did: messages it had to deliver, sent, failed, and why it stopped early."""

    total: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    already_sent: int = 0
    uncertain: int = 0
    stopped: str = ""

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    def summary(self) -> str:
        parts = [f"{self.sent:,} sent", f"{self.failed:,} failed"]
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped (no longer contactable)")
        if self.already_sent:
            parts.append(f"{self.already_sent:,} sent by an earlier send and not again")
        if self.uncertain:
            parts.append(
                f"{self.uncertain:,} left uncertain by a send that stopped mid-message "
                "(not sent again)"
            )
        text = ", ".join(parts) + "."
        return f"{text} {self.stopped}" if self.stopped else text


ProgressListener = Callable[[SendReport], None]


def campaign_send_check(*, campaign: Campaign, user: AbstractBaseUser | None) -> None:
    """Refuse, with a sentence, a send that may not or cannot happen now."""
    if user is not None and not user.has_perm(SEND_PERMISSION):
        raise PermissionDenied("Sending a campaign needs the permission to change campaigns.")
    if campaign.status != Campaign.Status.ACTIVE:
        raise CampaignSendError(
            f"Only an active campaign sends; “{campaign.name}” is "
            f"{campaign.get_status_display().lower()}."
        )
    if not settings.ADFLUX_BASE_URL:
        raise CampaignSendError(
            "ADFLUX_BASE_URL is not set: the emails' apply and unsubscribe links need the "
            "site's address, e.g. ADFLUX_BASE_URL=https://jobs.example.org."
        )


def campaign_messages_queue(*, campaign: Campaign) -> int:
    """Queue a message for each audience member who has none yet; how many were queued.

    A candidate with a row of any status (sent, failed, uncertain) is left alone: that is what
    makes "at most once, ever" hold across sends.
    """
    queued = 0
    messages = CampaignMessage.objects.filter(campaign=campaign)
    for batch in _audience_batches(campaign):
        known = set(
            messages.filter(candidate_id__in=[pk for pk, _ in batch]).values_list(
                "candidate_id", flat=True
            )
        )
        rows = [
            CampaignMessage(campaign=campaign, candidate_id=candidate_id, segment_id=segment_id)
            for candidate_id, segment_id in batch
            if candidate_id not in known
        ]
        # ignore_conflicts: a send side by side may queue the same candidate first; the unique
        # constraint keeps one row, whoever wrote it.
        CampaignMessage.objects.bulk_create(rows, ignore_conflicts=True)
        queued += len(rows)
    return queued


def campaign_send(
    *,
    campaign: Campaign,
    user: AbstractBaseUser | None = None,
    on_progress: ProgressListener | None = None,
    connection: BaseEmailBackend | None = None,
    rate: float | None = None,
) -> SendReport:
    """Send the campaign's job-ad email to every audience member not yet sent it.

    One message per candidate, paced at ``rate`` messages per second (``ADFLUX_EMAIL_RATE``).
    A message the mail server refuses is recorded as failed with its reason and the rest go on;
    a broken connection stops the send (what was sent stays sent; send again for the rest).
    The send also stops, between two messages, when the campaign stops being active.
    """
    campaign_send_check(campaign=campaign, user=user)
    campaign_messages_queue(campaign=campaign)
    messages = CampaignMessage.objects.filter(campaign=campaign)
    report = SendReport(
        total=messages.filter(status=Status.QUEUED).count(),
        already_sent=messages.filter(status=Status.SENT).count(),
        uncertain=messages.filter(status=Status.SENDING).count(),
    )
    if on_progress is not None:
        on_progress(report)
    if not report.total:
        return report
    pacer = _Pacer(settings.ADFLUX_EMAIL_RATE if rate is None else rate)
    connection = connection or get_connection()
    try:
        connection.open()
    except OSError as exc:
        raise CampaignSendError(f"Cannot reach the mail server: {exc}. Nothing was sent.") from exc
    try:
        for message in _queued(campaign):
            if not _still_active(campaign):
                report.stopped = "Stopped: the campaign is no longer active; the rest wait."
                break
            pacer.wait()
            claim = _claim(message)
            if claim is not Claim.TAKEN:
                report.skipped += claim is Claim.SKIPPED
                continue  # another send claimed it first, or the candidate unsubscribed
            try:
                connection.send_messages([_email(campaign, message)])
            except REFUSED as exc:
                _mark(message, Status.FAILED, error=_smtp_reason(exc))
                report.failed += 1
            except Exception as exc:
                # The connection broke mid-message: it may have been delivered, so the row stays
                # "sending" and is never sent again.
                CampaignMessage.objects.filter(pk=message.pk).update(
                    error=f"The connection broke while sending: {exc}", updated_at=timezone.now()
                )
                raise CampaignSendError(
                    f"The mail server connection broke ({exc}) after {report.sent:,} messages. "
                    f"The message to {message.candidate.email} may or may not have arrived and is "
                    "not sent again; send again to continue with the rest."
                ) from exc
            else:
                _mark(message, Status.SENT)
                report.sent += 1
            if on_progress is not None:
                on_progress(report)
    finally:
        connection.close()
        if report.done:  # also when the send stopped on a broken connection
            audit_record(
                kind=AuditKind.CAMPAIGN_SENT,
                user=user,
                target=campaign,
                details={
                    "sent": report.sent,
                    "failed": report.failed,
                    "skipped": report.skipped,
                    "stopped": report.stopped,
                },
            )
    return report


def _audience_batches(campaign: Campaign) -> Iterator[list[tuple[int, int]]]:
    """(candidate id, segment id) of the audience in id order, a batch at a time."""
    segment_ids = list(
        campaign.target_segments.filter(run__is_active=True).values_list("pk", flat=True)
    )
    for batch in audience_batches(segment_ids=segment_ids, batch_size=BATCH_SIZE):
        yield [(candidate.pk, candidate.segment.pk) for candidate in batch]


def _queued(campaign: Campaign) -> Iterator[CampaignMessage]:
    """Queued messages by candidate id, read a batch at a time (rows claimed since are skipped)."""
    after = 0
    while True:
        batch = list(
            CampaignMessage.objects.filter(
                campaign=campaign, status=Status.QUEUED, candidate_id__gt=after
            )
            .select_related("candidate")
            .order_by("candidate_id")[:BATCH_SIZE]
        )
        if not batch:
            return
        yield from batch
        after = batch[-1].candidate_id


class Claim(enum.Enum):
    TAKEN = "taken"  # this sender sends it
    LOST = "lost"  # another send of the campaign took it first
    SKIPPED = "skipped"  # its candidate may no longer be contacted


def _claim(message: CampaignMessage) -> Claim:
    """Take the message for this sender, committed before it goes out.

    A candidate who may no longer be contacted (unsubscribed since the message was queued) is
    not claimed: their message is marked skipped.
    """
    now = timezone.now()
    queued = CampaignMessage.objects.filter(pk=message.pk, status=Status.QUEUED)
    if queued.filter(candidate__contact_allowed=True).update(
        status=Status.SENDING, claimed_at=now, updated_at=now
    ):
        return Claim.TAKEN
    skipped = queued.update(
        status=Status.SKIPPED,
        error="The candidate may no longer be contacted (unsubscribed or suppressed).",
        updated_at=now,
    )
    return Claim.SKIPPED if skipped else Claim.LOST


def _mark(message: CampaignMessage, status: str, *, error: str = "") -> None:
    now = timezone.now()
    sent_at = now if status == Status.SENT else None
    CampaignMessage.objects.filter(pk=message.pk).update(
        status=status, error=error, sent_at=sent_at, updated_at=now
    )


def _still_active(campaign: Campaign) -> bool:
    status = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
    return status == Campaign.Status.ACTIVE


def _email(campaign: Campaign, message: CampaignMessage) -> EmailMessage:
    """The candidate's personalised job ad, with RFC 8058 one-click unsubscribe headers."""
    candidate = message.candidate
    opening = campaign.job_opening
    ids = {"campaign_id": campaign.pk, "candidate_id": candidate.pk}
    unsubscribe = links.unsubscribe_url(**ids)
    body = render_to_string(
        "campaigns/email/job_ad.txt",
        {
            "candidate": candidate,
            "opening": opening,
            "apply_url": links.apply_url(job_opening_id=opening.pk, **ids),
            "unsubscribe_url": unsubscribe,
        },
    )
    where = f" in {opening.location}" if opening.location else ""
    return EmailMessage(
        subject=f"{opening.title}{where}",
        body=body,
        to=[candidate.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # The same id whoever sends it: a mail server that sees it twice can tell.
            "Message-ID": f"<campaign-{campaign.pk}.candidate-{candidate.pk}@{_domain()}>",
        },
    )


def _domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "adflux.invalid"


def _smtp_reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        reasons = [
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        ]
        return "The mail server refused the recipient: " + "; ".join(reasons)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server refused the message: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"The mail server refused the message: {exc}"


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class _Pacer:
    """Waits so that messages leave at most ``rate`` per second (0: no wait)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = time.monotonic()

    def wait(self) -> None:
        if not self._interval:
            return
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next, time.monotonic()) + self._interval
