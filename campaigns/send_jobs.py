"""Starting a campaign's send from its page: checked at once, then queued for the worker.

The job row is for the page's progress bar and for "one send at a time per campaign" as a
courtesy; what keeps each message to one delivery is the claim on its row (campaigns.sending).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, CampaignSendJob
from campaigns.send_job_execute import send_job_finish
from campaigns.sending import CampaignSendError, campaign_send_check

Status = CampaignSendJob.Status


def campaign_send_start(*, campaign: Campaign, user: AbstractBaseUser | None) -> CampaignSendJob:
    """Check the send now (so the user reads why not at once) and queue it for the worker."""
    from campaigns.tasks import campaign_send_task

    campaign_send_check(campaign=campaign, user=user)
    campaign_send_jobs_recover_stale()
    current = campaign.send_jobs.filter(status__in=[Status.QUEUED, Status.RUNNING]).first()
    if current is not None:
        raise CampaignSendError(
            f"This campaign is already sending (started {current.created_at:%Y-%m-%d %H:%M}); "
            "its progress is on this page."
        )
    # The job and its task row are one transaction: the queue is this same database.
    with transaction.atomic():
        job = CampaignSendJob.objects.create(
            campaign=campaign,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        job.task_id = str(campaign_send_task.enqueue(job.pk).id)
        job.save(update_fields=["task_id", "updated_at"])
    return job


def campaign_send_jobs_recover_stale() -> int:
    """Fail send jobs whose worker went silent or never came; how many.

    The messages such a job left are safe: sent ones stay sent, queued ones wait for the next
    send, and the one it may have been handing over stays uncertain, never sent twice.
    """
    now = timezone.now()
    timeout = settings.ADFLUX_JOB_TIMEOUT_SECONDS
    queue_timeout = settings.ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS
    settle = [
        (
            Status.RUNNING,
            Q(heartbeat_at__lt=now - timedelta(seconds=timeout)),
            f"The worker stopped responding (no progress for {timeout:g} s). What was sent "
            "stays sent; send again to continue with the rest.",
        ),
        (
            Status.QUEUED,
            Q(created_at__lt=now - timedelta(seconds=queue_timeout)),
            f"No worker started it within {queue_timeout:g} s: is the background worker "
            "(manage.py db_worker) running? Nothing was sent.",
        ),
    ]
    recovered = 0
    for status, stale, error in settle:
        for pk in CampaignSendJob.objects.filter(stale, status=status).values_list("pk", flat=True):
            recovered += send_job_finish(pk, Status.FAILED, error=error, only_if=status)
    return recovered
