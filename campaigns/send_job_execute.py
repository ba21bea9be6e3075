"""Running a campaign's send job in the worker: progress and heartbeats on its row."""

from __future__ import annotations

import logging

from django.utils import timezone

from campaigns.models import CampaignSendJob
from campaigns.sending import CampaignSendError, SendReport, campaign_send

logger = logging.getLogger(__name__)

Status = CampaignSendJob.Status


def campaign_send_job_execute(*, job_id: int) -> CampaignSendJob:
    """Run a queued send job to its end; a job no longer queued is left alone (run once)."""
    now = timezone.now()
    claimed = CampaignSendJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, heartbeat_at=now, updated_at=now
    )
    job = CampaignSendJob.objects.select_related("campaign__job_opening", "created_by").get(
        pk=job_id
    )
    if not claimed:
        logger.warning("Send job %s is %s, not queued: not run again.", job_id, job.status)
        return job

    def progress(report: SendReport) -> None:
        # Each message stamps the job: its heartbeat is what tells a slow send from a dead one.
        CampaignSendJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            total=report.total, done=report.done, heartbeat_at=timezone.now()
        )

    try:
        report = campaign_send(campaign=job.campaign, user=job.created_by, on_progress=progress)
    except BaseException as exc:
        if not isinstance(exc, CampaignSendError):
            logger.exception("Send job %s failed", job_id)
        send_job_finish(job_id, Status.FAILED, error=str(exc) or exc.__class__.__name__)
        raise
    send_job_finish(job_id, Status.SUCCEEDED, summary=report.summary())
    job.refresh_from_db()
    return job


def send_job_finish(
    job_id: int, status: str, *, error: str = "", summary: str = "", only_if: str | None = None
) -> int:
    jobs = CampaignSendJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.RUNNING])
    if only_if is not None:
        jobs = jobs.filter(status=only_if)
    now = timezone.now()
    return jobs.update(status=status, error=error, summary=summary, finished_at=now, updated_at=now)
