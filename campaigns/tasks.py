"""Background tasks: thin doors from the task queue to the campaign send job."""

from __future__ import annotations

from django_tasks import task

from campaigns.send_job_execute import campaign_send_job_execute


@task()
def campaign_send_task(job_id: int) -> str:
    """Send one campaign's job-ad email in the worker (``manage.py db_worker``)."""
    return campaign_send_job_execute(job_id=job_id).status
